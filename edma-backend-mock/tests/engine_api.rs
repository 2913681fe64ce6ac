//! The mock's own API beside the register file: where each channel's LL
//! space lies, what `loaded_size` and `run_until_blocked` report, and the
//! two halves of an LL slot write in scheduled mode (docs/mutants.md, the
//! mock's register shard).
// Safe code only (no unsafe below it to check): kept out of Miri's time budget.
#![cfg(not(miri))]

use std::sync::{Arc, Mutex};

use edma_backend_mock::{ExecMode, MockConfig, MockEngine, YieldKind};
use edma_core::desc::{Control, Element};
use edma_core::io::{LlMemory, RegisterIo};
use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};

const W: ChannelDir = ChannelDir::Write;
const R: ChannelDir = ChannelDir::Read;

#[test]
fn ll_spaces_are_stacked_at_the_top_of_local_memory() {
    // Default: 4 MiB of local memory at 0, 1024 slots (0x6000 bytes) per
    // channel; 16 spaces below 0x40_0000, write channels first.
    let e = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    assert_eq!(e.ll_base(W, 0), 0x3a_0000);
    assert_eq!(e.ll_base(W, 3), 0x3b_2000);
    assert_eq!(e.ll_base(R, 0), 0x3d_0000);
    assert_eq!(e.ll_base(R, 5), 0x3e_e000);
    assert_eq!(e.ll_base(R, 7), 0x3f_a000);
    // Channel numbers wrap at 8.
    assert_eq!(e.ll_base(R, 13), 0x3e_e000);
    let ll = e.ll_region(R, 5, 16);
    assert_eq!((ll.bus_addr(), ll.capacity()), (0x3e_e000, 16));

    let mut cfg = MockConfig::new(MapFormat::HdmaNative).with_memory(1 << 20, 1 << 20);
    cfg.local_base = 0x8000_0000;
    cfg.ll_bytes_per_channel = 0x1000;
    let e = MockEngine::new(cfg);
    assert_eq!(e.ll_base(W, 0), 0x800f_0000);
    assert_eq!(e.ll_base(R, 2), 0x800f_a000);
    assert_eq!(e.ll_base(R, 7), 0x800f_f000);
}

/// The lengths of the three entries [`started`] submits.
const SIZES: [u32; 3] = [0x10, 0x20, 0x40];

/// A scheduled engine (no scheduler installed: it moves only when the test
/// ticks it) with a three-entry batch submitted on write channel 2.
fn started() -> MockEngine {
    let map = MapFormat::EdmaUnroll;
    let e = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Scheduled));
    e.local_write(0x1000, &[0x3c; 0x70]);
    let batch = [
        Entry::new(0x1000, 0x8000, SIZES[0].into()),
        Entry::new(0x1010, 0x9000, SIZES[1].into()),
        Entry::new(0x1030, 0xa000, SIZES[2].into()),
    ];
    {
        let ctrl = Controller::new(&e, map, Deployment::Local);
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(W, 2)).unwrap(),
            e.ll_region(W, 2, 8),
        );
        ch.submit(&ctrl, &batch).unwrap();
        // Keep the engine running past the channel's drop (which would
        // stop it): the test drives it from here.
        core::mem::forget(ch);
    }
    e
}

#[test]
fn loaded_size_is_the_element_between_load_and_execution() {
    let e = started();
    assert!(e.is_running(W, 2));
    // Started, nothing fetched yet.
    assert_eq!(e.loaded_size(W, 2), None);
    for size in SIZES {
        assert!(e.tick(W, 2), "fetch");
        assert_eq!(e.loaded_size(W, 2), None, "fetched, not loaded");
        assert!(e.tick(W, 2), "load");
        assert_eq!(e.loaded_size(W, 2), Some(size));
        assert_eq!(e.loaded_size(W, 10), Some(size), "channel 10 is 2");
        assert_eq!(e.loaded_size(W, 5), None, "an idle channel");
        assert_eq!(e.loaded_size(R, 2), None);
        assert!(e.tick(W, 2), "execute");
        assert_eq!(e.loaded_size(W, 2), None);
    }
    // The fetch past the batch stops the channel.
    while e.tick(W, 2) {}
    assert!(!e.is_running(W, 2));
    assert_eq!(e.loaded_size(W, 2), None);
    assert_eq!(e.pci_read(0xa000, 0x40), [0x3c; 0x40]);
}

#[test]
fn run_until_blocked_takes_at_most_its_limit_and_counts_exactly() {
    let a = started();
    let b = started();
    assert_eq!(a.state_hash(), b.state_hash());
    // Two steps by hand and two under a limit of two: the same state.
    assert!(a.tick(W, 2) && a.tick(W, 2));
    assert_eq!(b.run_until_blocked(2), 2);
    assert_eq!(a.state_hash(), b.state_hash());
    assert_eq!(a.loaded_size(W, 2), Some(0x10));
    assert_eq!(b.loaded_size(W, 2), Some(0x10));
    // The rest, counted.
    let mut rest = 0;
    while a.tick(W, 2) {
        rest += 1;
    }
    assert!(rest > 5, "three elements and the final fetch: {rest}");
    assert_eq!(b.run_until_blocked(u64::MAX), rest);
    assert_eq!(a.state_hash(), b.state_hash());
    assert_eq!(b.run_until_blocked(u64::MAX), 0, "nothing left to do");
    assert!(!b.is_running(W, 2));
}

#[test]
fn a_scheduled_slot_write_yields_before_the_body_and_before_the_control_word() {
    let e = started();
    let seen: Arc<Mutex<Vec<YieldKind>>> = Arc::default();
    let log = Arc::clone(&seen);
    // Never step: only record where the driver is (write channel 2 is
    // running, so the scheduler is asked).
    e.set_scheduler(Some(Box::new(move |v| {
        log.lock().unwrap().push(v.kind());
        false
    })));
    let mut ll = e.ll_region(R, 1, 4);
    let bus = ll.bus_addr() + 2 * 24;
    let el = Element::data(Control::CB, 0x40, 0x1234_5000, 0x6789_a000);
    let before = e.counters().total().ll_slot_writes;
    ll.write(2, &el);
    assert_eq!(
        *seen.lock().unwrap(),
        [YieldKind::SlotBody(bus), YieldKind::SlotControl(bus)]
    );
    assert_eq!(e.local_read(bus, 24), el.encode());
    assert_eq!(ll.read(2), Some(el));
    assert_eq!(e.counters().total().ll_slot_writes, before + 1);
    // Past the region's end: nothing written, nothing asked, nothing counted.
    seen.lock().unwrap().clear();
    ll.write(4, &el);
    assert!(seen.lock().unwrap().is_empty());
    assert_eq!(ll.read(4), None);
    assert_eq!(e.local_read(bus + 48, 24), [0; 24]);
    assert_eq!(e.counters().total().ll_slot_writes, before + 1);
}

#[test]
fn register_reads_enter_the_state_hash_in_scheduled_mode_only() {
    // Scheduled: the driver's state is a function of what it read, so
    // every read (offset and value) is part of the hash.
    let e = started();
    let h0 = e.state_hash();
    assert_eq!(e.read32(0x008), 0x0008_0008);
    let h1 = e.state_hash();
    assert_ne!(h0, h1, "a read changes the scheduled state");
    assert_eq!(e.read32(0x008), 0x0008_0008);
    assert_ne!(e.state_hash(), h1, "and so does the same read again");
    // The other modes do not record reads: the hash is the engine's alone.
    for mode in [ExecMode::RunOnDoorbell, ExecMode::Manual] {
        let e = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(mode));
        let h0 = e.state_hash();
        assert_eq!(e.read32(0x008), 0x0008_0008);
        assert_eq!(e.state_hash(), h0, "{mode:?}");
    }
}

#[test]
fn the_fetch_window_bounds_the_engine_by_driver_reads() {
    // Started and never ticked: within the window's reads (3 by default)
    // the engine has fetched the first element and loaded it.
    let e = started();
    let window = e.config().fetch_window_reads;
    assert_eq!(window, 3);
    let mut reads = 0;
    while e.loaded_size(W, 2).is_none() {
        assert!(reads < window, "not loaded after {reads} reads");
        e.read32(0x008);
        reads += 1;
    }
    assert_eq!(e.loaded_size(W, 2), Some(0x10));
    // Fetched (latched) but not acted on: the engine acts on what it
    // fetched, even if the slot changed since — here the element was made
    // invalid (its cycle bit flipped) after the fetch.
    let e = started();
    assert!(e.tick(W, 2), "fetch");
    let slot = e.ll_base(W, 2);
    let mut control = e.local_read(slot, 4);
    control[0] ^= 1;
    e.local_write(slot, &control);
    for _ in 0..window {
        e.read32(0x008);
    }
    assert!(e.is_running(W, 2), "the latched element was valid");
    assert_eq!(e.loaded_size(W, 2), Some(0x10));
}
