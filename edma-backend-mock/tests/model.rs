//! The mock's scheduled-mode bookkeeping and its time model: yield-point
//! numbering, the view's `Debug`, the state hash's sensitivity to every
//! memory bit, and the time model's arithmetic (docs/mutants.md, shard 7).
// Safe code only (no unsafe below it to check): kept out of Miri's time budget.
#![cfg(not(miri))]

use std::sync::{Arc, Mutex};

use edma_backend_mock::{ExecMode, MockConfig, MockEngine, TimeModel, YieldKind};
use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};

const DIR: ChannelDir = ChannelDir::Write;
const CH: u8 = 0;

/// Every yield point the driver reaches is numbered 1, 2, 3, … in the
/// order reached, and the view's `Debug` names where the driver is.
#[test]
fn yield_points_are_numbered_in_order() {
    let map = MapFormat::EdmaUnroll;
    let e = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Scheduled));
    let seen: Arc<Mutex<Vec<(u64, YieldKind, String)>>> = Arc::default();
    let log = Arc::clone(&seen);
    // One engine step per yield point: asked again at the same point, no.
    let mut last = None;
    e.set_scheduler(Some(Box::new(move |v| {
        log.lock()
            .unwrap()
            .push((v.seq(), v.kind(), format!("{v:?}")));
        let fresh = last != Some(v.seq());
        last = Some(v.seq());
        fresh
    })));
    let ctrl = Controller::new(&e, map, Deployment::Local);
    let mut ch = Channel::new(
        ctrl.claim(ChannelConfig::new(DIR, CH)).unwrap(),
        e.ll_region(DIR, CH, 8),
    );
    e.local_write(0x4000, &[0xa5; 32]);
    let batch = [Entry::new(0x4000, 0x9000, 32)];
    ch.submit(&ctrl, &batch).unwrap();
    // The scheduler is asked only while some channel can step: not before
    // the doorbell.
    assert!(seen.lock().unwrap().is_empty());
    let mut polls = 0;
    let done = loop {
        polls += 1;
        assert!(polls < 100, "no completion");
        if let Some(c) = ch.on_interrupt(&ctrl).completion() {
            break c;
        }
    };
    assert_eq!((done.bytes_done, done.residue), (32, 0));
    e.set_scheduler(None);
    let seen = seen.lock().unwrap();
    assert!(!seen.is_empty());
    // Asked twice at each point while the engine can step (a step, then
    // no; the last step leaves nothing to do, so not asked again): each
    // point's number is one above the one before.
    let first = seen[0].0;
    let points = seen.len().div_ceil(2);
    for (i, pair) in seen.chunks(2).enumerate() {
        assert!(pair.len() == 2 || i + 1 == points, "{seen:?}");
        assert_eq!(pair[0].0, first + i as u64, "{seen:?}");
        assert_eq!(pair.last().unwrap().0, pair[0].0);
    }
    assert!(seen.len() >= 6, "three steps at least: {seen:?}");
    for (_, kind, dbg) in seen.iter() {
        assert_eq!(*dbg, format!("EngineView {{ kind: {kind:?}, .. }}"));
    }
    // Numbering counts every yield point from the engine's creation, not
    // only those the scheduler was asked at: the doorbell write and the
    // slot writes before it came first.
    assert!(first > 2, "first asked at yield point {first}");
    assert_eq!(e.pci_read(0x9000, 32), [0xa5; 32]);
}

/// The state hash changes with every single bit of memory, in every byte
/// lane of a word and in a trailing partial word.
#[test]
fn state_hash_sees_every_memory_bit() {
    let e = MockEngine::new(MockConfig::new(MapFormat::HdmaCompat));
    let base = e.state_hash();
    let mut hashes = vec![base];
    for addr in [0x100u64, 0x107] {
        for bit in 0..8 {
            e.local_write(addr, &[1 << bit]);
            hashes.push(e.state_hash());
            e.local_write(addr, &[0]);
            assert_eq!(e.state_hash(), base, "restored after {addr:#x} bit {bit}");
        }
    }
    for addr in [0x200u64, 0x203] {
        for bit in 0..8 {
            e.pci_write(addr, &[1 << bit]);
            hashes.push(e.state_hash());
            e.pci_write(addr, &[0]);
        }
    }
    let n = hashes.len();
    hashes.sort_unstable();
    hashes.dedup();
    assert_eq!(
        hashes.len(),
        n,
        "a flipped memory bit left the hash unchanged"
    );
}

/// An element's modeled time is its fetch plus its bytes over the link
/// rate, for the defaults and for other parameters.
#[test]
fn element_time_is_fetch_plus_bytes_over_rate() {
    let t = TimeModel::default();
    assert_eq!(t.element_ns(0), 100.0);
    assert_eq!(t.element_ns(4096), 1380.0);
    let slow = TimeModel {
        bytes_per_ns: 0.5,
        element_fetch_ns: 7.0,
        ..t
    };
    assert_eq!(slow.element_ns(3), 13.0);
    assert_eq!(slow.element_ns(1), 9.0);
}
