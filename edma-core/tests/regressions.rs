//! Regression tests for the findings of the adversarial harness (issue
//! "Verification depth", findings 1–6). Each test is the finding's minimal
//! reproduction, run on every register map it applies to.

use edma_backend_mock::{ExecMode, Fault, MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, ChannelError, Controller};
use edma_core::plan::{self, Entry, Limits, PlanError, PlanParams};
use edma_core::{ChannelDir, Deployment, Identity, MapFormat, Status};

const GUARD: u8 = 0xa5;

/// Finding 1: the stale SAR/DAR of element 0 end exactly where element 1
/// would end; an LL fetch error before element 1 must not claim it.
#[test]
fn ll_fetch_error_does_not_claim_the_unloaded_element() {
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            // slots 8: both elements in one chunk; slots 2: one per chunk, so
            // the fetch error hits chunk 1's first slot (LLP back at slot 0).
            for slots in [8usize, 2] {
                let engine = MockEngine::new(MockConfig::new(map));
                let ctrl = Controller::new(&engine, map, dep);
                ctrl.configure_remote_interrupt(ChannelDir::Write, 0, 0x3f_0000, 1);
                engine.local_write(0x1000, &[0x11; 0x180]);
                engine.pci_write(0x2000, &[GUARD; 0x100]);
                let mut ch = Channel::new(
                    ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0))
                        .unwrap(),
                    engine.ll_region(ChannelDir::Write, 0, slots),
                );
                engine.inject_fault(
                    ChannelDir::Write,
                    0,
                    Fault::LlFetchError { after_elements: 1 },
                );
                let batch = [
                    Entry::new(0x1080, 0x2080, 0x80),
                    Entry::new(0x1000, 0x2000, 0x100),
                ];
                ch.submit(&ctrl, &batch).unwrap();
                let c = loop {
                    if let Some(c) = ch.on_interrupt(&ctrl).completion() {
                        break c;
                    }
                };
                let ctx = format!("{map:?} {dep:?} slots={slots}");
                assert_eq!(
                    c.status,
                    Status::Aborted {
                        entry: 1,
                        entry_bytes_done: 0
                    },
                    "{ctx}"
                );
                assert_eq!((c.bytes_done, c.residue), (0x80, 0x100), "{ctx}");
                assert_eq!(
                    engine.counters().channel(ChannelDir::Write, 0).bytes,
                    0x80,
                    "{ctx}"
                );
                // Entry 0 landed; entry 1's range outside it is untouched.
                assert_eq!(engine.pci_read(0x2080, 0x80), [0x11; 0x80], "{ctx}");
                assert_eq!(engine.pci_read(0x2000, 0x80), [GUARD; 0x80], "{ctx}");
            }
        }
    }
}

/// Finding 1, history variant: a batch that aborted mid-element leaves a
/// partial count in the registers; a later batch (on the same channel or a
/// new `Channel` for the same hardware channel) whose first element is never
/// fetched must not read that count as its own.
#[test]
fn stale_partial_count_of_an_earlier_batch_is_not_claimed() {
    for map in MapFormat::ALL {
        for fresh in [false, true] {
            let engine = MockEngine::new(MockConfig::new(map));
            let ctrl = Controller::new(&engine, map, Deployment::Local);
            engine.pci_write(0x1000, &[0x22; 0x100]);
            let batch = [Entry::new(0x1000, 0x8000, 0x100)];
            let mut ch = Channel::new(
                ctrl.claim(ChannelConfig::new(ChannelDir::Read, 2)).unwrap(),
                engine.ll_region(ChannelDir::Read, 2, 4),
            );
            engine.inject_fault(
                ChannelDir::Read,
                2,
                Fault::AbortAt {
                    element: 0,
                    after_bytes: 0x40,
                    read: true,
                },
            );
            ch.submit(&ctrl, &batch).unwrap();
            let c = ch.on_interrupt(&ctrl).completion().unwrap();
            assert_eq!(
                c.status,
                Status::Aborted {
                    entry: 0,
                    entry_bytes_done: 0x40
                },
                "{map:?}"
            );
            // The retry's first fetch fails: nothing of it moved.
            let mut ch = if fresh {
                ctrl.release(ch).unwrap();
                Channel::new(
                    ctrl.claim(ChannelConfig::new(ChannelDir::Read, 2)).unwrap(),
                    engine.ll_region(ChannelDir::Read, 2, 4),
                )
            } else {
                ch
            };
            let before = engine.counters().channel(ChannelDir::Read, 2).bytes;
            engine.inject_fault(
                ChannelDir::Read,
                2,
                Fault::LlFetchError { after_elements: 0 },
            );
            ch.submit(&ctrl, &batch).unwrap();
            let c = ch.on_interrupt(&ctrl).completion().unwrap();
            assert_eq!(
                engine.counters().channel(ChannelDir::Read, 2).bytes,
                before,
                "{map:?}"
            );
            assert_eq!(
                c.status,
                Status::Aborted {
                    entry: 0,
                    entry_bytes_done: 0
                },
                "{map:?} fresh={fresh}"
            );
            assert_eq!(
                (c.bytes_done, c.residue),
                (0, 0x100),
                "{map:?} fresh={fresh}"
            );
        }
    }
}

/// Finding 2: an entry whose local side overlaps the channel's own LL
/// region is refused, naming it, with nothing written; ranges that only
/// touch the region's ends are accepted.
#[test]
fn entry_overlapping_the_channels_ll_is_refused() {
    for map in MapFormat::ALL {
        for dir in ChannelDir::ALL {
            let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
            let ctrl = Controller::new(&engine, map, Deployment::Local);
            let ll = engine.ll_region(dir, 1, 4);
            let bus = engine.ll_base(dir, 1);
            let len = 4 * 24;
            let local_pci = |local: u64, n: u64| match dir {
                ChannelDir::Write => Entry::new(local, 0x1000, n),
                ChannelDir::Read => Entry::new(0x1000, local, n),
            };
            let bad: Vec<[Entry; 2]> = [
                (bus, 1),
                (bus - 8, 9),
                (bus + len - 1, 1),
                (bus - 0x100, 0x1000),
            ]
            .into_iter()
            .map(|(local, n)| [local_pci(0x100, 8), local_pci(local, n)])
            .collect();
            let good = [local_pci(bus - 8, 8), local_pci(bus + len, 8)];
            let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(dir, 1)).unwrap(), ll);
            for batch in &bad {
                let (local, n) = match dir {
                    ChannelDir::Write => (batch[1].src, batch[1].len),
                    ChannelDir::Read => (batch[1].dst, batch[1].len),
                };
                let before = engine.counters();
                assert_eq!(
                    ch.submit(&ctrl, batch),
                    Err(ChannelError::Plan(PlanError::OverlapsLl { entry: 1 })),
                    "{map:?} {dir:?} {local:#x}+{n}"
                );
                assert_eq!(engine.counters(), before, "nothing written");
                assert!(!ch.is_busy());
            }
            // Just before and just after the region: fine.
            ch.submit(&ctrl, &good).unwrap();
            assert!(ch.is_busy(), "{map:?} {dir:?}");
        }
    }
}

/// Finding 3: remote deployment without a remote-interrupt target is
/// refused before anything is written (the IMWr would go to PCI address 0).
#[test]
fn remote_batch_needs_a_remote_interrupt_target() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map));
        engine.pci_write(0, &[GUARD; 16]);
        engine.local_write(0x100, &[7; 32]);
        let ctrl = Controller::new(&engine, map, Deployment::Remote);
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 4))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 4, 4),
        );
        let batch = [Entry::new(0x100, 0x8000, 32)];
        let before = engine.counters();
        assert_eq!(
            ch.submit(&ctrl, &batch),
            Err(ChannelError::NoRemoteInterrupt),
            "{map:?}"
        );
        assert_eq!(engine.counters(), before);
        assert!(!ctrl.remote_interrupt_configured(ChannelDir::Write, 4));
        // Another channel's target does not count.
        ctrl.configure_remote_interrupt(ChannelDir::Read, 4, 0x3f_0000, 9);
        assert_eq!(
            ch.submit(&ctrl, &batch),
            Err(ChannelError::NoRemoteInterrupt)
        );
        ctrl.configure_remote_interrupt(ChannelDir::Write, 4, 0x3f_0000, 9);
        ch.submit(&ctrl, &batch).unwrap();
        assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
        assert_eq!(
            engine.pci_read(0, 16),
            [GUARD; 16],
            "{map:?}: nothing written at PCI address 0"
        );
        assert_eq!(
            engine.imwr_log().iter().map(|m| m.addr).collect::<Vec<_>>(),
            [0x3f_0000]
        );
    }
}

/// Finding 4: a done status while the engine still runs the batch is not a
/// completion; the batch completes when the engine really finishes, and the
/// channel takes the next batch.
#[test]
fn spurious_done_while_running_is_not_a_completion() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        engine.local_write(0x100, &[3; 64]);
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 6))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 6, 4),
        );
        let batch = [Entry::new(0x100, 0x8000, 32), Entry::new(0x120, 0x9000, 32)];
        ch.submit(&ctrl, &batch).unwrap();
        engine.force_status(ChannelDir::Write, 6, true, false);
        assert_eq!(ch.on_interrupt(&ctrl).completion(), None, "{map:?}");
        assert!(ch.is_busy(), "{map:?}");
        assert_eq!(
            ctrl.pending(ChannelDir::Write),
            0,
            "the spurious status is cleared"
        );
        assert_eq!(engine.step(ChannelDir::Write, 6, 10), 2);
        let c = ch
            .on_interrupt(&ctrl)
            .completion()
            .expect("the real completion");
        assert!(c.is_success() && c.bytes_done == 64, "{map:?}");
        assert_eq!(engine.pci_read(0x9000, 32), [3; 32]);
        // The next batch's doorbell is taken.
        ch.submit(&ctrl, &batch[..1]).unwrap();
        assert_eq!(engine.step(ChannelDir::Write, 6, 10), 1, "{map:?}");
        assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
    }
}

fn params(dir: ChannelDir, bits: u8) -> PlanParams {
    PlanParams::new(MapFormat::EdmaUnroll, dir, Deployment::Local, 16).with_limits(Limits {
        addr_bits: bits,
        ..Limits::default()
    })
}

/// Finding 5: the batch total must fit in 64 bits, so that
/// `bytes_done + residue == total` always holds.
#[test]
fn batch_total_beyond_64_bits_is_refused() {
    let p = params(ChannelDir::Write, 64);
    let half = 1u64 << 63;
    let batch = [
        Entry::new(0, 0, half),
        Entry::new(0, half, half),
        Entry::new(0, 0, 2),
    ];
    assert_eq!(
        plan::validate(&batch, &p, &Identity),
        Err(PlanError::TotalTooLarge { entry: 1 })
    );
    let fits = [Entry::new(0, 0, half), Entry::new(0, half, half - 1)];
    assert_eq!(
        plan::validate(&fits, &p, &Identity).map(|s| s.bytes),
        Ok(u64::MAX)
    );
    assert_eq!(
        PlanError::TotalTooLarge { entry: 1 }.to_string(),
        "entry 1: the batch's total length exceeds 2^64 - 1 bytes"
    );
}

/// Finding 6: a range may end exactly at `2^addr_bits` (last byte
/// `2^addr_bits - 1`), for 64 bits too.
#[test]
fn ranges_may_end_at_the_top_of_the_address_width() {
    for dir in ChannelDir::ALL {
        let p = params(dir, 64);
        let top = [Entry::new(u64::MAX - 0xff, u64::MAX - 0xff, 0x100)];
        assert_eq!(
            plan::validate(&top, &p, &Identity).map(|s| s.bytes),
            Ok(0x100)
        );
        let last_byte = [Entry::new(u64::MAX, u64::MAX, 1)];
        assert!(plan::validate(&last_byte, &p, &Identity).is_ok());
        let p63 = params(dir, 63);
        let end = 1u64 << 63;
        assert!(plan::validate(&[Entry::new(end - 0x10, 0, 0x10)], &p63, &Identity).is_ok());
        assert_eq!(
            plan::validate(&[Entry::new(end - 0x10, 0, 0x11)], &p63, &Identity),
            Err(PlanError::SourceOutOfRange { entry: 0 })
        );
        assert_eq!(
            plan::validate(&[Entry::new(0, end - 0xf, 0x10)], &p63, &Identity),
            Err(PlanError::DestinationOutOfRange { entry: 0 })
        );
    }
}

/// Found by the `plan_model` fuzz target while fixing finding 2: an LL
/// region reaching past 2^64 does not wrap around to low addresses.
#[test]
fn ll_region_overlap_does_not_wrap_around() {
    let p = params(ChannelDir::Write, 64).with_ll_region(u64::MAX - 0xff, 0x1000);
    assert!(plan::validate(&[Entry::new(0x10, 0, 0x100)], &p, &Identity).is_ok());
    assert_eq!(
        plan::validate(&[Entry::new(u64::MAX - 0x1ff, 0, 0x101)], &p, &Identity),
        Err(PlanError::OverlapsLl { entry: 0 })
    );
    assert!(plan::validate(&[Entry::new(u64::MAX - 0x1ff, 0, 0x100)], &p, &Identity).is_ok());
}
