//! Runs `reps` rounds of a whole batch's life through [`Channel`] —
//! `submit` (validation, LL encoding, register programming, doorbell), then
//! per chunk the done interrupt and `on_interrupt` until the batch
//! completes — on a register file of plain memory, for instruction
//! counting under callgrind beside the unmodified Linux driver doing the
//! same (`conformance/cost/run.sh`). Usage: `round_cost MAP N REPS MODE`
//! with MAP one of legacy, unroll, compat, native and MODE `batch` (one
//! submit of N entries) or `single` (N submits of one entry each).
//!
//! The counted function is `crate_round` (`--toggle-collect`). Like the
//! Linux harness, the "engine" is memory: an interrupt is the channel's done
//! bit set in the status register before `on_interrupt` and cleared after
//! it. Every round must complete with `Status::Done` and the LL page must
//! hold the last chunk's entries (checked after the last round, outside
//! the counted function).

#[allow(dead_code)]
#[path = "../benches/support/workload.rs"]
mod workload;

use std::sync::atomic::{AtomicU32, Ordering};

use edma_core::io::{RegisterIo, SliceLl};
use edma_core::{
    Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat, Status,
};

/// 64 KiB of registers as plain memory (reads see the last write).
struct PlainRegs {
    words: Box<[AtomicU32; 0x4000]>,
}

impl RegisterIo for PlainRegs {
    fn read32(&self, off: usize) -> u32 {
        self.words[(off >> 2) & 0x3fff].load(Ordering::Relaxed)
    }
    fn write32(&self, off: usize, value: u32) {
        self.words[(off >> 2) & 0x3fff].store(value, Ordering::Relaxed)
    }
}

/// The write channel 0's done-interrupt status bit: (register offset, bit)
/// (eDMA: the write int_status at 0x4c; native HDMA: channel 0's int_stat
/// at 0x84).
fn done_bit(map: MapFormat) -> (usize, u32) {
    match map {
        MapFormat::HdmaNative => (0x84, 1),
        _ => (0x4c, 1),
    }
}

const PER_CHUNK: usize = 169;

/// Submits `entries` and answers each chunk's interrupt until the batch
/// completes; returns the completion status.
fn run_one<'c, 'b, L: edma_core::io::LlMemory>(
    ch: &mut Channel<'c, 'b, L>,
    ctrl: &'c Controller<&'c PlainRegs>,
    regs: &PlainRegs,
    (st, bit): (usize, u32),
    entries: &'b [Entry],
) -> Option<Status> {
    ch.submit(ctrl, entries).ok()?;
    loop {
        regs.write32(st, regs.read32(st) | bit);
        let out = ch.on_interrupt(ctrl);
        regs.write32(st, regs.read32(st) & !bit);
        if let Some(c) = out.completion() {
            return Some(c.status);
        }
    }
}

/// One round, out of line so callgrind counts it alone
/// (`--toggle-collect=*crate_round*`).
#[inline(never)]
fn crate_round<'c, 'b, L: edma_core::io::LlMemory>(
    ch: &mut Channel<'c, 'b, L>,
    ctrl: &'c Controller<&'c PlainRegs>,
    regs: &PlainRegs,
    bit: (usize, u32),
    entries: &'b [Entry],
    single: bool,
) -> Option<Status> {
    if !single {
        return run_one(ch, ctrl, regs, bit, entries);
    }
    let mut last = None;
    for e in entries.chunks(1) {
        last = run_one(ch, ctrl, regs, bit, e);
        if last != Some(Status::Done) {
            break;
        }
    }
    last
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (map, n, reps) = workload::args(&args);
    let single = args.get(4).map(String::as_str) == Some("single");
    // The Linux harness's workload: local deployment, write channel 0, the
    // PCI side contiguous from 4 GiB (a scatterlist has one address per
    // entry; the device side advances by each length).
    let mut pci = 0x1_0000_0000u64;
    let entries: Vec<Entry> = workload::batch(n as u64)
        .iter()
        .map(|e| {
            let x = Entry::new(e.src, pci, e.len);
            pci += e.len;
            x
        })
        .collect();
    let regs = PlainRegs {
        words: Box::new([const { AtomicU32::new(0) }; 0x4000]),
    };
    if map != MapFormat::HdmaNative {
        // CTRL: 8 write and 8 read channels.
        regs.write32(0x8, 0x0008_0008);
    }
    let ctrl = Controller::new(&regs, map, Deployment::Local);
    let mut page = vec![0u8; 4096];
    let ll = SliceLl::new(&mut page, 0x8000_0000);
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 0))
        .expect("channel 0");
    let mut ch = Channel::new(claim, ll);
    let bit = done_bit(map);
    for r in 0..reps {
        let status = crate_round(
            &mut ch,
            &ctrl,
            &regs,
            bit,
            std::hint::black_box(&entries),
            single,
        );
        if status != Some(Status::Done) {
            eprintln!("round {r}: {status:?}");
            std::process::exit(1);
        }
    }
    ctrl.release(ch).expect("idle after the last round");
    // The LL page holds the last chunk: its entries' lengths and SARs.
    let first = if single {
        n - 1
    } else {
        (n - 1) / PER_CHUNK * PER_CHUNK
    };
    for (k, e) in entries[first..].iter().enumerate() {
        let slot = &page[k * 24..k * 24 + 24];
        let size = u32::from_le_bytes(slot[4..8].try_into().unwrap());
        let sar = u64::from_le_bytes(slot[8..16].try_into().unwrap());
        if u64::from(size) != e.len || sar != e.src {
            eprintln!("entry {}: LL has size {size} SAR {sar:#x}", first + k);
            std::process::exit(1);
        }
    }
}
