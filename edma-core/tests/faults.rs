//! Injected faults × every map × deployment: the expected outcome is
//! asserted for each, entries before the failing one are verified intact,
//! and the channel must complete a next batch. The run also renders
//! `docs/fault-table.md` (fault × expected × observed); the committed file
//! must equal what this test produces — regenerate it with
//! `EDMA_WRITE_FAULT_TABLE=1 cargo test -p edma-core --test faults`.

mod common;

use common::Rng;
use edma_backend_mock::{ExecMode, Fault, MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, Completion, Controller};
use edma_core::plan::Entry;
use edma_core::{ChannelDir, Deployment, MapFormat, Status};

const N: u64 = 14;
const LEN: u64 = 32;
const SLOTS: usize = 5; // 4 data elements per chunk
const DST: u64 = 0x10_0000;

#[derive(Clone, Copy, Debug)]
enum Scenario {
    ReadErrorAt(u64, u32),
    WriteErrorAt(u64, u32),
    LlFetchAfter(u64),
    SarOutside(u64),
    DarOutside(u64),
    SpuriousBeforeBatch,
    DuplicateAfterCompletion,
    StopAfterSteps(u64),
}

impl Scenario {
    fn describe(self) -> String {
        match self {
            Scenario::ReadErrorAt(k, b) => format!("read error at element {k} after {b} B"),
            Scenario::WriteErrorAt(k, b) => format!("write error at element {k} after {b} B"),
            Scenario::LlFetchAfter(k) => format!("LL fetch error after {k} elements"),
            Scenario::SarOutside(k) => format!("SAR of entry {k} outside memory"),
            Scenario::DarOutside(k) => format!("DAR of entry {k} outside memory"),
            Scenario::SpuriousBeforeBatch => "spurious done interrupt on an idle channel".into(),
            Scenario::DuplicateAfterCompletion => {
                "duplicated done interrupt after completion".into()
            }
            Scenario::StopAfterSteps(s) => format!("stop request after {s} elements"),
        }
    }

    /// (status, bytes done) the design promises.
    fn expected(self) -> (Status, u64) {
        let aborted = |e: u64, b: u64| {
            (
                Status::Aborted {
                    entry: e as usize,
                    entry_bytes_done: b,
                },
                e * LEN + b,
            )
        };
        match self {
            Scenario::ReadErrorAt(k, b) | Scenario::WriteErrorAt(k, b) => aborted(k, u64::from(b)),
            Scenario::LlFetchAfter(k) | Scenario::SarOutside(k) | Scenario::DarOutside(k) => {
                aborted(k, 0)
            }
            Scenario::SpuriousBeforeBatch | Scenario::DuplicateAfterCompletion => {
                (Status::Done, N * LEN)
            }
            Scenario::StopAfterSteps(s) => (
                Status::Terminated {
                    entry: Some(s as usize),
                },
                s * LEN,
            ),
        }
    }
}

fn fmt(c: &(Status, u64)) -> String {
    let residue = N * LEN - c.1;
    match c.0 {
        Status::Done => format!("done, residue {residue}"),
        Status::Aborted {
            entry,
            entry_bytes_done,
        } => format!("aborted at entry {entry} ({entry_bytes_done} B of it), residue {residue}"),
        Status::Terminated { entry: Some(e) } => {
            format!("terminated, entry {e} first incomplete, residue {residue}")
        }
        Status::Terminated { entry: None } => {
            format!("terminated after the last entry, residue {residue}")
        }
        other => format!("{other:?}, residue {residue}"),
    }
}

fn drive<R: edma_core::RegisterIo, L: edma_core::LlMemory>(
    ch: &mut Channel<'_, '_, L>,
    ctrl: &Controller<R>,
    engine: &MockEngine,
    manual: bool,
) -> Completion {
    for _ in 0..1000 {
        if manual {
            engine.step(ChannelDir::Write, 2, u64::MAX);
        }
        if let Some(c) = ch.on_interrupt(ctrl).completion() {
            return c;
        }
    }
    panic!("no completion");
}

/// Runs one scenario; returns what the driver reported, after checking the
/// entries before the failure, single completion and channel reuse.
fn run(map: MapFormat, dep: Deployment, sc: Scenario) -> (Status, u64) {
    let manual = matches!(sc, Scenario::StopAfterSteps(_));
    let mut cfg = MockConfig::new(map);
    if manual {
        cfg = cfg.with_mode(ExecMode::Manual);
    }
    let engine = MockEngine::new(cfg);
    let ctrl = Controller::new(&engine, map, dep);
    if dep == Deployment::Remote {
        ctrl.configure_remote_interrupt(ChannelDir::Write, 2, 0x3f_0000, 9);
    }
    let src: Vec<u8> = (0..N * LEN).map(|i| (i * 11 + 5) as u8).collect();
    engine.local_write(0, &src);
    let mut batch: Vec<Entry> = (0..N)
        .map(|i| Entry::new(i * LEN, DST + i * 48, LEN))
        .collect();
    match sc {
        Scenario::SarOutside(k) => batch[k as usize].src = 0x7000_0000,
        Scenario::DarOutside(k) => batch[k as usize].dst = 0x7000_0000,
        Scenario::ReadErrorAt(k, b) => engine.inject_fault(
            ChannelDir::Write,
            2,
            Fault::AbortAt {
                element: k,
                after_bytes: b,
                read: true,
            },
        ),
        Scenario::WriteErrorAt(k, b) => engine.inject_fault(
            ChannelDir::Write,
            2,
            Fault::AbortAt {
                element: k,
                after_bytes: b,
                read: false,
            },
        ),
        Scenario::LlFetchAfter(k) => engine.inject_fault(
            ChannelDir::Write,
            2,
            Fault::LlFetchError { after_elements: k },
        ),
        Scenario::SpuriousBeforeBatch => engine.force_status(ChannelDir::Write, 2, true, false),
        _ => {}
    }
    let mut ch = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Write, 2))
            .unwrap(),
        engine.ll_region(ChannelDir::Write, 2, SLOTS),
    );
    if let Scenario::SpuriousBeforeBatch = sc {
        assert_eq!(ch.on_interrupt(&ctrl).completion(), None);
    }
    ch.submit(&ctrl, &batch).unwrap();
    let c = if let Scenario::StopAfterSteps(s) = sc {
        let mut ran = 0;
        while ran < s {
            ran += engine.step(ChannelDir::Write, 2, 1);
            assert_eq!(ch.on_interrupt(&ctrl).completion(), None);
        }
        ch.terminate(&ctrl).completion().expect("stopped at once")
    } else {
        drive(&mut ch, &ctrl, &engine, manual)
    };
    assert_eq!(c.residue, N * LEN - c.bytes_done);
    // Entries fully done are intact.
    let full = (c.bytes_done / LEN) as usize;
    for (i, e) in batch.iter().enumerate().take(full) {
        assert_eq!(
            engine.pci_read(e.dst, LEN as usize),
            src[i * LEN as usize..][..LEN as usize],
            "{map:?} {dep:?} {sc:?} entry {i}"
        );
    }
    if let Scenario::DuplicateAfterCompletion = sc {
        engine.force_status(ChannelDir::Write, 2, true, false);
    }
    // Nothing more is reported for this batch.
    assert_eq!(ch.on_interrupt(&ctrl).completion(), None);
    // The channel completes the next batch.
    let again = [Entry::new(0, 0x20_0000, 64)];
    ch.submit(&ctrl, &again).unwrap();
    let next = drive(&mut ch, &ctrl, &engine, manual);
    assert!(
        next.is_success(),
        "{map:?} {dep:?} {sc:?}: {:?}",
        next.status
    );
    assert_eq!(engine.pci_read(0x20_0000, 64), src[..64]);
    (c.status, c.bytes_done)
}

#[test]
fn fault_matrix_and_table() {
    let scenarios = [
        Scenario::ReadErrorAt(0, 0),
        Scenario::ReadErrorAt(6, 17),
        Scenario::WriteErrorAt(9, 31),
        Scenario::WriteErrorAt(13, 1),
        Scenario::LlFetchAfter(0),
        Scenario::LlFetchAfter(4),
        Scenario::LlFetchAfter(7),
        Scenario::SarOutside(5),
        Scenario::DarOutside(11),
        Scenario::SpuriousBeforeBatch,
        Scenario::DuplicateAfterCompletion,
        Scenario::StopAfterSteps(0),
        Scenario::StopAfterSteps(3),
        Scenario::StopAfterSteps(10),
    ];
    let mut table = String::from(
        "# Fault table\n\nGenerated by `edma-core/tests/faults.rs` (do not edit): a batch of 14 entries × 32 B on write channel 2, 4 elements per chunk, for every map × deployment (8 combinations). \"Observed\" is what the channel driver reported; a row lists every combination that observed it.\n\n| fault | expected | observed | combinations |\n|---|---|---|---|\n",
    );
    for sc in scenarios {
        let want = sc.expected();
        let mut seen: Vec<(String, Vec<String>)> = Vec::new();
        for map in MapFormat::ALL {
            for dep in [Deployment::Local, Deployment::Remote] {
                let got = run(map, dep, sc);
                let s = fmt(&got);
                let who = format!("{map:?}/{dep:?}");
                match seen.iter_mut().find(|(o, _)| *o == s) {
                    Some((_, v)) => v.push(who),
                    None => seen.push((s, vec![who])),
                }
                assert_eq!(got, want, "{map:?} {dep:?} {sc:?}");
            }
        }
        for (obs, who) in seen {
            let combos = if who.len() == 8 {
                "all 8".to_string()
            } else {
                who.join(", ")
            };
            table.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                sc.describe(),
                fmt(&want),
                obs,
                combos
            ));
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/fault-table.md");
    if std::env::var_os("EDMA_WRITE_FAULT_TABLE").is_some() {
        std::fs::write(path, &table).unwrap();
    } else if !cfg!(miri) {
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == table,
            "docs/fault-table.md is stale: regenerate with EDMA_WRITE_FAULT_TABLE=1"
        );
    }
}

/// Terminate at random points of running batches, many times per map and
/// deployment: consistent residue, one completion, clean restart.
#[test]
fn random_terminations() {
    let iters = if cfg!(miri) { 1 } else { 40 };
    let mut rng = Rng(0x7e57);
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
            let ctrl = Controller::new(&engine, map, dep);
            // Remote interrupts are memory writes: keep them off the sources.
            ctrl.configure_remote_interrupt(ChannelDir::Read, 4, 0x3f_0000, 1);
            engine.pci_write(0, &(0..=255u8).cycle().take(1 << 16).collect::<Vec<_>>());
            let mut idle = Channel::new(
                ctrl.claim(ChannelConfig::new(ChannelDir::Read, 4)).unwrap(),
                engine.ll_region(ChannelDir::Read, 4, 6),
            );
            for it in 0..iters {
                let n = rng.range(1, 40);
                let lens: Vec<u64> = (0..n).map(|_| rng.range(1, 700)).collect();
                let mut off = 0;
                let batch: Vec<Entry> = lens
                    .iter()
                    .map(|&l| {
                        let e = Entry::new(off, 0x8_0000 + off * 2, l);
                        off += l;
                        e
                    })
                    .collect();
                let total: u64 = lens.iter().sum();
                let stop_at = rng.range(0, n);
                let mut ch = idle.rebind().expect("idle");
                ch.submit(&ctrl, &batch).unwrap();
                let mut ran = 0;
                let mut early = None;
                while ran < stop_at {
                    ran += engine.step(ChannelDir::Read, 4, 1);
                    if let Some(c) = ch.on_interrupt(&ctrl).completion() {
                        early = Some(c);
                        break;
                    }
                }
                let ctx = format!("{map:?} {dep:?} it={it} n={n} stop_at={stop_at}");
                let c = match early {
                    Some(c) => c,
                    None => ch
                        .terminate(&ctrl)
                        .completion()
                        .expect("mock stops at once"),
                };
                let done: u64 = lens[..stop_at as usize].iter().sum();
                assert_eq!((c.bytes_done, c.residue), (done, total - done), "{ctx}");
                if stop_at == n {
                    assert_eq!(c.status, Status::Done, "{ctx}");
                } else {
                    assert_eq!(
                        c.status,
                        Status::Terminated {
                            entry: Some(stop_at as usize)
                        },
                        "{ctx}"
                    );
                }
                assert_eq!(ch.on_interrupt(&ctrl).completion(), None, "{ctx}");
                for (i, e) in batch.iter().enumerate().take(stop_at as usize) {
                    assert_eq!(
                        engine.local_read(e.dst, e.len as usize),
                        engine.pci_read(e.src, e.len as usize),
                        "{ctx} entry {i}"
                    );
                }
                idle = ch.rebind().expect("idle after completion");
            }
            assert_eq!(idle.batches_completed(), iters);
        }
    }
}
