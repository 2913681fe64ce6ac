//! The plan / encode / submit / interrupt path allocates nothing: a counting
//! global allocator watches every driver call (the mock runs in manual mode,
//! so the engine's own work happens outside the watched calls).
//!
//! It lives in this crate because a global allocator is `unsafe` to
//! implement and `unsafe` code stays in edma-backend-mmio.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::plan::Entry;
use edma_core::{ChannelDir, Deployment, MapFormat};

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);
thread_local! {
    static WATCH: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if WATCH.with(Cell::get) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if WATCH.with(Cell::get) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn watched<X>(f: impl FnOnce() -> X) -> X {
    WATCH.with(|w| w.set(true));
    let x = f();
    WATCH.with(|w| w.set(false));
    x
}

#[test]
fn driver_path_allocates_nothing() {
    // The counter works: an allocation inside `watched` is seen.
    let before = ALLOCS.load(Ordering::Relaxed);
    watched(|| std::hint::black_box(vec![1u8; 10]));
    assert_eq!(ALLOCS.load(Ordering::Relaxed), before + 1);

    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
            let ctrl = Controller::new(&engine, map, dep);
            ctrl.configure_remote_interrupt(ChannelDir::Write, 0, 0x3f_0000, 1);
            let batch: Vec<Entry> = (0..300)
                .map(|i| Entry::new(i * 64, 0x10_0000 + i * 64, 64))
                .collect();
            let mut ch = Channel::new(
                ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0))
                    .unwrap(),
                engine.ll_region(ChannelDir::Write, 0, 64),
            );
            let start = ALLOCS.load(Ordering::Relaxed);
            watched(|| ch.submit(&ctrl, &batch)).unwrap();
            let mut chunks = 1;
            let done = loop {
                engine.step(ChannelDir::Write, 0, u64::MAX);
                if let Some(c) = watched(|| ch.on_interrupt(&ctrl)).completion() {
                    break c;
                }
                chunks += 1;
            };
            assert!(done.is_success());
            assert_eq!(chunks, 5, "300 entries / 63 per chunk");
            assert_eq!(
                ALLOCS.load(Ordering::Relaxed),
                start,
                "{map:?} {dep:?}: the driver allocated"
            );
        }
    }
}
