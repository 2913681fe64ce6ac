//! What an interrupt or a terminate says happened, each case asserted by
//! its exact variant (the embedding-correctness issue: `on_interrupt` used
//! to return `Ok(None)` for both "next chunk started" and "not mine";
//! `terminate` returned a `Result` that was never `Err`).

use std::cell::Cell;

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
    words: Vec<Cell<u32>>,
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
        self.words[offset / 4].get()
    }
    fn write32(&self, offset: usize, value: u32) {
        self.words[offset / 4].set(value);
    }
}

#[test]
fn terminate_while_the_engine_still_runs_is_stopping() {
    for map in MapFormat::ALL {
        let regs = StillRunning {
            map,
            words: (0..0x1000).map(|_| Cell::new(0)).collect(),
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
