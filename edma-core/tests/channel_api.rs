//! The small public helpers of `lib.rs` and `channel.rs` that only doctests
//! exercised before: map and direction codes, `dispatch` on a shared
//! interrupt line, the completion accessors and the error texts. The
//! mutation run excludes doctests, so each behaviour is asserted here too
//! (docs/mutants.md, shard 4).
// Safe code only (no unsafe below it to check): kept out of Miri's time budget.
#![cfg(not(miri))]

use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, ChannelError, Claim, Outcome, dispatch};
use edma_core::plan::{Entry, Limits, PlanError};
use edma_core::{ChannelDir, Completion, Controller, Deployment, MapFormat, Status, Terminate};

#[test]
fn map_codes_are_the_vsec_values_and_nothing_else() {
    let known = [
        (0, MapFormat::EdmaLegacy),
        (1, MapFormat::EdmaUnroll),
        (5, MapFormat::HdmaCompat),
        (7, MapFormat::HdmaNative),
    ];
    for (raw, map) in known {
        assert_eq!(MapFormat::from_raw(raw), Some(map), "{raw}");
        assert_eq!(map.raw(), raw, "{map:?}");
    }
    for raw in [2, 3, 4, 6, 8, 0x100, u32::MAX] {
        assert_eq!(MapFormat::from_raw(raw), None, "{raw}");
    }
    assert_eq!(
        MapFormat::ALL.map(MapFormat::is_edma_v0),
        [true, true, true, false]
    );
    assert_eq!(ChannelDir::Write.index(), 0);
    assert_eq!(ChannelDir::Read.index(), 1);
}

#[test]
fn claim_and_config_carry_the_limits_given() {
    let limits = Limits {
        max_element_len: 4096,
        ..Limits::default()
    };
    let cfg = ChannelConfig::new(ChannelDir::Read, 6).with_limits(limits);
    assert_eq!(
        (cfg.dir, cfg.index, cfg.limits),
        (ChannelDir::Read, 6, limits)
    );
    let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    let claim: Claim = ctrl.claim(cfg).unwrap();
    assert_eq!(claim.config(), &cfg);
    let ch = Channel::new(claim, engine.ll_region(ChannelDir::Read, 6, 4));
    assert_eq!(ch.config(), &cfg);
    // The limits reach the planner: an entry of 4097 bytes is two elements.
    let mut ch = ch;
    let s = ch
        .submit(&ctrl, &[Entry::new(0x1000, 0x2000, 4097)])
        .unwrap();
    assert_eq!((s.elements, s.bytes), (2, 4097));
}

fn completion(status: Status) -> Completion {
    Completion {
        status,
        bytes_done: 1,
        residue: 2,
        chunks: 3,
    }
}

#[test]
fn completion_accessors() {
    let ok = completion(Status::Done);
    let aborted = completion(Status::Aborted {
        entry: 0,
        entry_bytes_done: 1,
    });
    let stopped = completion(Status::Terminated { entry: None });
    assert!(ok.is_success());
    assert!(!aborted.is_success());
    assert!(!stopped.is_success());

    assert_eq!(Outcome::Complete(aborted).completion(), Some(aborted));
    assert_eq!(Outcome::Complete(ok).completion(), Some(ok));
    for o in [Outcome::NotMine, Outcome::Spurious, Outcome::Progress] {
        assert_eq!(o.completion(), None, "{o:?}");
    }
    assert_eq!(Terminate::Stopped(stopped).completion(), Some(stopped));
    assert_eq!(Terminate::Idle.completion(), None);
    assert_eq!(Terminate::Stopping.completion(), None);
}

/// Channels on both directions of one engine; which of them `dispatch`
/// calls is decided by each direction's pending mask alone.
#[test]
fn dispatch_calls_exactly_the_pending_channels() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let which = [
            (ChannelDir::Write, 0),
            (ChannelDir::Write, 3),
            (ChannelDir::Read, 3),
            (ChannelDir::Read, 7),
            (ChannelDir::Write, 7),
        ];
        let mut chans: Vec<_> = which
            .iter()
            .map(|&(d, i)| {
                Channel::new(
                    ctrl.claim(ChannelConfig::new(d, i)).unwrap(),
                    engine.ll_region(d, i, 4),
                )
            })
            .collect();
        let batch = [Entry::new(0x100, 0x2000, 64)];
        for ch in chans.iter_mut() {
            ch.submit(&ctrl, &batch).unwrap();
        }
        // Run write 3 and read 7 to completion; the others stay in flight.
        for (d, i) in [(ChannelDir::Write, 3), (ChannelDir::Read, 7)] {
            assert_eq!(engine.step(d, i, 10), 1, "{map:?}");
        }
        assert_eq!(ctrl.pending(ChannelDir::Write), 1 << 3, "{map:?}");
        assert_eq!(ctrl.pending(ChannelDir::Read), 1 << 7, "{map:?}");
        let mut seen = Vec::new();
        let called = dispatch(&ctrl, &mut chans, |i, o| seen.push((i, o)));
        assert_eq!(called, 2, "{map:?}");
        assert_eq!(seen.len(), 2);
        for (&(i, o), want) in seen.iter().zip([1usize, 3]) {
            assert_eq!(i, want, "{map:?}");
            let c = o
                .completion()
                .expect("the batch of a stepped channel completed");
            assert!(c.is_success() && c.bytes_done == 64, "{map:?} {c:?}");
        }
        assert!(!chans[1].is_busy() && !chans[3].is_busy());
        assert!(chans[0].is_busy() && chans[2].is_busy() && chans[4].is_busy());
        // Nothing pending: nobody is called.
        assert_eq!(dispatch(&ctrl, &mut chans, |_, _| panic!("called")), 0);
        // Finish the rest so the drops do not need to stop anything.
        for (k, &(d, i)) in which.iter().enumerate() {
            if chans[k].is_busy() {
                assert_eq!(engine.step(d, i, 10), 1);
            }
        }
        let mut n = 0;
        assert_eq!(
            dispatch(&ctrl, &mut chans, |_, o| n +=
                usize::from(o.completion().is_some())),
            3
        );
        assert_eq!(n, 3, "{map:?}");
    }
}

#[test]
fn channel_errors_say_what_and_chain_the_plan_error() {
    let plan = ChannelError::from(PlanError::ZeroLength { entry: 2 });
    assert_eq!(plan, ChannelError::Plan(PlanError::ZeroLength { entry: 2 }));
    assert_eq!(plan.to_string(), "batch rejected: entry 2 has length 0");
    let src = core::error::Error::source(&plan).expect("the plan error is the source");
    assert_eq!(src.to_string(), "entry 2 has length 0");
    let texts = [
        (
            ChannelError::Busy,
            "a batch is already in flight on this channel",
        ),
        (
            ChannelError::LlTooSmall { capacity: 1 },
            "the LL region has 1 slots; it needs at least 2",
        ),
        (
            ChannelError::BadChannel { index: 9 },
            "channel number 9 out of range (0..8)",
        ),
        (
            ChannelError::NoSuchChannel {
                dir: ChannelDir::Read,
                index: 5,
                count: 2,
            },
            "Read channel 5 does not exist: the engine has 2",
        ),
        (
            ChannelError::AlreadyClaimed {
                dir: ChannelDir::Write,
                index: 1,
            },
            "Write channel 1 is already in use",
        ),
        (
            ChannelError::NoRemoteInterrupt,
            "remote deployment: no remote-interrupt target configured for the channel",
        ),
    ];
    for (e, text) in texts {
        assert_eq!(e.to_string(), text);
        assert!(core::error::Error::source(&e).is_none(), "{e:?}");
    }
}

#[test]
fn the_ll_region_and_the_armed_guard_are_visible() {
    let batch = [Entry::new(0x100, 0x2000, 8)];
    let engine =
        MockEngine::new(MockConfig::new(MapFormat::HdmaNative).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    let mut ch = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Write, 2))
            .unwrap(),
        engine.ll_region(ChannelDir::Write, 2, 4),
    );
    let ll = ch.ll().expect("an LL-mode channel has its region");
    assert_eq!(
        edma_core::LlMemory::bus_addr(ll),
        engine.ll_base(ChannelDir::Write, 2)
    );
    assert_eq!(edma_core::LlMemory::capacity(ll), 4);
    let idle = format!("{ch:?}");
    assert!(idle.contains("Held { armed: false"), "{idle}");
    ch.submit(&ctrl, &batch).unwrap();
    let busy = format!("{ch:?}");
    assert!(busy.contains("Held { armed: true"), "{busy}");
    assert_eq!(engine.step(ChannelDir::Write, 2, 1), 1);
    assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
    assert!(format!("{ch:?}").contains("Held { armed: false"));
}

/// The progress rules compare against the element registers as the
/// channel saw them idle: read (5 registers: size, SAR and DAR halves)
/// before the channel's first batch and again only after a failure, never
/// on every submit.
#[test]
fn the_idle_registers_are_read_before_the_first_batch_only() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Read, 4)).unwrap(),
            engine.ll_region(ChannelDir::Read, 4, 4),
        );
        let batch = [Entry::new(0x1000, 0x2000, 64)];
        let mut reads = Vec::new();
        for _ in 0..3 {
            let before = engine.counters().total().reg_reads;
            ch.submit(&ctrl, &batch).unwrap();
            reads.push(engine.counters().total().reg_reads - before);
            assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
        }
        assert_eq!(reads[0], reads[1] + 5, "{map:?}: {reads:?}");
        assert_eq!(reads[1], reads[2], "{map:?}: {reads:?}");
    }
}

/// `terminate` after a chunk ended on its own, before its interrupt was
/// handled: the done status proves the chunk (its link already brought
/// LLP back to slot 0, where the registers alone prove nothing), so its
/// bytes count and the batch ends at the next chunk's first entry.
#[test]
fn terminate_counts_a_chunk_its_done_status_proves() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        // 3 slots: two data elements and the link per chunk.
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 0, 3),
        );
        let batch: Vec<Entry> = (0..4)
            .map(|i| Entry::new(0x100 * i, 0x8000 + 0x100 * i, 0x40))
            .collect();
        ch.submit(&ctrl, &batch).unwrap();
        assert_eq!(engine.step(ChannelDir::Write, 0, 10), 2, "{map:?}");
        assert!(!engine.is_running(ChannelDir::Write, 0), "{map:?}");
        let c = ch.terminate(&ctrl).completion().expect("stopped");
        assert_eq!(c.status, Status::Terminated { entry: Some(2) }, "{map:?}");
        assert_eq!(
            (c.bytes_done, c.residue, c.chunks),
            (0x80, 0x80, 1),
            "{map:?}"
        );
        assert_eq!(ctrl.pending(ChannelDir::Write), 0, "{map:?}: cleared");
    }
}

#[test]
fn the_controller_debug_names_map_and_deployment() {
    let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Remote);
    let text = format!("{ctrl:?}");
    assert!(text.starts_with("Controller { regs: "), "{text}");
    assert!(
        text.ends_with("map: HdmaNative, deployment: Remote, .. }"),
        "{text}"
    );
}

/// Records every register write (offset, value) on the way to the mock.
struct Rec<'a> {
    engine: &'a MockEngine,
    writes: std::sync::Mutex<Vec<(usize, u32)>>,
}

impl edma_core::RegisterIo for Rec<'_> {
    fn read32(&self, offset: usize) -> u32 {
        self.engine.read32(offset)
    }
    fn write32(&self, offset: usize, value: u32) {
        self.writes.lock().unwrap().push((offset, value));
        self.engine.write32(offset, value);
    }
}

/// Native HDMA non-LL: `CONTROL1` (read channel 6: 6 × 0x200 + 0x100 +
/// 0x34) is written once, 0 (LL off), at the first block; later blocks
/// write only the element registers and the doorbell.
#[test]
fn hdma_non_ll_turns_ll_off_once() {
    let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    let rec = Rec {
        engine: &engine,
        writes: Default::default(),
    };
    let ctrl = Controller::new(&rec, MapFormat::HdmaNative, Deployment::Local);
    let mut ch = Channel::non_ll(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 6)).unwrap());
    let batch = [
        Entry::new(0x1000, 0x2000, 16),
        Entry::new(0x3000, 0x4000, 16),
        Entry::new(0x5000, 0x6000, 16),
    ];
    ch.submit(&ctrl, &batch).unwrap();
    let c = loop {
        if let Some(c) = ch.on_interrupt(&ctrl).completion() {
            break c;
        }
    };
    assert!(c.is_success() && c.chunks == 3, "{c:?}");
    let control1: Vec<_> = rec
        .writes
        .lock()
        .unwrap()
        .iter()
        .filter(|w| w.0 == 0xd34)
        .copied()
        .collect();
    assert_eq!(control1, [(0xd34, 0)]);
    // The doorbell (0xd04) rang once per block.
    let doorbells = rec
        .writes
        .lock()
        .unwrap()
        .iter()
        .filter(|w| w.0 == 0xd04)
        .count();
    assert_eq!(doorbells, 3);
}

#[test]
fn remote_interrupt_configuration_is_per_channel_and_bounded() {
    let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Remote);
    ctrl.configure_remote_interrupt(ChannelDir::Write, 0, 0x3f_0000, 1);
    assert!(ctrl.remote_interrupt_configured(ChannelDir::Write, 0));
    assert!(!ctrl.remote_interrupt_configured(ChannelDir::Read, 0));
    assert!(!ctrl.remote_interrupt_configured(ChannelDir::Write, 1));
    // No channel 8 (or beyond): never configured, never aliasing channel 0.
    assert!(!ctrl.remote_interrupt_configured(ChannelDir::Write, 8));
    assert!(!ctrl.remote_interrupt_configured(ChannelDir::Write, 16));
    let before = engine.counters();
    ctrl.configure_remote_interrupt(ChannelDir::Read, 8, 0x3f_0000, 1);
    assert_eq!(engine.counters(), before, "channel 8: nothing written");
    assert!(!ctrl.remote_interrupt_configured(ChannelDir::Read, 0));
}

/// Memories above 4 GiB: the partial count of an aborted element needs
/// the high words of SAR and DAR (read as two 32-bit halves).
#[test]
fn partial_counts_use_both_halves_of_sar_and_dar() {
    use edma_backend_mock::Fault;
    for map in MapFormat::ALL {
        let mut cfg = MockConfig::new(map);
        cfg.local_base = 0x1_0000_0000;
        cfg.pci_base = 0x2_0000_0000;
        let engine = MockEngine::new(cfg);
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 1, 8),
        );
        engine.inject_fault(
            ChannelDir::Write,
            1,
            Fault::AbortAt {
                element: 1,
                after_bytes: 100,
                read: false,
            },
        );
        let batch = [
            Entry::new(0x1_0000_1000, 0x2_0000_8000, 256),
            Entry::new(0x1_0000_2000, 0x2_0000_9000, 256),
        ];
        ch.submit(&ctrl, &batch).unwrap();
        let c = ch.on_interrupt(&ctrl).completion().unwrap();
        assert_eq!(
            c.status,
            Status::Aborted {
                entry: 1,
                entry_bytes_done: 100
            },
            "{map:?}"
        );
        assert_eq!((c.bytes_done, c.residue), (356, 156), "{map:?}");
    }
}

/// A channel with both its done and its abort status set is pending once
/// (bit n of the mask), on every map.
#[test]
fn done_and_abort_together_are_one_pending_bit() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        engine.force_status(ChannelDir::Read, 5, true, true);
        engine.force_status(ChannelDir::Read, 2, false, true);
        engine.force_status(ChannelDir::Read, 0, true, false);
        assert_eq!(ctrl.pending(ChannelDir::Read), 0b10_0101, "{map:?}");
        assert_eq!(ctrl.pending(ChannelDir::Write), 0, "{map:?}");
    }
}

/// eDMA v0 keeps the IMWr data of two channels in one register: setting
/// one channel's data leaves its neighbour's alone, and setting it again
/// replaces it (no stale bits).
#[test]
fn imwr_data_of_neighbouring_channels_is_kept_apart() {
    for map in [
        MapFormat::EdmaLegacy,
        MapFormat::EdmaUnroll,
        MapFormat::HdmaCompat,
    ] {
        let engine = MockEngine::new(MockConfig::new(map));
        let ctrl = Controller::new(&engine, map, Deployment::Remote);
        ctrl.configure_remote_interrupt(ChannelDir::Write, 2, 0x3f_0000, 0x1111);
        ctrl.configure_remote_interrupt(ChannelDir::Write, 3, 0x3f_0000, 0x2222);
        ctrl.configure_remote_interrupt(ChannelDir::Write, 3, 0x3f_0000, 0x0404);
        ctrl.configure_remote_interrupt(ChannelDir::Write, 4, 0x3f_0000, 0x8888);
        ctrl.configure_remote_interrupt(ChannelDir::Write, 4, 0x3f_0000, 0x0101);
        let batch = [Entry::new(0x100, 0x2000, 8)];
        for (i, want) in [(2u8, 0x1111u32), (3, 0x0404), (4, 0x0101)] {
            let mut ch = Channel::new(
                ctrl.claim(ChannelConfig::new(ChannelDir::Write, i))
                    .unwrap(),
                engine.ll_region(ChannelDir::Write, i, 4),
            );
            ch.submit(&ctrl, &batch).unwrap();
            assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
            let m = *engine.imwr_log().last().unwrap();
            assert_eq!((m.ch, m.data, m.abort), (i, want, false), "{map:?}");
        }
    }
}

/// Non-LL mode raises each block's done interrupt locally and, remote, as
/// an IMWr to the programmed target (eDMA: LIE, and RIE only remote, in
/// `CH_CONTROL1`).
#[test]
fn non_ll_blocks_interrupt_locally_and_remotely() {
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            let engine = MockEngine::new(MockConfig::new(map));
            let ctrl = Controller::new(&engine, map, dep);
            ctrl.configure_remote_interrupt(ChannelDir::Read, 6, 0x3f_0000, 6);
            let mut ch =
                Channel::non_ll(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 6)).unwrap());
            let batch = [Entry::new(0x100, 0x5000, 4), Entry::new(0x104, 0x6000, 5)];
            ch.submit(&ctrl, &batch).unwrap();
            let c = loop {
                if let Some(c) = ch.on_interrupt(&ctrl).completion() {
                    break c;
                }
            };
            assert!(c.is_success(), "{map:?} {dep:?}");
            let k = engine.counters().channel(ChannelDir::Read, 6);
            let remote = if dep == Deployment::Remote { 2 } else { 0 };
            assert_eq!(
                (k.done_local, k.done_remote),
                (2, remote),
                "{map:?} {dep:?}"
            );
            let msgs = engine.imwr_log();
            assert_eq!(msgs.len(), remote as usize, "{map:?} {dep:?}");
            assert!(
                msgs.iter()
                    .all(|m| (m.addr, m.data, m.abort) == (0x3f_0000, 6, false))
            );
        }
    }
}

/// eDMA v0 `LINKED_LIST_ERR_EN` (write 0x090, read 0x0c4): each started
/// channel's bit is set and stays set over later batches.
#[test]
fn ll_error_enable_bits_stay_set() {
    use edma_core::RegisterIo as _;
    for map in [
        MapFormat::EdmaLegacy,
        MapFormat::EdmaUnroll,
        MapFormat::HdmaCompat,
    ] {
        let engine = MockEngine::new(MockConfig::new(map));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let batch = [Entry::new(0x100, 0x2000, 8)];
        for (dir, i) in [(ChannelDir::Write, 3u8), (ChannelDir::Read, 5)] {
            let mut ch = Channel::new(
                ctrl.claim(ChannelConfig::new(dir, i)).unwrap(),
                engine.ll_region(dir, i, 4),
            );
            for n in 0..3 {
                ch.submit(&ctrl, &batch).unwrap();
                assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
                let (wr, rd) = match dir {
                    ChannelDir::Write => (1 << 3, 0),
                    ChannelDir::Read => (1 << 3, 1 << 5),
                };
                assert_eq!(engine.read32(0x090), wr, "{map:?} batch {n}");
                assert_eq!(engine.read32(0x0c4), rd, "{map:?} batch {n}");
            }
        }
    }
}

/// One batch through `ch` to its completion; its element count.
fn run_to_completion<'c, 'b, L: edma_core::LlMemory>(
    ch: &mut Channel<'c, 'b, L>,
    ctrl: &'c Controller<&'c MockEngine>,
    batch: &'b [Entry],
) -> Result<u64, ChannelError> {
    let s = ch.submit(ctrl, batch)?;
    let done = ch.on_interrupt(ctrl).completion().expect("one chunk");
    assert!(done.is_success());
    Ok(s.elements)
}

/// A channel checks its plan parameters at its first submit and keeps
/// them: new limits (set between batches) and a controller with another
/// deployment each make it check them again, and the next batch follows
/// them — elements split at the new limit, a refused length, the remote
/// interrupt bit on the chunk's last element.
#[test]
fn kept_plan_parameters_follow_limits_and_the_controller() {
    use edma_core::LlMemory;
    use edma_core::desc::{Control, Element};
    let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    let local = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    let remote = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Remote);
    remote.configure_remote_interrupt(ChannelDir::Write, 1, 0x3f_0000, 7);
    let batch = [Entry::new(0x100, 0x10_0000, 10_000)];
    let one = [Entry::new(0x100, 0x10_0000, 64)];
    let mut ch = Channel::new(
        local
            .claim(ChannelConfig::new(ChannelDir::Write, 1))
            .unwrap(),
        engine.ll_region(ChannelDir::Write, 1, 8),
    );
    assert_eq!(run_to_completion(&mut ch, &local, &batch), Ok(1));
    ch.set_limits(Limits {
        max_element_len: 4096,
        ..Limits::default()
    })
    .unwrap();
    assert_eq!(run_to_completion(&mut ch, &local, &batch), Ok(3));
    ch.set_limits(Limits {
        max_element_len: 4096,
        split: false,
        ..Limits::default()
    })
    .unwrap();
    assert_eq!(
        run_to_completion(&mut ch, &local, &batch),
        Err(ChannelError::Plan(PlanError::LengthTooLarge { entry: 0 }))
    );
    ch.set_limits(Limits::default()).unwrap();
    assert_eq!(run_to_completion(&mut ch, &local, &one), Ok(1));
    let ll = engine.ll_region(ChannelDir::Write, 1, 8);
    assert_eq!(
        ll.read(0),
        Some(Element::data(
            Control::CB | Control::LIE,
            64,
            0x100,
            0x10_0000
        ))
    );
    // The same channel through a controller of the remote deployment.
    assert_eq!(run_to_completion(&mut ch, &remote, &one), Ok(1));
    assert_eq!(
        ll.read(0),
        Some(Element::data(
            Control::CB | Control::LIE | Control::RIE,
            64,
            0x100,
            0x10_0000
        ))
    );
}
