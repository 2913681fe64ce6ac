//! Counters per buffer against the batch size N, measured on the mock:
//! for each N in 1..=4096, N buffers of 256 B move one by one (a batch of
//! one each) and as one batch through a 4 KiB LL page (169 data elements per
//! chunk), EdmaUnroll, local deployment. Every byte is checked against its
//! source and the guard bytes around it. Writes `target/sweep.csv`
//! (`n,method,doorbells,irqs,reg_writes,per_buffer_irqs`), which
//! `scripts/plot.py` draws.
//!
//! ```text
//! cargo run --release -p edma-backend-mock --example sweep
//! ```

use std::fmt::Write as _;

use edma_backend_mock::{MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::plan::Entry;
use edma_core::{ChannelDir, Deployment, MapFormat};

const LEN: u64 = 256;
/// Source and destination strides: 256 B of data, 256 B of guard.
const STRIDE: u64 = 512;
const GUARD: u8 = 0x5a;

fn main() {
    let map = MapFormat::EdmaUnroll;
    let mut csv = String::from("n,method,doorbells,irqs,reg_writes,per_buffer_irqs\n");
    let mut bad = 0;
    for n in [1u64, 4, 16, 64, 256, 1024, 4096] {
        for batched in [false, true] {
            let mem = usize::try_from(n * STRIDE).expect("fits") + (1 << 20);
            let engine = MockEngine::new(MockConfig::new(map).with_memory(mem, mem));
            let entries: Vec<Entry> = (0..n)
                .map(|i| Entry::new(i * STRIDE, i * STRIDE, LEN))
                .collect();
            engine.with_memory(|local, pci| {
                for (i, b) in local.iter_mut().enumerate() {
                    *b = (i % 251) as u8;
                }
                pci.fill(GUARD);
            });
            let ctrl = Controller::new(&engine, map, Deployment::Local);
            let mut idle = Some(Channel::new(
                ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0))
                    .unwrap(),
                engine.ll_region(ChannelDir::Write, 0, 4096 / 24),
            ));
            let groups: Vec<&[Entry]> = if batched {
                vec![&entries[..]]
            } else {
                entries.chunks(1).collect()
            };
            for g in groups {
                let mut ch = idle.take().expect("idle").rebind().expect("idle");
                ch.submit(&ctrl, g).expect("valid batch");
                let done = loop {
                    if let Some(c) = ch.on_interrupt(&ctrl).completion() {
                        break c;
                    }
                };
                assert!(done.is_success(), "N = {n}: {:?}", done.status);
                idle = Some(ch.rebind().expect("idle"));
            }
            let ok = engine.with_memory(|local, pci| {
                entries.iter().all(|e| {
                    let (s, d, l) = (e.src as usize, e.dst as usize, e.len as usize);
                    pci[d..d + l] == local[s..s + l]
                        && pci[d + l..d + STRIDE as usize].iter().all(|b| *b == GUARD)
                })
            });
            bad += usize::from(!ok);
            let k = engine.counters().total();
            let method = if batched { "batched" } else { "one-by-one" };
            let per = k.done_local as f64 / n as f64;
            let _ = writeln!(
                csv,
                "{n},{method},{},{},{},{per}",
                k.doorbells, k.done_local, k.reg_writes
            );
            println!(
                "N = {n:>4} {method:<10} doorbells {:>4} irqs {:>4} reg writes {:>5} irqs/buffer {per:.4} verified {}",
                k.doorbells,
                k.done_local,
                k.reg_writes,
                if ok { "yes" } else { "NO" }
            );
        }
    }
    std::fs::create_dir_all("target").expect("target dir");
    std::fs::write("target/sweep.csv", csv).expect("write target/sweep.csv");
    println!("wrote target/sweep.csv");
    if bad > 0 {
        eprintln!("{bad} runs failed verification");
        std::process::exit(1);
    }
}
