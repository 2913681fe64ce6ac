//! What an interrupt or a terminate says happened, each case asserted by
//! its exact variant (the embedding-correctness issue: `on_interrupt` used
//! to return `Ok(None)` for both "next chunk started" and "not mine";
//! `terminate` returned a `Result` that was never `Err`).

use std::sync::atomic::{AtomicU32, Ordering};

use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, Outcome, Terminate};
use edma_core::io::RegisterIo;
use edma_core::plan::Entry;
use edma_core::regs::{ChReg, ch_reg_offset};
use edma_core::{ChannelDir, Controller, Deployment, MapFormat, Status};

#[test]
fn each_outcome_by_its_variant() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let batch: Vec<Entry> = (0..5)
            .map(|i| Entry::new(i * 64, 0x10_0000 + i * 64, 64))
            .collect();
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 1, 3),
        );
        let mut other = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 2))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 2, 3),
        );
        // Nothing pending at all.
        assert_eq!(ch.on_interrupt(&ctrl), Outcome::NotMine, "{map:?}");
        // A status of no batch: spurious, cleared.
        engine.force_status(ChannelDir::Write, 1, true, false);
        assert_eq!(ch.on_interrupt(&ctrl), Outcome::Spurious, "{map:?}");
        assert_eq!(ctrl.pending(ChannelDir::Write), 0);
        ch.submit(&ctrl, &batch).unwrap();
        other.submit(&ctrl, &batch[..1]).unwrap();
        // The other channel's completion is not ours.
        engine.step(ChannelDir::Write, 2, 10);
        assert_eq!(ch.on_interrupt(&ctrl), Outcome::NotMine, "{map:?}");
        assert!(matches!(other.on_interrupt(&ctrl), Outcome::Complete(c) if c.is_success()));
        // 5 entries, 2 per chunk: progress, progress, complete.
        engine.step(ChannelDir::Write, 1, 2);
        assert_eq!(ch.on_interrupt(&ctrl), Outcome::Progress, "{map:?}");
        engine.step(ChannelDir::Write, 1, 2);
        assert_eq!(ch.on_interrupt(&ctrl), Outcome::Progress, "{map:?}");
        engine.step(ChannelDir::Write, 1, 2);
        let c = ch.on_interrupt(&ctrl).completion().expect("complete");
        assert_eq!(
            (c.status, c.bytes_done, c.chunks),
            (Status::Done, 320, 3),
            "{map:?}"
        );
        // A duplicate afterwards is spurious.
        engine.force_status(ChannelDir::Write, 1, true, false);
        assert_eq!(ch.on_interrupt(&ctrl), Outcome::Spurious, "{map:?}");
        // Terminate: idle, then a running batch the mock stops at once.
        assert_eq!(ch.terminate(&ctrl), Terminate::Idle);
        ch.submit(&ctrl, &batch).unwrap();
        engine.step(ChannelDir::Write, 1, 1);
        match ch.terminate(&ctrl) {
            Terminate::Stopped(c) => {
                assert_eq!(c.status, Status::Terminated { entry: Some(1) }, "{map:?}");
                assert_eq!(c.bytes_done, 64);
            }
            t => panic!("{map:?}: {t:?}"),
        }
    }
}

/// A register file whose channel status always reads "running" (CS = 1 on
/// eDMA, ch_stat = 1 on HDMA): a stop request that has not taken effect.
struct StillRunning {
    map: MapFormat,
    words: Vec<AtomicU32>,
}

impl RegisterIo for StillRunning {
    fn read32(&self, offset: usize) -> u32 {
        let status = match self.map {
            MapFormat::HdmaNative => ch_reg_offset(self.map, ChannelDir::Read, 3, ChReg::ChStat),
            _ => ch_reg_offset(self.map, ChannelDir::Read, 3, ChReg::Control1),
        };
        if Some(offset) == status {
            return if self.map == MapFormat::HdmaNative {
                1
            } else {
                1 << 5
            };
        }
        self.words[offset / 4].load(Ordering::Relaxed)
    }
    fn write32(&self, offset: usize, value: u32) {
        self.words[offset / 4].store(value, Ordering::Relaxed);
    }
}

#[test]
fn terminate_while_the_engine_still_runs_is_stopping() {
    for map in MapFormat::ALL {
        let regs = StillRunning {
            map,
            words: (0..0x1000).map(|_| AtomicU32::new(0)).collect(),
        };
        regs.write32(0x8, 0x0008_0008); // eDMA CTRL: 8 + 8 channels
        let ctrl = Controller::new(&regs, map, Deployment::Local);
        let mut ll = vec![0u8; 24 * 4];
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Read, 3)).unwrap(),
            edma_core::io::SliceLl::new(&mut ll, 0x8000),
        );
        let batch = [Entry::new(0x1000, 0x2000, 64)];
        ch.submit(&ctrl, &batch).unwrap();
        assert_eq!(ch.terminate(&ctrl), Terminate::Stopping, "{map:?}");
        assert!(
            ch.is_busy(),
            "{map:?}: the completion comes from the interrupt"
        );
    }
}

#[test]
fn dropping_a_busy_channel_stops_the_engine() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        engine.local_write(0, &[5; 256]);
        {
            let batch: Vec<Entry> = (0..6)
                .map(|i| Entry::new(i * 32, 0x8000 + i * 32, 32))
                .collect();
            let mut ch = Channel::new(
                ctrl.claim(ChannelConfig::new(ChannelDir::Write, 4))
                    .unwrap(),
                engine.ll_region(ChannelDir::Write, 4, 8),
            );
            ch.submit(&ctrl, &batch).unwrap();
            assert_eq!(engine.step(ChannelDir::Write, 4, 2), 2);
            assert!(engine.is_running(ChannelDir::Write, 4));
            // Dropped mid-batch (an early return, a panic unwinding, ...).
        }
        assert!(
            !engine.is_running(ChannelDir::Write, 4),
            "{map:?}: the drop stopped the engine"
        );
        let k = engine.counters().channel(ChannelDir::Write, 4);
        assert_eq!(
            (k.stop_requests, k.elements, k.bytes),
            (1, 2, 64),
            "{map:?}"
        );
        assert_eq!(
            engine.step(ChannelDir::Write, 4, 10),
            0,
            "{map:?}: nothing runs on"
        );
        assert_eq!(
            ctrl.pending(ChannelDir::Write),
            0,
            "{map:?}: its status was cleared"
        );
        // An idle or finished channel's drop writes nothing.
        let before = engine.counters().total().reg_writes;
        {
            let batch = [Entry::new(0, 0x9000, 16)];
            let mut ch = Channel::new(
                ctrl.claim(ChannelConfig::new(ChannelDir::Write, 5))
                    .unwrap(),
                engine.ll_region(ChannelDir::Write, 5, 4),
            );
            ch.submit(&ctrl, &batch).unwrap();
            engine.step(ChannelDir::Write, 5, 10);
            assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
        }
        let k = engine.counters().channel(ChannelDir::Write, 5);
        assert_eq!(k.stop_requests, 0, "{map:?}");
        assert!(engine.counters().total().reg_writes > before);
    }
}

#[test]
fn a_drop_waits_for_an_engine_that_never_stops_only_so_long() {
    for map in [MapFormat::EdmaUnroll, MapFormat::HdmaNative] {
        let regs = StillRunning {
            map,
            words: (0..0x1000).map(|_| AtomicU32::new(0)).collect(),
        };
        regs.write32(0x8, 0x0008_0008);
        let ctrl = Controller::new(&regs, map, Deployment::Local);
        let mut ll = vec![0u8; 24 * 4];
        let batch = [Entry::new(0x1000, 0x2000, 64)];
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Read, 3)).unwrap(),
            edma_core::io::SliceLl::new(&mut ll, 0x8000),
        );
        ch.submit(&ctrl, &batch).unwrap();
        drop(ch); // returns although the status never leaves "running"
        // The stop was requested (eDMA doorbell: stop bit + channel; HDMA: 2).
        let (off, want) = if map == MapFormat::HdmaNative {
            (
                ch_reg_offset(map, ChannelDir::Read, 3, ChReg::Doorbell).unwrap(),
                2,
            )
        } else {
            (0x30, 0x8000_0003)
        };
        assert_eq!(regs.read32(off), want, "{map:?}");
    }
}
