//! Any batch, limits, map, deployment and direction: either a precise error
//! naming a real entry, or the plan runs on the mock and the destination
//! memory equals a plain in-order reference copy, with nothing else touched.
#![no_main]

use arbitrary::Arbitrary;
use edma_backend_mock::{MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::plan::{Entry, Limits};
use edma_core::{ChannelDir, Deployment, MapFormat, Status};
use libfuzzer_sys::fuzz_target;

const MEM: usize = 64 << 10;

#[derive(Debug, Arbitrary)]
struct Input {
    map: MapFormat,
    dep: Deployment,
    dir: ChannelDir,
    ch: u8,
    slots: u8,
    limits: Limits,
    /// (src, dst, len) kept mostly in range so that runs happen.
    entries: Vec<(u16, u16, u16)>,
    wild: Option<(u8, u64, u64, u64)>,
}

fn chan_params(inp: &Input, slots: usize, limits: Limits) -> edma_core::plan::PlanParams {
    edma_core::plan::PlanParams::new(inp.map, inp.dir, inp.dep, slots.saturating_sub(1).max(1))
        .with_limits(limits)
}

fuzz_target!(|inp: Input| {
    let mut cfg = MockConfig::new(inp.map).with_memory(MEM * 2, MEM);
    cfg.ll_bytes_per_channel = 40 * 24;
    let engine = MockEngine::new(cfg);
    let ctrl = Controller::new(&engine, inp.map, inp.dep);
    let ch = inp.ch % 8;
    // Remote interrupts go outside PCI memory, so they do not change it.
    ctrl.configure_remote_interrupt(inp.dir, ch, 1 << 40, 0x55);
    let slots = usize::from(inp.slots % 40);
    let mut batch: Vec<Entry> = inp
        .entries
        .iter()
        .take(64)
        .map(|&(s, d, l)| Entry::new(u64::from(s), u64::from(d), u64::from(l % 2048)))
        .collect();
    if let Some((at, s, d, l)) = inp.wild {
        if !batch.is_empty() {
            let i = usize::from(at) % batch.len();
            batch[i] = Entry::new(s, d, l);
        }
    }
    let mut limits = inp.limits;
    limits.max_chunks = limits.max_chunks.min(10_000);
    limits.max_element_len = limits.max_element_len.max(1).min(1 << 20);
    // Seed memories with a pattern; remember them for the reference.
    engine.with_memory(|local, pci| {
        for (i, b) in local.iter_mut().enumerate() {
            *b = (i * 13 + 1) as u8;
        }
        for (i, b) in pci.iter_mut().enumerate() {
            *b = (i * 7 + 3) as u8;
        }
    });
    let (local0, pci0) = engine.with_memory(|l, p| (l.to_vec(), p.to_vec()));
    // Validation is pure and linear in entries; executing is linear in
    // elements, so keep the run bounded (a caller's max_chunks would).
    if let Ok(s) = edma_core::plan::validate(
        &batch,
        &chan_params(&inp, slots, limits),
        &edma_core::Identity,
    ) {
        if s.elements > 20_000 {
            return;
        }
    }
    let claim = match ctrl.claim(ChannelConfig::new(inp.dir, ch).with_limits(limits)) {
        Ok(c) => c,
        Err(e) => {
            // Only invalid limits are refused here (8 + 8 channels, none claimed).
            assert!(matches!(
                e,
                edma_core::channel::ChannelError::Plan(edma_core::plan::PlanError::InvalidLimits { .. })
            ));
            assert!(limits.check().is_err());
            return;
        }
    };
    let mut chan = Channel::new(claim, engine.ll_region(inp.dir, ch, slots));
    let before = engine.counters();
    let moved0 = before.channel(inp.dir, ch).bytes;
    match chan.submit(&ctrl, &batch) {
        Err(e) => {
            if let edma_core::channel::ChannelError::Plan(p) = e {
                if let Some(i) = p.entry() {
                    assert!(i < batch.len());
                }
            }
            assert_eq!(
                engine.counters(),
                before,
                "rejected batch touched the engine"
            );
            return;
        }
        Ok(_) => {}
    }
    // An entry may land in the LL area of *other* channels (its own is
    // refused by validation): harmless for this batch, but that memory is
    // not compared below.
    let mut done = None;
    for _ in 0..100_000 {
        if let Some(c) = chan.on_interrupt(&ctrl).completion() {
            done = Some(c);
            break;
        }
        if !engine.is_running(inp.dir, ch) && ctrl.pending(inp.dir) == 0 {
            break;
        }
    }
    let done = done.expect("batch neither completed nor aborted");
    // The progress invariant: never more than moved, exact on the mock.
    let moved = engine.counters().channel(inp.dir, ch).bytes - moved0;
    assert!(done.bytes_done <= moved, "progress over-reported: {done:?}, moved {moved}");
    assert_eq!(done.bytes_done, moved, "progress not exact: {done:?}");
    let total = batch.iter().fold(0u64, |a, e| a.wrapping_add(e.len));
    assert_eq!(done.bytes_done.wrapping_add(done.residue), total);
    // Reference: in-order copy; src/dst in different memories.
    let (mut local_ref, mut pci_ref) = (local0, pci0);
    let mut ok = true;
    for e in &batch {
        let (s, d, l) = (e.src as usize, e.dst as usize, e.len as usize);
        let (src, dst) = match inp.dir {
            ChannelDir::Write => (&local_ref, &mut pci_ref),
            ChannelDir::Read => (&pci_ref, &mut local_ref),
        };
        if s + l > src.len() || d + l > dst.len() {
            ok = false;
            break;
        }
        let tmp = src[s..s + l].to_vec();
        dst[d..d + l].copy_from_slice(&tmp);
    }
    if ok {
        assert_eq!(done.status, Status::Done);
        assert_eq!(done.residue, 0);
        let ll_base = engine.ll_base(ChannelDir::Write, 0) as usize;
        engine.with_memory(|l, p| {
            // LL regions live above ll_base; compare everything below it.
            assert!(l[..ll_base] == local_ref[..ll_base], "local memory differs");
            assert!(p[..] == pci_ref[..], "PCI memory differs");
        });
    } else {
        assert!(!done.is_success());
        assert!(done.residue > 0);
    }
});
