//! The firmware example's interrupt-driven streamer against the mock: the
//! "interrupt handler" (called whenever the mock asserts its interrupt
//! line, as the core would) completes each batch and submits the next from
//! interrupt context, through a controller whose lock is the
//! critical-section lock. Every byte of every batch is verified with guard
//! bytes around it, and the counters show one doorbell and one interrupt
//! per batch.

use edma_backend_mock::{MockConfig, MockEngine};
use edma_core::channel::ChannelConfig;
use edma_core::plan::Entry;
use edma_core::{ChannelDir, MapFormat};
use edma_firmware_example::stream::{Streamer, controller};

const GUARD: u8 = 0x77;

#[test]
fn interrupt_handler_submits_the_next_batch() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map));
        let src: Vec<u8> = (0..0x4000u32).map(|i| (i * 31 + 7) as u8).collect();
        engine.pci_write(0, &src);
        engine.local_write(0x10_0000, &vec![GUARD; 0x8000]);
        // Five batches, each three buffers of an MHI-style ring.
        let batches: Vec<Vec<Entry>> = (0..5u64)
            .map(|b| {
                (0..3u64)
                    .map(|i| {
                        Entry::new(
                            b * 0x800 + i * 0x200,
                            0x10_0000 + b * 0x1000 + i * 0x300,
                            0x1f0,
                        )
                    })
                    .collect()
            })
            .collect();
        let queue: Vec<&[Entry]> = batches.iter().map(Vec::as_slice).collect();
        let ctrl = controller(&engine, map);
        let s = Streamer::new(
            &ctrl,
            ChannelConfig::new(ChannelDir::Read, 2),
            engine.ll_region(ChannelDir::Read, 2, 8),
            &queue,
        )
        .unwrap();
        s.start().unwrap();
        let mut irqs = 0;
        while engine.irq_pending() {
            s.on_irq();
            irqs += 1;
            assert!(irqs <= 5, "{map:?}: interrupt storm");
        }
        assert!(s.finished(), "{map:?}");
        let p = s.progress();
        assert_eq!(
            (p.done, p.failed, p.bytes),
            (5, 0, 5 * 3 * 0x1f0),
            "{map:?}"
        );
        assert_eq!(irqs, 5, "{map:?}: one interrupt per batch");
        let k = engine.counters().channel(ChannelDir::Read, 2);
        assert_eq!((k.doorbells, k.done_local), (5, 5), "{map:?}");
        let mut want = vec![GUARD; 0x8000];
        for e in batches.iter().flatten() {
            let d = (e.dst - 0x10_0000) as usize;
            want[d..d + e.len as usize].copy_from_slice(&src[e.src as usize..][..e.len as usize]);
        }
        assert!(
            engine.local_read(0x10_0000, 0x8000) == want,
            "{map:?}: destination bytes"
        );
    }
}
