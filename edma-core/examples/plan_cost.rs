//! Runs validate + encode of one batch `reps` times, for instruction counting
//! under callgrind (`scripts/instructions.sh`). Usage: `plan_cost MAP N REPS`
//! with MAP one of legacy, unroll, compat, native.

use std::hint::black_box;

use edma_core::io::{Identity, LlMemory, SliceLl};
use edma_core::plan::{self, Cursor, Entry, PlanParams};
use edma_core::{ChannelDir, Deployment, MapFormat};

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
    let mut page = [0u8; 4096];
    let mut ll = SliceLl::new(&mut page, 0x8000_0000);
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
        black_box(&mut ll);
    }
}
