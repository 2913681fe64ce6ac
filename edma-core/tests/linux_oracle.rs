//! The strict Linux oracle: our driver against the register traces of the
//! unmodified Linux 7.2 dw-edma driver (`conformance/traces/`), access by
//! access. For every step of every scenario, **every** access our driver
//! makes — register and LL, read and write, with its width, offset and
//! value, in order — must equal Linux's recorded sequence after the
//! deliberate differences are applied to it, each an explicit edit at a
//! stated position ([`DIFFERENCES`], also `conformance/README.md`). The LL
//! region after each step must equal Linux's image byte for byte (D8 edited
//! in). Remote LL regions are written through the stores the MMIO backend
//! issues (`edma_backend_mmio::slot_stores`, its read-back on `sync`), so
//! their order, widths and the read-back's position are compared too. Every
//! scenario runs twice: with the identity translation, and with the PCI
//! side of every entry given as a CPU address behind an `OffsetWindow`
//! (the registers and LL must not change).
//!
//! Offsets are literal numbers from the recordings and Linux's register
//! headers, never `edma_core::regs`.

#[path = "support/traces.rs"]
mod traces;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Mutex;

use edma_backend_mmio::{Store, slot_stores};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::desc::Element;
use edma_core::io::{AddressTranslate, Identity, LlMemory, OffsetWindow, RegisterIo};
use edma_core::{ChannelDir, Deployment, Entry, MapFormat};
use traces::{Access, Space, Step, Trace, lit};

/// The access log shared by the register file and the LL region, so their
/// interleaving is recorded.
#[derive(Default)]
struct Log(Mutex<Vec<Access>>);

impl Log {
    fn push(&self, write: bool, width: u8, space: Space, off: u64, val: u64) {
        self.0.lock().unwrap().push(Access {
            write,
            width,
            space,
            off,
            val,
        });
    }
    fn take(&self) -> Vec<Access> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A register file of plain memory, preset and poked as the recording
/// harness did.
struct Regs<'l> {
    mem: Mutex<BTreeMap<usize, u32>>,
    log: &'l Log,
}

impl RegisterIo for Regs<'_> {
    fn read32(&self, offset: usize) -> u32 {
        let v = *self.mem.lock().unwrap().get(&offset).unwrap_or(&0);
        self.log
            .push(false, 32, Space::Reg, offset as u64, u64::from(v));
        v
    }
    fn write32(&self, offset: usize, value: u32) {
        self.log
            .push(true, 32, Space::Reg, offset as u64, u64::from(value));
        self.mem.lock().unwrap().insert(offset, value);
    }
}

impl Regs<'_> {
    fn poke(&self, off: u64, f: impl FnOnce(u32) -> u32) {
        let mut m = self.mem.lock().unwrap();
        let v = f(*m.get(&(off as usize)).unwrap_or(&0));
        m.insert(off as usize, v);
    }
}

/// The LL region: zeroed memory (as Linux's kzalloc'd region). In remote
/// deployment it is device memory behind a BAR, written with the MMIO
/// backend's stores (logged); locally plain memory (not logged, as Linux's
/// plain stores are not).
struct Ll<'l> {
    bus: u64,
    slots: RefCell<Vec<[u8; 24]>>,
    log: &'l Log,
    device: bool,
}

impl LlMemory for &Ll<'_> {
    fn bus_addr(&self) -> u64 {
        self.bus
    }
    fn capacity(&self) -> usize {
        self.slots.borrow().len()
    }
    fn write(&mut self, index: usize, element: &Element) {
        let base = (index * 24) as u64;
        if self.device {
            for s in slot_stores(element, true) {
                match s {
                    Store::U64 { offset, value } => {
                        self.log
                            .push(true, 64, Space::Ll, base + offset as u64, value)
                    }
                    Store::U32 { offset, value } => {
                        self.log
                            .push(true, 32, Space::Ll, base + offset as u64, u64::from(value))
                    }
                    Store::Fence => {}
                }
            }
        }
        self.slots.borrow_mut()[index] = element.encode();
    }
    fn sync(&mut self) {
        if self.device {
            let w = u32::from_le_bytes(self.slots.borrow()[0][..4].try_into().unwrap());
            self.log.push(false, 32, Space::Ll, 0, u64::from(w));
        }
    }
}

fn fmt(a: &Access) -> String {
    format!(
        "{}{} {} {:#x} {:#x}",
        if a.write { 'w' } else { 'r' },
        a.width,
        if a.space == Space::Reg { "reg" } else { "ll" },
        a.off,
        a.val
    )
}

/// Asserts two access sequences equal, showing where they part.
fn same(ctx: &str, got: &[Access], want: &[Access]) {
    if got == want {
        return;
    }
    let at = got
        .iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    let show = |v: &[Access]| {
        v.iter()
            .enumerate()
            .skip(at.saturating_sub(3))
            .take(8)
            .map(|(i, a)| format!("  {i:3} {}", fmt(a)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    panic!(
        "{ctx}: accesses differ at {at} (ours {} accesses, expected {}):\nours:\n{}\nexpected:\n{}",
        got.len(),
        want.len(),
        show(got),
        show(want)
    );
}

fn dump(ctx: &str, v: &[Access]) {
    if std::env::var("ORACLE_DUMP").is_ok() {
        eprintln!("--- {ctx}");
        for a in v {
            eprintln!("  {}", fmt(a));
        }
    }
}

/// Runs one scenario with translation `t` (entries given as `entries`) and
/// returns our accesses and LL image per step.
fn ours<T: AddressTranslate + Copy>(
    t: &Trace,
    translate: T,
    entries: &[Entry],
) -> Vec<(Vec<Access>, Vec<[u8; 24]>)> {
    let log = Log::default();
    let regs = Regs {
        mem: Mutex::new(BTreeMap::new()),
        log: &log,
    };
    if let Some(v) = traces::preset_ctrl(t) {
        regs.poke(0x8, |_| v);
    }
    let ll = Ll {
        bus: t.ll_bus,
        slots: RefCell::new(vec![[0u8; 24]; t.slots]),
        log: &log,
        device: t.deployment == Deployment::Remote,
    };
    let ctrl = Controller::new(&regs, t.map, t.deployment);
    let claim = || ctrl.claim(ChannelConfig::new(t.dir, t.ch)).unwrap();
    let mut ch = None;
    let mut nonll = None;
    let l = lit(t.map, t.dir, t.ch);
    let mut out = Vec::new();
    for step in &t.steps {
        match step.name.as_str() {
            "probe" => {
                ctrl.channel_counts();
                ctrl.off();
            }
            "msi" => {
                let (addr, data) = t.msi.expect("msi line");
                ctrl.configure_remote_interrupt(t.dir, t.ch, addr, data);
            }
            "get" if t.non_ll => {
                nonll = Some(
                    Channel::non_ll(claim())
                        .with_translation(translate)
                        .unwrap_or_else(|_| unreachable!()),
                );
            }
            "get" => {
                ch = Some(
                    Channel::new(claim(), &ll)
                        .with_translation(translate)
                        .unwrap_or_else(|_| unreachable!()),
                );
            }
            "issue" => {
                let r = match (&mut ch, &mut nonll) {
                    (Some(c), _) => c.submit(&ctrl, entries),
                    (_, Some(c)) => c.submit(&ctrl, entries),
                    _ => unreachable!(),
                };
                r.unwrap_or_else(|e| panic!("{}: {e}", t.file));
            }
            "irq-done" | "irq-abort" => {
                let abort = step.name == "irq-abort";
                let bit = int_bit(t, abort);
                regs.poke(l.int_status, |v| v | bit);
                let _ = match (&mut ch, &mut nonll) {
                    (Some(c), _) => c.on_interrupt(&ctrl),
                    (_, Some(c)) => c.on_interrupt(&ctrl),
                    _ => unreachable!(),
                };
                regs.poke(l.int_status, |v| v & !bit);
            }
            "terminate" => {
                let c = ch.as_mut().unwrap();
                assert!(c.terminate(&ctrl).completion().is_some(), "{}", t.file);
            }
            "remove" => ctrl.off(),
            _ => {}
        }
        out.push((log.take(), ll.slots.borrow().clone()));
    }
    out
}

/// The status bit the recording harness stored before calling the handler.
fn int_bit(t: &Trace, abort: bool) -> u32 {
    if t.map == MapFormat::HdmaNative {
        if abort { 1 << 2 } else { 1 }
    } else if abort {
        1 << (16 + t.ch)
    } else {
        1 << t.ch
    }
}

#[test]
fn dump_for_development() {
    if std::env::var("ORACLE_DUMP").is_err() {
        return;
    }
    let want = std::env::var("ORACLE_DUMP").unwrap();
    for t in traces::all().iter().filter(|t| t.file.contains(&want)) {
        let got = ours(t, Identity, &t.entries);
        for (step, (acc, _)) in t.steps.iter().zip(&got) {
            if *acc == step.accesses {
                continue;
            }
            dump(&format!("{} {} LINUX", t.file, step.name), &step.accesses);
            dump(&format!("{} {} OURS", t.file, step.name), acc);
        }
    }
}

/// A read of register `off` with value `val`; on the legacy map preceded by
/// the viewport select of the channel (D9).
fn read_reg(t: &Trace, off: u64, val: u64) -> Vec<Access> {
    let mut v = Vec::new();
    if let Some(vp) = lit(t.map, t.dir, t.ch).viewport {
        let sel = (if t.dir == ChannelDir::Read {
            0x8000_0000
        } else {
            0
        }) | u64::from(t.ch);
        v.push(Access {
            write: true,
            width: 32,
            space: Space::Reg,
            off: vp,
            val: sel,
        });
    }
    v.push(Access {
        write: false,
        width: 32,
        space: Space::Reg,
        off,
        val,
    });
    v
}

fn is_reg_read(a: &Access, off: u64) -> bool {
    !a.write && a.space == Space::Reg && a.off == off
}

/// D8 + D11: Linux's stores into a remote LL region, slot by slot, as the
/// MMIO backend stores the same elements (SAR and DAR, then the control
/// word and size as one 64-bit store; a link as its whole slot with the
/// reserved words 0).
fn ll_stores_as_ours(linux: &[Access]) -> Vec<Access> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < linux.len() {
        let a = linux[i];
        if !(a.write && a.space == Space::Ll) {
            out.push(a);
            i += 1;
            continue;
        }
        // Every Linux store into this slot, in a row.
        let slot = a.off / 24;
        let mut bytes = [0u8; 24];
        while i < linux.len()
            && linux[i].write
            && linux[i].space == Space::Ll
            && linux[i].off / 24 == slot
        {
            let s = linux[i];
            let o = (s.off % 24) as usize;
            let n = usize::from(s.width / 8);
            bytes[o..o + n].copy_from_slice(&s.val.to_le_bytes()[..n]);
            i += 1;
        }
        let el = Element::decode(&bytes);
        for s in slot_stores(&el, true) {
            match s {
                Store::U64 { offset, value } => out.push(Access {
                    write: true,
                    width: 64,
                    space: Space::Ll,
                    off: slot * 24 + offset as u64,
                    val: value,
                }),
                Store::U32 { offset, value } => out.push(Access {
                    write: true,
                    width: 32,
                    space: Space::Ll,
                    off: slot * 24 + offset as u64,
                    val: u64::from(value),
                }),
                Store::Fence => {}
            }
        }
    }
    out
}

/// The deliberate differences, in one place: (id, what, where, why). Each
/// is an edit of Linux's recorded sequence at the position given, applied
/// by [`expected`]; nothing else may differ.
pub const DIFFERENCES: &[(&str, &str, &str, &str)] = &[
    (
        "D1",
        "probe: Linux programs the remote-interrupt (IMWr/MSI) registers of every channel",
        "probe: everything after Linux's interrupt-and-engine-off writes (the 6th write on eDMA maps, the 48th on HDMA) is not ours",
        "we program them only through Controller::configure_remote_interrupt, for the channels that need them; a remote batch without one is refused",
    ),
    (
        "D2",
        "probe: Linux reads CTRL once per direction",
        "probe: Linux's second read of CTRL (0x8) is not ours",
        "Controller::channel_counts reads it once for both",
    ),
    (
        "D3",
        "first LL batch of a channel: we read transfer_size, SAR and DAR once",
        "issue: the first five accesses (size, SAR low, SAR high, DAR low, DAR high)",
        "progress must not take a stale partial count left by an earlier batch for the first element's (a fetch error leaves the registers untouched)",
    ),
    (
        "D4",
        "done interrupt: we read the channel status (eDMA CH_CONTROL1, HDMA ch_stat) once, up to 64 times while it says running",
        "irq-done: right after the read of our interrupt status (not after a terminate completed the batch)",
        "a done status while the engine still runs is not a completion (spurious status)",
    ),
    (
        "D5",
        "interrupt: Linux reads the eDMA int_status twice (done, then abort) and every HDMA channel's int_stat of the direction",
        "irq steps: only the first read of our own channel's status is ours; Linux's later reads of it and its reads of other channels' are not",
        "Channel::on_interrupt reads its own channel's status once; Controller::pending routes",
    ),
    (
        "D6",
        "abort and terminate: we read LLP, transfer_size, SAR and DAR",
        "irq-abort: after the status is cleared; terminate: after the interrupt status read of D7 (LLP low, high, size, SAR low, high, DAR low, high)",
        "to report the failing entry and the exact residue (Linux reports none)",
    ),
    (
        "D7",
        "terminate: we request a stop through the doorbell and complete at once when the engine has stopped",
        "terminate: the stop request before Linux's status read, our interrupt status read right after it; the next done interrupt is only read and cleared",
        "Linux waits for the running chunk's done interrupt without stopping the engine",
    ),
    (
        "D8",
        "LL link element: we write the whole 24-byte slot (reserved words 0)",
        "every link slot: bytes 4..8 and 16..24 are 0 in ours, stale in Linux's image",
        "Linux writes control and pointer only and leaves the reserved word stale",
    ),
    (
        "D9",
        "legacy map: each read of ours that Linux does not make is preceded by a viewport select",
        "before every D3, D4 and D6 read of a channel register (not before global registers such as int_status)",
        "the viewport selects the channel for every channel-register access",
    ),
    (
        "D10",
        "HDMA non-LL: Linux writes ch_en before every element and sets the stop/abort *mask* bits in int_setup",
        "ch_en, int_setup and control1 only in the issue step; int_setup written 0x50 (Linux 0x55)",
        "we enable the channel once and unmask stop/abort, so the element's completion interrupts (replayed into the mock, Linux's value raises no local interrupt: linux_replay.rs)",
    ),
    (
        "D12",
        "claim: Controller::claim reads CTRL (eDMA maps) to check that the channel exists",
        "get: the step's only access, a read of CTRL (0x8); the provider's P1 is the same",
        "a channel the engine does not have is refused when it is claimed; dw-edma sets every channel up from the counts it read at probe",
    ),
    (
        "D11",
        "remote LL region: per slot we store SAR and DAR, then control word and size as one 64-bit store; Linux stores control, size, SAR, DAR",
        "every slot Linux stores into, in Linux's slot order; the read-back of slot 0 where Linux has it (before the doorbell)",
        "the control word carries the cycle bit: written last (behind a barrier) the engine never fetches a half-written element, which a ring appending behind a running engine needs",
    ),
];

#[test]
fn differences_are_listed_once_with_their_position() {
    let mut ids: Vec<_> = DIFFERENCES.iter().map(|d| d.0).collect();
    ids.dedup();
    assert_eq!(ids.len(), DIFFERENCES.len());
    let readme = include_str!("../../conformance/README.md");
    for (id, what, at, _) in DIFFERENCES {
        assert!(
            readme.contains(&format!("| {id} | {what} | {at} |")),
            "{id} in conformance/README.md"
        );
    }
}

/// D10 (HDMA non-LL): Linux writes ch_en before every element and then
/// read-modify-writes int_setup (stop/abort masks set) and control1 after
/// every element's registers; we enable the channel and set up its
/// interrupts (unmasked) for the first element only. Applied to a step's
/// sequence: the element registers (SAR, DAR, size) and the doorbell stay
/// in place; ch_en stays only in the issue step; int_setup's written value
/// is ours (0x50: stop and abort unmasked, local enables) and int_setup and
/// control1 are only programmed in the issue step.
fn nonll_edits(t: &Trace, v: &mut Vec<Access>) {
    let base = u64::from(t.ch) * 0x200 + if t.dir == ChannelDir::Read { 0x100 } else { 0 };
    let (ch_en, int_setup, control1) = (base, base + 0x88, base + 0x34);
    let issue = v
        .iter()
        .all(|a| a.space != Space::Reg || a.off % 0x100 != 0x84);
    v.retain(|a| issue || ![ch_en, int_setup, control1].contains(&a.off));
    for a in v.iter_mut() {
        if a.write && a.off == int_setup {
            a.val = (a.val & !0x5) | 0x50;
        }
    }
}

/// Register values as the plain register file holds them: the preset and
/// every write of the expected sequence so far.
#[derive(Default)]
struct Model(BTreeMap<u64, u64>);

impl Model {
    fn apply(&mut self, v: &[Access]) {
        for a in v.iter().filter(|a| a.write && a.space == Space::Reg) {
            self.0.insert(a.off, a.val);
        }
    }
    fn get(&self, off: u64) -> u64 {
        *self.0.get(&off).unwrap_or(&0)
    }
}

/// What our driver must do in `step`: Linux's accesses with the listed
/// differences applied, each at its position.
fn expected(t: &Trace, step: &Step, terminated: bool, m: &Model) -> Vec<Access> {
    let l = lit(t.map, t.dir, t.ch);
    let mut v = step.accesses.clone();
    let progress = |m: &Model| -> Vec<Access> {
        [l.llp, l.llp + 4, l.size, l.sar, l.sar + 4, l.dar, l.dar + 4]
            .iter()
            .flat_map(|&o| read_reg(t, o, m.get(o)))
            .collect()
    };
    match step.name.as_str() {
        "get" if t.map != MapFormat::HdmaNative => {
            // D12: claiming reads CTRL.
            v.insert(
                0,
                Access {
                    write: false,
                    width: 32,
                    space: Space::Reg,
                    off: 0x8,
                    val: m.get(0x8),
                },
            );
        }
        "probe" => {
            // D2: CTRL (0x8) is read once, at the start.
            if let Some(i) = v
                .iter()
                .enumerate()
                .filter(|(_, a)| is_reg_read(a, 0x8))
                .nth(1)
                .map(|(i, _)| i)
            {
                v.remove(i);
            }
            // D1: Linux's probe ends with the IMWr/MSI setup of every
            // channel, after its interrupt-and-engine-off writes (6 on eDMA
            // maps, 48 on HDMA); ours ends there.
            let keep = if t.map == MapFormat::HdmaNative {
                48
            } else {
                6
            };
            let end = v
                .iter()
                .enumerate()
                .filter(|(_, a)| a.write)
                .nth(keep - 1)
                .map_or(v.len(), |(i, _)| i + 1);
            v.truncate(end);
        }
        "issue" if t.non_ll => {
            nonll_edits(t, &mut v);
        }
        "irq-done" if t.non_ll => {
            // D5 and D4 as for LL mode, then D10.
            let own = l.int_status;
            v.retain(|a| {
                !(a.space == Space::Reg && !a.write && a.off % 0x100 == 0x84 && a.off != own)
            });
            let first = v.iter().position(|a| is_reg_read(a, own)).unwrap_or(0);
            v.splice(first + 1..first + 1, read_reg(t, l.status, m.get(l.status)));
            nonll_edits(t, &mut v);
        }
        "issue" => {
            // D3: before anything else, the element registers as the channel
            // left them (first batch).
            let mut pre: Vec<Access> = [l.size, l.sar, l.sar + 4, l.dar, l.dar + 4]
                .iter()
                .flat_map(|&o| read_reg(t, o, m.get(o)))
                .collect();
            pre.append(&mut v);
            v = pre;
        }
        "irq-done" | "irq-abort" => {
            let abort = step.name == "irq-abort";
            // D5: our own channel's interrupt status, read once; Linux's
            // reads of the other HDMA channels' int_stat, and its second
            // eDMA int_status read (the abort check, the step's last
            // access), are not ours.
            let own = l.int_status;
            if t.map == MapFormat::HdmaNative {
                v.retain(|a| {
                    !(a.space == Space::Reg && !a.write && a.off % 0x100 == 0x84 && a.off != own)
                });
            }
            let first = v.iter().position(|a| is_reg_read(a, own)).unwrap_or(0);
            let mut k = 0;
            v.retain(|a| {
                k += 1;
                k - 1 <= first || !is_reg_read(a, own)
            });
            if abort {
                // D6: after the status is cleared, where the engine stopped,
                // to name the failing entry and its residue.
                let at = v
                    .iter()
                    .skip(first)
                    .position(|a| a.write)
                    .map_or(v.len(), |i| first + i + 1);
                v.splice(at..at, progress(m));
            } else if !terminated {
                // D4: the channel status right after the interrupt status
                // (D7: not once a terminate completed the batch: the
                // interrupt that follows finds none and is only cleared).
                v.splice(first + 1..first + 1, read_reg(t, l.status, m.get(l.status)));
            }
        }
        "terminate" => {
            // D7: a stop request through the doorbell, before Linux's status
            // read; after it, the interrupt status (the engine has stopped:
            // complete now).
            let stop = if t.map == MapFormat::HdmaNative {
                0x2
            } else {
                0x8000_0000 | u64::from(t.ch)
            };
            let mut at = v.iter().position(|a| is_reg_read(a, l.status)).unwrap_or(0);
            if at > 0
                && l.viewport
                    .is_some_and(|vp| v[at - 1].write && v[at - 1].off == vp)
            {
                at -= 1; // before the read's viewport select
            }
            v.insert(
                at,
                Access {
                    write: true,
                    width: 32,
                    space: Space::Reg,
                    off: l.doorbell,
                    val: stop,
                },
            );
            let after = v
                .iter()
                .position(|a| is_reg_read(a, l.status))
                .map_or(v.len(), |i| i + 1);
            // (a global register on eDMA maps: no viewport select)
            let mut ins = vec![Access {
                write: false,
                width: 32,
                space: Space::Reg,
                off: l.int_status,
                val: m.get(l.int_status),
            }];
            // D6: where the engine stopped, for the first incomplete entry.
            ins.extend(progress(m));
            v.splice(after..after, ins);
        }
        _ => {}
    }
    if t.deployment == Deployment::Remote {
        v = ll_stores_as_ours(&v);
    }
    v
}

fn check(t: &Trace, translate: bool) {
    let got = if translate {
        // The PCI side of every entry as a CPU address behind a window.
        let w = OffsetWindow {
            cpu_base: 0x8000_0000,
            pci_base: 0x2_0000_0000,
            size: 0x1000_0000,
        };
        let entries: Vec<Entry> = t
            .entries
            .iter()
            .map(|e| {
                let cpu = |p: u64| p - w.pci_base + w.cpu_base;
                match t.dir {
                    ChannelDir::Write => Entry::new(e.src, cpu(e.dst), e.len),
                    ChannelDir::Read => Entry::new(cpu(e.src), e.dst, e.len),
                }
            })
            .collect();
        ours(t, w, &entries)
    } else {
        ours(t, Identity, &t.entries)
    };
    let mut m = Model::default();
    if let Some(v) = traces::preset_ctrl(t) {
        m.0.insert(0x8, u64::from(v));
    }
    let mut terminated = false;
    for (step, (acc, image)) in t.steps.iter().zip(&got) {
        let want = expected(t, step, terminated, &m);
        let ctx = format!(
            "{}{} step {}",
            t.file,
            if translate { " (window)" } else { "" },
            step.name
        );
        same(&ctx, acc, &want);
        m.apply(&want);
        terminated |= step.name == "terminate";
        // The LL region after the step, every slot Linux's (D8: a link's
        // reserved words are 0 in ours, stale in Linux's).
        for &(slot, bytes) in &step.ll {
            let mut want = bytes;
            if u32::from_le_bytes(bytes[..4].try_into().unwrap()) & 0x4 != 0 {
                want[4..8].fill(0);
                want[16..24].fill(0);
            }
            assert_eq!(image[slot], want, "{ctx}: LL slot {slot}");
        }
    }
}

#[test]
fn driver_matches_linux_access_for_access() {
    let all = traces::all();
    assert_eq!(all.len(), 41);
    // Under Miri a sample (one scenario in ten): safe code, slow there.
    let step = if cfg!(miri) { 10 } else { 1 };
    for t in all.iter().step_by(step) {
        check(t, false);
        check(t, true);
    }
}

/// The provider's own differences, as edits of the driver's expected
/// sequence: (id, where). The what and why are in `linux_traces.rs`
/// (`PROVIDER_DIFFERENCES`) and conformance/README.md.
pub const PROVIDER_EDITS: &[(&str, &str)] = &[
    (
        "P1",
        "get: a read of CTRL (0x8) on eDMA maps, the step's only access (D12)",
    ),
    (
        "P2",
        "irq steps: first, the pending status of both directions (eDMA: int_status of write then read; HDMA: every channel's int_stat, write channels 0-7 then read channels 0-7)",
    ),
    (
        "P3",
        "terminate: the same accesses; only the client's result differs",
    ),
    (
        "P4",
        "remote scenarios: no LL accesses (the KUnit harness gives the provider kernel memory as the LL region; its bytes are compared as images)",
    ),
];

/// The provider's recording of `t`'s scenario (Linux-compatible mode) must
/// be our driver's expected sequence with P1, P2 and P4 applied.
fn check_provider(t: &Trace, p: &Trace) {
    assert_eq!(t.file, p.file);
    let mut m = Model::default();
    if let Some(v) = traces::preset_ctrl(t) {
        m.0.insert(0x8, u64::from(v));
    }
    let l = lit(t.map, t.dir, t.ch);
    let mut terminated = false;
    for (step, mine) in t.steps.iter().zip(&p.steps) {
        assert_eq!(step.name, mine.name, "{}", t.file);
        let mut want: Vec<Access> = expected(t, step, terminated, &m)
            .into_iter()
            .filter(|a| a.space == Space::Reg)
            .collect();
        let read = |off: u64, val: u64| Access {
            write: false,
            width: 32,
            space: Space::Reg,
            off,
            val,
        };
        match step.name.as_str() {
            "irq-done" | "irq-abort" => {
                let bit = u64::from(int_bit(t, step.name == "irq-abort"));
                let pending: Vec<Access> = if t.map == MapFormat::HdmaNative {
                    (0..16u64)
                        .map(|i| {
                            let off = (i % 8) * 0x200 + (i / 8) * 0x100 + 0x84;
                            read(off, if off == l.int_status { bit } else { 0 })
                        })
                        .collect()
                } else {
                    [0x4c, 0xa0]
                        .iter()
                        .map(|&off| read(off, if off == l.int_status { bit } else { 0 }))
                        .collect()
                };
                want.splice(0..0, pending);
            }
            _ => {}
        }
        let ctx = format!("{} (provider) step {}", t.file, step.name);
        let got: Vec<Access> = mine
            .accesses
            .iter()
            .copied()
            .filter(|a| a.space == Space::Reg)
            .collect();
        assert!(
            mine.accesses.iter().all(|a| a.space == Space::Reg),
            "{ctx}: P4: no LL accesses"
        );
        same(&ctx, &got, &want);
        m.apply(&expected(t, step, terminated, &m));
        terminated |= step.name == "terminate";
    }
}

#[test]
#[cfg_attr(miri, ignore = "77 trace files: nothing unsafe for Miri")]
fn provider_matches_linux_access_for_access() {
    let linux = traces::all();
    let ours = traces::provider();
    assert_eq!(ours.len(), linux.len());
    for (t, p) in linux.iter().zip(&ours) {
        check_provider(t, p);
    }
}
