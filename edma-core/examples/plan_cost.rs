//! Runs validate + encode of one batch `reps` times, for instruction counting
//! under callgrind (`scripts/instructions.sh`). Usage: `plan_cost MAP N REPS
//! [window]` with MAP one of legacy, unroll, compat, native; `window`
//! translates the PCI side through an `OffsetWindow` instead of the identity.

#[path = "../benches/support/workload.rs"]
mod workload;

use edma_core::io::SliceLl;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (map, n, reps) = workload::args(&args);
    let entries = workload::batch(n as u64);
    let mut page = [0u8; 4096];
    let mut ll = SliceLl::new(&mut page, 0x8000_0000);
    let params = workload::params(map, &ll);
    let window = args.get(4).map(String::as_str) == Some("window");
    for _ in 0..reps {
        if window {
            workload::plan_and_encode_with(&entries, &params, &workload::WINDOW, &mut ll);
        } else {
            workload::plan_and_encode(&entries, &params, &mut ll);
        }
    }
}
