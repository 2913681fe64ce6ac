//! Random register writes and reads against the mock, interleaved with a
//! channel driver submitting batches and handling interrupts: no panic, no
//! hang, whatever the registers say.
#![no_main]

use arbitrary::Arbitrary;
use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::io::RegisterIo;
use edma_core::plan::Entry;
use edma_core::{ChannelDir, Deployment, MapFormat};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Op {
    Write { off: u16, val: u32 },
    Read { off: u16 },
    Submit { n: u8 },
    Interrupt,
    Terminate,
    Step { n: u8 },
    Pending,
}

#[derive(Debug, Arbitrary)]
struct Input {
    map: MapFormat,
    dep: Deployment,
    dir: ChannelDir,
    ch: u8,
    manual: bool,
    ops: Vec<Op>,
}

fuzz_target!(|inp: Input| {
    let mut cfg = MockConfig::new(inp.map).with_memory(256 << 10, 256 << 10);
    cfg.ll_bytes_per_channel = 8 * 24;
    if inp.manual {
        cfg = cfg.with_mode(ExecMode::Manual);
    }
    let engine = MockEngine::new(cfg);
    let ctrl = Controller::new(&engine, inp.map, inp.dep);
    let ch = inp.ch % 8;
    let batches: Vec<Vec<Entry>> = (1..=8u64)
        .map(|n| {
            (0..n)
                .map(|i| Entry::new(i * 512, 0x1_0000 + i * 600, 500))
                .collect()
        })
        .collect();
    let mut chan = Channel::new(
        ctrl.claim(ChannelConfig::new(inp.dir, ch)).unwrap(),
        engine.ll_region(inp.dir, ch, 8),
    );
    for op in inp.ops.iter().take(256) {
        match *op {
            // Offsets cover every map (the largest is 0x1200 bytes) and a bit beyond.
            Op::Write { off, val } => engine.write32(usize::from(off) % 0x1400 & !3, val),
            Op::Read { off } => {
                let _ = engine.read32(usize::from(off) % 0x1400 & !3);
            }
            Op::Submit { n } => {
                let _ = chan.submit(&ctrl, &batches[usize::from(n % 8)]);
            }
            Op::Interrupt => {
                let _ = chan.on_interrupt(&ctrl);
            }
            Op::Terminate => {
                let _ = chan.terminate(&ctrl);
            }
            Op::Step { n } => {
                engine.step(inp.dir, ch, u64::from(n));
            }
            Op::Pending => {
                let _ = ctrl.pending(inp.dir);
            }
        }
    }
});
