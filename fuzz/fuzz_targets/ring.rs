//! Ring mode under a fuzzed program and a fuzzed schedule: appends (entries
//! split or not, each notify mode, with or without a doorbell), doorbells,
//! interrupts, polls, terminations and injected faults, with the mock
//! engine's micro-steps interleaved at the points the input chooses. The
//! checks are the ring tests' (`edma-core/tests/support/ring_sim.rs`): every
//! entry reported once and in order, completed entries' bytes verified,
//! never more bytes reported than moved, not-attempted entries untouched,
//! guards intact, no stall with pending work, no lost wakeup.
#![no_main]

#[path = "../../edma-core/tests/support/ring_sim.rs"]
mod ring_sim;

use arbitrary::{Arbitrary, Unstructured};
use edma_backend_mock::{EngineView, Fault};
use edma_core::ring::Notify;
use edma_core::{ChannelDir, Deployment, MapFormat};
use libfuzzer_sys::fuzz_target;
use ring_sim::{Op, Setup};

#[derive(Debug, Arbitrary)]
enum RawOp {
    Append { lens: Vec<u8>, notify: Notify, submit: bool },
    Submit,
    Interrupt,
    Poll,
    Terminate,
    Abort { element: u8, after: u8, read: bool },
    FetchError { after: u8 },
}

#[derive(Debug, Arbitrary)]
struct Input {
    map: MapFormat,
    dep: Deployment,
    dir: ChannelDir,
    slots: u8,
    max_element_len: u8,
    window: u8,
    ops: Vec<RawOp>,
    /// One bit per scheduler question: does the engine take a step now?
    schedule: Vec<u8>,
}

fuzz_target!(|data: &[u8]| {
    let Ok(inp) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let setup = Setup {
        map: inp.map,
        deployment: inp.dep,
        dir: inp.dir,
        slots: 3 + usize::from(inp.slots) % (ring_sim::MAX_SLOTS - 1),
        max_element_len: 1 + u32::from(inp.max_element_len),
        fetch_window_reads: 1 + u32::from(inp.window % 6),
    };
    let ops: Vec<Op> = inp
        .ops
        .iter()
        .take(64)
        .map(|o| match o {
            RawOp::Append { lens, notify, submit } => Op::Append {
                lens: lens.iter().take(6).map(|l| 1 + u32::from(*l) % 128).collect(),
                notify: *notify,
                submit: *submit,
            },
            RawOp::Submit => Op::Submit,
            RawOp::Interrupt => Op::Interrupt,
            RawOp::Poll => Op::Poll,
            RawOp::Terminate => Op::Terminate,
            RawOp::Abort { element, after, read } => Op::Fault(Fault::AbortAt {
                element: u64::from(*element % 16),
                after_bytes: u32::from(*after),
                read: *read,
            }),
            RawOp::FetchError { after } => Op::Fault(Fault::LlFetchError {
                after_elements: u64::from(*after % 16),
            }),
        })
        .collect();
    let bits = inp.schedule;
    let mut at = 0usize;
    let scheduler = Box::new(move |_v: &EngineView<'_>| {
        let bit = bits.get(at / 8).is_some_and(|b| b >> (at % 8) & 1 == 1);
        at += 1;
        bit
    });
    let out = ring_sim::run(&setup, &ops, Some(scheduler));
    assert_eq!(out.completed + out.failed + out.not_attempted, out.appended);
});
