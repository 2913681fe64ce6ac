//! A ring-mode scenario run against the mock engine, with every report
//! checked as it arrives. Shared by `tests/ring.rs` and the `ring` fuzz
//! target.
//!
//! The producer program is a list of [`Op`]s. The engine runs in the mock's
//! scheduled mode, interleaved with the producer by a scheduler the caller
//! chooses (exhaustive, seeded random, or "run to a stop at every point").
//! Every entry gets its own source pattern and a destination surrounded by
//! guard bytes. The checks, at every report and at the end:
//!
//! * entries are reported in index order, each exactly once: completed, or
//!   as the failing entry, or as not attempted;
//! * a completed entry's destination equals its source; a failing entry's
//!   first `entry_bytes_done` bytes do (never more reported than moved);
//!   a not-attempted entry's destination is untouched; guards are intact;
//! * after the program, with the engine left to run and only interrupts
//!   serviced (when every append asked for one), every entry is reported —
//!   no stall with pending work, no lost wakeup; otherwise polls drain it.
#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;

use edma_backend_mock::{ExecMode, Fault, MockConfig, MockEngine, Scheduler};
use edma_core::ring::{Completed, FailKind, Notify, Ring, RingError, RingTerminate};
use edma_core::{
    ChannelConfig, ChannelDir, Controller, Deployment, Entry, Limits, MapFormat, PlanError,
};

/// Ring slots the scenarios may use at most (`N` of the ring type).
pub const MAX_SLOTS: usize = 16;
const GUARD: usize = 8;
const GUARD_BYTE: u8 = 0xe7;
/// Where an entry's buffers live: pool slot `i % POOL`.
const POOL: usize = 40;
const BUF: usize = 128;
const STRIDE: usize = BUF + 2 * GUARD;
const SRC_BASE: u64 = 0x1000;
const DST_BASE: u64 = 0x4000;
const IMWR_ADDR: u64 = 0x7f00;
const MEM: usize = 0x8000;

/// One producer action.
#[derive(Clone, Debug)]
pub enum Op {
    /// Append entries of these lengths (1..=BUF), taking what fits, and
    /// ring the doorbell if `submit`.
    Append {
        lens: Vec<u32>,
        notify: Notify,
        submit: bool,
    },
    /// Append all of these entries, polling while the ring is full (a
    /// producer streaming a batch through the ring), ringing each time.
    Stream { lens: Vec<u32>, notify: Notify },
    /// Ring the doorbell for what was appended.
    Submit,
    /// Service the interrupt if the line is up.
    Interrupt,
    /// Poll.
    Poll,
    /// Terminate.
    Terminate,
    /// Inject a fault into the channel (fires later, once).
    Fault(Fault),
}

/// The fixed part of a scenario.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    pub map: MapFormat,
    pub deployment: Deployment,
    pub dir: ChannelDir,
    /// LL slots of the ring (3..=MAX_SLOTS + 1).
    pub slots: usize,
    /// Element size limit (entries longer are split).
    pub max_element_len: u32,
    /// Driver register reads within which the engine acts on a fetch.
    pub fetch_window_reads: u32,
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub appended: u64,
    pub completed: u64,
    pub failed: u64,
    pub not_attempted: u64,
    pub rerings: u64,
    pub doorbells: u64,
    pub lost_doorbells: u64,
}

struct Rec {
    index: u64,
    len: usize,
    src: u64,
    dst: u64,
    seed: u64,
}

fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Never the guard byte, so a destination can not look written by chance.
            let b = x as u8;
            if b == GUARD_BYTE { b ^ 1 } else { b }
        })
        .collect()
}

struct Checker<'e> {
    engine: &'e MockEngine,
    dir: ChannelDir,
    queue: VecDeque<Rec>,
    next_index: u64,
    out: Outcome,
}

impl Checker<'_> {
    fn src_write(&self, addr: u64, data: &[u8]) {
        match self.dir {
            ChannelDir::Write => self.engine.local_write(addr, data),
            ChannelDir::Read => self.engine.pci_write(addr, data),
        }
    }
    fn dst_write(&self, addr: u64, data: &[u8]) {
        match self.dir {
            ChannelDir::Write => self.engine.pci_write(addr, data),
            ChannelDir::Read => self.engine.local_write(addr, data),
        }
    }
    fn dst_read(&self, addr: u64, len: usize) -> Vec<u8> {
        match self.dir {
            ChannelDir::Write => self.engine.pci_read(addr, len),
            ChannelDir::Read => self.engine.local_read(addr, len),
        }
    }

    /// Buffers for the next entry of length `len`: source filled, the
    /// destination and its guards reset.
    fn prepare(&mut self, index: u64, len: usize) -> (Entry, Rec) {
        let p = (index % POOL as u64) * STRIDE as u64;
        let (src, dst) = (SRC_BASE + p + GUARD as u64, DST_BASE + p + GUARD as u64);
        let seed = index ^ 0x5eed;
        self.src_write(src, &pattern(seed, len));
        self.dst_write(dst - GUARD as u64, &[GUARD_BYTE; STRIDE]);
        let rec = Rec {
            index,
            len,
            src,
            dst,
            seed,
        };
        (Entry::new(src, dst, len as u64), rec)
    }

    fn guards_ok(&self, r: &Rec) {
        let all = self.dst_read(r.dst - GUARD as u64, r.len + 2 * GUARD);
        assert!(
            all[..GUARD].iter().all(|b| *b == GUARD_BYTE),
            "entry {}: guard before overwritten",
            r.index
        );
        assert!(
            all[GUARD + r.len..].iter().all(|b| *b == GUARD_BYTE),
            "entry {}: guard after overwritten",
            r.index
        );
    }

    fn take(&mut self, index: u64) -> Rec {
        let r = self
            .queue
            .pop_front()
            .unwrap_or_else(|| panic!("entry {index} reported but never appended"));
        assert_eq!(r.index, index, "entries reported out of order");
        r
    }

    fn report(&mut self, c: &Completed) {
        if std::env::var("RING_DEBUG").is_ok() {
            eprintln!("  report {c:?}");
        }
        let first = self.queue.front().map(|r| r.index);
        for k in 0..c.completed {
            let r = self.take(first.unwrap_or(0) + k);
            let got = self.dst_read(r.dst, r.len);
            assert_eq!(
                got,
                pattern(r.seed, r.len),
                "entry {} reported complete, data differs",
                r.index
            );
            self.guards_ok(&r);
            self.out.completed += 1;
        }
        match (c.completed, c.last, first) {
            (0, None, _) => {}
            (n, Some(l), Some(f)) => assert_eq!(l, f + n - 1, "last index"),
            other => panic!("inconsistent completion {other:?}"),
        }
        if let Some(f) = &c.failure {
            let r = self.take(f.entry);
            let d = usize::try_from(f.entry_bytes_done).unwrap();
            assert!(
                d <= r.len,
                "entry {}: {} bytes done of {}",
                r.index,
                d,
                r.len
            );
            let got = self.dst_read(r.dst, r.len);
            assert_eq!(
                got[..d],
                pattern(r.seed, r.len)[..d],
                "entry {}: bytes reported done did not move",
                r.index
            );
            self.guards_ok(&r);
            self.out.failed += 1;
            assert_eq!(f.not_attempted.start, f.entry + 1);
            assert_eq!(
                f.not_attempted.end, self.next_index,
                "not attempted must run to the last appended"
            );
            for i in f.not_attempted.clone() {
                let r = self.take(i);
                let got = self.dst_read(r.dst, r.len);
                assert!(
                    got.iter().all(|b| *b == GUARD_BYTE),
                    "entry {i}: reported not attempted, but written"
                );
                self.guards_ok(&r);
                self.out.not_attempted += 1;
            }
            assert!(matches!(f.kind, FailKind::Aborted | FailKind::Terminated));
        }
    }
}

/// Runs `ops` on `setup` with the engine interleaved by `scheduler`
/// (`None`: the engine moves only between ops, to a stop each time).
/// Panics on any violated check.
pub fn run(setup: &Setup, ops: &[Op], scheduler: Option<Scheduler>) -> Outcome {
    let mut cfg = MockConfig::new(setup.map)
        .with_memory(MEM, MEM)
        .with_mode(ExecMode::Scheduled);
    cfg.ll_bytes_per_channel = (MAX_SLOTS + 1) * 24;
    cfg.fetch_window_reads = setup.fetch_window_reads.max(1);
    let engine = MockEngine::new(cfg);
    let between_ops = scheduler.is_none();
    engine.set_scheduler(scheduler);
    let ctrl = Controller::new(&engine, setup.map, setup.deployment);
    let ch = 1u8;
    if setup.deployment == Deployment::Remote {
        ctrl.configure_remote_interrupt(setup.dir, ch, IMWR_ADDR, 0x42);
    }
    let limits = Limits {
        max_element_len: setup.max_element_len.max(1),
        ..Limits::default()
    };
    let claim = ctrl
        .claim(ChannelConfig::new(setup.dir, ch).with_limits(limits))
        .unwrap();
    let ll = engine.ll_region(setup.dir, ch, setup.slots.clamp(3, MAX_SLOTS + 1));
    let mut ring: Ring<'_, _, _, MAX_SLOTS> = Ring::new(&ctrl, claim, ll).map_err(|e| e.0).unwrap();
    let mut chk = Checker {
        engine: &engine,
        dir: setup.dir,
        queue: VecDeque::new(),
        next_index: 0,
        out: Outcome::default(),
    };
    let mut every_append_notifies = true;
    let debug = std::env::var("RING_DEBUG").is_ok();
    for op in ops {
        if debug {
            eprintln!(
                "op {op:?} queued {} next {}",
                ring.queued(),
                ring.next_index()
            );
        }
        match op {
            Op::Append {
                lens,
                notify,
                submit,
            } => {
                let mut entries = Vec::new();
                let mut recs = Vec::new();
                for (k, len) in lens.iter().enumerate() {
                    let len = (*len as usize).clamp(1, BUF);
                    let (e, r) = chk.prepare(ring.next_index() + k as u64, len);
                    entries.push(e);
                    recs.push(r);
                }
                match ring.append_some(&entries, *notify) {
                    Ok(a) => {
                        assert_eq!(a.first, chk.next_index);
                        chk.next_index += a.entries as u64;
                        chk.out.appended += a.entries as u64;
                        chk.queue.extend(recs.into_iter().take(a.entries));
                        if *notify == Notify::None {
                            every_append_notifies = false;
                        }
                    }
                    Err(RingError::Full { .. } | RingError::Stopping) => {}
                    Err(RingError::TooLarge { entry: 0 }) => {
                        let max = u64::from(setup.max_element_len.max(1));
                        assert!(entries[0].len.div_ceil(max) > ring.capacity() as u64);
                    }
                    Err(RingError::Plan(PlanError::EmptyBatch)) if entries.is_empty() => {}
                    Err(e) => panic!("append refused: {e}"),
                }
                if *submit {
                    match ring.submit(&ctrl) {
                        Ok(()) | Err(RingError::Stopping) => {}
                        Err(e) => panic!("submit refused: {e}"),
                    }
                }
            }
            Op::Stream { lens, notify } => {
                let mut entries = Vec::new();
                let mut recs = VecDeque::new();
                for (k, len) in lens.iter().enumerate() {
                    let len = (*len as usize).clamp(1, BUF);
                    let (e, r) = chk.prepare(ring.next_index() + k as u64, len);
                    entries.push(e);
                    recs.push_back(r);
                }
                let mut at = 0;
                let mut spins = 0;
                while at < entries.len() {
                    match ring.append_some(&entries[at..], *notify) {
                        Ok(a) => {
                            chk.next_index += a.entries as u64;
                            chk.out.appended += a.entries as u64;
                            chk.queue.extend(recs.drain(..a.entries));
                            at += a.entries;
                            ring.submit(&ctrl).unwrap();
                        }
                        Err(RingError::Full { .. }) => {
                            let c = ring.poll(&ctrl);
                            chk.report(&c);
                            spins += 1;
                            if spins >= 100_000 {
                                use edma_core::regs::ChReg;
                                panic!(
                                    "no progress while streaming: {setup:?} queued {} stats {:?} running {} llp {:#x} base {:#x} size {} counters {:?} last {c:?}",
                                    ring.queued(),
                                    ring.stats(),
                                    engine.is_running(setup.dir, ch),
                                    ctrl.ch_read(setup.dir, ch, ChReg::LlpLo),
                                    engine.ll_base(setup.dir, ch),
                                    ctrl.ch_read(setup.dir, ch, ChReg::TransferSize),
                                    engine.counters().channel(setup.dir, ch)
                                );
                            }
                        }
                        Err(e) => panic!("append refused: {e}"),
                    }
                }
            }
            Op::Submit => match ring.submit(&ctrl) {
                Ok(()) | Err(RingError::Stopping) => {}
                Err(e) => panic!("submit refused: {e}"),
            },
            Op::Interrupt => {
                if engine.irq_pending()
                    && let Some(c) = ring.on_interrupt(&ctrl)
                {
                    chk.report(&c);
                }
            }
            Op::Poll => {
                let c = ring.poll(&ctrl);
                chk.report(&c);
            }
            Op::Terminate => match ring.terminate(&ctrl) {
                RingTerminate::Stopped(c) => chk.report(&c),
                RingTerminate::Idle | RingTerminate::Stopping => {}
                other => panic!("{other:?}"),
            },
            Op::Fault(f) => engine.inject_fault(setup.dir, ch, *f),
        }
        if between_ops {
            engine.run_until_blocked(1 << 20);
        }
    }
    // The program is over: the engine runs freely from here on.
    engine.set_scheduler(None);
    // Everything appended must be submitted for the engine to owe it.
    let _ = ring.submit(&ctrl);
    if every_append_notifies && !ring.is_stopping() {
        // Interrupts alone must finish the work.
        for _ in 0..4 * (chk.out.appended + 4) {
            engine.run_until_blocked(1 << 20);
            if !engine.irq_pending() {
                break;
            }
            if let Some(c) = ring.on_interrupt(&ctrl) {
                chk.report(&c);
            }
        }
        assert!(!engine.irq_pending(), "interrupt line stuck");
        if ring.queued() != 0 {
            eprintln!(
                "{setup:?} running {} counters {:?} stats {:?} abort {:?}",
                engine.is_running(setup.dir, ch),
                engine.counters().channel(setup.dir, ch),
                ring.stats(),
                engine.last_abort(setup.dir, ch)
            );
        }
        assert_eq!(
            ring.queued(),
            0,
            "stalled: {} elements pending and no interrupt to come",
            ring.queued()
        );
    }
    for _ in 0..8 {
        engine.run_until_blocked(1 << 20);
        let c = ring.poll(&ctrl);
        chk.report(&c);
        if ring.queued() == 0 && !ring.is_stopping() {
            break;
        }
    }
    assert_eq!(ring.queued(), 0, "polls did not drain the ring");
    assert!(
        chk.queue.is_empty(),
        "{} entries never reported",
        chk.queue.len()
    );
    let s = ring.stats();
    chk.out.rerings = s.rerings;
    chk.out.doorbells = s.doorbells;
    let c = engine.counters().channel(setup.dir, ch);
    chk.out.lost_doorbells = c.ignored_doorbells;
    chk.out
}
