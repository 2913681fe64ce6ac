//! Interrupt moderation (`Notify::Every(k)`): which elements carry the
//! interrupt bits, element by element, and what that costs in interrupts.

use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
use edma_core::desc::Control;
use edma_core::io::LlMemory;
use edma_core::plan::Limits;
use edma_core::ring::{Notify, Ring};
use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};

fn entries(first: u64, n: u64, len: u64) -> Vec<Entry> {
    (first..first + n)
        .map(|i| Entry::new(0x1000 + i * 0x100, 0x10_0000 + i * 0x100, len))
        .collect()
}

/// The control word of every data slot in `0..n` as (slot, LIE, RIE).
fn irq_slots(
    engine: &MockEngine,
    dir: ChannelDir,
    ch: u8,
    slots: usize,
) -> Vec<(usize, bool, bool)> {
    let ll = engine.ll_region(dir, ch, slots + 1);
    (0..slots)
        .map(|i| {
            let c = ll.read(i).unwrap().control();
            (i, c.contains(Control::LIE), c.contains(Control::RIE))
        })
        .collect()
}

#[test]
fn every_k_marks_indices_k_minus_1_mod_k_and_the_end_of_a_short_queue() {
    for (map, dep) in [
        (MapFormat::EdmaUnroll, Deployment::Local),
        (MapFormat::EdmaLegacy, Deployment::Remote),
        (MapFormat::HdmaCompat, Deployment::Local),
    ] {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, dep);
        if dep == Deployment::Remote {
            ctrl.configure_remote_interrupt(ChannelDir::Read, 0, 0x3f_0000, 1);
        }
        let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap();
        let mut ring: Ring<'_, _, _, 64> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 0, 65))
                .unwrap_or_else(|_| panic!("ring"));
        // 10 entries, k = 4: indices 3 and 7; 10 queued >= 4, so the end (9) is not marked.
        ring.append(&entries(0, 10, 64), Notify::Every(4)).unwrap();
        let remote = dep == Deployment::Remote;
        let want: Vec<(usize, bool, bool)> = (0..10)
            .map(|i| (i, i == 3 || i == 7, remote && (i == 3 || i == 7)))
            .collect();
        assert_eq!(irq_slots(&engine, ChannelDir::Read, 0, 10), want, "{map:?}");
        // Indices continue across appends: 10, 11 → index 11 is marked.
        ring.append(&entries(10, 2, 64), Notify::Every(4)).unwrap();
        let got = irq_slots(&engine, ChannelDir::Read, 0, 12);
        assert_eq!((got[10].1, got[11].1), (false, true), "{map:?}");
        // Drain everything, then a short append on an empty ring: 2 queued
        // < k, so its end is marked although index 13 is not k - 1 mod k.
        ring.submit(&ctrl).unwrap();
        engine.step(ChannelDir::Read, 0, 100);
        assert_eq!(ring.poll(&ctrl).completed, 12);
        ring.append(&entries(12, 2, 64), Notify::Every(4)).unwrap();
        let got = irq_slots(&engine, ChannelDir::Read, 0, 14);
        assert_eq!(
            (got[12].1, got[13].1),
            (false, true),
            "{map:?}: the end of a short queue"
        );
    }
}

#[test]
fn every_0_and_1_are_each_and_split_entries_mark_their_last_element() {
    let map = MapFormat::EdmaUnroll;
    let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&engine, map, Deployment::Local);
    for (ch, k) in [(0u8, 0u16), (1, 1)] {
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, ch))
            .unwrap();
        let mut ring: Ring<'_, _, _, 16> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, ch, 17))
                .unwrap_or_else(|_| panic!("ring"));
        ring.append(&entries(0, 5, 64), Notify::Every(k)).unwrap();
        assert!(
            irq_slots(&engine, ChannelDir::Write, ch, 5)
                .iter()
                .all(|s| s.1),
            "Every({k}) = Each"
        );
    }
    // max_element_len 64: a 150-byte entry takes 3 elements; k = 2 marks
    // entry 1 (elements 3..6, its last is slot 5) and entry 3.
    let limits = Limits {
        max_element_len: 64,
        ..Limits::default()
    };
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 2).with_limits(limits))
        .unwrap();
    let mut ring: Ring<'_, _, _, 32> =
        Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 2, 33))
            .unwrap_or_else(|_| panic!("ring"));
    let e = [
        Entry::new(0x1000, 0x10_0000, 100), // slots 0, 1
        Entry::new(0x2000, 0x20_0000, 150), // slots 2, 3, 4 (index 1: marked)
        Entry::new(0x3000, 0x30_0000, 64),  // slot 5
        Entry::new(0x4000, 0x40_0000, 65),  // slots 6, 7 (index 3: marked)
        Entry::new(0x5000, 0x50_0000, 8),   // slot 8 (index 4)
    ];
    let a = ring.append(&e, Notify::Every(2)).unwrap();
    assert_eq!((a.entries, a.elements), (5, 9));
    let lie: Vec<usize> = irq_slots(&engine, ChannelDir::Write, 2, 9)
        .into_iter()
        .filter(|s| s.1)
        .map(|s| s.0)
        .collect();
    assert_eq!(lie, [4, 7], "the last element of entries 1 and 3 only");
}

/// Queue depth 32, requests arriving as completions are reported: with
/// `Notify::End` per push every request is an interrupt; with
/// `Notify::Every(16)` and whatever has arrived pushed at once, one per 16.
#[test]
#[cfg_attr(
    miri,
    ignore = "4096 pushes through the mock: minutes under Miri, nothing unsafe to check"
)]
fn moderation_at_depth_32_takes_16_times_fewer_interrupts() {
    let map = MapFormat::EdmaUnroll;
    let total = 2048u64;
    let run = |moderate: bool| -> (u64, u64, u64) {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap();
        let mut ring: Ring<'_, _, _, 64> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 65))
                .unwrap_or_else(|_| panic!("ring"));
        let all: Vec<Entry> = (0..total)
            .map(|i| Entry::new(0x1000 + (i % 64) * 64, 0x10_0000 + (i % 64) * 64, 64))
            .collect();
        let (mut issued, mut done, mut max_unreported) = (32u64, 0u64, 0u64);
        let mut queued = 0u64;
        let mut executed = 0u64;
        while done < total {
            // Hand everything issued to the ring.
            while queued < issued {
                let (n, notify) = if moderate {
                    let n = issued - queued;
                    let last = queued + n == total;
                    (n, if last { Notify::End } else { Notify::Every(16) })
                } else {
                    (1, Notify::End)
                };
                ring.push(&ctrl, &all[queued as usize..(queued + n) as usize], notify)
                    .unwrap();
                queued += n;
            }
            // The engine runs one element; the host handles any interrupt.
            executed += engine.step(ChannelDir::Write, 0, 1);
            max_unreported = max_unreported.max(executed - done);
            if engine.irq_pending()
                && let Some(c) = ring.on_interrupt(&ctrl)
            {
                done += c.completed;
                issued = (issued + c.completed).min(total);
            }
            assert!(executed <= total);
        }
        (
            engine.counters().total().done_local,
            engine.counters().total().doorbells,
            max_unreported,
        )
    };
    let (irq_end, _, lag_end) = run(false);
    let (irq_mod, _, lag_mod) = run(true);
    assert_eq!(irq_end, total, "one interrupt per push");
    assert_eq!(irq_mod, total / 16, "one per 16 requests");
    // The latency cost, in requests: a completion waits for at most 15 more.
    assert_eq!(lag_end, 1);
    assert_eq!(lag_mod, 16);
}
