//! The mock engine on linked lists and register writes the driver never
//! produces: links without a cycle toggle, long link chains and loops,
//! doorbells on absent or disabled channels. Each test pins one hardware
//! behaviour the rest of the suite relies on (docs/mutants.md, the mock's
//! shard).
// Safe code only (no unsafe below it to check): kept out of Miri's time budget.
#![cfg(not(miri))]

use edma_backend_mock::{AbortCause, ExecMode, MockConfig, MockEngine};
use edma_core::desc::{Control, Element, SLOT_SIZE};
use edma_core::io::{LlMemory, RegisterIo};
use edma_core::regs::ChReg;
use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};

/// An LL region whose contents the test wrote beforehand: the driver's
/// own element stores are dropped (counted), so the engine runs the
/// hand-built list from the driver's real first start.
struct FixedLl {
    bus: u64,
    slots: usize,
    dropped: usize,
}

impl LlMemory for FixedLl {
    fn bus_addr(&self) -> u64 {
        self.bus
    }
    fn capacity(&self) -> usize {
        self.slots
    }
    fn write(&mut self, _index: usize, _element: &Element) {
        self.dropped += 1;
    }
}

const DIR: ChannelDir = ChannelDir::Write;
const CH: u8 = 1;
const SRC: u64 = 0x4000;
const DST: u64 = 0x9000;
/// One 8-byte entry.
const ONE: [Entry; 1] = [Entry::new(SRC, DST, 8)];

fn slot(e: &MockEngine, i: u64) -> u64 {
    e.ll_base(DIR, CH) + i * SLOT_SIZE as u64
}

fn put(e: &MockEngine, i: u64, el: Element) {
    e.local_write(slot(e, i), &el.encode());
}

/// Runs the hand-built list at slot 0 through the driver's first start
/// (one 16-byte entry as far as the driver knows) on a fresh engine,
/// terminates it, and returns the engine to be inspected.
fn run_list(map: MapFormat, build: impl Fn(&MockEngine)) -> MockEngine {
    let e = MockEngine::new(MockConfig::new(map));
    drive(&e, map, build);
    e
}

fn drive(e: &MockEngine, map: MapFormat, build: impl Fn(&MockEngine)) {
    e.local_write(SRC, &[0x5a; 16]);
    e.pci_write(DST - 4, &[0xc3; 24]);
    build(e);
    let ctrl = Controller::new(e, map, Deployment::Local);
    let ll = FixedLl {
        bus: e.ll_base(DIR, CH),
        slots: 128,
        dropped: 0,
    };
    let batch = [Entry::new(SRC, DST, 16)];
    let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(DIR, CH)).unwrap(), ll);
    ch.submit(&ctrl, &batch).unwrap();
    assert!(
        ch.ll().unwrap().dropped > 0,
        "the driver's stores were dropped"
    );
    let _ = ch.terminate(&ctrl);
}

fn data(cb: bool) -> Element {
    let cycle = if cb { Control::CB } else { Control::empty() };
    Element::data(cycle | Control::LIE, 16, SRC, DST)
}

fn moved(e: &MockEngine) -> bool {
    e.pci_read(DST - 4, 24) == [[0xc3; 4].as_slice(), &[0x5a; 16], &[0xc3; 4]].concat()
}

#[test]
fn a_link_toggles_the_cycle_state_only_with_tcb() {
    for map in MapFormat::ALL {
        // Without TCB the consumer cycle state stays 1: a CB=1 element runs.
        let e = run_list(map, |e| {
            put(e, 0, Element::link(Control::LLP, slot(e, 2)));
            put(e, 2, data(true));
        });
        assert!(moved(&e), "{map:?}: no TCB, CB=1 runs");
        assert_eq!(e.counters().channel(DIR, CH).links, 1);
        // ...and a CB=0 element is "not produced yet": nothing moves.
        let e = run_list(map, |e| {
            put(e, 0, Element::link(Control::LLP, slot(e, 2)));
            put(e, 2, data(false));
        });
        assert!(!moved(&e), "{map:?}: no TCB, CB=0 stops");
        assert_eq!(e.counters().channel(DIR, CH).elements, 0);
        // With TCB the state becomes 0: CB=0 runs, CB=1 stops.
        let e = run_list(map, |e| {
            put(e, 0, Element::link(Control::LLP | Control::TCB, slot(e, 2)));
            put(e, 2, data(false));
        });
        assert!(moved(&e), "{map:?}: TCB, CB=0 runs");
        let e = run_list(map, |e| {
            put(e, 0, Element::link(Control::LLP | Control::TCB, slot(e, 2)));
            put(e, 2, data(true));
        });
        assert!(!moved(&e), "{map:?}: TCB, CB=1 stops");
    }
}

#[test]
fn sixty_four_links_are_followed_and_the_sixty_fifth_is_a_loop() {
    for map in MapFormat::ALL {
        // A chain of exactly 64 links, then the element: it runs.
        let e = run_list(map, |e| {
            for i in 0..64 {
                put(e, i, Element::link(Control::LLP, slot(e, i + 1)));
            }
            put(e, 64, data(true));
        });
        assert!(moved(&e), "{map:?}");
        assert_eq!(e.counters().channel(DIR, CH).links, 64, "{map:?}");
        // It ran on to the empty slot 65 (CB = 0) and stopped there: no abort.
        assert_eq!(e.last_abort(DIR, CH), None, "{map:?}");
        // A link to itself: 64 links followed, the 65th aborts the channel.
        let e = run_list(map, |e| put(e, 0, Element::link(Control::LLP, slot(e, 0))));
        assert!(!moved(&e), "{map:?}");
        assert_eq!(e.counters().channel(DIR, CH).links, 64, "{map:?}");
        assert_eq!(e.last_abort(DIR, CH), Some(AbortCause::LinkLoop), "{map:?}");
        assert!(!e.is_running(DIR, CH));
    }
}

/// eDMA v0 doorbell registers (Linux `dw-edma-v0-regs.h`): write 0x10,
/// read 0x30; engine enables 0x0c and 0x2c.
#[test]
fn doorbells_of_disabled_or_absent_channels_are_ignored() {
    for map in [MapFormat::EdmaLegacy, MapFormat::EdmaUnroll] {
        let mut cfg = MockConfig::new(map);
        cfg.wr_channels = 2;
        let e = MockEngine::new(cfg);
        // Engine disabled (bit 0 clear, another bit set): ignored.
        e.write32(0x0c, 0x2);
        e.write32(0x10, 0);
        let k = e.counters().channel(ChannelDir::Write, 0);
        assert_eq!((k.doorbells, k.ignored_doorbells), (0, 1), "{map:?}");
        // Engine enabled: channel 1 exists and starts, channel 2 does not exist.
        e.write32(0x0c, 0x1);
        e.write32(0x10, 2);
        let k = e.counters().channel(ChannelDir::Write, 2);
        assert_eq!(
            (k.doorbells, k.ignored_doorbells),
            (0, 1),
            "{map:?}: absent"
        );
        e.write32(0x10, 1);
        let k = e.counters().channel(ChannelDir::Write, 1);
        assert_eq!(
            (k.doorbells, k.ignored_doorbells),
            (1, 0),
            "{map:?}: present"
        );
        // The read engine has its own enable.
        e.write32(0x30, 1);
        let k = e.counters().channel(ChannelDir::Read, 1);
        assert_eq!(
            (k.doorbells, k.ignored_doorbells),
            (0, 1),
            "{map:?}: read engine off"
        );
    }
}

/// Native HDMA: an element with LIE (LWIE) sets the watermark status
/// (bit 1 of `INT_STAT`) and only that; the stop status (bit 0) comes when
/// the channel stops at the list's end.
#[test]
fn hdma_lwie_sets_the_watermark_status() {
    let map = MapFormat::HdmaNative;
    let e = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&e, map, Deployment::Local);
    let ll = FixedLl {
        bus: e.ll_base(DIR, CH),
        slots: 8,
        dropped: 0,
    };
    e.local_write(SRC, &[0x5a; 16]);
    e.pci_write(DST - 4, &[0xc3; 24]);
    put(&e, 0, Element::data(Control::CB, 8, SRC, DST));
    put(
        &e,
        1,
        Element::data(Control::CB | Control::LIE, 8, SRC + 8, DST + 8),
    );
    let batch = [Entry::new(SRC, DST, 16)];
    let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(DIR, CH)).unwrap(), ll);
    ch.submit(&ctrl, &batch).unwrap();
    let stat = || ctrl.ch_read(DIR, CH, ChReg::IntStat);
    assert_eq!(stat(), 0);
    assert_eq!(e.step(DIR, CH, 1), 1);
    assert_eq!(stat(), 0, "no LIE: no status");
    assert_eq!(e.step(DIR, CH, 1), 1);
    // Slot 2 is empty (CB = 0): the channel stopped right after slot 1.
    assert_eq!(stat(), 0b11, "watermark from slot 1's LIE, stop at the end");
    assert!(moved(&e));
    let _ = ch.terminate(&ctrl);
}

/// In scheduled mode a channel between two elements (next one not yet
/// fetched) has nothing loaded: `step` executes nothing and changes nothing.
#[test]
fn scheduled_step_between_elements_does_nothing() {
    for map in MapFormat::ALL {
        let e = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Scheduled));
        let ctrl = Controller::new(&e, map, Deployment::Local);
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(DIR, CH)).unwrap(),
            e.ll_region(DIR, CH, 8),
        );
        e.local_write(SRC, &[0x5a; 16]);
        let batch = [Entry::new(SRC, DST, 8), Entry::new(SRC + 8, DST + 8, 8)];
        ch.submit(&ctrl, &batch).unwrap();
        // Fetch, load, execute element 0: now between elements.
        for _ in 0..3 {
            assert!(e.tick(DIR, CH), "{map:?}");
        }
        let before = e.counters();
        let hash = e.state_hash();
        assert_eq!(e.step(DIR, CH, 5), 0, "{map:?}");
        assert_eq!(e.counters(), before, "{map:?}");
        assert_eq!(e.state_hash(), hash, "{map:?}");
        // Fetch, load, execute element 1; fetch past the link and stop.
        assert_eq!(e.run_until_blocked(100), 5, "{map:?}");
        assert_eq!(e.pci_read(DST, 16), [0x5a; 16], "{map:?}");
    }
}

/// An element whose source or destination lies outside the engine's
/// memories aborts the channel; the element counts as attempted, no byte
/// moves.
#[test]
fn an_address_outside_memory_aborts_the_element() {
    let far = 1 << 40;
    for map in MapFormat::ALL {
        for (src, dst, cause) in [
            (far, DST, AbortCause::SarOutOfRange),
            (SRC, far, AbortCause::DarOutOfRange),
        ] {
            let e = MockEngine::new(MockConfig::new(map));
            let ctrl = Controller::new(&e, map, Deployment::Local);
            let mut ch = Channel::new(
                ctrl.claim(ChannelConfig::new(DIR, CH)).unwrap(),
                e.ll_region(DIR, CH, 8),
            );
            let batch = [Entry::new(src, dst, 8)];
            ch.submit(&ctrl, &batch).unwrap();
            assert_eq!(e.last_abort(DIR, CH), Some(cause), "{map:?}");
            let k = e.counters().channel(DIR, CH);
            assert_eq!(
                (k.elements, k.bytes, k.abort_local),
                (1, 0, 1),
                "{map:?} {cause:?}"
            );
            let c = ch.on_interrupt(&ctrl).completion().unwrap();
            assert_eq!((c.bytes_done, c.residue), (0, 8), "{map:?}");
        }
    }
}

/// An abort raises the local abort interrupt and, where a remote target
/// is programmed, one abort IMWr to it; counted once each.
#[test]
fn an_abort_is_counted_locally_and_remotely_once() {
    use edma_backend_mock::Fault;
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            let e = MockEngine::new(MockConfig::new(map));
            let ctrl = Controller::new(&e, map, dep);
            if dep == Deployment::Remote {
                ctrl.configure_remote_interrupt(DIR, CH, 0x3f_0000, 0x21);
            }
            let mut ch = Channel::new(
                ctrl.claim(ChannelConfig::new(DIR, CH)).unwrap(),
                e.ll_region(DIR, CH, 8),
            );
            e.inject_fault(
                DIR,
                CH,
                Fault::AbortAt {
                    element: 0,
                    after_bytes: 4,
                    read: true,
                },
            );
            ch.submit(&ctrl, &ONE).unwrap();
            let k = e.counters().channel(DIR, CH);
            let remote = u64::from(dep == Deployment::Remote);
            assert_eq!(
                (k.abort_local, k.abort_remote),
                (1, remote),
                "{map:?} {dep:?}"
            );
            let aborts: Vec<_> = e.imwr_log().into_iter().filter(|m| m.abort).collect();
            assert_eq!(aborts.len() as u64, remote, "{map:?} {dep:?}");
            if let Some(m) = aborts.first() {
                assert_eq!((m.addr, m.data, m.dir, m.ch), (0x3f_0000, 0x21, DIR, CH));
            }
            let c = ch.on_interrupt(&ctrl).completion().unwrap();
            assert_eq!(c.bytes_done, 4, "{map:?} {dep:?}");
        }
    }
}

/// Native HDMA `INT_SETUP`: the local abort interrupt needs LOCAL_ABORT_EN
/// (bit 6) and ABORT_MASK (bit 2) clear; the status bit is set either way.
#[test]
fn hdma_local_abort_needs_enable_and_no_mask() {
    let map = MapFormat::HdmaNative;
    for (setup, counted) in [(0x40, 1), (0x44, 0), (0x00, 0), (0x04, 0)] {
        let e = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&e, map, Deployment::Local);
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(DIR, CH)).unwrap(),
            e.ll_region(DIR, CH, 8),
        );
        ch.submit(&ctrl, &ONE).unwrap();
        ctrl.ch_write(DIR, CH, ChReg::IntSetup, setup);
        let _ = ch.terminate(&ctrl);
        let k = e.counters().channel(DIR, CH);
        assert_eq!(k.abort_local, counted, "int_setup {setup:#x}");
        assert_eq!(e.last_abort(DIR, CH), Some(AbortCause::Stopped));
    }
}

#[test]
fn the_engine_debug_shows_its_state() {
    let e = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy));
    let text = format!("{e:?}");
    assert!(
        text.contains("Inner { cfg: MockConfig { map: EdmaLegacy"),
        "{text}"
    );
    assert!(text.contains("counters: "), "{text}");
}

/// HDMA compat needs both the engine enable (0x0c, bit 0) and the
/// channel's power enable (write channel n: 0x128 + 4n, bit 0).
#[test]
fn hdma_compat_doorbells_need_engine_and_channel_power() {
    for (engine_en, pwr_en, runs) in [
        (0x2, 1, false),
        (1, 0x2, false),
        (1, 1, true),
        (0, 0, false),
    ] {
        let e = MockEngine::new(MockConfig::new(MapFormat::HdmaCompat));
        e.write32(0x0c, engine_en);
        e.write32(0x128 + 4, pwr_en);
        e.write32(0x10, 1);
        let k = e.counters().channel(ChannelDir::Write, 1);
        assert_eq!(
            (k.doorbells, k.ignored_doorbells),
            (u64::from(runs), u64::from(!runs)),
            "engine {engine_en:#x} power {pwr_en:#x}"
        );
    }
}
