//! Several threads drive different channels of one controller at once. On
//! the legacy map every channel-register access is a viewport select plus an
//! access; if the controller's lock did not pair them, threads would program
//! each other's channels and the data checks below would fail.

use std::thread;

use edma_backend_mock::{MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::plan::Entry;
use edma_core::{ChannelDir, Deployment, MapFormat};

#[test]
fn threads_on_distinct_channels_of_one_controller() {
    let rounds: u64 = if cfg!(miri) { 2 } else { 2000 };
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map));
        // Source pattern in local and PCI memory.
        let pattern: Vec<u8> = (0..4096u32).map(|i| (i * 5 + 1) as u8).collect();
        engine.local_write(0, &pattern);
        engine.pci_write(0, &pattern);
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        thread::scope(|s| {
            for t in 0..4u8 {
                let (ctrl, engine) = (&ctrl, &engine);
                let dir = if t % 2 == 0 {
                    ChannelDir::Write
                } else {
                    ChannelDir::Read
                };
                let chn = t;
                let pattern = &pattern;
                s.spawn(move || {
                    let mut idle = Channel::new(
                        ctrl.claim(ChannelConfig::new(dir, chn)).unwrap(),
                        engine.ll_region(dir, chn, 4),
                    );
                    let base = 0x10_0000 + u64::from(t) * 0x1_0000;
                    for r in 0..rounds {
                        let off = (r * 8) % 2048;
                        let batch: Vec<Entry> = (0..7)
                            .map(|i| Entry::new(off + i * 64, base + i * 100, 64))
                            .collect();
                        let mut ch = idle.rebind().expect("idle");
                        ch.submit(ctrl, &batch).unwrap();
                        // Each chunk ends in one interrupt; a misprogrammed channel
                        // would never complete, so bound the wait.
                        let mut done = None;
                        for _ in 0..100 {
                            if let Some(c) = ch.on_interrupt(ctrl).completion() {
                                done = Some(c);
                                break;
                            }
                        }
                        let done = done.unwrap_or_else(|| {
                            panic!("{map:?} thread {t} round {r}: no completion")
                        });
                        assert!(done.is_success(), "{map:?} thread {t}: {:?}", done.status);
                        for i in 0..7u64 {
                            let got = match dir {
                                ChannelDir::Write => engine.pci_read(base + i * 100, 64),
                                ChannelDir::Read => engine.local_read(base + i * 100, 64),
                            };
                            let o = (off + i * 64) as usize;
                            assert_eq!(got, pattern[o..o + 64], "{map:?} thread {t} round {r}");
                        }
                        idle = ch.rebind().expect("idle after completion");
                    }
                });
            }
        });
        let total = engine.counters().total();
        // 7 entries, 3 per chunk: 3 chunks per batch.
        assert_eq!(total.doorbells, 4 * rounds * 3, "{map:?}");
        assert_eq!(total.ignored_doorbells, 0, "{map:?}");
        assert_eq!(total.abort_local, 0, "{map:?}");
    }
}
