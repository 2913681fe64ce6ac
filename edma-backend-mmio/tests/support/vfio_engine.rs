//! The engine side of the VFIO layer: a mock eDMA/HDMA whose PCI side is
//! the set of buffers mapped in a `DmaSpace`, resolved by IOVA through the
//! layer's own map, driven in remote deployment as a host program drives
//! an endpoint's engine through its BAR. Shared by `tests/vfio_mock.rs`
//! (a simulated space, in CI) and `examples/vfio_guest.rs` (the real
//! iommufd and container spaces, in the QEMU guest).

use std::time::Duration;

use edma_backend_mmio::vfio::{DmaSlice, DmaSpace, ImwrWatch};
use edma_backend_mock::{AbortCause, MockConfig, MockEngine, PciMemory};
use edma_core::ring::{Notify, Ring};
use edma_core::{
    Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat, Status,
};

/// The IOMMU's view of a space, as the mock's PCI memory.
pub(crate) struct SpaceMemory(pub(crate) DmaSpace);

impl PciMemory for SpaceMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> bool {
        self.0.read_iova(addr, buf)
    }
    fn write(&self, addr: u64, data: &[u8]) -> bool {
        self.0.write_iova(addr, data)
    }
}

/// Counts checks and prints each one.
#[derive(Default)]
pub(crate) struct Report {
    pub(crate) passed: u32,
    pub(crate) failed: u32,
}

impl Report {
    pub(crate) fn check(&mut self, what: &str, ok: bool) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        println!("{} {what}", if ok { "ok" } else { "FAIL" });
    }
}

fn pattern(seed: u8, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

const GUARD: u8 = 0xa5;

/// Every check of the mock engine over `space`'s buffers, for one map.
pub(crate) fn run(space: &DmaSpace, map: MapFormat, r: &mut Report) {
    let tag = format!("{} {map:?}", space.kind());
    let engine = MockEngine::new(MockConfig::new(map));
    engine.set_pci_memory(Some(Box::new(SpaceMemory(space.clone()))));
    let ctrl = Controller::new(&engine, map, Deployment::Remote);
    let watch = ImwrWatch::new(space, map).expect("watch page");
    for dir in ChannelDir::ALL {
        watch.configure(&ctrl, dir, 0);
        watch.configure(&ctrl, dir, 1);
        watch.configure(&ctrl, dir, 2);
    }

    // 1. Host → device (read channel), five entries out of one host buffer.
    let host_src = space.alloc(5 * 1000).expect("host source buffer");
    let data = pattern(7, 5000);
    host_src.write(0, &data);
    engine.local_write(0x1_0000 - 16, &[GUARD; 16]);
    engine.local_write(0x1_0000 + 5000, &[GUARD; 16]);
    let to_dev: Vec<Entry> = (0..5)
        .map(|i| {
            DmaSlice::new(&host_src, i * 1000..(i + 1) * 1000)
                .unwrap()
                .to_device(0x1_0000 + i as u64 * 1000)
        })
        .collect();
    let mut rd = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap(),
        engine.ll_region(ChannelDir::Read, 0, 16),
    );
    rd.submit(&ctrl, &to_dev).expect("submit host→device");
    let woke = watch.wait(Duration::from_secs(1));
    r.check(
        &format!("{tag}: the read channel's IMWr landed in the watch page"),
        woke.iter()
            .any(|&(d, _, v)| d == ChannelDir::Read && v == 0xed00),
    );
    let c = rd.on_interrupt(&ctrl).completion();
    r.check(
        &format!("{tag}: host→device batch of 5 completes"),
        c.is_some_and(|c| c.is_success() && c.bytes_done == 5000),
    );
    r.check(
        &format!("{tag}: 5000 bytes moved to the device, byte for byte"),
        engine.local_read(0x1_0000, 5000) == data,
    );
    r.check(
        &format!("{tag}: guard bytes around the device buffer intact"),
        engine.local_read(0x1_0000 - 16, 16) == [GUARD; 16]
            && engine.local_read(0x1_0000 + 5000, 16) == [GUARD; 16],
    );

    // 2. Device → host (write channel) into slices with guard bytes.
    let host_dst = space.alloc(3 * 1024 + 64).expect("host destination buffer");
    host_dst.write(0, &vec![GUARD; 3 * 1024 + 64]);
    let dev = pattern(99, 3 * 1000);
    engine.local_write(0x2_0000, &dev);
    let slices: Vec<DmaSlice<'_>> = (0..3)
        .map(|i| DmaSlice::new(&host_dst, 16 + i * 1024..16 + i * 1024 + 1000).unwrap())
        .collect();
    let from_dev: Vec<Entry> = slices
        .iter()
        .enumerate()
        .map(|(i, s)| s.from_device(0x2_0000 + i as u64 * 1000))
        .collect();
    let mut wr = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap(),
        engine.ll_region(ChannelDir::Write, 0, 16),
    );
    wr.submit(&ctrl, &from_dev).expect("submit device→host");
    let woke = watch.wait(Duration::from_secs(1));
    r.check(
        &format!("{tag}: the write channel's IMWr landed in the watch page"),
        woke.iter()
            .any(|&(d, _, v)| d == ChannelDir::Write && v == 0xed00),
    );
    let c = wr.on_interrupt(&ctrl).completion();
    r.check(
        &format!("{tag}: device→host batch of 3 completes"),
        c.is_some_and(|c| c.is_success() && c.bytes_done == 3000),
    );
    let got = host_dst.to_vec();
    let mut ok = true;
    for i in 0..3 {
        let at = 16 + i * 1024;
        ok &= got[at..at + 1000] == dev[i * 1000..(i + 1) * 1000];
        ok &= got[at - 16..at].iter().all(|&b| b == GUARD);
        ok &= got[at + 1000..at + 1008].iter().all(|&b| b == GUARD);
    }
    r.check(
        &format!("{tag}: 3000 bytes landed in the host slices, guards intact"),
        ok,
    );

    // 3. A ring: 64 requests of 256 bytes through 8 slots, host → device.
    let big = space.alloc(64 * 256).expect("ring source");
    let ring_data = pattern(3, 64 * 256);
    big.write(0, &ring_data);
    let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).unwrap();
    let mut ring: Ring<'_, _, _, 8> =
        Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 1, 8))
            .unwrap_or_else(|_| panic!("ring"));
    let mut done = 0u64;
    let mut next = 0usize;
    while done < 64 {
        while next < 64 && ring.free() > 0 {
            let e = DmaSlice::new(&big, next * 256..(next + 1) * 256)
                .unwrap()
                .to_device(0x4_0000 + next as u64 * 256);
            ring.push(&ctrl, &[e], Notify::End).expect("push");
            next += 1;
        }
        let c = ring.poll(&ctrl);
        if c.failure.is_some() {
            break;
        }
        done += c.completed;
    }
    r.check(
        &format!("{tag}: ring moved 64 requests through 8 slots"),
        done == 64,
    );
    r.check(
        &format!("{tag}: ring bytes verified"),
        engine.local_read(0x4_0000, 64 * 256) == ring_data,
    );
    let _ = ring.release(&ctrl);

    // 4. An entry naming an IOVA whose buffer was dropped: the read
    //    (host → device) faults and the batch aborts at that entry.
    let gone = space.alloc(4096).expect("doomed buffer");
    gone.write(0, &[0x77; 4096]);
    let stale = DmaSlice::all(&gone).to_device(0x6_0000);
    drop(gone);
    let faults = space.faults();
    engine.local_write(0x6_0000, &[GUARD; 4096]);
    engine.local_write(0x5_0000, &[0; 512]);
    let ok_entry = DmaSlice::new(&host_src, 0..512)
        .unwrap()
        .to_device(0x5_0000);
    let batch = [ok_entry, stale];
    let mut rd2 = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Read, 2)).unwrap(),
        engine.ll_region(ChannelDir::Read, 2, 16),
    );
    rd2.submit(&ctrl, &batch).expect("submit with a stale IOVA");
    let c = rd2.on_interrupt(&ctrl).completion();
    r.check(
        &format!("{tag}: a read of an unmapped IOVA aborts the batch at entry 1"),
        c.is_some_and(|c| {
            matches!(
                c.status,
                Status::Aborted {
                    entry: 1,
                    entry_bytes_done: 0
                }
            ) && c.bytes_done == 512
        }),
    );
    r.check(
        &format!("{tag}: the engine saw a read error"),
        engine.last_abort(ChannelDir::Read, 2) == Some(AbortCause::ReadError),
    );
    r.check(
        &format!("{tag}: device bytes behind the faulting entry unchanged"),
        engine.local_read(0x6_0000, 4096) == [GUARD; 4096],
    );
    r.check(
        &format!("{tag}: the entry before it landed"),
        engine.local_read(0x5_0000, 512) == data[..512],
    );
    r.check(
        &format!("{tag}: the IOMMU view counted the fault"),
        space.faults() > faults,
    );

    // 5. A write (device → host) to an unmapped IOVA is posted and dropped:
    //    the engine reports success, the IOMMU view counts a fault, no
    //    mapped byte changes.
    let faults = space.faults();
    let before = host_dst.to_vec();
    let stale_iova = stale.src;
    let batch = [Entry::new(0x2_0000, stale_iova, 256)];
    let mut wr2 = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Write, 2))
            .unwrap(),
        engine.ll_region(ChannelDir::Write, 2, 16),
    );
    wr2.submit(&ctrl, &batch).expect("submit to a stale IOVA");
    let c = wr2.on_interrupt(&ctrl).completion();
    r.check(
        &format!("{tag}: a write to an unmapped IOVA completes on the engine (posted)"),
        c.is_some_and(|c| c.is_success()),
    );
    r.check(
        &format!("{tag}: ...and is blocked: fault counted, mapped bytes unchanged"),
        space.faults() > faults && host_dst.to_vec() == before,
    );
    let _ = watch.wait(Duration::from_millis(1));
}
