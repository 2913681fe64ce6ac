//! Reader of the register traces recorded from the unmodified Linux 7.2
//! dw-edma driver (`conformance/traces/*.trace`, format in
//! `conformance/README.md`). Shared by edma-core's conformance test and the
//! mock's replay test.
#![allow(dead_code, unreachable_pub)]

use edma_core::plan::Entry;
use edma_core::{ChannelDir, Deployment, MapFormat};

/// Where an access went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    /// The register block (offset from its base).
    Reg,
    /// The channel's LL region (offset from its start).
    Ll,
}

/// One recorded access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub write: bool,
    pub width: u8,
    pub space: Space,
    pub off: u64,
    pub val: u64,
}

/// A step of the scenario and what the driver did in it.
#[derive(Clone, Debug, Default)]
pub struct Step {
    pub name: String,
    pub accesses: Vec<Access>,
    /// The LL region after the step (slot, 24 bytes).
    pub ll: Vec<(usize, [u8; 24])>,
}

/// A recorded scenario.
#[derive(Clone, Debug)]
pub struct Trace {
    pub file: String,
    pub map: MapFormat,
    pub deployment: Deployment,
    pub dir: ChannelDir,
    pub ch: u8,
    pub slots: usize,
    pub kind: String,
    pub non_ll: bool,
    pub ll_bus: u64,
    pub chunks: u64,
    pub msi: Option<(u64, u16)>,
    pub entries: Vec<Entry>,
    pub steps: Vec<Step>,
    pub result: i32,
}

fn num(s: &str) -> u64 {
    let s = s.trim();
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap(),
    }
}

/// Parses one trace file.
pub fn parse(file: &str, text: &str) -> Trace {
    let mut kv = std::collections::HashMap::new();
    let mut t_entries = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut msi = None;
    let mut result = -1;
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.as_slice() {
            [] => {}
            [c, ..] if c.starts_with('#') => {}
            ["step", name] => steps.push(Step {
                name: name.to_string(),
                ..Step::default()
            }),
            ["entry", s, d, l] => t_entries.push(Entry::new(num(s), num(d), num(l))),
            ["msi", a, d] => msi = Some((num(a), num(d) as u16)),
            ["result", r] => result = r.parse().unwrap(),
            ["ll", slot, hex] => {
                let mut b = [0u8; 24];
                for (i, x) in b.iter_mut().enumerate() {
                    *x = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
                }
                steps
                    .last_mut()
                    .unwrap()
                    .ll
                    .push((slot.parse().unwrap(), b));
            }
            [op, space, off, val]
                if op.len() == 3 && (op.starts_with('r') || op.starts_with('w')) =>
            {
                let space = match *space {
                    "reg" => Space::Reg,
                    "ll" => Space::Ll,
                    other => panic!("{file}: access outside the register block and LL: {other}"),
                };
                steps.last_mut().unwrap().accesses.push(Access {
                    write: op.starts_with('w'),
                    width: op[1..].parse().unwrap(),
                    space,
                    off: num(off),
                    val: num(val),
                });
            }
            ["end"] => {}
            [k, v] => {
                kv.insert(k.to_string(), v.to_string());
            }
            _ => panic!("{file}: unexpected line {line:?}"),
        }
    }
    let get = |k: &str| {
        kv.get(k)
            .unwrap_or_else(|| panic!("{file}: no {k}"))
            .clone()
    };
    Trace {
        file: file.to_string(),
        map: match get("map").as_str() {
            "legacy" => MapFormat::EdmaLegacy,
            "unroll" => MapFormat::EdmaUnroll,
            "compat" => MapFormat::HdmaCompat,
            "native" => MapFormat::HdmaNative,
            m => panic!("{file}: map {m}"),
        },
        deployment: if get("deploy") == "remote" {
            Deployment::Remote
        } else {
            Deployment::Local
        },
        dir: if get("dir") == "write" {
            ChannelDir::Write
        } else {
            ChannelDir::Read
        },
        ch: num(&get("ch")) as u8,
        slots: num(&get("slots")) as usize,
        kind: get("kind"),
        non_ll: get("nonll") == "1",
        ll_bus: num(&get("llbus")),
        chunks: num(&get("chunks")),
        msi,
        entries: t_entries,
        steps,
        result,
    }
}

/// Every committed Linux trace, sorted by file name.
pub fn all() -> Vec<Trace> {
    all_in(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../conformance/traces"
    ))
}

/// Every trace the dw_edma_rs provider recorded of the same scenarios in a
/// Linux 7.3 kernel (linux/run.sh), sorted by file name.
#[allow(dead_code)]
pub fn provider() -> Vec<Trace> {
    all_in(concat!(env!("CARGO_MANIFEST_DIR"), "/../linux/traces"))
}

/// The provider's ring-mode recordings of the same scenarios (no aborts,
/// no non-LL channel), sorted by file name.
#[allow(dead_code)]
pub fn provider_ring() -> Vec<Trace> {
    all_in(concat!(env!("CARGO_MANIFEST_DIR"), "/../linux/traces-ring"))
}

fn all_in(dir: &str) -> Vec<Trace> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "trace"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            parse(&name, &std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

/// The recorded bus addresses (conformance/kunit/rec_core_test.c): local
/// memory at 64 GiB, PCI memory at 8 GiB; every buffer within 1 MiB.
pub const LOCAL_BASE: u64 = 0x10_0000_0000;
pub const PCI_BASE: u64 = 0x2_0000_0000;
pub const MEM_SIZE: usize = 1 << 20;

/// Literal register offsets (recordings; Linux's dw-edma-v0-regs.h and
/// dw-hdma-v0-regs.h) of one channel.
pub struct Lit {
    pub status: u64,
    pub size: u64,
    pub sar: u64,
    pub dar: u64,
    pub llp: u64,
    pub int_status: u64,
    pub doorbell: u64,
    pub viewport: Option<u64>,
}

pub fn lit(map: MapFormat, dir: ChannelDir, ch: u8) -> Lit {
    let ch = u64::from(ch);
    let rd = dir == ChannelDir::Read;
    match map {
        MapFormat::HdmaNative => {
            let b = ch * 0x200 + if rd { 0x100 } else { 0 };
            Lit {
                status: b + 0x80,
                size: b + 0x1c,
                sar: b + 0x20,
                dar: b + 0x28,
                llp: b + 0x10,
                int_status: b + 0x84,
                doorbell: b + 0x4,
                viewport: None,
            }
        }
        _ => {
            let (b, viewport) = if map == MapFormat::EdmaLegacy {
                (0x100, Some(0xfc))
            } else {
                (0x200 + ch * 0x200 + if rd { 0x100 } else { 0 }, None)
            };
            Lit {
                status: b,
                size: b + 0x8,
                sar: b + 0xc,
                dar: b + 0x14,
                llp: b + 0x1c,
                int_status: if rd { 0xa0 } else { 0x4c },
                doorbell: if rd { 0x30 } else { 0x10 },
                viewport,
            }
        }
    }
}

/// The value of CTRL (0x8) Linux read at probe: the recording harness's
/// preset of the register file (eDMA maps; `None` on HDMA).
pub fn preset_ctrl(t: &Trace) -> Option<u32> {
    t.steps
        .first()?
        .accesses
        .iter()
        .find(|a| !a.write && a.space == Space::Reg && a.off == 0x8)
        .map(|a| a.val as u32)
}
