//! The batching demo, in two parts, every byte verified:
//!
//! 1. realistic endpoint workloads moved through the mock engine two ways —
//!    one by one (a transaction, doorbell and interrupt per buffer, as
//!    endpoint drivers do today) and batched (one batch) — for every register
//!    map and deployment;
//! 2. a continuous workload — NVMe-style reads of 4 KiB and 128 KiB arriving
//!    at queue depth 1 and 32 — moved one by one, batched and on the ring,
//!    with modeled throughput from the mock's `TimeModel`.
//!
//! ```text
//! cargo run --release --example demo [-- --json PATH]
//! ```
//!
//! Rows print as they are computed; the column headings are the JSON keys;
//! a legend at the end says what each column means. In part 1 the engine
//! runs in manual mode: `ns_per_buffer` is the driver's CPU time per buffer
//! on the submit path (plan, encode, register programming and interrupt
//! handling), the mock's data copying excluded; median of repeats.
//! Counters come from the mock.

#[path = "support/stream.rs"]
mod stream;

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Instant;

use edma_backend_mock::{ExecMode, MockConfig, MockEngine, TimeModel};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::plan::{Entry, Limits};
use edma_core::{ChannelDir, Deployment, MapFormat};

/// LL region of one 4 KiB page, as Linux's DesignWare glue allocates
/// (`DMA_LLP_MEM_SIZE = PAGE_SIZE`): 170 slots.
const LL_SLOTS: usize = 4096 / 24;
const GUARD: u8 = 0xa5;
const REPEATS: usize = 3;
/// Largest element the demo's channels plan: 64 KiB, Linux's default
/// maximum DMA segment size (`dma_get_max_seg_size` without `dma_parms`), so
/// the 16 MiB buffer becomes 256 elements in two chunks — the planner's
/// splitting and chunking at work. Every other workload's buffers are smaller.
const MAX_ELEMENT: u32 = 64 << 10;

struct Workload {
    name: &'static str,
    dir: ChannelDir,
    /// (src, dst, len)
    entries: Vec<Entry>,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn workloads() -> Vec<Workload> {
    let mut w = Vec::new();
    // MHI ring of 256 x 16-byte elements that wraps: the tail (elements
    // 250..256) and the head (0..4) are read into one contiguous local buffer.
    let ring = 0x10_0000u64;
    w.push(Workload {
        name: "mhi-ring-wrap",
        dir: ChannelDir::Read,
        entries: vec![
            Entry::new(ring + 250 * 16, 0x1000, 6 * 16),
            Entry::new(ring, 0x1000 + 6 * 16, 4 * 16),
        ],
    });
    // NVMe-style read: 32 scattered 4 KiB host pages into a local 128 KiB buffer.
    let mut rng = Rng(0x5eed);
    w.push(Workload {
        name: "nvme-32x4k",
        dir: ChannelDir::Read,
        entries: (0..32)
            .map(|i| {
                Entry::new(
                    0x20_0000 + (rng.next() % 1024) * 0x4000 + 0x1000,
                    0x40_0000 + i * 4096,
                    4096,
                )
            })
            .collect(),
    });
    // 1024 small buffers of 64 B .. 4 KiB, local to host at random offsets.
    let mut entries = Vec::new();
    let (mut s, mut d) = (0x80_0000u64, 0x80_0000u64);
    for _ in 0..1024 {
        let len = 64 + rng.next() % (4096 - 64 + 1);
        s += rng.next() % 256;
        d += rng.next() % 256;
        entries.push(Entry::new(s, d, len));
        s += len;
        d += len;
    }
    w.push(Workload {
        name: "1024-small",
        dir: ChannelDir::Write,
        entries,
    });
    // One 16 MiB buffer, split into elements of at most `MAX_ELEMENT`.
    w.push(Workload {
        name: "16MiB-single",
        dir: ChannelDir::Write,
        entries: vec![Entry::new(0x100_0000, 0x100_0000, 16 << 20)],
    });
    w
}

struct Row {
    map: MapFormat,
    dep: Deployment,
    workload: &'static str,
    method: &'static str,
    buffers: usize,
    bytes: u64,
    doorbells: u64,
    irqs: u64,
    reg_writes: u64,
    ll_elements: u64,
    ns_per_buffer: f64,
    verified: bool,
}

/// Runs `batches` (each a batch) on a fresh engine; returns counters,
/// median driver ns and whether every byte and guard checked out.
fn run(map: MapFormat, dep: Deployment, w: &Workload, one_by_one: bool) -> Row {
    let mut times = Vec::new();
    let mut last = None;
    let mem = memory_for(w);
    for _ in 0..REPEATS {
        let engine = MockEngine::new(
            MockConfig::new(map)
                .with_memory(mem, mem)
                .with_mode(ExecMode::Manual),
        );
        // Sources: a pattern where entries read; destinations: guard bytes.
        engine.with_memory(|local, pci| {
            let (src, dst) = match w.dir {
                ChannelDir::Write => (local, pci),
                ChannelDir::Read => (pci, local),
            };
            for e in &w.entries {
                let r = e.src as usize..(e.src + e.len) as usize;
                for (i, b) in src[r.clone()].iter_mut().enumerate() {
                    *b = ((r.start + i) as u64)
                        .wrapping_mul(0x9e37_79b9)
                        .rotate_right(13) as u8;
                }
            }
            dst.fill(GUARD);
        });
        let ctrl = Controller::new(&engine, map, dep);
        let ch = 0;
        if dep == Deployment::Remote {
            ctrl.configure_remote_interrupt(w.dir, ch, (mem - 64) as u64, 0x21);
        }
        let mut chan = Channel::new(
            ctrl.claim(ChannelConfig::new(w.dir, ch).with_limits(Limits {
                max_element_len: MAX_ELEMENT,
                ..Limits::default()
            }))
            .unwrap(),
            engine.ll_region(w.dir, ch, LL_SLOTS),
        );
        let batches: Vec<&[Entry]> = if one_by_one {
            w.entries.chunks(1).collect()
        } else {
            vec![&w.entries[..]]
        };
        let mut driver = std::time::Duration::ZERO;
        let mut irqs = 0;
        for b in batches {
            let t = Instant::now();
            chan.submit(&ctrl, b).expect("valid workload");
            driver += t.elapsed();
            loop {
                engine.step(w.dir, ch, u64::MAX);
                irqs += 1;
                let t = Instant::now();
                let r = chan.on_interrupt(&ctrl).completion();
                driver += t.elapsed();
                if let Some(c) = r {
                    assert!(c.is_success(), "{map:?} {}: {:?}", w.name, c.status);
                    break;
                }
            }
        }
        times.push(driver.as_nanos() as f64 / w.entries.len() as f64);
        // Verify: every destination byte equals its source; everything else is guard.
        let verified = engine.with_memory(|local, pci| {
            let (src, dst) = match w.dir {
                ChannelDir::Write => (&*local, &*pci),
                ChannelDir::Read => (&*pci, &*local),
            };
            let mut expect = vec![GUARD; dst.len()];
            for e in &w.entries {
                let (s, d, l) = (e.src as usize, e.dst as usize, e.len as usize);
                expect[d..d + l].copy_from_slice(&src[s..s + l]);
            }
            // Remote interrupts write their data into PCI memory.
            let n = if w.dir == ChannelDir::Write && dep == Deployment::Remote {
                mem - 64
            } else {
                dst.len()
            };
            // LL regions live at the top of local memory.
            let n = if w.dir == ChannelDir::Read {
                n.min(engine_ll_floor(map, mem))
            } else {
                n
            };
            dst[..n] == expect[..n]
        });
        let k = engine.counters().total();
        last = Some((k, verified, irqs));
    }
    times.sort_by(f64::total_cmp);
    let (k, verified, irqs) = last.expect("at least one repeat");
    assert_eq!(
        irqs, k.done_local,
        "every interrupt the driver handled was raised by the engine"
    );
    Row {
        map,
        dep,
        workload: w.name,
        method: if one_by_one { "one-by-one" } else { "batched" },
        buffers: w.entries.len(),
        bytes: w.entries.iter().map(|e| e.len).sum(),
        doorbells: k.doorbells,
        irqs: k.done_local,
        reg_writes: k.reg_writes,
        ll_elements: k.elements,
        ns_per_buffer: times[REPEATS / 2],
        verified,
    }
}

fn engine_ll_floor(map: MapFormat, mem: usize) -> usize {
    let cfg = MockConfig::new(map).with_memory(mem, mem);
    mem - 16 * cfg.ll_bytes_per_channel
}

/// Memory for a workload: its highest address, the LL spaces the mock
/// keeps at the top of local memory, and room for the remote interrupt's
/// message, rounded up to 1 MiB.
fn memory_for(w: &Workload) -> usize {
    let top = w
        .entries
        .iter()
        .map(|e| e.src.max(e.dst) + e.len)
        .max()
        .unwrap_or(0) as usize;
    let ll = 16 * MockConfig::new(MapFormat::EdmaUnroll).ll_bytes_per_channel;
    (top + ll + 4096).next_multiple_of(1 << 20)
}

/// One column of the output: its JSON key (also its table heading), its
/// width, and how a row fills it. The table and the JSON are both written
/// from these lists, so they cannot disagree.
struct Column<R> {
    key: &'static str,
    /// Negative: left-aligned.
    width: i8,
    cell: fn(&R) -> Cell,
}

enum Cell {
    Text(String),
    Int(u64),
    /// Printed with `.0` decimals in the table, one more in the JSON.
    Float(f64, usize),
    Bool(bool),
}

const COLUMNS: [Column<Row>; 12] = [
    col("map", -11, |r| Cell::Text(format!("{:?}", r.map))),
    col("deployment", -10, |r| Cell::Text(format!("{:?}", r.dep))),
    col("workload", -14, |r| Cell::Text(r.workload.into())),
    col("method", -10, |r| Cell::Text(r.method.into())),
    col("buffers", 7, |r| Cell::Int(r.buffers as u64)),
    col("bytes", 9, |r| Cell::Int(r.bytes)),
    col("doorbells", 9, |r| Cell::Int(r.doorbells)),
    col("irqs", 5, |r| Cell::Int(r.irqs)),
    col("reg_writes", 10, |r| Cell::Int(r.reg_writes)),
    col("ll_elements", 11, |r| Cell::Int(r.ll_elements)),
    col("ns_per_buffer", 13, |r| Cell::Float(r.ns_per_buffer, 0)),
    col("verified", 8, |r| Cell::Bool(r.verified)),
];

const STREAM_COLUMNS: [Column<stream::StreamRow>; 13] = [
    col("map", -11, |r| Cell::Text(format!("{:?}", r.map))),
    col("request_bytes", 13, |r| Cell::Int(r.request_bytes)),
    col("queue_depth", 11, |r| Cell::Int(r.queue_depth)),
    col("method", -10, |r| Cell::Text(r.method.name().into())),
    col("requests", 8, |r| Cell::Int(r.requests)),
    col("gb_per_s", 8, |r| Cell::Float(r.gb_per_s, 2)),
    col("engine_idle", 11, |r| Cell::Float(r.engine_idle, 2)),
    col("doorbells", 9, |r| Cell::Int(r.doorbells)),
    col("irqs", 5, |r| Cell::Int(r.irqs)),
    col("reg_writes_per_request", 22, |r| {
        Cell::Float(r.reg_writes_per_request, 1)
    }),
    col("report_ns_mean", 14, |r| Cell::Float(r.report_ns_mean, 0)),
    col("report_ns_max", 13, |r| Cell::Float(r.report_ns_max, 0)),
    col("verified", 8, |r| Cell::Bool(r.verified)),
];

const fn col<R>(key: &'static str, width: i8, cell: fn(&R) -> Cell) -> Column<R> {
    Column { key, width, cell }
}

fn pad(out: &mut String, text: &str, width: i8) {
    let w = usize::from(width.unsigned_abs());
    let _ = if width < 0 {
        write!(out, "{text:<w$} ")
    } else {
        write!(out, "{text:>w$} ")
    };
}

fn table_line(cells: impl Iterator<Item = (String, i8)>) -> String {
    let mut line = String::new();
    for (text, width) in cells {
        pad(&mut line, &text, width);
    }
    line.trim_end().to_string()
}

fn table_head<R>(cols: &[Column<R>]) -> String {
    table_line(cols.iter().map(|c| (c.key.to_string(), c.width)))
}

fn table_row<R>(cols: &[Column<R>], r: &R) -> String {
    table_line(cols.iter().map(|c| {
        let text = match (c.cell)(r) {
            Cell::Text(t) => t,
            Cell::Int(n) => n.to_string(),
            Cell::Float(x, d) => format!("{x:.d$}"),
            Cell::Bool(b) => (if b { "yes" } else { "NO" }).to_string(),
        };
        (text, c.width)
    }))
}

/// One JSON object per row. Texts are Rust identifiers and fixed names, so
/// they need no escaping.
fn json_row<R>(cols: &[Column<R>], r: &R) -> String {
    let fields: Vec<String> = cols
        .iter()
        .map(|c| {
            let value = match (c.cell)(r) {
                Cell::Text(t) => format!("\"{t}\""),
                Cell::Int(n) => n.to_string(),
                Cell::Float(x, d) => format!("{x:.p$}", p = d + 1),
                Cell::Bool(b) => b.to_string(),
            };
            format!("\"{}\": {value}", c.key)
        })
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// Prints a line now (the demo streams its rows).
fn say(line: &str) {
    println!("{line}");
    let _ = std::io::stdout().flush();
}

const USAGE: &str = "usage: demo [--json PATH]";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
enum Command {
    /// Run every combination; write the rows as JSON to the path if given.
    Run {
        json: Option<String>,
    },
    Help,
}

/// Parses the arguments after the program name; anything not understood is
/// an error message.
fn parse_args(args: &[String]) -> Result<Command, String> {
    match args {
        [] => Ok(Command::Run { json: None }),
        [flag] if flag == "--help" || flag == "-h" => Ok(Command::Help),
        [flag] if flag == "--json" => Err("--json needs a path".into()),
        [flag, path] if flag == "--json" && !path.starts_with('-') => Ok(Command::Run {
            json: Some(path.clone()),
        }),
        _ => Err(format!("unexpected arguments: {}", args.join(" "))),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = match parse_args(&args) {
        Ok(Command::Run { json }) => json,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return;
        }
        Err(msg) => {
            eprintln!("demo: {msg}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    say("Part 1: one transaction per buffer vs one batch, every map and deployment");
    say("(rows appear as they are measured; the legend is at the end)\n");
    say(&table_head(&COLUMNS));
    let wl = workloads();
    let mut rows = Vec::new();
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            for w in &wl {
                for one in [true, false] {
                    let r = run(map, dep, w, one);
                    say(&table_row(&COLUMNS, &r));
                    rows.push(r);
                }
            }
        }
    }
    let missed = check_targets(&rows);
    say(&format!(
        "\nPart 2: a continuous workload (NVMe-style reads, closed loop), modeled time ({:.0} s so far)\n",
        started.elapsed().as_secs_f64()
    ));
    say(&table_head(&STREAM_COLUMNS));
    let model = TimeModel::default();
    let mut srows = Vec::new();
    for map in [MapFormat::EdmaUnroll, MapFormat::HdmaNative] {
        for (size, requests) in [(4u64 << 10, 2048u64), (128 << 10, 256)] {
            for qd in [1u64, 32] {
                for m in stream::Method::ALL {
                    let r = stream::run(map, size, qd, requests, m, model);
                    say(&table_row(&STREAM_COLUMNS, &r));
                    srows.push(r);
                }
            }
        }
    }
    compare_upstream(&srows);
    let missed = missed + check_moderation(&srows);
    legend(&model);
    let bad =
        rows.iter().filter(|r| !r.verified).count() + srows.iter().filter(|r| !r.verified).count();
    if let Some(path) = json {
        let a: Vec<String> = rows
            .iter()
            .map(|r| format!("    {}", json_row(&COLUMNS, r)))
            .collect();
        let b: Vec<String> = srows
            .iter()
            .map(|r| format!("    {}", json_row(&STREAM_COLUMNS, r)))
            .collect();
        let s = format!(
            "{{\n  \"batches\": [\n{}\n  ],\n  \"continuous\": [\n{}\n  ]\n}}\n",
            a.join(",\n"),
            b.join(",\n")
        );
        if let Err(e) = std::fs::write(&path, s) {
            eprintln!("demo: cannot write {path}: {e}");
            std::process::exit(1);
        }
        say(&format!(
            "\nwrote {} + {} rows to {path}",
            rows.len(),
            srows.len()
        ));
    }
    say(&format!(
        "\ndone in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    if bad > 0 {
        eprintln!("{bad} rows failed verification");
    }
    if bad > 0 || missed > 0 {
        std::process::exit(1);
    }
}

/// The moderation target at queue depth 32 on eDMA (where every element
/// that asks for an interrupt raises one): `ring-mod16` takes at least 16
/// times fewer interrupts per request than `ring`, at no lower modeled
/// throughput; its cost is the report latency (printed). Returns how many
/// targets were missed.
fn check_moderation(rows: &[stream::StreamRow]) -> usize {
    say(
        "\nInterrupt moderation at queue depth 32 (ring: Notify::End per push; ring-mod16: Notify::Every(16))",
    );
    let mut missed = 0;
    for size in [4u64 << 10, 128 << 10] {
        let find = |m| {
            rows.iter().find(|r| {
                r.map == MapFormat::EdmaUnroll
                    && r.request_bytes == size
                    && r.queue_depth == 32
                    && r.method == m
            })
        };
        let (Some(r), Some(m)) = (
            find(stream::Method::Ring),
            find(stream::Method::RingModerated),
        ) else {
            say("target moderation: rows missing");
            missed += 1;
            continue;
        };
        let fewer = r.irqs as f64 / m.irqs.max(1) as f64;
        let ok = fewer >= 16.0 && m.gb_per_s >= r.gb_per_s;
        say(&format!(
            "target EdmaUnroll {size:>6} B: irqs {} -> {} ({fewer:.0}x fewer), {:.3} -> {:.3} GB/s, report latency mean {:.0} -> {:.0} ns, max {:.0} -> {:.0} ns {}",
            r.irqs,
            m.irqs,
            r.gb_per_s,
            m.gb_per_s,
            r.report_ns_mean,
            m.report_ns_mean,
            r.report_ns_max,
            m.report_ns_max,
            if ok { "ok" } else { "MISSED" }
        ));
        missed += usize::from(!ok);
    }
    missed
}

/// The modeled gain of the ring over today's batched driver at queue depth
/// 32, next to what upstream measured on hardware (not a fit: the model's
/// parameters are set in `TimeModel` from first principles).
fn compare_upstream(rows: &[stream::StreamRow]) {
    say("\nThe ring's modeled gain at queue depth 32, beside the upstream measurement");
    say("(dw-edma dynamic LL appends vs Linux's driver, which restarts the engine per");
    say("transaction; nvmet_pci_epf + fio on eDMA RK3588 and HDMA SpacemiT K3). The model");
    say("is not fitted to it and leaves out driver CPU time, host and PCI read latency:");
    for (map, size, upstream) in [
        (MapFormat::EdmaUnroll, 4u64 << 10, "+82.0 % (small 4K)"),
        (MapFormat::EdmaUnroll, 128 << 10, "+46.3 % (large >= 128K)"),
        (MapFormat::HdmaNative, 4 << 10, "+24.5 % (small 4K)"),
        (MapFormat::HdmaNative, 128 << 10, "+9.0 % (overall)"),
    ] {
        let find = |m| {
            rows.iter()
                .find(|r| {
                    r.map == map && r.request_bytes == size && r.queue_depth == 32 && r.method == m
                })
                .map(|r| r.gb_per_s)
        };
        if let (Some(o), Some(b), Some(r)) = (
            find(stream::Method::OneByOne),
            find(stream::Method::Batched),
            find(stream::Method::Ring),
        ) {
            say(&format!(
                "  {:<11} {:>6} B: model ring vs batched {:+6.1} %, vs one-by-one {:+6.1} %   upstream {upstream}",
                format!("{map:?}"),
                size,
                (r / b - 1.0) * 100.0,
                (r / o - 1.0) * 100.0
            ));
        }
    }
}

fn legend(model: &TimeModel) {
    say("\nLegend");
    for (k, v) in [
        (
            "map, deployment",
            "register map, and who drives the engine (Remote: a host over PCIe, with RIE)",
        ),
        (
            "workload",
            "mhi-ring-wrap: 2 entries (an MHI ring that wraps); nvme-32x4k: 32 scattered 4 KiB pages; 1024-small: 64 B..4 KiB buffers; 16MiB-single: one buffer split at 64 KiB",
        ),
        (
            "method",
            "one-by-one: a transaction (doorbell + interrupt) per buffer; batched: one Channel batch; ring: Ring::push per request; ring-mod16: whatever arrived pushed at once with Notify::Every(16) (interrupt moderation)",
        ),
        ("buffers, bytes", "entries and bytes in the workload"),
        (
            "doorbells, irqs",
            "doorbells the engine took and local done interrupts it raised (mock counters)",
        ),
        ("reg_writes", "register writes in all (mock counter)"),
        (
            "ll_elements",
            "LL data elements the engine executed: 16MiB-single is 256 elements of 64 KiB, so 2 chunks of a 170-slot LL page (2 doorbells); 1024-small is 7 chunks",
        ),
        (
            "ns_per_buffer",
            "the driver's CPU time per buffer on this machine (median of 3 runs; the mock's copying excluded)",
        ),
        (
            "request_bytes, queue_depth",
            "request size; requests kept in flight by the host (a completion issues the next)",
        ),
        (
            "gb_per_s",
            "modeled throughput: bytes / modeled time (GB/s)",
        ),
        (
            "engine_idle",
            "share of the modeled time the engine moved nothing (waiting for a doorbell or an interrupt handler)",
        ),
        ("reg_writes_per_request", "register writes per request"),
        (
            "verified",
            "every destination byte equals its source, every other byte untouched",
        ),
        (
            "target lines",
            "the batching targets: 1 doorbell and 1 interrupt for 32 segments; register writes flat in N",
        ),
    ] {
        say(&format!("  {k:<28} {v}"));
    }
    say(&format!(
        "  {:<28} {} bytes/ns, {} ns per element fetch, {} ns doorbell to start, {} ns interrupt to handler (assumptions, see TimeModel); driver CPU time not modeled",
        "time model",
        model.bytes_per_ns,
        model.element_fetch_ns,
        model.doorbell_to_start_ns,
        model.irq_to_handler_ns
    ));
}

/// Checks the issue's counter targets on every map and deployment and
/// prints one line per target; returns how many were missed.
///
/// * the 32-segment workload: 1 doorbell and 1 interrupt batched, 32 of
///   each one by one;
/// * register writes per batch do not grow with the number of entries: the
///   32-entry batch costs the same writes as the 2-entry one (both fit one
///   chunk).
fn check_targets(rows: &[Row]) -> usize {
    let find = |map, dep, workload: &str, method: &str| {
        rows.iter()
            .find(|r| r.map == map && r.dep == dep && r.workload == workload && r.method == method)
    };
    let mut missed = 0;
    println!();
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            let nvme_b = find(map, dep, "nvme-32x4k", "batched");
            let nvme_1 = find(map, dep, "nvme-32x4k", "one-by-one");
            let mhi_b = find(map, dep, "mhi-ring-wrap", "batched");
            let (Some(b), Some(o), Some(m)) = (nvme_b, nvme_1, mhi_b) else {
                println!("target {map:?}/{dep:?}: rows missing");
                missed += 1;
                continue;
            };
            let irq_ok = (b.doorbells, b.irqs, o.doorbells, o.irqs) == (1, 1, 32, 32);
            let writes_ok = b.reg_writes == m.reg_writes;
            println!(
                "target {:<22} 32 segments: {}/{} doorbells, {}/{} irqs (batched/one by one) {}; reg writes 32 entries {} = 2 entries {} {}",
                format!("{map:?}/{dep:?}:"),
                b.doorbells,
                o.doorbells,
                b.irqs,
                o.irqs,
                if irq_ok { "ok" } else { "MISSED" },
                b.reg_writes,
                m.reg_writes,
                if writes_ok { "ok" } else { "MISSED" },
            );
            missed += usize::from(!irq_ok) + usize::from(!writes_ok);
        }
    }
    missed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_string()).collect()
    }

    fn row() -> Row {
        Row {
            map: MapFormat::HdmaNative,
            dep: Deployment::Remote,
            workload: "nvme-32x4k",
            method: "batched",
            buffers: 32,
            bytes: 131_072,
            doorbells: 1,
            irqs: 1,
            reg_writes: 13,
            ll_elements: 32,
            ns_per_buffer: 87.25,
            verified: false,
        }
    }

    #[test]
    fn command_line() {
        assert_eq!(parse_args(&args(&[])), Ok(Command::Run { json: None }));
        assert_eq!(
            parse_args(&args(&["--json", "rows.json"])),
            Ok(Command::Run {
                json: Some("rows.json".into())
            })
        );
        assert_eq!(parse_args(&args(&["-h"])), Ok(Command::Help));
        assert_eq!(parse_args(&args(&["--help"])), Ok(Command::Help));
        assert_eq!(
            parse_args(&args(&["--json"])),
            Err("--json needs a path".into())
        );
        for bad in [
            &["--json", "--help"][..],
            &["rows.json"],
            &["--jsn", "x"],
            &["--json", "a", "b"],
        ] {
            let err = parse_args(&args(bad)).unwrap_err();
            assert!(err.starts_with("unexpected arguments: "), "{bad:?}: {err}");
        }
    }

    /// The keys the issue asks for, in its order, with typed values.
    #[test]
    fn json_object() {
        assert_eq!(
            json_row(&COLUMNS, &row()),
            "{\"map\": \"HdmaNative\", \"deployment\": \"Remote\", \"workload\": \"nvme-32x4k\", \
             \"method\": \"batched\", \"buffers\": 32, \"bytes\": 131072, \"doorbells\": 1, \
             \"irqs\": 1, \"reg_writes\": 13, \"ll_elements\": 32, \"ns_per_buffer\": 87.2, \
             \"verified\": false}"
        );
    }

    /// Every cell sits under its heading: right-aligned columns end where
    /// their heading ends, and an unverified row says so.
    #[test]
    fn table_columns_line_up() {
        let head = table_head(&COLUMNS);
        let line = table_row(&COLUMNS, &row());
        assert_eq!(
            line,
            "HdmaNative  Remote     nvme-32x4k     batched         32    131072         1     1         13          32            87       NO"
        );
        assert_eq!(head.len(), line.len());
        assert!(head.ends_with("verified"));
        // The headings are the JSON keys.
        assert!(head.starts_with("map         deployment workload       method     buffers"));
        for c in &COLUMNS {
            assert!(head.contains(c.key), "{}", c.key);
        }
    }
}
