//! The full batch path through the MMIO backend: planner → channel driver →
//! `MmioLl` writing an LL memory image with volatile stores → the mock
//! executing **that image** (copied into its local memory on `sync`, the
//! moment posted writes must have landed before the doorbell). Data verified
//! for every map, deployment and direction.

use edma_backend_mmio::{LlKind, MmioLl};
use edma_backend_mock::{MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::desc::{Element, SLOT_SIZE};
use edma_core::io::LlMemory;
use edma_core::plan::Entry;
use edma_core::{ChannelDir, Deployment, MapFormat};

const SLOTS: usize = 6;

struct ImageLl<'a> {
    mmio: MmioLl,
    image: *const u8,
    engine: &'a MockEngine,
    syncs: usize,
}

impl LlMemory for ImageLl<'_> {
    fn bus_addr(&self) -> u64 {
        self.mmio.bus_addr()
    }
    fn capacity(&self) -> usize {
        self.mmio.capacity()
    }
    fn write(&mut self, index: usize, element: &Element) {
        self.mmio.write(index, element)
    }
    fn sync(&mut self) {
        self.mmio.sync();
        self.syncs += 1;
        let mut bytes = vec![0u8; SLOTS * SLOT_SIZE];
        for (i, b) in bytes.iter_mut().enumerate() {
            // SAFETY: `image` points at SLOTS * 24 live bytes (the test's
            // buffer outlives this value); volatile, as the MMIO writer's
            // stores were.
            *b = unsafe { self.image.add(i).read_volatile() };
        }
        self.engine.local_write(self.mmio.bus_addr(), &bytes);
    }
}

#[test]
fn batches_run_from_the_image_the_mmio_backend_wrote() {
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            for dir in ChannelDir::ALL {
                let engine = MockEngine::new(MockConfig::new(map));
                let ctrl = Controller::new(&engine, map, dep);
                ctrl.configure_remote_interrupt(dir, 3, 0x3f_0000, 7);
                let src: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
                match dir {
                    ChannelDir::Write => engine.local_write(0, &src),
                    ChannelDir::Read => engine.pci_write(0, &src),
                }
                let mut image = vec![0u64; SLOTS * SLOT_SIZE / 8];
                let kind = if dep == Deployment::Remote {
                    LlKind::Device
                } else {
                    LlKind::Ram
                };
                // SAFETY: `image` is SLOTS * 24 bytes, 8-aligned, and outlives `ll`;
                // only `ll` writes it, the reader in `sync` only reads.
                let mmio = unsafe {
                    MmioLl::new(
                        image.as_mut_ptr().cast(),
                        SLOTS,
                        engine.ll_base(dir, 3),
                        kind,
                    )
                };
                let ll = ImageLl {
                    mmio,
                    image: image.as_ptr().cast(),
                    engine: &engine,
                    syncs: 0,
                };
                let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(dir, 3)).unwrap(), ll);
                // 13 entries of varied sizes, 5 per chunk: 3 chunks.
                let batch: Vec<Entry> = (0..13u64)
                    .map(|i| Entry::new(i * 300, 0x10_0000 + i * 400, 17 + i * 19))
                    .collect();
                ch.submit(&ctrl, &batch).unwrap();
                let done = loop {
                    if let Some(c) = ch.on_interrupt(&ctrl).completion() {
                        break c;
                    }
                };
                assert!(
                    done.is_success(),
                    "{map:?} {dep:?} {dir:?}: {:?}",
                    done.status
                );
                assert_eq!(done.chunks, 3);
                assert_eq!(ch.ll().unwrap().syncs, 3, "one sync before each doorbell");
                for e in &batch {
                    let got = match dir {
                        ChannelDir::Write => engine.pci_read(e.dst, e.len as usize + 1),
                        ChannelDir::Read => engine.local_read(e.dst, e.len as usize + 1),
                    };
                    assert_eq!(
                        &got[..e.len as usize],
                        &src[e.src as usize..][..e.len as usize],
                        "{map:?} {dep:?} {dir:?}"
                    );
                    assert_eq!(got[e.len as usize], 0, "byte after the entry untouched");
                }
                let k = engine.counters().total();
                assert_eq!((k.doorbells, k.done_local, k.elements), (3, 3, 13));
            }
        }
    }
}
