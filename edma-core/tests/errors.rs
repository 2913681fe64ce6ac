//! Every bad input: the error names the entry, nothing reaches the engine's
//! registers or LL memory, and a valid batch completes on the same channel
//! afterwards. Also aborts with exact residue, termination and spurious
//! interrupts.

use edma_backend_mock::{ExecMode, Fault, MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, ChannelError, Controller};
use edma_core::plan::{Entry, LimitField, Limits, PlanError};
use edma_core::{ChannelDir, Deployment, MapFormat, Status};

fn no_pci_above_1m(a: u64) -> Option<u64> {
    (a < (1 << 20)).then_some(a)
}

fn check_rejected(map: MapFormat, limits: Limits, batch: &[Entry], want: ChannelError) {
    let engine = MockEngine::new(MockConfig::new(map));
    engine.local_write(0x100, &[0xee; 64]);
    let ctrl = Controller::new(&engine, map, Deployment::Remote);
    ctrl.configure_remote_interrupt(ChannelDir::Write, 3, 0x3f_0000, 3);
    let mut ch = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Write, 3).with_limits(limits))
            .unwrap(),
        engine.ll_region(ChannelDir::Write, 3, 4),
    )
    .with_translation(no_pci_above_1m)
    .unwrap();
    let before = engine.counters();
    let ll_before = engine.local_read(engine.ll_base(ChannelDir::Write, 3), 4 * 24);
    assert_eq!(ch.submit(&ctrl, batch), Err(want), "{map:?}");
    assert_eq!(
        engine.counters(),
        before,
        "no register access, no LL write: {map:?} {want:?}"
    );
    assert_eq!(
        engine.local_read(engine.ll_base(ChannelDir::Write, 3), 4 * 24),
        ll_before
    );
    assert!(!ch.is_busy());
    // The same channel still works (with sane limits again).
    ch.set_limits(Limits::default()).unwrap();
    let ok = [Entry::new(0x100, 0x9000, 2)];
    ch.submit(&ctrl, &ok).unwrap();
    let c = ch.on_interrupt(&ctrl).completion().unwrap();
    assert!(c.is_success());
    assert_eq!(
        engine.pci_read(0x8ff0, 32),
        [[0u8; 16].as_slice(), &[0xee; 2], &[0; 14]].concat()
    );
}

#[test]
fn every_plan_error_names_its_entry_and_writes_nothing() {
    let good = Entry::new(0x100, 0x1000, 16);
    for map in MapFormat::ALL {
        let d = Limits::default();
        check_rejected(map, d, &[], ChannelError::Plan(PlanError::EmptyBatch));
        check_rejected(
            map,
            d,
            &[good, good, Entry::new(0x100, 0x1000, 0)],
            PlanError::ZeroLength { entry: 2 }.into(),
        );
        check_rejected(
            map,
            d,
            &[good, Entry::new(u64::MAX - 3, 0x1000, 16)],
            PlanError::SourceOutOfRange { entry: 1 }.into(),
        );
        check_rejected(
            map,
            d,
            &[good, good, good, Entry::new(0x100, u64::MAX - 3, 16)],
            PlanError::DestinationOutOfRange { entry: 3 }.into(),
        );
        // Translation has no PCI address for the destination (PCI side of a write channel).
        check_rejected(
            map,
            d,
            &[good, Entry::new(0x100, 2 << 20, 16)],
            PlanError::NoPciAddress { entry: 1 }.into(),
        );
        // A PCI range that starts translatable but ends outside the window.
        check_rejected(
            map,
            d,
            &[Entry::new(0x100, (1 << 20) - 8, 16)],
            PlanError::NoPciAddress { entry: 0 }.into(),
        );
        let narrow = Limits { addr_bits: 32, ..d };
        check_rejected(
            map,
            narrow,
            &[good, Entry::new(0xffff_fff0, 0x1000, 0x20)],
            PlanError::SourceOutOfRange { entry: 1 }.into(),
        );
        let nosplit = Limits {
            max_element_len: 8,
            split: false,
            ..d
        };
        check_rejected(
            map,
            nosplit,
            &[Entry::new(0x100, 0x1000, 8), Entry::new(0x100, 0x1000, 9)],
            PlanError::LengthTooLarge { entry: 1 }.into(),
        );
        // 3 data elements per chunk, at most 2 chunks: entry 6 is the 7th element.
        let two_chunks = Limits { max_chunks: 2, ..d };
        check_rejected(
            map,
            two_chunks,
            &[good; 9],
            PlanError::TooManyChunks { entry: 6 }.into(),
        );
        // Splitting counts: elements 0 | 1..=4 | 5, 6 by entry; 6 fit in 2 chunks, the 7th is entry 2's.
        let tiny = Limits {
            max_element_len: 2,
            max_chunks: 2,
            ..d
        };
        check_rejected(
            map,
            tiny,
            &[
                Entry::new(0x100, 0x1000, 2),
                Entry::new(0x100, 0x1000, 8),
                Entry::new(0x100, 0x1000, 4),
            ],
            PlanError::TooManyChunks { entry: 2 }.into(),
        );
    }
}

#[test]
fn ll_too_small_bad_channel_and_busy_write_nothing() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let b = [Entry::new(0, 0x1000, 8)];
        let mut small = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap(),
            engine.ll_region(ChannelDir::Read, 0, 1),
        );
        assert_eq!(
            ctrl.claim(ChannelConfig::new(ChannelDir::Read, 8)),
            Err(ChannelError::NoSuchChannel {
                dir: ChannelDir::Read,
                index: 8,
                count: 8
            })
        );
        let before = engine.counters();
        assert_eq!(
            small.submit(&ctrl, &b),
            Err(ChannelError::LlTooSmall { capacity: 1 })
        );
        assert_eq!(engine.counters(), before);
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Read, 2)).unwrap(),
            engine.ll_region(ChannelDir::Read, 2, 4),
        );
        ch.submit(&ctrl, &b).unwrap();
        let before = engine.counters();
        assert_eq!(ch.submit(&ctrl, &b), Err(ChannelError::Busy));
        assert_eq!(engine.counters(), before, "{map:?}");
        engine.step(ChannelDir::Read, 2, 10);
        assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
    }
}

/// A fault at element k of a batch: the failing entry, the exact residue,
/// the entries before it intact, the channel usable afterwards.
#[test]
fn abort_reports_entry_and_exact_residue() {
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            for (k, after, read) in [
                (0u64, 0u32, true),
                (4, 5, false),
                (9, 31, true),
                (13, 1, false),
            ] {
                let engine = MockEngine::new(MockConfig::new(map));
                let ctrl = Controller::new(&engine, map, dep);
                ctrl.configure_remote_interrupt(ChannelDir::Write, 1, 0x3f_0000, 1);
                let src: Vec<u8> = (0..14 * 32).map(|i| (i * 7) as u8).collect();
                engine.local_write(0, &src);
                // 14 entries of 32 bytes, 4 data elements per chunk.
                let batch: Vec<Entry> = (0..14)
                    .map(|i| Entry::new(i * 32, 0x10_0000 + i * 40, 32))
                    .collect();
                let mut ch = Channel::new(
                    ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1))
                        .unwrap(),
                    engine.ll_region(ChannelDir::Write, 1, 5),
                );
                engine.inject_fault(
                    ChannelDir::Write,
                    1,
                    Fault::AbortAt {
                        element: k,
                        after_bytes: after,
                        read,
                    },
                );
                ch.submit(&ctrl, &batch).unwrap();
                let done = loop {
                    if let Some(c) = ch.on_interrupt(&ctrl).completion() {
                        break c;
                    }
                };
                let ctx = format!("{map:?} {dep:?} k={k}");
                assert_eq!(
                    done.status,
                    Status::Aborted {
                        entry: k as usize,
                        entry_bytes_done: u64::from(after)
                    },
                    "{ctx}"
                );
                assert_eq!(done.bytes_done, k * 32 + u64::from(after), "{ctx}");
                assert_eq!(done.residue, 14 * 32 - done.bytes_done, "{ctx}");
                assert_eq!(done.chunks, k / 4 + 1, "{ctx}");
                for i in 0..k {
                    assert_eq!(
                        engine.pci_read(0x10_0000 + i * 40, 32),
                        src[(i * 32) as usize..][..32],
                        "entry {i} intact, {ctx}"
                    );
                }
                assert_eq!(engine.counters().total().abort_local, 1);
                // The channel accepts and completes the next batch.
                let again = [Entry::new(0, 0x20_0000, 100)];
                ch.submit(&ctrl, &again).unwrap();
                assert!(
                    ch.on_interrupt(&ctrl).completion().unwrap().is_success(),
                    "{ctx}"
                );
                assert_eq!(engine.pci_read(0x20_0000, 100), src[..100]);
            }
        }
    }
}

#[test]
fn terminate_mid_batch_reports_consistent_residue_and_channel_restarts() {
    for map in MapFormat::ALL {
        for steps in [0u64, 1, 3, 4, 6] {
            let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
            let ctrl = Controller::new(&engine, map, Deployment::Local);
            engine.pci_write(0, &[0x3c; 400]);
            let batch: Vec<Entry> = (0..10)
                .map(|i| Entry::new(i * 40, 0x8000 + i * 40, 40))
                .collect();
            let mut ch = Channel::new(
                ctrl.claim(ChannelConfig::new(ChannelDir::Read, 5)).unwrap(),
                engine.ll_region(ChannelDir::Read, 5, 5),
            );
            ch.submit(&ctrl, &batch).unwrap();
            // Run `steps` elements, handling chunk boundaries as they come.
            let mut ran = 0;
            while ran < steps {
                ran += engine.step(ChannelDir::Read, 5, 1);
                assert!(ch.on_interrupt(&ctrl).completion().is_none());
            }
            let c = ch
                .terminate(&ctrl)
                .completion()
                .expect("mock stops at once");
            let ctx = format!("{map:?} steps={steps}");
            assert_eq!(c.bytes_done, steps * 40, "{ctx}");
            assert_eq!(c.residue, 400 - steps * 40, "{ctx}");
            assert_eq!(
                c.status,
                Status::Terminated {
                    entry: Some(steps as usize)
                },
                "{ctx}"
            );
            assert!(!ch.is_busy());
            // No late completion, and the channel restarts cleanly.
            assert_eq!(ch.on_interrupt(&ctrl).completion(), None);
            assert_eq!(ch.terminate(&ctrl), edma_core::Terminate::Idle);
            let again = [Entry::new(0, 0x9000, 8)];
            ch.submit(&ctrl, &again).unwrap();
            engine.step(ChannelDir::Read, 5, 10);
            assert!(
                ch.on_interrupt(&ctrl).completion().unwrap().is_success(),
                "{ctx}"
            );
            assert_eq!(engine.local_read(0x9000, 8), [0x3c; 8]);
        }
    }
}

#[test]
fn spurious_and_foreign_interrupts_are_ignored_without_losing_real_ones() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let mut a = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 0, 4),
        );
        let mut b = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 1, 4),
        );
        // Spurious on an idle channel: cleared, ignored.
        engine.force_status(ChannelDir::Write, 0, true, false);
        assert_eq!(a.on_interrupt(&ctrl).completion(), None);
        assert_eq!(ctrl.pending(ChannelDir::Write), 0);
        let ba = [Entry::new(0, 0x1000, 4)];
        let bb = [Entry::new(0, 0x2000, 4)];
        engine.local_write(0, &[1, 2, 3, 4]);
        a.submit(&ctrl, &ba).unwrap();
        b.submit(&ctrl, &bb).unwrap();
        engine.step(ChannelDir::Write, 1, 1);
        // Channel 0 is called on channel 1's interrupt: not its own, nothing cleared.
        assert_eq!(a.on_interrupt(&ctrl).completion(), None);
        assert_eq!(ctrl.pending(ChannelDir::Write), 0b10, "{map:?}");
        assert!(b.on_interrupt(&ctrl).completion().unwrap().is_success());
        assert!(a.is_busy());
        engine.step(ChannelDir::Write, 0, 1);
        assert!(a.on_interrupt(&ctrl).completion().unwrap().is_success());
        // A duplicated interrupt after completion is ignored.
        engine.force_status(ChannelDir::Write, 0, true, false);
        assert_eq!(a.on_interrupt(&ctrl).completion(), None);
        assert_eq!(engine.pci_read(0x1000, 4), [1, 2, 3, 4]);
        assert_eq!(engine.pci_read(0x2000, 4), [1, 2, 3, 4]);
    }
}

#[test]
fn controller_counts_status_and_off() {
    use edma_core::io::RegisterIo;
    use edma_core::regs::{ChReg, HwChannelStatus, edma_v0};
    for map in MapFormat::ALL {
        let mut cfg = MockConfig::new(map);
        cfg.wr_channels = 3;
        cfg.rd_channels = 5;
        let engine = MockEngine::new(cfg.with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let want = if map == MapFormat::HdmaNative {
            (8, 8)
        } else {
            (3, 5)
        };
        assert_eq!(ctrl.channel_counts(), want, "{map:?}");
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).unwrap(),
            engine.ll_region(ChannelDir::Read, 1, 4),
        );
        let b = [Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8)];
        ch.submit(&ctrl, &b).unwrap();
        assert_eq!(
            ctrl.hw_status(ChannelDir::Read, 1),
            HwChannelStatus::Running,
            "{map:?}"
        );
        engine.step(ChannelDir::Read, 1, 10);
        assert_eq!(
            ctrl.hw_status(ChannelDir::Read, 1),
            HwChannelStatus::Stopped,
            "{map:?}"
        );
        assert_eq!(ctrl.pending(ChannelDir::Read), 0b10);
        ctrl.off();
        // Everything masked, cleared and disabled.
        assert_eq!(ctrl.pending(ChannelDir::Read), 0, "{map:?}");
        assert!(!engine.irq_pending());
        if map.is_edma_v0() {
            assert_eq!(engine.read32(edma_v0::RD_ENGINE_EN), 0);
            assert_eq!(
                engine.read32(edma_v0::RD_INT_MASK),
                edma_v0::DONE_INT_MASK | edma_v0::ABORT_INT_MASK
            );
        } else {
            assert_eq!(ctrl.ch_read(ChannelDir::Read, 1, ChReg::ChEn), 0);
        }
        // The pending completion was cleared by `off`: the channel still holds
        // its batch; a terminate ends it and the channel works again. Without
        // the done status nothing proves the chunk ran (LLP is back at slot 0
        // either way), so nothing of it is claimed: the conservative report.
        let c = ch.terminate(&ctrl).completion().expect("engine is stopped");
        assert_eq!(c.status, Status::Terminated { entry: Some(0) }, "{map:?}");
        assert_eq!((c.bytes_done, c.residue), (0, 16), "{map:?}");
        ch.submit(&ctrl, &b[..1]).unwrap();
        engine.step(ChannelDir::Read, 1, 10);
        assert!(
            ch.on_interrupt(&ctrl).completion().unwrap().is_success(),
            "{map:?}"
        );
    }
}

/// The misuse cases of the embedding-correctness issue, each refused where
/// it happens, with nothing written and the channel still usable.
#[test]
fn misuse_is_refused_where_it_happens() {
    for map in MapFormat::ALL {
        let mut cfg = MockConfig::new(map).with_mode(ExecMode::Manual);
        cfg.wr_channels = 2;
        let engine = MockEngine::new(cfg);
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let before = engine.counters();
        // An index beyond what the engine reports (eDMA: CTRL says 2 write
        // channels; native HDMA has 8 and no way to report fewer).
        let count = if map == MapFormat::HdmaNative { 8 } else { 2 };
        assert_eq!(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, count)),
            Err(ChannelError::NoSuchChannel {
                dir: ChannelDir::Write,
                index: count,
                count
            }),
            "{map:?}"
        );
        // Invalid limits are refused when set, not at the next submit.
        for bad in [
            Limits {
                max_element_len: 0,
                ..Limits::default()
            },
            Limits {
                addr_bits: 0,
                ..Limits::default()
            },
            Limits {
                addr_bits: 65,
                ..Limits::default()
            },
        ] {
            let field = if bad.max_element_len == 0 {
                LimitField::MaxElementLen
            } else {
                LimitField::AddrBits
            };
            assert_eq!(
                ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1).with_limits(bad)),
                Err(ChannelError::Plan(PlanError::InvalidLimits { field }))
            );
        }
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 1, 4),
        );
        assert_eq!(
            ch.set_limits(Limits {
                max_element_len: 0,
                ..Limits::default()
            }),
            Err(ChannelError::Plan(PlanError::InvalidLimits {
                field: LimitField::MaxElementLen
            }))
        );
        assert_eq!(ch.config().limits, Limits::default());
        // A second driver of the same hardware channel.
        assert_eq!(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1)),
            Err(ChannelError::AlreadyClaimed {
                dir: ChannelDir::Write,
                index: 1
            })
        );
        // Claims read CTRL (the channel counts); nothing is written.
        let now = engine.counters().total();
        assert_eq!(
            (now.reg_writes, now.ll_slot_writes, now.doorbells),
            (before.total().reg_writes, 0, 0),
            "{map:?}: nothing written"
        );
        // Configuration that affects a batch in flight cannot change.
        engine.local_write(0x100, &[9; 16]);
        let batch = [Entry::new(0x100, 0x8000, 16)];
        ch.submit(&ctrl, &batch).unwrap();
        let mut ch = match ch.with_translation(|a: u64| Some(a + 0x1000)) {
            Err(ch) => ch,
            Ok(_) => panic!("{map:?}: translation changed under a running batch"),
        };
        assert!(ch.is_busy());
        assert_eq!(ch.set_limits(Limits::default()), Err(ChannelError::Busy));
        // A busy channel is not taken back.
        let mut ch = match ctrl.release(ch) {
            Err(ch) => ch,
            Ok(()) => panic!("{map:?}: released a busy channel"),
        };
        engine.step(ChannelDir::Write, 1, 10);
        assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
        assert_eq!(engine.pci_read(0x8000, 16), [9; 16]);
        // Idle: released, and the index can be claimed again.
        ctrl.release(ch).unwrap();
        assert!(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1)).is_ok(),
            "{map:?}"
        );
    }
}
