//! The ring's API, value by value: the LL bytes and the order they are
//! written in, the registers of a start, every error (and that it leaves
//! nothing behind), terminate, drop, the abort's partial count and the
//! torn-LLP guard.

use std::sync::Mutex;

use edma_backend_mock::{ExecMode, Fault, MockConfig, MockEngine, MockLl};
use edma_core::desc::{Control, Element, SLOT_SIZE};
use edma_core::io::{LlMemory, RegisterIo};
use edma_core::plan::{Limits, PlanError};
use edma_core::regs::ChReg;
use edma_core::ring::{FailKind, Notify, Ring, RingError, RingTerminate};
use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};

/// An LL region that records every write and sync, in order, and forwards
/// to the mock's region.
#[derive(Debug)]
struct Recorder<'e> {
    inner: MockLl<'e>,
    log: Vec<String>,
    readable: bool,
}

impl LlMemory for Recorder<'_> {
    fn bus_addr(&self) -> u64 {
        self.inner.bus_addr()
    }
    fn capacity(&self) -> usize {
        self.inner.capacity()
    }
    fn write(&mut self, index: usize, element: &Element) {
        self.log.push(format!("w{index}"));
        self.inner.write(index, element);
    }
    fn sync(&mut self) {
        self.log.push("sync".into());
    }
    fn read(&self, index: usize) -> Option<Element> {
        if self.readable {
            self.inner.read(index)
        } else {
            None
        }
    }
}

fn rec(engine: &MockEngine, dir: ChannelDir, ch: u8, slots: usize) -> Recorder<'_> {
    Recorder {
        inner: engine.ll_region(dir, ch, slots),
        log: Vec::new(),
        readable: true,
    }
}

fn slot(engine: &MockEngine, dir: ChannelDir, ch: u8, i: usize) -> Element {
    engine.ll_region(dir, ch, 17).read(i).unwrap()
}

#[test]
fn new_ring_writes_the_empty_ring() {
    let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 2))
        .unwrap();
    let ring: Ring<'_, _, _, 8> =
        Ring::new(&ctrl, claim, rec(&engine, ChannelDir::Write, 2, 6)).unwrap();
    // 6 slots: 5 data slots, 4 usable.
    assert_eq!(
        (
            ring.capacity(),
            ring.free(),
            ring.queued(),
            ring.next_index()
        ),
        (4, 4, 0, 0)
    );
    let base = engine.ll_base(ChannelDir::Write, 2);
    for i in 0..5 {
        assert_eq!(
            slot(&engine, ChannelDir::Write, 2, i),
            Element::data(Control::empty(), 0, 0, 0),
            "slot {i}"
        );
    }
    assert_eq!(
        slot(&engine, ChannelDir::Write, 2, 5),
        Element::link(Control::TCB, base)
    );
    assert_eq!(ring.ll().log, ["w0", "w1", "w2", "w3", "w4", "w5", "sync"]);
    // Nothing touched the registers.
    assert_eq!(engine.counters().total().reg_writes, 0);
    // N smaller than the region: the ring uses N data slots and the link.
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 3))
        .unwrap();
    let small: Ring<'_, _, _, 2> =
        Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 3, 16)).unwrap();
    assert_eq!(small.capacity(), 1);
}

#[test]
fn appended_elements_carry_cycle_interrupt_and_link_bits() {
    for (map, dep) in [
        (MapFormat::EdmaLegacy, Deployment::Local),
        (MapFormat::HdmaCompat, Deployment::Remote),
        (MapFormat::HdmaNative, Deployment::Local),
        (MapFormat::HdmaNative, Deployment::Remote),
    ] {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, dep);
        let dir = ChannelDir::Read;
        let claim = ctrl.claim(ChannelConfig::new(dir, 0)).unwrap();
        let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, rec(&engine, dir, 0, 5)).unwrap();
        let base = engine.ll_base(dir, 0);
        let irq = match (map.is_edma_v0(), dep) {
            (false, _) => Control::empty(),
            (true, Deployment::Local) => Control::LIE,
            (true, Deployment::Remote) => Control::LIE | Control::RIE,
        };
        let e = |i: u64| Entry::new(0x1000 + i * 0x100, 0x8000 + i * 0x100, 16 + i);
        let n0 = ring.ll().log.len();
        let a = ring.append(&[e(0), e(1), e(2)], Notify::End).unwrap();
        assert_eq!((a.first, a.entries, a.elements), (0, 3, 3));
        // The first element is written last, after the rest are synced;
        // every slot is written once (the last one with its interrupt bits
        // already in place).
        assert_eq!(
            ring.ll().log[n0..],
            ["w1", "w2", "sync", "w0", "sync"],
            "{map:?}"
        );
        assert_eq!(
            slot(&engine, dir, 0, 0),
            Element::data(Control::CB, 16, 0x1000, 0x8000)
        );
        assert_eq!(
            slot(&engine, dir, 0, 1),
            Element::data(Control::CB, 17, 0x1100, 0x8100)
        );
        assert_eq!(
            slot(&engine, dir, 0, 2),
            Element::data(Control::CB | irq, 18, 0x1200, 0x8200),
            "{map:?}"
        );
        // Retire them (the engine is not started: nothing runs), then wrap:
        // slot 3, the link (rewritten for lap 0), slots 0 and 1 with CB = 0.
        let mut ring = {
            let _ = ring.terminate(&ctrl);
            ring
        };
        // terminate before a doorbell reset the ring to slot 0; fill 3
        // entries again, then the next append wraps.
        ring.append(&[e(0), e(1), e(2)], Notify::None).unwrap();
        if dep == Deployment::Remote {
            ctrl.configure_remote_interrupt(dir, 0, 0x3f_0000, 1);
        }
        ring.submit(&ctrl).unwrap();
        assert_eq!(engine.step(dir, 0, 3), 3);
        assert_eq!(ring.poll(&ctrl).completed, 3);
        let n0 = ring.ll().log.len();
        ring.append(&[e(3), e(4), e(5)], Notify::Each).unwrap();
        assert_eq!(
            ring.ll().log[n0..],
            ["w4", "w0", "w1", "sync", "w3", "sync"],
            "{map:?}"
        );
        assert_eq!(
            slot(&engine, dir, 0, 3),
            Element::data(Control::CB | irq, 19, 0x1300, 0x8300)
        );
        assert_eq!(slot(&engine, dir, 0, 4), Element::link(Control::TCB, base));
        assert_eq!(
            slot(&engine, dir, 0, 0),
            Element::data(irq, 20, 0x1400, 0x8400)
        );
        assert_eq!(
            slot(&engine, dir, 0, 1),
            Element::data(irq, 21, 0x1500, 0x8500)
        );
        // The engine follows the link (CCS 1 -> 0) and runs lap 1.
        ring.submit(&ctrl).unwrap();
        assert_eq!(engine.step(dir, 0, 10), 3);
        let c = ring.poll(&ctrl);
        assert_eq!((c.completed, c.last), (3, Some(8)), "{map:?}");
        // Lap 1 ends: its link carries CB (the cycle after the toggle is 1).
        ring.append(&[e(6), e(7)], Notify::End).unwrap();
        assert_eq!(
            slot(&engine, dir, 0, 4),
            Element::link(Control::TCB | Control::CB, base)
        );
        assert_eq!(
            slot(&engine, dir, 0, 2),
            Element::data(Control::empty(), 22, 0x1600, 0x8600)
        );
        assert_eq!(
            slot(&engine, dir, 0, 3),
            Element::data(irq, 23, 0x1700, 0x8700)
        );
    }
}

#[test]
fn split_entries_and_completion_by_entry() {
    let engine =
        MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    let lim = Limits {
        max_element_len: 100,
        ..Limits::default()
    };
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 0).with_limits(lim))
        .unwrap();
    let mut ring: Ring<'_, _, _, 16> =
        Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 9)).unwrap();
    let src: Vec<u8> = (0..=255u8).cycle().take(1024).collect();
    engine.local_write(0x1000, &src);
    // 250 bytes = 3 elements, 50 = 1, 300 = 3.
    let batch = [
        Entry::new(0x1000, 0x9000, 250),
        Entry::new(0x1100, 0xa000, 50),
        Entry::new(0x1200, 0xb000, 300),
    ];
    let a = ring.push(&ctrl, &batch, Notify::Each).unwrap();
    assert_eq!((a.entries, a.elements), (3, 7));
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 2),
        Element::data(Control::CB | Control::LIE, 50, 0x10c8, 0x90c8)
    );
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 1),
        Element::data(Control::CB, 100, 0x1064, 0x9064)
    );
    // Two elements done: entry 0 not yet complete.
    engine.step(ChannelDir::Write, 0, 2);
    assert_eq!(ring.poll(&ctrl).completed, 0);
    engine.step(ChannelDir::Write, 0, 2);
    let c = ring.poll(&ctrl);
    assert_eq!((c.completed, c.last), (2, Some(1)));
    engine.step(ChannelDir::Write, 0, 10);
    let c = ring.on_interrupt(&ctrl).unwrap();
    assert_eq!((c.completed, c.last, c.failure), (1, Some(2), None));
    assert_eq!(engine.pci_read(0xb000, 300), src[0x200..0x200 + 300]);
    assert_eq!(engine.pci_read(0xa000, 50), src[0x100..0x100 + 50]);
}

#[test]
fn the_first_start_programs_what_the_batch_path_does() {
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            let run = |ring: bool| {
                let engine = MockEngine::new(MockConfig::new(map));
                let log = Mutex::new(Vec::new());
                struct Rec<'a>(&'a MockEngine, &'a Mutex<Vec<(usize, u32)>>);
                impl RegisterIo for Rec<'_> {
                    fn read32(&self, o: usize) -> u32 {
                        self.0.read32(o)
                    }
                    fn write32(&self, o: usize, v: u32) {
                        self.1.lock().unwrap().push((o, v));
                        self.0.write32(o, v)
                    }
                }
                let ctrl = Controller::new(Rec(&engine, &log), map, dep);
                ctrl.configure_remote_interrupt(ChannelDir::Read, 1, 0x3f_0000, 7);
                log.lock().unwrap().clear();
                let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).unwrap();
                let ll = engine.ll_region(ChannelDir::Read, 1, 8);
                let e = [Entry::new(0x100, 0x2000, 64)];
                if ring {
                    let mut r: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, ll).unwrap();
                    r.push(&ctrl, &e, Notify::End).unwrap();
                    assert_eq!(r.on_interrupt(&ctrl).unwrap().completed, 1);
                    std::mem::forget(r);
                } else {
                    let mut ch = Channel::new(claim, ll);
                    ch.submit(&ctrl, &e).unwrap();
                    assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
                }
                let writes = log.lock().unwrap().clone();
                (writes, engine.local_read(0x2000, 64))
            };
            let (batch, data_b) = run(false);
            let (ring, data_r) = run(true);
            // Up to the doorbell: the same writes, in order (the legacy
            // viewport selections included).
            let db =
                |w: &[(usize, u32)]| w.iter().position(|&(o, v)| is_doorbell(map, o, v)).unwrap();
            let (nb, nr) = (db(&batch), db(&ring));
            assert_eq!(
                ring[..=nr],
                batch[..=nb],
                "{map:?} {dep:?}: the first start"
            );
            // After it: the interrupt handling writes only the status clear
            // (viewport selections accompany the reads, which differ).
            let rest = |w: &[(usize, u32)]| -> Vec<(usize, u32)> {
                w.iter()
                    .copied()
                    .filter(|&(o, _)| {
                        map != MapFormat::EdmaLegacy || o != edma_core::regs::edma_v0::VIEWPORT_SEL
                    })
                    .collect()
            };
            assert_eq!(
                rest(&ring[nr + 1..]),
                rest(&batch[nb + 1..]),
                "{map:?} {dep:?}: the clear"
            );
            assert_eq!(rest(&ring[nr + 1..]).len(), 1);
            assert_eq!(data_r, data_b);
        }
    }
}

/// Whether a register write is the read channel 1 doorbell.
fn is_doorbell(map: MapFormat, off: usize, v: u32) -> bool {
    use edma_core::regs::{ch_reg_offset, edma_v0};
    match map {
        MapFormat::HdmaNative => {
            ch_reg_offset(map, ChannelDir::Read, 1, ChReg::Doorbell) == Some(off) && v & 1 == 1
        }
        _ => off == edma_v0::dir_regs(ChannelDir::Read).doorbell && v == 1,
    }
}

#[test]
fn errors_leave_nothing_behind() {
    let engine =
        MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Remote);
    let lim = Limits {
        max_element_len: 64,
        addr_bits: 32,
        ..Limits::default()
    };
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 0).with_limits(lim))
        .unwrap();
    let mut ring: Ring<'_, _, _, 8> =
        Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 5)).unwrap();
    let ll_base = engine.ll_base(ChannelDir::Write, 0);
    let ok = Entry::new(0x100, 0x2000, 64);
    let before = engine.counters().total();
    let snapshot = |e: &MockEngine| e.local_read(ll_base, 5 * SLOT_SIZE);
    let ll0 = snapshot(&engine);
    let cases: Vec<(Vec<Entry>, RingError)> = vec![
        (vec![], RingError::Plan(PlanError::EmptyBatch)),
        (
            vec![ok, Entry::new(0x100, 0x2000, 0)],
            RingError::Plan(PlanError::ZeroLength { entry: 1 }),
        ),
        (
            vec![ok, ok, Entry::new(0xffff_ffc0, 0x2000, 65)],
            RingError::Plan(PlanError::SourceOutOfRange { entry: 2 }),
        ),
        (
            vec![Entry::new(ll_base + 8, 0x2000, 8)],
            RingError::Plan(PlanError::OverlapsLl { entry: 0 }),
        ),
        (vec![ok; 5], RingError::Full { free: 3, fits: 3 }),
        (
            vec![ok, ok, Entry::new(0x100, 0x3000, 128)],
            RingError::Full { free: 3, fits: 2 },
        ),
        (
            vec![Entry::new(0x100, 0x3000, 4 * 64)],
            RingError::TooLarge { entry: 0 },
        ),
    ];
    for (entries, err) in cases {
        assert_eq!(ring.append(&entries, Notify::End), Err(err), "{entries:?}");
        assert_eq!((ring.free(), ring.queued(), ring.next_index()), (3, 0, 0));
        assert_eq!(
            snapshot(&engine),
            ll0,
            "LL memory changed by a refused append"
        );
        assert_eq!(engine.counters().total(), before);
        assert!(!err.to_string().is_empty());
    }
    // Remote without a remote-interrupt target: the append stays queued,
    // the doorbell is refused, no register is written.
    ring.append(&[ok], Notify::End).unwrap();
    let writes = engine.counters().total().reg_writes;
    assert_eq!(ring.submit(&ctrl), Err(RingError::NoRemoteInterrupt));
    assert_eq!(engine.counters().total().reg_writes, writes);
    // Once configured it goes.
    ctrl.configure_remote_interrupt(ChannelDir::Write, 0, 0x3f_0000, 9);
    ring.submit(&ctrl).unwrap();
    assert_eq!(engine.step(ChannelDir::Write, 0, 4), 1);
    assert_eq!(ring.on_interrupt(&ctrl).unwrap().completed, 1);
    // with_translation: refused while queued, allowed when empty.
    ring.append(&[ok], Notify::End).unwrap();
    let ring = ring
        .with_translation(|a: u64| Some(a))
        .err()
        .expect("refused while queued");
    drop(ring);
    // Too small a region: the claim and the region come back.
    let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap();
    let (err, claim, _ll) =
        Ring::<'_, _, _, 8>::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 0, 2))
            .err()
            .unwrap();
    assert_eq!(err, RingError::LlTooSmall { capacity: 2 });
    assert_eq!(claim.config().index, 0);
}

#[test]
fn terminate_reports_and_resets() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 1))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 1, 8)).unwrap();
        assert_eq!(ring.terminate(&ctrl), RingTerminate::Idle);
        engine.local_write(0x100, &[5; 64]);
        let e = |i: u64| Entry::new(0x100, 0x4000 + 0x100 * i, 64);
        // Queued, never rung: all of it reported, nothing written.
        ring.append(&[e(0), e(1)], Notify::End).unwrap();
        let RingTerminate::Stopped(c) = ring.terminate(&ctrl) else {
            panic!()
        };
        let f = c.failure.unwrap();
        assert_eq!(
            (f.kind, f.entry, f.entry_bytes_done, f.not_attempted),
            (FailKind::Terminated, 0, 0, 1..2)
        );
        assert_eq!(engine.counters().total().reg_writes, 0);
        // Indices go on; two of four run, then terminate.
        let a = ring
            .push(&ctrl, &[e(2), e(3), e(4), e(5)], Notify::End)
            .unwrap();
        assert_eq!(a.indices(), 2..6);
        assert_eq!(engine.step(ChannelDir::Write, 1, 2), 2);
        let RingTerminate::Stopped(c) = ring.terminate(&ctrl) else {
            panic!("{map:?}")
        };
        assert_eq!((c.completed, c.last), (2, Some(3)), "{map:?}");
        let f = c.failure.unwrap();
        assert_eq!(
            (f.kind, f.entry, f.not_attempted),
            (FailKind::Terminated, 4, 5..6)
        );
        assert_eq!(
            engine.pci_read(0x4000 + 0x400, 64),
            [0; 64],
            "entry 4 not run"
        );
        assert!(!engine.is_running(ChannelDir::Write, 1));
        assert_eq!((ring.queued(), ring.stats().resets), (0, 2));
        // The ring starts again from slot 0 (a first start), and works.
        ring.push(&ctrl, &[e(6)], Notify::End).unwrap();
        assert_eq!(engine.step(ChannelDir::Write, 1, 5), 1);
        let c = ring.on_interrupt(&ctrl).unwrap();
        assert_eq!((c.completed, c.last), (1, Some(6)), "{map:?}");
        assert_eq!(engine.pci_read(0x4000 + 0x600, 64), [5; 64]);
    }
}

#[test]
fn dropping_a_running_ring_stops_the_engine() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        {
            let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 3)).unwrap();
            let mut ring: Ring<'_, _, _, 8> =
                Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 3, 8)).unwrap();
            ring.push(&ctrl, &[Entry::new(0x100, 0x4000, 64); 3], Notify::End)
                .unwrap();
            assert!(engine.is_running(ChannelDir::Read, 3));
        }
        assert!(!engine.is_running(ChannelDir::Read, 3), "{map:?}");
        assert_eq!(
            engine.counters().channel(ChannelDir::Read, 3).stop_requests,
            1
        );
        assert!(!engine.irq_pending(), "{map:?}: status cleared");
    }
}

#[test]
fn an_abort_reports_the_failing_entry_and_exact_partial_bytes() {
    for readable in [true, false] {
        for map in MapFormat::ALL {
            let engine = MockEngine::new(MockConfig::new(map));
            let ctrl = Controller::new(&engine, map, Deployment::Local);
            let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap();
            let mut ll = rec(&engine, ChannelDir::Read, 0, 8);
            ll.readable = readable;
            let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, ll).unwrap();
            engine.pci_write(0x100, &[9; 256]);
            engine.inject_fault(
                ChannelDir::Read,
                0,
                Fault::AbortAt {
                    element: 2,
                    after_bytes: 40,
                    read: true,
                },
            );
            let e = |i: u64| Entry::new(0x100, 0x4000 + 0x100 * i, 64);
            ring.push(&ctrl, &[e(0), e(1), e(2), e(3), e(4)], Notify::End)
                .unwrap();
            let c = ring.on_interrupt(&ctrl).expect("the abort interrupt");
            assert_eq!((c.completed, c.last), (2, Some(1)), "{map:?}");
            let f = c.failure.unwrap();
            let partial = if readable { 40 } else { 0 };
            assert_eq!(
                (f.kind, f.entry, f.entry_bytes_done, f.not_attempted),
                (FailKind::Aborted, 2, partial, 3..5),
                "{map:?}"
            );
            assert_eq!(engine.local_read(0x4200, 64)[..40], [9; 40]);
            assert_eq!(engine.local_read(0x4300, 64), [0; 64]);
            // Reset: the next push starts the channel again and runs.
            ring.push(&ctrl, &[e(5)], Notify::End).unwrap();
            assert_eq!(ring.on_interrupt(&ctrl).unwrap().last, Some(5));
        }
    }
}

/// LLP changes between the reads of its halves (the engine crossed a 4 GiB
/// line): the high-low-high read takes the low half again.
#[test]
fn a_torn_llp_read_is_read_again() {
    struct Tear<'a> {
        engine: &'a MockEngine,
        hi: usize,
        lo: usize,
        hi_reads: Mutex<u32>,
    }
    impl RegisterIo for Tear<'_> {
        fn read32(&self, o: usize) -> u32 {
            let v = self.engine.read32(o);
            if o == self.hi {
                let mut n = self.hi_reads.lock().unwrap();
                *n += 1;
                // The first high read sees the old high half.
                if *n == 1 {
                    return v.wrapping_sub(1);
                }
            }
            if o == self.lo && *self.hi_reads.lock().unwrap() == 1 {
                // The low half read between them is from before the carry.
                return 0xffff_fff0;
            }
            v
        }
        fn write32(&self, o: usize, v: u32) {
            self.engine.write32(o, v)
        }
    }
    let map = MapFormat::HdmaNative;
    let mut cfg = MockConfig::new(map).with_mode(ExecMode::Manual);
    cfg.local_base = 0x1_0000_0000;
    let engine = MockEngine::new(cfg);
    let off = |r| edma_core::regs::ch_reg_offset(map, ChannelDir::Write, 0, r).unwrap();
    let tear = Tear {
        engine: &engine,
        hi: off(ChReg::LlpHi),
        lo: off(ChReg::LlpLo),
        hi_reads: Mutex::new(0),
    };
    let ctrl = Controller::new(tear, map, Deployment::Local);
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 0))
        .unwrap();
    let mut ring: Ring<'_, _, _, 8> =
        Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    let src = 0x1_0000_0100;
    engine.local_write(src, &[3; 32]);
    ring.push(
        &ctrl,
        &[
            Entry::new(src, 0x4000, 16),
            Entry::new(src + 16, 0x5000, 16),
        ],
        Notify::End,
    )
    .unwrap();
    assert_eq!(engine.step(ChannelDir::Write, 0, 1), 1);
    *ctrl.regs().hi_reads.lock().unwrap() = 0;
    let c = ring.poll(&ctrl);
    assert_eq!((c.completed, c.last), (1, Some(0)));
}

/// `SliceLl` stores data elements directly (`write_data`,
/// `write_data_run`, the ring's fast path): byte for byte what
/// `Element::encode` gives, and read back the same.
#[test]
fn slice_ll_direct_stores_match_the_encoding() {
    use edma_core::io::SliceLl;
    let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Remote);
    let mut page = vec![0u8; 8 * SLOT_SIZE];
    let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap();
    let mut ring: Ring<'_, _, _, 8> =
        Ring::new(&ctrl, claim, SliceLl::new(&mut page, 0x9000_0000)).unwrap();
    let entries: Vec<Entry> = (0..4u64)
        .map(|i| Entry::new(0x1_0000_0000 + i * 0x1111, 0x2000 + i * 0x100, 0x10 + i))
        .collect();
    ring.append(&entries, Notify::End).unwrap();
    for (i, e) in entries.iter().enumerate() {
        let ctl = if i == 3 {
            Control::CB | Control::LIE | Control::RIE
        } else {
            Control::CB
        };
        let want = Element::data(ctl, e.len as u32, e.src, e.dst);
        assert_eq!(ring.ll().read(i), Some(want), "slot {i}");
    }
    assert_eq!(
        ring.ll().read(4),
        Some(Element::data(Control::empty(), 0, 0, 0))
    );
    assert_eq!(
        ring.ll().read(7),
        Some(Element::link(Control::TCB, 0x9000_0000))
    );
    assert_eq!(ring.ll().read(8), None);
    drop(ring);
    let slot1: [u8; SLOT_SIZE] = page[SLOT_SIZE..2 * SLOT_SIZE].try_into().unwrap();
    assert_eq!(
        slot1,
        Element::data(Control::CB, 0x11, 0x1_0000_1111, 0x2100).encode()
    );
}

/// `release` gives the channel back only when nothing is queued and no
/// termination is pending; a started engine is stopped first.
#[test]
fn release_only_when_idle() {
    let engine =
        MockEngine::new(MockConfig::new(MapFormat::HdmaCompat).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&engine, MapFormat::HdmaCompat, Deployment::Local);
    let cfg = ChannelConfig::new(ChannelDir::Write, 4);
    let mut ring: Ring<'_, _, _, 8> = Ring::new(
        &ctrl,
        ctrl.claim(cfg).unwrap(),
        engine.ll_region(ChannelDir::Write, 4, 8),
    )
    .unwrap();
    assert!(ctrl.claim(cfg).is_err(), "claimed while the ring holds it");
    ring.push(&ctrl, &[Entry::new(0x100, 0x2000, 8)], Notify::End)
        .unwrap();
    let mut ring = ring.release(&ctrl).expect_err("an entry is queued");
    assert!(ctrl.claim(cfg).is_err());
    engine.step(ChannelDir::Write, 4, 1);
    assert_eq!(ring.poll(&ctrl).completed, 1);
    let stops = engine
        .counters()
        .channel(ChannelDir::Write, 4)
        .stop_requests;
    ring.release(&ctrl).unwrap();
    assert_eq!(
        engine
            .counters()
            .channel(ChannelDir::Write, 4)
            .stop_requests,
        stops + 1,
        "the started engine is stopped"
    );
    assert!(ctrl.claim(cfg).is_ok(), "claimable again");
    // A never-started ring goes back without touching the engine.
    let other = ChannelConfig::new(ChannelDir::Read, 4);
    let ring: Ring<'_, _, _, 8> = Ring::new(
        &ctrl,
        ctrl.claim(other).unwrap(),
        engine.ll_region(ChannelDir::Read, 4, 8),
    )
    .unwrap();
    ring.release(&ctrl).unwrap();
    assert_eq!(
        engine.counters().channel(ChannelDir::Read, 4).stop_requests,
        0
    );
    assert!(ctrl.claim(other).is_ok());
}

/// A stop request that has not taken effect yet: `terminate` says
/// `Stopping`, appends and doorbells are refused, and the report comes from
/// the first poll that finds the engine stopped.
#[test]
fn terminate_while_the_engine_still_runs() {
    use std::sync::atomic::{AtomicBool, Ordering};
    struct Sticky<'a> {
        engine: &'a MockEngine,
        status: usize,
        running: AtomicBool,
        hdma: bool,
    }
    impl RegisterIo for Sticky<'_> {
        fn read32(&self, o: usize) -> u32 {
            let v = self.engine.read32(o);
            if o == self.status && self.running.load(Ordering::Relaxed) {
                // Channel status field: running.
                return if self.hdma {
                    1
                } else {
                    (v & !(3 << 5)) | 1 << 5
                };
            }
            v
        }
        fn write32(&self, o: usize, v: u32) {
            self.engine.write32(o, v)
        }
    }
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let reg = if map == MapFormat::HdmaNative {
            ChReg::ChStat
        } else {
            ChReg::Control1
        };
        let status = edma_core::regs::ch_reg_offset(map, ChannelDir::Write, 2, reg).unwrap();
        let regs = Sticky {
            engine: &engine,
            status,
            running: AtomicBool::new(false),
            hdma: map == MapFormat::HdmaNative,
        };
        let ctrl = Controller::new(&regs, map, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 2))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 2, 8)).unwrap();
        let e = |i: u64| Entry::new(0x100, 0x4000 + 0x100 * i, 32);
        ring.push(&ctrl, &[e(0), e(1), e(2)], Notify::End).unwrap();
        engine.step(ChannelDir::Write, 2, 1);
        ctrl.regs().running.store(true, Ordering::Relaxed);
        assert_eq!(ring.terminate(&ctrl), RingTerminate::Stopping, "{map:?}");
        assert!(ring.is_stopping());
        assert_eq!(ring.append(&[e(3)], Notify::End), Err(RingError::Stopping));
        assert_eq!(ring.submit(&ctrl), Err(RingError::Stopping));
        let ring = ring.release(&ctrl).expect_err("refused while stopping");
        let mut ring = ring;
        // Still running: nothing to report yet.
        assert_eq!(ring.poll(&ctrl), Default::default());
        ctrl.regs().running.store(false, Ordering::Relaxed);
        let c = ring.poll(&ctrl);
        assert_eq!((c.completed, c.last), (1, Some(0)), "{map:?}");
        let f = c.failure.expect("terminated");
        assert_eq!(
            (f.kind, f.entry, f.not_attempted),
            (FailKind::Terminated, 1, 2..3)
        );
        assert!(!ring.is_stopping());
        // Usable again.
        ring.push(&ctrl, &[e(3)], Notify::End).unwrap();
        engine.step(ChannelDir::Write, 2, 1);
        assert_eq!(ring.poll(&ctrl).last, Some(3), "{map:?}");
    }
}

/// The ring never coalesces, whatever the channel's limits say: contiguous
/// entries stay separate elements, so each completes by its own index.
#[test]
fn the_ring_never_coalesces() {
    let engine =
        MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    let lim = Limits {
        coalesce: true,
        max_element_len: 64,
        ..Limits::default()
    };
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 0).with_limits(lim))
        .unwrap();
    let mut ring: Ring<'_, _, _, 16> =
        Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 16)).unwrap();
    // Contiguous on both sides; the second is long (the general path).
    let entries = [
        Entry::new(0x100, 0x2000, 16),
        Entry::new(0x110, 0x2010, 100),
        Entry::new(0x174, 0x2074, 8),
    ];
    let a = ring.append(&entries, Notify::End).unwrap();
    assert_eq!((a.entries, a.elements), (3, 4)); // 16 | 64 + 36 | 8
    assert_eq!(ring.queued(), 4);
    assert_eq!(ring.free(), 15 - 1 - 4);
    ring.submit(&ctrl).unwrap();
    engine.step(ChannelDir::Write, 0, 1);
    let c = ring.poll(&ctrl);
    assert_eq!((c.completed, c.last), (1, Some(0)));
    assert_eq!(ring.queued(), 3);
}

#[test]
fn ring_errors_say_what_and_chain_the_plan_error() {
    use std::error::Error as _;
    let plan = RingError::Plan(PlanError::ZeroLength { entry: 4 });
    assert_eq!(plan.to_string(), "entries rejected: entry 4 has length 0");
    assert_eq!(
        plan.source().map(|s| s.to_string()),
        Some("entry 4 has length 0".into())
    );
    for (e, text) in [
        (
            RingError::Full { free: 2, fits: 1 },
            "the ring has 2 free slots; 1 of the entries would fit",
        ),
        (
            RingError::TooLarge { entry: 0 },
            "entry 0 needs more elements than the ring holds",
        ),
        (RingError::Stopping, "the ring is stopping"),
        (
            RingError::NoRemoteInterrupt,
            "remote deployment: no remote-interrupt target configured for the channel",
        ),
        (
            RingError::LlTooSmall { capacity: 2 },
            "a ring needs at least 3 LL slots; it has 2",
        ),
    ] {
        assert_eq!(e.to_string(), text);
        assert!(e.source().is_none());
    }
}

/// A one-entry append is one slot write and one sync: nothing rewritten,
/// no barrier between parts it does not have.
#[test]
fn a_single_entry_append_is_one_write_and_one_sync() {
    for notify in [Notify::End, Notify::Each, Notify::None] {
        let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
        let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, rec(&engine, ChannelDir::Write, 0, 8)).unwrap();
        let n0 = ring.ll().log.len();
        ring.append(&[Entry::new(0x100, 0x2000, 8)], notify)
            .unwrap();
        assert_eq!(ring.ll().log[n0..], ["w0", "sync"], "{notify:?}");
        let lie = if notify == Notify::None {
            Control::CB
        } else {
            Control::CB | Control::LIE
        };
        assert_eq!(
            slot(&engine, ChannelDir::Write, 0, 0),
            Element::data(lie, 8, 0x100, 0x2000)
        );
        // Two entries: the second (written once, whatever `notify` puts
        // on it), then a barrier, then the first.
        let n0 = ring.ll().log.len();
        ring.append(
            &[Entry::new(0x100, 0x2100, 8), Entry::new(0x100, 0x2200, 8)],
            notify,
        )
        .unwrap();
        assert_eq!(
            ring.ll().log[n0..],
            ["w2", "sync", "w1", "sync"],
            "{notify:?}"
        );
        let last = if notify == Notify::None {
            Control::CB
        } else {
            Control::CB | Control::LIE
        };
        assert_eq!(
            slot(&engine, ChannelDir::Write, 0, 2),
            Element::data(last, 8, 0x100, 0x2200)
        );
    }
}

/// The general path (here: local buffers on both sides of the LL region,
/// which the fast pass does not decide; and an entry that is split) writes
/// the same elements the fast path would: interrupt bits on the append's
/// last element only, the rest before a barrier, the first last.
#[test]
fn the_general_path_places_bits_and_orders_writes_like_the_fast_one() {
    let engine =
        MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&engine, MapFormat::EdmaLegacy, Deployment::Local);
    let lim = Limits {
        max_element_len: 64,
        ..Limits::default()
    };
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 0).with_limits(lim))
        .unwrap();
    let mut ring: Ring<'_, _, _, 8> =
        Ring::new(&ctrl, claim, rec(&engine, ChannelDir::Write, 0, 8)).unwrap();
    let base = engine.ll_base(ChannelDir::Write, 0);
    let above = base + 0x1000;
    let entries = [
        Entry::new(0x100, 0x2000, 8),
        Entry::new(above, 0x2100, 8),
        Entry::new(0x200, 0x2200, 8),
    ];
    let n0 = ring.ll().log.len();
    assert_eq!(ring.append(&entries, Notify::End).unwrap().elements, 3);
    assert_eq!(ring.ll().log[n0..], ["w1", "w2", "sync", "w0", "sync"]);
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 0),
        Element::data(Control::CB, 8, 0x100, 0x2000)
    );
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 1),
        Element::data(Control::CB, 8, above, 0x2100)
    );
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 2),
        Element::data(Control::CB | Control::LIE, 8, 0x200, 0x2200)
    );
    // Run and retire them, so the next append reaches the end of the lap.
    ring.submit(&ctrl).unwrap();
    assert_eq!(engine.step(ChannelDir::Write, 0, 5), 3);
    assert_eq!(ring.poll(&ctrl).completed, 3);
    // A split entry (100 = 64 + 36) between two whole ones, Notify::Each:
    // LIE on each entry's last element, not on the split's first half.
    let n0 = ring.ll().log.len();
    let split = [
        Entry::new(0x300, 0x3000, 8),
        Entry::new(0x400, 0x4000, 100),
        Entry::new(0x500, 0x5000, 8),
    ];
    assert_eq!(ring.append(&split, Notify::Each).unwrap().elements, 4);
    // Slot 6 ends the lap: the link (slot 7) is rewritten right after it
    // (both behind the held first element, slot 3), as on the fast path.
    assert_eq!(
        ring.ll().log[n0..],
        ["w4", "w5", "w6", "w7", "sync", "w3", "sync"]
    );
    let lie = Control::CB | Control::LIE;
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 3),
        Element::data(lie, 8, 0x300, 0x3000)
    );
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 4),
        Element::data(Control::CB, 64, 0x400, 0x4000)
    );
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 5),
        Element::data(lie, 36, 0x440, 0x4040)
    );
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 6),
        Element::data(lie, 8, 0x500, 0x5000)
    );
    assert_eq!(ring.queued(), 4);
    // One split entry alone, in lap 1 (CB = 0): the second half, a
    // barrier, the first half.
    let n0 = ring.ll().log.len();
    ring.append(&[Entry::new(0x600, 0x6000, 100)], Notify::End)
        .unwrap();
    assert_eq!(ring.ll().log[n0..], ["w1", "sync", "w0", "sync"]);
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 0),
        Element::data(Control::empty(), 64, 0x600, 0x6000)
    );
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 1),
        Element::data(Control::LIE, 36, 0x640, 0x6040)
    );
}

/// Counters: one doorbell per submit that had something to ring, no
/// second doorbell when a burst's first submit finds the engine done.
#[test]
fn doorbells_and_rerings_are_counted_exactly() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
        for i in 0..3u64 {
            // The mock runs each burst to its end on the doorbell.
            ring.push(
                &ctrl,
                &[Entry::new(0x100, 0x2000 + 0x100 * i, 8)],
                Notify::End,
            )
            .unwrap();
            let c = ring.on_interrupt(&ctrl).unwrap();
            assert_eq!((c.completed, c.resumed), (1, false), "{map:?}");
        }
        ring.submit(&ctrl).unwrap(); // nothing appended: nothing rung
        assert_eq!(
            ring.stats(),
            edma_core::ring::RingStats {
                doorbells: 3,
                rerings: 0,
                resets: 0
            },
            "{map:?}"
        );
        assert_eq!(engine.counters().channel(ChannelDir::Write, 0).doorbells, 3);
    }
}

/// Polled while the engine runs an element with more queued: no doorbell.
#[test]
fn a_poll_of_a_running_engine_rings_nothing() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 1, 8)).unwrap();
        ring.push(&ctrl, &[Entry::new(0x100, 0x2000, 8); 3], Notify::Each)
            .unwrap();
        engine.step(ChannelDir::Read, 1, 1);
        let c = ring.poll(&ctrl);
        assert_eq!((c.completed, c.resumed), (1, false), "{map:?}");
        assert_eq!(ring.stats().rerings, 0);
        assert_eq!(
            engine
                .counters()
                .channel(ChannelDir::Read, 1)
                .ignored_doorbells,
            0,
            "{map:?}"
        );
    }
}

/// The burst-start race, step by step: the engine finished everything, a
/// poll retired it, the engine fetched the next slot before the producer
/// wrote it; the producer's doorbell arrives while the engine still reports
/// running, and is lost. `submit` waits for the engine to settle and rings
/// again; without that, an eDMA engine would stop with the entry pending and
/// no interrupt to come.
#[test]
fn a_burst_start_doorbell_lost_in_the_fetch_window_is_rung_again() {
    for map in MapFormat::ALL {
        let mut cfg = MockConfig::new(map).with_mode(ExecMode::Scheduled);
        cfg.fetch_window_reads = 100;
        let engine = MockEngine::new(cfg);
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
        engine.local_write(0x100, &[7; 8]);
        ring.push(&ctrl, &[Entry::new(0x100, 0x2000, 8)], Notify::End)
            .unwrap();
        // fetch, load, execute: the engine is between elements.
        for _ in 0..3 {
            assert!(engine.tick(ChannelDir::Write, 0));
        }
        let c = ring.poll(&ctrl);
        assert_eq!(c.completed, 1, "{map:?}");
        // The engine fetches slot 1 (not yet written) and holds it.
        assert!(engine.tick(ChannelDir::Write, 0));
        assert!(engine.is_running(ChannelDir::Write, 0));
        ring.push(&ctrl, &[Entry::new(0x100, 0x3000, 8)], Notify::End)
            .unwrap();
        let k = engine.counters().channel(ChannelDir::Write, 0);
        assert_eq!(
            (k.doorbells, k.ignored_doorbells),
            (2, 1),
            "{map:?}: lost, then rung again"
        );
        assert_eq!(ring.stats().rerings, 1);
        engine.run_until_blocked(100);
        assert_eq!(engine.pci_read(0x3000, 8), [7; 8], "{map:?}");
        let c = ring.on_interrupt(&ctrl).expect("the entry's interrupt");
        assert_eq!((c.completed, c.last), (1, Some(1)));
    }
}

/// A submit that races an abort (the doorbell restarts the halted channel)
/// is still reported as an abort, and the ring is reset.
#[test]
fn an_abort_seen_after_a_restarting_doorbell_still_resets() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
        engine.inject_fault(
            ChannelDir::Write,
            0,
            Fault::AbortAt {
                element: 1,
                after_bytes: 4,
                read: false,
            },
        );
        let e = |i: u64| Entry::new(0x100, 0x2000 + 0x100 * i, 8);
        ring.push(&ctrl, &[e(0), e(1)], Notify::End).unwrap();
        // Not seen yet: another push rings the halted channel, which runs on.
        ring.push(&ctrl, &[e(2)], Notify::End).unwrap();
        let c = ring.on_interrupt(&ctrl).expect("the abort status");
        assert_eq!(ring.stats().resets, 1, "{map:?}: the abort resets the ring");
        // What ran is reported; every entry is accounted for once.
        let failed = c
            .failure
            .as_ref()
            .map_or(0, |f| 1 + (f.not_attempted.end - f.not_attempted.start));
        assert_eq!(c.completed + failed, 3, "{map:?}: {c:?}");
        assert_eq!(ring.queued(), 0);
    }
}

/// The same race with the engine still running the restarted work when the
/// abort is seen: it is stopped before the ring is rewritten, and the
/// report is exact about what ran.
#[test]
fn a_restarted_engine_is_stopped_before_the_reset() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
        engine.inject_fault(
            ChannelDir::Write,
            0,
            Fault::AbortAt {
                element: 1,
                after_bytes: 4,
                read: false,
            },
        );
        let e = |i: u64| Entry::new(0x100, 0x2000 + 0x100 * i, 8);
        ring.push(&ctrl, &[e(0), e(1)], Notify::End).unwrap();
        assert_eq!(engine.step(ChannelDir::Write, 0, 5), 2); // e0 done, e1 aborts
        assert!(!engine.is_running(ChannelDir::Write, 0));
        ring.push(&ctrl, &[e(2)], Notify::End).unwrap(); // restarts the halted channel at e1
        assert!(engine.is_running(ChannelDir::Write, 0));
        let stops = engine
            .counters()
            .channel(ChannelDir::Write, 0)
            .stop_requests;
        let c = ring.on_interrupt(&ctrl).expect("the abort status");
        assert_eq!(
            engine
                .counters()
                .channel(ChannelDir::Write, 0)
                .stop_requests,
            stops + 1,
            "{map:?}"
        );
        assert!(!engine.is_running(ChannelDir::Write, 0));
        assert_eq!((c.completed, c.last), (1, Some(0)), "{map:?}");
        let f = c.failure.expect("the abort");
        assert_eq!(
            (f.kind, f.entry, f.entry_bytes_done, f.not_attempted),
            (FailKind::Aborted, 1, 0, 2..3),
            "{map:?}"
        );
        assert_eq!(engine.pci_read(0x2200, 8), [0; 8], "entry 2 did not run");
        assert_eq!(
            (ring.stats().resets, ring.queued(), ring.is_stopping()),
            (1, 0, false)
        );
    }
}

/// The partial count of the failing element needs SAR *and* DAR to have
/// moved by exactly the bytes the size register says: registers that
/// disagree (stale, or another element's) count nothing.
#[test]
fn a_partial_count_needs_sar_and_dar_to_agree() {
    use std::sync::Mutex as M;
    struct Lie<'a> {
        engine: &'a MockEngine,
        map: MapFormat,
        /// (size, sar, dar) to report for write channel 0.
        report: M<Option<(u32, u64, u64)>>,
    }
    impl RegisterIo for Lie<'_> {
        fn read32(&self, o: usize) -> u32 {
            if let Some((size, sar, dar)) = *self.report.lock().unwrap() {
                let off = |r| edma_core::regs::ch_reg_offset(self.map, ChannelDir::Write, 0, r);
                for (r, v) in [
                    (ChReg::TransferSize, size),
                    (ChReg::SarLo, sar as u32),
                    (ChReg::SarHi, (sar >> 32) as u32),
                    (ChReg::DarLo, dar as u32),
                    (ChReg::DarHi, (dar >> 32) as u32),
                ] {
                    if off(r) == Some(o) && self.map != MapFormat::EdmaLegacy {
                        return v;
                    }
                }
            }
            self.engine.read32(o)
        }
        fn write32(&self, o: usize, v: u32) {
            self.engine.write32(o, v)
        }
    }
    let map = MapFormat::HdmaCompat;
    for (sar_off, dar_off, want) in [(4, 4, 4), (4, 12, 0), (12, 4, 0), (0, 0, 0), (64, 64, 0)] {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let regs = Lie {
            engine: &engine,
            map,
            report: M::new(None),
        };
        let ctrl = Controller::new(&regs, map, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
        let (e0, e1) = (Entry::new(0x100, 0x2000, 64), Entry::new(0x300, 0x4000, 64));
        ring.push(&ctrl, &[e0, e1], Notify::End).unwrap();
        engine.step(ChannelDir::Write, 0, 1); // e0 done, e1 loaded
        // The registers as a stop 4 bytes into e1 would leave them, or not.
        // (64, 64): size 0 with SAR and DAR at the element's end — finished,
        // or never loaded (an earlier element ending there): not proven.
        let size = match (sar_off, dar_off) {
            (0, 0) => 64,
            (64, 64) => 0,
            _ => 60,
        };
        *ctrl.regs().report.lock().unwrap() = Some((size, e1.src + sar_off, e1.dst + dar_off));
        let RingTerminate::Stopped(c) = ring.terminate(&ctrl) else {
            panic!()
        };
        let f = c.failure.unwrap();
        assert_eq!(
            (c.completed, f.entry, f.entry_bytes_done),
            (1, 1, want),
            "sar +{sar_off}, dar +{dar_off}"
        );
    }
}

/// One entry on the general path (a 16-bit bus: narrower than an element,
/// which the fast pass does not decide) is one write and one sync too.
#[test]
fn a_single_entry_on_the_general_path_is_one_write_and_one_sync() {
    let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    let lim = Limits {
        addr_bits: 16,
        ..Limits::default()
    };
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 0).with_limits(lim))
        .unwrap();
    let mut ring: Ring<'_, _, _, 8> =
        Ring::new(&ctrl, claim, rec(&engine, ChannelDir::Write, 0, 8)).unwrap();
    let n0 = ring.ll().log.len();
    ring.append(&[Entry::new(0x100, 0x2000, 8)], Notify::End)
        .unwrap();
    assert_eq!(ring.ll().log[n0..], ["w0", "sync"]);
    assert_eq!(
        slot(&engine, ChannelDir::Write, 0, 0),
        Element::data(Control::CB | Control::LIE, 8, 0x100, 0x2000)
    );
    // And a 16-bit bus refuses what ends above it, naming the entry.
    assert_eq!(
        ring.append(
            &[
                Entry::new(0x100, 0x2000, 8),
                Entry::new(0xfff0, 0x2000, 0x20)
            ],
            Notify::End
        ),
        Err(RingError::Plan(PlanError::SourceOutOfRange { entry: 1 }))
    );
}

/// `append_some` looks at no more entries than there are free slots: a
/// long array streamed through a small ring costs O(free) translations per
/// call (it was O(remaining): 8.3e8 translations for 10^5 entries through
/// 8 slots, found by the C ABI's stream test), and an invalid entry beyond
/// the free slots does not hold back the prefix that fits.
#[test]
#[cfg_attr(miri, ignore)] // safe code only (see .ci/run's miri step)
fn append_some_reads_at_most_free_entries() {
    let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 0))
        .unwrap();
    let calls = std::cell::Cell::new(0u64);
    let counting = |a: u64| {
        calls.set(calls.get() + 1);
        Some(a)
    };
    let mut ring: Ring<'_, _, _, 8> =
        Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8))
            .unwrap()
            .with_translation(counting)
            .unwrap();
    let mut entries: Vec<Entry> = (0..10_000u64)
        .map(|i| Entry::new(i * 8, 0x10_0000 + i * 8, 8))
        .collect();
    entries[100].len = 0;
    let a = ring.append_some(&entries, Notify::End).unwrap();
    assert_eq!((a.first, a.entries, a.elements), (0, 6, 6));
    // Validation (two ends per entry) and encoding of 6 entries, not 10^4.
    assert!(calls.get() <= 6 * 4, "{} translations", calls.get());
    ring.submit(&ctrl).unwrap();
    assert_eq!(ring.on_interrupt(&ctrl).unwrap().completed, 6);
    // The invalid entry is reported once a call reaches it, by its index
    // in that call's slice.
    let rest = &entries[96..];
    assert_eq!(
        ring.append_some(rest, Notify::End),
        Err(RingError::Plan(PlanError::ZeroLength { entry: 4 }))
    );
    assert_eq!(
        ring.append_some(&rest[..4], Notify::End).unwrap().entries,
        4
    );
}

/// A full ring validates before it answers `Full`: an invalid request, or an
/// entry that can never fit, is reported as such at once (it used to be
/// `Full { free: 0, fits: 0 }` until the ring drained), and `append_some`
/// on a full ring checks only the entry that would go next.
#[test]
#[cfg_attr(miri, ignore)] // safe code only (see .ci/run's miri step)
fn full_ring_validates_first() {
    let engine =
        MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    let cfg = ChannelConfig::new(ChannelDir::Write, 0).with_limits(Limits {
        max_element_len: 64,
        ..Limits::default()
    });
    let mut ring: Ring<'_, _, _, 4> = Ring::new(
        &ctrl,
        ctrl.claim(cfg).unwrap(),
        engine.ll_region(ChannelDir::Write, 0, 8),
    )
    .unwrap();
    assert_eq!(ring.capacity(), 3);
    let one = |i: u64| Entry::new(i * 64, 0x1_0000 + i * 64, 64);
    ring.append(&[one(0), one(1), one(2)], Notify::End).unwrap();
    assert_eq!(ring.free(), 0);
    let writes = engine.counters().total().ll_slot_writes;
    assert_eq!(
        ring.append(&[one(3)], Notify::End),
        Err(RingError::Full { free: 0, fits: 0 })
    );
    assert_eq!(
        ring.append(&[one(3), Entry::new(0, 0x2_0000, 0)], Notify::End),
        Err(RingError::Plan(PlanError::ZeroLength { entry: 1 }))
    );
    // 4 elements of 64 bytes: never fits in a ring of capacity 3.
    assert_eq!(
        ring.append(&[Entry::new(0, 0x2_0000, 256)], Notify::End),
        Err(RingError::TooLarge { entry: 0 })
    );
    assert_eq!(
        ring.append(&[], Notify::End),
        Err(RingError::Plan(PlanError::EmptyBatch))
    );
    // append_some on a full ring: the next entry is checked, no more.
    let mut rest: Vec<Entry> = (3..10).map(one).collect();
    rest[5].len = 0;
    assert_eq!(
        ring.append_some(&rest, Notify::End),
        Err(RingError::Full { free: 0, fits: 0 })
    );
    rest[0].len = 0;
    assert_eq!(
        ring.append_some(&rest, Notify::End),
        Err(RingError::Plan(PlanError::ZeroLength { entry: 0 }))
    );
    assert_eq!(engine.counters().total().ll_slot_writes, writes);
}

/// An LL region that records, when it is dropped, whether the engine was
/// still running its channel.
struct DropWitness<'e> {
    inner: MockLl<'e>,
    engine: &'e MockEngine,
    dir: ChannelDir,
    seen_running: &'e std::cell::Cell<Option<bool>>,
}

impl LlMemory for DropWitness<'_> {
    fn bus_addr(&self) -> u64 {
        self.inner.bus_addr()
    }
    fn capacity(&self) -> usize {
        self.inner.capacity()
    }
    fn write(&mut self, index: usize, element: &Element) {
        self.inner.write(index, element)
    }
    fn read(&self, index: usize) -> Option<Element> {
        self.inner.read(index)
    }
}

impl Drop for DropWitness<'_> {
    fn drop(&mut self) {
        self.seen_running
            .set(Some(self.engine.is_running(self.dir, 0)));
    }
}

/// A channel or ring dropped with its engine running stops the engine
/// before its LL region is dropped (the stop guard is declared before the
/// region: fields drop in declaration order). It used to be the other way
/// round: the region went first, then the engine was stopped.
#[test]
#[cfg_attr(miri, ignore)] // safe code only (see .ci/run's miri step)
fn drop_stops_the_engine_before_the_ll_region_goes() {
    for ring in [false, true] {
        let engine =
            MockEngine::new(MockConfig::new(MapFormat::HdmaNative).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
        let seen = std::cell::Cell::new(None);
        let ll = DropWitness {
            inner: engine.ll_region(ChannelDir::Write, 0, 8),
            engine: &engine,
            dir: ChannelDir::Write,
            seen_running: &seen,
        };
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap();
        let batch = [Entry::new(0, 0x1000, 64), Entry::new(64, 0x2000, 64)];
        if ring {
            let mut r: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, ll).map_err(|e| e.0).unwrap();
            r.push(&ctrl, &batch, Notify::End).unwrap();
            assert!(engine.is_running(ChannelDir::Write, 0));
            drop(r);
        } else {
            let mut ch = Channel::new(claim, ll);
            ch.submit(&ctrl, &batch).unwrap();
            assert!(engine.is_running(ChannelDir::Write, 0));
            drop(ch);
        }
        assert_eq!(
            seen.get(),
            Some(false),
            "ring = {ring}: the LL region was dropped under a running engine"
        );
    }
}

/// The lost doorbell at every position of a burst, on every map: a warm-up
/// entry runs, then a burst of `B` pushes; before push `j` the engine has
/// run everything before it and fetched slot `j` before the producer wrote
/// it, so push `j`'s doorbell arrives while it still runs and is lost (and
/// the later pushes' too, until it stops on the stale copy). Every entry
/// must still complete, in order, with its bytes, by the driver's own
/// recovery (the burst-start check in `submit`, or interrupts and polls
/// finding the engine stopped with work pending) — not by luck of a
/// random schedule.
#[test]
#[cfg_attr(miri, ignore)] // safe code only (see .ci/run's miri step)
fn a_doorbell_lost_at_every_position_of_a_burst_is_recovered() {
    const B: usize = 4;
    for map in MapFormat::ALL {
        for j in 0..B {
            let mut cfg = MockConfig::new(map).with_mode(ExecMode::Scheduled);
            // The engine acts on a fetched element only when ticked here.
            cfg.fetch_window_reads = 1_000;
            let engine = MockEngine::new(cfg);
            let ctrl = Controller::new(&engine, map, Deployment::Local);
            let claim = ctrl
                .claim(ChannelConfig::new(ChannelDir::Write, 0))
                .unwrap();
            let mut ring: Ring<'_, _, _, 8> =
                Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
            let entry = |k: usize| {
                let k = k as u64;
                Entry::new(0x100 + k * 0x40, 0x9000 + k * 0x100, 16)
            };
            for k in 0..=B {
                engine.local_write(0x100 + k as u64 * 0x40, &[0x10 + k as u8; 16]);
            }
            // The warm-up entry (index 0) runs: fetch, load, execute.
            ring.push(&ctrl, &[entry(0)], Notify::End).unwrap();
            for _ in 0..3 {
                assert!(engine.tick(ChannelDir::Write, 0), "{map:?} j={j}");
            }
            if j == 0 {
                // The burst starts after the warm-up was reported.
                assert_eq!(ring.poll(&ctrl).completed, 1, "{map:?}");
            }
            for k in 1..=B {
                if k == j + 1 {
                    // The engine fetches slot k before it is written.
                    assert!(engine.tick(ChannelDir::Write, 0), "{map:?} j={j}");
                    assert!(engine.is_running(ChannelDir::Write, 0));
                }
                ring.push(&ctrl, &[entry(k)], Notify::End).unwrap();
                if k < j + 1 {
                    for _ in 0..3 {
                        assert!(engine.tick(ChannelDir::Write, 0), "{map:?} j={j} k={k}");
                    }
                }
            }
            assert!(
                engine
                    .counters()
                    .channel(ChannelDir::Write, 0)
                    .ignored_doorbells
                    >= 1,
                "{map:?} j={j}: the doorbell was not lost"
            );
            // Recovery by the driver's own means: interrupts and polls.
            let mut done = u64::from(j == 0);
            let mut next = done;
            for _ in 0..20 {
                engine.run_until_blocked(1_000);
                let c = match ring.on_interrupt(&ctrl) {
                    Some(c) => c,
                    None => ring.poll(&ctrl),
                };
                assert!(c.failure.is_none(), "{map:?} j={j}: {c:?}");
                if c.completed > 0 {
                    assert_eq!(
                        c.last,
                        Some(next + c.completed - 1),
                        "{map:?} j={j}: in order"
                    );
                    next += c.completed;
                    done += c.completed;
                }
                if done == B as u64 + 1 {
                    break;
                }
            }
            assert_eq!(done, B as u64 + 1, "{map:?} j={j}: every entry completed");
            assert!(ring.stats().rerings >= 1, "{map:?} j={j}: rung again");
            for k in 0..=B {
                assert_eq!(
                    engine.pci_read(0x9000 + k as u64 * 0x100, 16),
                    [0x10 + k as u8; 16],
                    "{map:?} j={j} entry {k}"
                );
            }
            assert_eq!(ring.queued(), 0);
        }
    }
}
