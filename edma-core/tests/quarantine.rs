//! A channel or ring whose engine never stops is not given its LL region
//! back: the region is quarantined (`LlMemory::quarantine`), the controller
//! says so (`Controller::is_quarantined`), the channel stays claimed until
//! the engine is seen stopped (`Controller::clear_quarantine`). The mock's
//! `ignore_stop` is the register file that never reports the stop.

use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
use edma_core::channel::{ChannelError, DROP_STOP_READS};
use edma_core::ring::{Notify, Ring};
use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};

const MAPS: [MapFormat; 4] = [
    MapFormat::EdmaLegacy,
    MapFormat::EdmaUnroll,
    MapFormat::HdmaCompat,
    MapFormat::HdmaNative,
];

fn manual(map: MapFormat) -> MockEngine {
    MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual))
}

#[test]
#[cfg_attr(miri, ignore = "10 000 status reads per drop")]
fn channel_dropped_on_a_stuck_engine_is_quarantined() {
    for map in MAPS {
        for dir in ChannelDir::ALL {
            let engine = manual(map);
            let ctrl = Controller::new(&engine, map, Deployment::Local);
            engine.ignore_stop(dir, 1, true);
            let batch = [
                Entry::new(0x1000, 0x2000, 64),
                Entry::new(0x1100, 0x2100, 64),
            ];
            let mut ch = Channel::new(
                ctrl.claim(ChannelConfig::new(dir, 1)).unwrap(),
                engine.ll_region(dir, 1, 8),
            );
            ch.submit(&ctrl, &batch).unwrap();
            let before = engine.counters().channel(dir, 1);
            let reads_before = engine.counters().total().reg_reads;
            drop(ch);
            let after = engine.counters().channel(dir, 1);
            // One stop request, then the bounded wait: DROP_STOP_READS status reads.
            assert_eq!(
                after.stop_requests - before.stop_requests,
                1,
                "{map:?} {dir:?}"
            );
            let reads = engine.counters().total().reg_reads - reads_before;
            assert!(
                reads >= u64::from(DROP_STOP_READS),
                "{map:?} {dir:?}: {reads} reads"
            );
            assert!(engine.is_running(dir, 1), "{map:?} {dir:?}");
            assert!(ctrl.is_quarantined(dir, 1), "{map:?} {dir:?}");
            assert!(engine.ll_quarantined(dir, 1), "{map:?} {dir:?}");
            // No other channel is affected.
            assert!(!ctrl.is_quarantined(dir, 0) && !engine.ll_quarantined(dir, 0));
            // The channel cannot be claimed while the engine may still run...
            assert_eq!(
                ctrl.claim(ChannelConfig::new(dir, 1)).err(),
                Some(ChannelError::AlreadyClaimed { dir, index: 1 })
            );
            assert!(
                !ctrl.clear_quarantine(dir, 1),
                "still running: stays quarantined"
            );
            // ...and is usable again once the engine is seen stopped.
            engine.ignore_stop(dir, 1, false);
            engine.step(dir, 1, 10);
            assert!(!engine.is_running(dir, 1));
            assert!(ctrl.clear_quarantine(dir, 1));
            assert!(!ctrl.is_quarantined(dir, 1));
            assert!(!ctrl.clear_quarantine(dir, 1), "only once");
            assert!(ctrl.claim(ChannelConfig::new(dir, 1)).is_ok());
        }
    }
}

#[test]
fn a_drop_that_stops_the_engine_quarantines_nothing() {
    for map in MAPS {
        let engine = manual(map);
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let batch = [Entry::new(0x1000, 0x2000, 64)];
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 2))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 2, 8),
        );
        ch.submit(&ctrl, &batch).unwrap();
        drop(ch);
        assert!(!engine.is_running(ChannelDir::Write, 2), "{map:?}");
        assert!(!ctrl.is_quarantined(ChannelDir::Write, 2), "{map:?}");
        assert!(!engine.ll_quarantined(ChannelDir::Write, 2), "{map:?}");
        // An idle channel dropped: nothing to stop at all.
        let ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Read, 2)).unwrap(),
            engine.ll_region(ChannelDir::Read, 2, 8),
        );
        let stops = engine.counters().total().stop_requests;
        drop(ch);
        assert_eq!(engine.counters().total().stop_requests, stops);
        assert!(!engine.ll_quarantined(ChannelDir::Read, 2));
    }
}

#[test]
#[cfg_attr(miri, ignore = "10 000 status reads per drop")]
fn ring_on_a_stuck_engine_refuses_release_then_quarantines_on_drop() {
    for map in MAPS {
        let engine = manual(map);
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 0, 8))
                .unwrap_or_else(|_| panic!("ring"));
        ring.push(&ctrl, &[Entry::new(0x1000, 0x100, 32)], Notify::End)
            .unwrap();
        engine.step(ChannelDir::Read, 0, 1);
        let c = ring.poll(&ctrl);
        assert_eq!(c.completed, 1, "{map:?}");
        // A second entry, and an engine that ignores the stop request.
        ring.push(&ctrl, &[Entry::new(0x1000, 0x100, 32)], Notify::End)
            .unwrap();
        engine.ignore_stop(ChannelDir::Read, 0, true);
        assert!(engine.is_running(ChannelDir::Read, 0), "{map:?}");
        // Release is refused while an entry is queued (as before)...
        let Err(ring) = ring.release(&ctrl) else {
            panic!("released with an entry queued")
        };
        drop(ring);
        assert!(ctrl.is_quarantined(ChannelDir::Read, 0), "{map:?}");
        assert!(engine.ll_quarantined(ChannelDir::Read, 0), "{map:?}");
    }
}

#[test]
#[cfg_attr(miri, ignore = "10 000 status reads per release")]
fn idle_ring_release_on_a_wedged_engine_is_refused() {
    for map in MAPS {
        let engine = manual(map);
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 3))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 3, 8))
                .unwrap_or_else(|_| panic!("ring"));
        ring.push(&ctrl, &[Entry::new(0x1000, 0x100, 32)], Notify::End)
            .unwrap();
        engine.step(ChannelDir::Write, 3, 1);
        assert_eq!(ring.poll(&ctrl).completed, 1, "{map:?}");
        assert_eq!(ring.queued(), 0);
        // Idle, but the register file now never reports the stop.
        engine.wedge(ChannelDir::Write, 3);
        let stops = engine.counters().total().stop_requests;
        let Err(ring) = ring.release(&ctrl) else {
            panic!("{map:?}: released under a running engine")
        };
        assert_eq!(engine.counters().total().stop_requests, stops + 1);
        assert!(
            !ctrl.is_quarantined(ChannelDir::Write, 3),
            "handed back, not yet quarantined"
        );
        assert!(!engine.ll_quarantined(ChannelDir::Write, 3));
        drop(ring);
        assert!(ctrl.is_quarantined(ChannelDir::Write, 3), "{map:?}");
        assert!(engine.ll_quarantined(ChannelDir::Write, 3), "{map:?}");
        // A ring that stopped normally releases, as before.
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 4))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 4, 8))
                .unwrap_or_else(|_| panic!("ring"));
        ring.push(&ctrl, &[Entry::new(0x1000, 0x100, 32)], Notify::End)
            .unwrap();
        engine.step(ChannelDir::Write, 4, 1);
        assert_eq!(ring.poll(&ctrl).completed, 1);
        assert!(ring.release(&ctrl).is_ok(), "{map:?}");
        assert!(!ctrl.is_quarantined(ChannelDir::Write, 4));
    }
}
