//! Runs validate + encode of one batch `reps` times, for instruction counting
//! under callgrind (`scripts/instructions.sh`). Usage: `plan_cost MAP N REPS`
//! with MAP one of legacy, unroll, compat, native.

use std::hint::black_box;

use edma_core::desc::{Element, SLOT_SIZE};
use edma_core::io::{Identity, LlMemory};
use edma_core::plan::{self, Cursor, Entry, PlanParams};
use edma_core::{ChannelDir, Deployment, MapFormat};

/// One 4 KiB page of LL memory in RAM.
struct PageLl {
    mem: [u8; 4096],
}

impl LlMemory for PageLl {
    fn bus_addr(&self) -> u64 {
        0x8000_0000
    }
    fn capacity(&self) -> usize {
        4096 / SLOT_SIZE
    }
    fn write(&mut self, index: usize, element: &Element) {
        self.mem[index * SLOT_SIZE..][..SLOT_SIZE].copy_from_slice(&element.encode());
    }
}

/// The batch: `n` entries of 64 B..4 KiB at scattered offsets.
pub fn batch(n: usize) -> Vec<Entry> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    (0..n as u64)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Entry::new(
                i * 8192 + (x % 512),
                0x1_0000_0000 + i * 8192,
                64 + x % 4033,
            )
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let map = match args.get(1).map(String::as_str) {
        Some("legacy") => MapFormat::EdmaLegacy,
        Some("compat") => MapFormat::HdmaCompat,
        Some("native") => MapFormat::HdmaNative,
        _ => MapFormat::EdmaUnroll,
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(64);
    let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let entries = batch(n);
    let mut ll = PageLl { mem: [0; 4096] };
    let params = PlanParams::new(
        map,
        ChannelDir::Write,
        Deployment::Remote,
        ll.capacity() - 1,
    );
    for _ in 0..reps {
        let summary = plan::validate(black_box(&entries), &params, &Identity).expect("valid");
        let mut start = Cursor::default();
        for k in 0..summary.chunks {
            let info = plan::encode_chunk(&entries, &params, &Identity, start, k, &mut ll, true);
            start = info.next;
        }
        black_box(&ll.mem);
    }
}
