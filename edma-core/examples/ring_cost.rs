//! Runs `reps` rounds of "append N entries to a ring, ring the doorbell,
//! poll them complete" for instruction counting under callgrind
//! (`scripts/instructions.sh --ring`). Usage: `ring_cost MAP N REPS` with
//! MAP one of legacy, unroll, compat, native. The append (validation and
//! encoding) is the out-of-line `append_round`, which the script counts
//! alone with `--toggle-collect`; the doorbell and a `Ring::poll` against
//! a register file that reports the engine past the entries make room for
//! the next round.
//!
//! The register file answers reads from plain memory (no engine), so what is
//! counted is the ring's own work: validation, element encoding into an LL
//! page in RAM (`SliceLl`), the slot records and, with `poll`, retirement.

#[allow(dead_code)]
#[path = "../benches/support/workload.rs"]
mod workload;

use std::sync::atomic::{AtomicU64, Ordering};

use edma_core::io::{RegisterIo, SliceLl};
use edma_core::regs::{self, ChReg};
use edma_core::ring::{Notify, Ring};
use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};

/// Registers that read 0 except CTRL (8 + 8 channels) and LLP, which
/// reads as set.
struct Regs {
    map: MapFormat,
    llp: AtomicU64,
}

impl RegisterIo for Regs {
    fn read32(&self, off: usize) -> u32 {
        let lo = regs::ch_reg_offset(self.map, ChannelDir::Write, 0, ChReg::LlpLo);
        let hi = regs::ch_reg_offset(self.map, ChannelDir::Write, 0, ChReg::LlpHi);
        if Some(off) == lo {
            self.llp.load(Ordering::Relaxed) as u32
        } else if Some(off) == hi {
            (self.llp.load(Ordering::Relaxed) >> 32) as u32
        } else if off == regs::edma_v0::CTRL {
            0x0008_0008
        } else {
            0
        }
    }
    fn write32(&self, _off: usize, _value: u32) {}
}

/// One append, out of line so callgrind can count it alone
/// (`--toggle-collect=*append_round*`).
#[inline(never)]
fn append_round<L: edma_core::io::LlMemory, const N: usize>(
    ring: &mut Ring<'_, L, edma_core::Identity, N>,
    entries: &[edma_core::Entry],
) -> edma_core::ring::Appended {
    ring.append(entries, Notify::End).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (map, n, reps) = workload::args(&args);
    let entries = workload::batch(n as u64);
    let regs = Regs {
        map,
        llp: AtomicU64::new(0),
    };
    let ctrl = Controller::new(&regs, map, Deployment::Local);
    // A 4 KiB LL page: 169 data slots and the link, as the batch path's.
    let mut page = vec![0u8; 4096];
    let bus = 0x8000_0000u64;
    let ll = SliceLl::new(&mut page, bus);
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 0))
        .unwrap();
    let mut ring: Ring<'_, _, _, 169> = Ring::new(&ctrl, claim, ll).map_err(|e| e.0).unwrap();
    let data = 169u64;
    let mut produced = 0u64;
    for _ in 0..reps {
        let a = append_round(&mut ring, std::hint::black_box(&entries));
        ring.submit(&ctrl).unwrap();
        produced += a.elements as u64;
        // The engine is past them: the poll retires the round.
        regs.llp
            .store(bus + 24 * (produced % data), Ordering::Relaxed);
        let c = ring.poll(&ctrl);
        assert_eq!(c.completed, n as u64);
    }
}
