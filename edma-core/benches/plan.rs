//! Criterion benchmarks: plan + encode time per entry against N for each
//! map, and one-by-one against batched end to end on the mock. Wall time on
//! a shared machine is noisy: compare ratios within one run, and use
//! `scripts/instructions.sh` for counts.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use edma_backend_mock::{MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::io::SliceLl;
use edma_core::plan::Entry;
use edma_core::{ChannelDir, Deployment, MapFormat};

#[path = "support/workload.rs"]
mod workload;

use workload::{batch, params, plan_and_encode};

fn plan_encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("plan_encode");
    for map in MapFormat::ALL {
        for n in [1u64, 4, 16, 64, 256, 1024, 4096] {
            let entries = batch(n);
            let mut page = [0u8; 4096];
            let mut ll = SliceLl::new(&mut page, 0x8000_0000);
            let params = params(map, &ll);
            g.throughput(Throughput::Elements(n));
            g.bench_with_input(BenchmarkId::new(format!("{map:?}"), n), &entries, |b, e| {
                b.iter(|| plan_and_encode(e, &params, &mut ll))
            });
        }
    }
    g.finish();
}

fn one_by_one_vs_batched(c: &mut Criterion) {
    let mut g = c.benchmark_group("end_to_end_64x256B");
    let map = MapFormat::EdmaUnroll;
    let entries: Vec<Entry> = (0..64)
        .map(|i| Entry::new(i * 512, 0x10_0000 + i * 512, 256))
        .collect();
    let engine = MockEngine::new(MockConfig::new(map));
    let ctrl = Controller::new(&engine, map, Deployment::Local);
    g.throughput(Throughput::Elements(64));
    for batched in [false, true] {
        g.bench_function(if batched { "batched" } else { "one_by_one" }, |b| {
            let mut idle = Some(Channel::new(
                ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0))
                    .unwrap(),
                engine.ll_region(ChannelDir::Write, 0, 170),
            ));
            b.iter(|| {
                let groups: Vec<&[Entry]> = if batched {
                    vec![&entries[..]]
                } else {
                    entries.chunks(1).collect()
                };
                for grp in groups {
                    let mut ch = idle.take().unwrap().rebind().unwrap();
                    ch.submit(&ctrl, grp).unwrap();
                    while ch.on_interrupt(&ctrl).completion().is_none() {}
                    idle = Some(ch.rebind().unwrap());
                }
            });
            // Criterion calls this closure more than once: give the channel back.
            if let Some(ch) = idle.take() {
                ctrl.release(ch).unwrap();
            }
        });
    }
    g.finish();
}

criterion_group!(benches, plan_encode, one_by_one_vs_batched);
criterion_main!(benches);
