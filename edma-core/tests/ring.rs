//! Ring mode against the mock engine running concurrently with the driver
//! (scheduled mode): every map, deployment and direction; every
//! interleaving of small scenarios; long seeded random runs; faults and
//! terminations at random points. The checks are in `support/ring_sim.rs`.

mod common;
#[path = "support/ring_sim.rs"]
mod ring_sim;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use common::Rng;
use edma_backend_mock::{EngineView, Fault, Scheduler};
use edma_core::ring::Notify;
use edma_core::{ChannelDir, Deployment, MapFormat};
use ring_sim::{Op, Setup, run};

/// Every map x deployment x direction (under Miri one of each map, the
/// pairings alternating: Miri runs each test a thousand times slower).
fn combos() -> Vec<(MapFormat, Deployment, ChannelDir)> {
    if cfg!(miri) {
        return vec![
            (MapFormat::EdmaLegacy, Deployment::Local, ChannelDir::Write),
            (MapFormat::EdmaUnroll, Deployment::Remote, ChannelDir::Read),
            (MapFormat::HdmaCompat, Deployment::Local, ChannelDir::Read),
            (MapFormat::HdmaNative, Deployment::Remote, ChannelDir::Write),
        ];
    }
    let mut v = Vec::new();
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            for dir in ChannelDir::ALL {
                v.push((map, dep, dir));
            }
        }
    }
    v
}

/// A scheduler that lets the engine take a step with probability `p`/256
/// at every point it is asked.
fn random_scheduler(seed: u64, p: u64) -> Scheduler {
    let mut rng = Rng(seed);
    Box::new(move |_v: &EngineView<'_>| rng.next() % 256 < p)
}

fn random_ops(rng: &mut Rng, n: usize, faults: bool, notify_none: bool) -> Vec<Op> {
    let mut ops = Vec::new();
    for _ in 0..n {
        match rng.range(0, 19) {
            0..=10 => {
                let k = rng.range(1, 4) as usize;
                let lens = (0..k).map(|_| rng.range(1, 128) as u32).collect();
                let notify = match rng.range(0, 9) {
                    0 if notify_none => Notify::None,
                    1 => Notify::Each,
                    _ => Notify::End,
                };
                ops.push(Op::Append {
                    lens,
                    notify,
                    submit: rng.range(0, 5) != 0,
                });
            }
            11 => ops.push(Op::Submit),
            12..=14 => ops.push(Op::Interrupt),
            15..=17 => ops.push(Op::Poll),
            18 if faults => ops.push(Op::Terminate),
            _ if faults => ops.push(Op::Fault(match rng.range(0, 1) {
                0 => Fault::AbortAt {
                    element: rng.range(0, 6),
                    after_bytes: rng.range(0, 100) as u32,
                    read: rng.range(0, 1) == 0,
                },
                _ => Fault::LlFetchError {
                    after_elements: rng.range(0, 6),
                },
            })),
            _ => ops.push(Op::Interrupt),
        }
    }
    ops
}

fn setup(map: MapFormat, deployment: Deployment, dir: ChannelDir, slots: usize, max: u32) -> Setup {
    Setup {
        map,
        deployment,
        dir,
        slots,
        max_element_len: max,
        fetch_window_reads: 3,
    }
}

/// Every map x deployment x direction: seeded random programs and
/// schedules, entries split at 48 bytes, rings of 3 to 17 slots.
#[test]
fn every_map_deployment_and_direction() {
    let runs = common::cases(1, 12);
    for (map, dep, dir) in combos() {
        let mut total = ring_sim::Outcome::default();
        for r in 0..runs {
            let seed = 0x51_0000 + r as u64 * 7919 + map.raw() as u64 * 31 + dir.index() as u64;
            let mut rng = Rng(seed);
            let slots = rng.range(3, 17) as usize;
            let ops = random_ops(&mut rng, 60, false, false);
            let s = setup(map, dep, dir, slots, 48);
            let out = run(&s, &ops, Some(random_scheduler(seed, rng.range(20, 240))));
            assert_eq!(
                out.completed, out.appended,
                "{map:?} {dep:?} {dir:?} seed {seed:#x}"
            );
            total.appended += out.appended;
            total.lost_doorbells += out.lost_doorbells;
            total.rerings += out.rerings;
        }
        assert!(total.appended > 0);
        // Doorbells while the engine ran were lost and recovered.
        if !cfg!(miri) {
            assert!(
                total.lost_doorbells > 0,
                "{map:?} {dep:?} {dir:?}: the race never happened"
            );
        }
    }
}

/// The erratum, by hand: the engine fetches the next slot before the
/// producer writes it, the producer's doorbell arrives while the engine
/// still runs and is lost, the engine stops; the interrupt of the element
/// it finished finds it stopped with work pending and rings again.
#[test]
fn a_lost_doorbell_is_rung_again() {
    use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    use edma_core::ring::Ring;
    use edma_core::{ChannelConfig, Controller, Entry};
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Scheduled));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        let claim = ctrl
            .claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap();
        let mut ring: Ring<'_, _, _, 8> =
            Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
        engine.local_write(0x100, &[0xaa; 16]);
        engine.local_write(0x200, &[0xbb; 16]);
        ring.push(&ctrl, &[Entry::new(0x100, 0x9000, 16)], Notify::End)
            .unwrap();
        // fetch slot 0, load it, execute it, fetch slot 1 (not valid yet).
        for _ in 0..4 {
            assert!(engine.tick(ChannelDir::Write, 0));
        }
        assert!(engine.is_running(ChannelDir::Write, 0));
        ring.push(&ctrl, &[Entry::new(0x200, 0x9100, 16)], Notify::End)
            .unwrap();
        let c = engine.counters().channel(ChannelDir::Write, 0);
        assert_eq!(
            (c.doorbells, c.ignored_doorbells),
            (1, 1),
            "{map:?}: the second doorbell was lost"
        );
        // The engine acts on what it fetched: it stops at slot 1.
        engine.run_until_blocked(100);
        assert!(!engine.is_running(ChannelDir::Write, 0));
        assert_eq!(engine.pci_read(0x9100, 16), [0; 16], "{map:?}");
        let got = ring
            .on_interrupt(&ctrl)
            .expect("done (eDMA) / stop (HDMA) interrupt");
        assert_eq!(
            (got.completed, got.last, got.resumed),
            (1, Some(0), true),
            "{map:?}"
        );
        assert_eq!(ring.stats().rerings, 1);
        engine.run_until_blocked(100);
        let got = ring
            .on_interrupt(&ctrl)
            .expect("the second entry's interrupt");
        assert_eq!(
            (got.completed, got.last, got.resumed),
            (1, Some(1), false),
            "{map:?}"
        );
        assert_eq!(engine.pci_read(0x9100, 16), [0xbb; 16]);
        assert_eq!(ring.queued(), 0);
    }
}

/// Stateless exploration with state caching: at every point the scheduler
/// is asked, both answers are explored unless the same state (engine,
/// memories, every value the driver has read, position) was met before.
struct Explorer {
    visited: HashSet<(u64, u64)>,
    /// Decisions of the run so far: (answer, other answer still to explore).
    decisions: Vec<(bool, bool)>,
}

struct RunState {
    forced: Vec<bool>,
    asked: usize,
    new: Vec<(bool, bool)>,
    explorer: Arc<Mutex<Explorer>>,
}

fn explore(s: &Setup, ops: &[Op], limit: usize) -> (usize, u64) {
    let ex = Arc::new(Mutex::new(Explorer {
        visited: HashSet::new(),
        decisions: Vec::new(),
    }));
    let mut runs = 0;
    let mut reported = 0;
    loop {
        let forced: Vec<bool> = ex.lock().unwrap().decisions.iter().map(|d| d.0).collect();
        let st = Arc::new(Mutex::new(RunState {
            forced,
            asked: 0,
            new: Vec::new(),
            explorer: ex.clone(),
        }));
        let st2 = st.clone();
        let sched: Scheduler = Box::new(move |v: &EngineView<'_>| {
            let mut st = st2.lock().unwrap();
            let i = st.asked;
            st.asked += 1;
            if let Some(f) = st.forced.get(i) {
                return *f;
            }
            let key = (v.state_hash(), v.seq());
            let fresh = st.explorer.lock().unwrap().visited.insert(key);
            st.new.push((false, fresh));
            false
        });
        let out = run(s, ops, Some(sched));
        reported += out.completed + out.failed + out.not_attempted;
        runs += 1;
        let new = std::mem::take(&mut st.lock().unwrap().new);
        let mut e = ex.lock().unwrap();
        e.decisions.extend(new);
        // Backtrack to the last decision with an unexplored answer.
        loop {
            match e.decisions.pop() {
                None => return (runs, reported),
                Some((false, true)) => {
                    e.decisions.push((true, false));
                    break;
                }
                Some(_) => {}
            }
        }
        assert!(
            runs < limit,
            "exploration did not finish within {limit} runs"
        );
    }
}

fn app(lens: &[u32], notify: Notify) -> Op {
    Op::Append {
        lens: lens.to_vec(),
        notify,
        submit: true,
    }
}

fn programs() -> Vec<Vec<Op>> {
    use Notify::{Each, End};
    vec![
        vec![
            app(&[8], End),
            app(&[8], End),
            Op::Interrupt,
            app(&[8], End),
            Op::Interrupt,
        ],
        vec![
            app(&[8, 20], End),
            Op::Poll,
            app(&[8], Each),
            Op::Interrupt,
            app(&[4, 4], End),
        ],
        vec![
            app(&[8], End),
            Op::Interrupt,
            app(&[8, 8], End),
            Op::Interrupt,
            app(&[8], End),
            Op::Poll,
            app(&[8], End),
        ],
    ]
}

/// Explores `programs` on rings of `slots` LL slots for every map and the
/// given deployment/direction pairs; returns (interleavings, entries checked).
fn exhaustive(
    programs: &[Vec<Op>],
    slots: std::ops::RangeInclusive<usize>,
    pairs: &[(Deployment, ChannelDir)],
) -> (usize, u64) {
    let mut total_runs = 0;
    let mut total_reported = 0;
    for map in MapFormat::ALL {
        for &(dep, dir) in pairs {
            for (p, ops) in programs.iter().enumerate() {
                for n in slots.clone() {
                    let s = setup(map, dep, dir, n, 16);
                    let (runs, reported) = explore(&s, ops, 1_000_000);
                    assert!(reported > 0);
                    total_runs += runs;
                    total_reported += reported;
                    if std::env::var("RING_VERBOSE").is_ok() {
                        eprintln!(
                            "{map:?} {dep:?} {dir:?} program {p} slots {n}: {runs} interleavings"
                        );
                    }
                }
            }
        }
    }
    eprintln!("{total_runs} interleavings, {total_reported} entries reported and checked");
    (total_runs, total_reported)
}

/// Every interleaving of small scenarios (the part `cargo test` runs in
/// debug builds; `every_interleaving_full` is the whole set): rings of 2
/// and 3 data slots, the first program, every map, local write and remote
/// read.
#[test]
#[cfg_attr(miri, ignore = "thousands of runs")]
fn every_interleaving_of_small_rings() {
    let p = programs();
    let (runs, _) = exhaustive(
        &p[..1],
        3..=4,
        &[
            (Deployment::Local, ChannelDir::Write),
            (Deployment::Remote, ChannelDir::Read),
        ],
    );
    assert!(runs > 5_000, "{runs}");
}

/// Every interleaving of small scenarios: rings of 2 to 6 data slots
/// (3..=7 LL slots), three programs (appends that wrap, entries split at 16
/// bytes, interrupts and polls between them), every map x deployment x
/// direction. About 3.5 million interleavings; `.ci/run` runs it in a
/// release build (`--ignored`, about 4 minutes).
#[test]
#[ignore = "release build, run by .ci/run"]
fn every_interleaving_full() {
    let pairs: Vec<(Deployment, ChannelDir)> = [Deployment::Local, Deployment::Remote]
        .into_iter()
        .flat_map(|d| ChannelDir::ALL.map(|c| (d, c)))
        .collect();
    let (runs, _) = exhaustive(&programs(), 3..=7, &pairs);
    assert!(runs > 3_000_000, "{runs}");
}

/// Long seeded random runs: entries stream through rings of 4 to 7 slots
/// (entries of up to 2 elements) with the engine interleaved at random, on every map and pairing.
/// `entries` per map in all.
fn long_runs(entries: u64) -> u64 {
    let mut all = 0;
    for (k, (map, dep, dir)) in combos().into_iter().enumerate() {
        let seed = 0xa11_0000 + k as u64;
        let mut rng = Rng(seed);
        let per = entries / 4;
        let mut ops = Vec::new();
        let mut n = 0;
        while n < per {
            let c = rng.range(1, 3);
            n += c;
            ops.push(Op::Stream {
                lens: (0..c).map(|_| rng.range(1, 40) as u32).collect(),
                notify: if rng.range(0, 7) == 0 {
                    Notify::Each
                } else {
                    Notify::End
                },
            });
            if rng.range(0, 2) == 0 {
                ops.push(if rng.range(0, 3) == 0 {
                    Op::Poll
                } else {
                    Op::Interrupt
                });
            }
        }
        let s = setup(map, dep, dir, rng.range(4, 7) as usize, 32);
        let out = run(&s, &ops, Some(random_scheduler(seed, rng.range(30, 220))));
        assert_eq!(out.completed, out.appended);
        assert!(out.appended >= per, "{map:?}: {}", out.appended);
        all += out.appended;
    }
    all
}

#[test]
#[cfg_attr(miri, ignore = "long")]
fn long_random_runs() {
    let want = u64::from(common::cases(0, 5_000));
    let n = long_runs(want);
    // Each of the 16 combinations streamed a quarter of `want`.
    assert!(n >= 4 * (want / 4), "{n}");
}

/// At least a million entries per map, `.ci/run` runs it in release.
#[test]
#[ignore = "release build, run by .ci/run"]
fn a_million_entries_per_map() {
    let n = long_runs(1_000_000);
    assert!(n >= 4_000_000, "{n}");
}

/// Faults (aborts at random elements and bytes, LL fetch errors),
/// terminations and appends without interrupts at random points: every
/// entry is reported once — completed, failed with never more bytes than
/// moved, or not attempted — and the ring goes on after each reset.
#[test]
fn faults_and_terminations_at_random_points() {
    let runs = common::cases(1, 40);
    let mut failures = 0;
    for (map, dep, dir) in combos() {
        for r in 0..runs {
            let seed =
                0xfa_0000 + r as u64 * 104_729 + map.raw() as u64 * 131 + dir.index() as u64 * 7;
            let mut rng = Rng(seed);
            let slots = rng.range(3, 10) as usize;
            let ops = random_ops(&mut rng, 80, true, true);
            let s = setup(map, dep, dir, slots, 40);
            let out = run(&s, &ops, Some(random_scheduler(seed, rng.range(20, 240))));
            assert_eq!(
                out.completed + out.failed + out.not_attempted,
                out.appended,
                "seed {seed:#x}"
            );
            failures += out.failed;
        }
    }
    assert!(failures > 0, "no fault ever hit a queued entry");
}
