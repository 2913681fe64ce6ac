//! The plan + encode workload shared by the criterion bench (`plan.rs`) and
//! the instruction-count example (`examples/plan_cost.rs`), so both measure
//! the same thing.

use std::hint::black_box;

use edma_core::io::{AddressTranslate, Identity, LlMemory, OffsetWindow, SliceLl};
use edma_core::plan::{self, CheckedParams, Cursor, Entry, PlanParams};
use edma_core::{ChannelDir, Deployment, MapFormat};

/// `n` entries of 64 B..4 KiB at scattered offsets.
pub(crate) fn batch(n: u64) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            Entry::new(
                i * 8192 + (i * 37) % 512,
                0x1_0000_0000 + i * 8192,
                64 + (i * 997) % 4033,
            )
        })
        .collect()
}

/// Parameters for a 4 KiB LL page (169 data elements per chunk), remote
/// write channel, with the page as the channel's LL region (as a `Channel`
/// sets it: every entry is checked against it), checked once as a
/// `Channel` keeps them between batches.
pub(crate) fn params(map: MapFormat, ll: &SliceLl<'_>) -> CheckedParams {
    PlanParams::new(
        map,
        ChannelDir::Write,
        Deployment::Remote,
        ll.capacity() - 1,
    )
    .with_ll_region(
        ll.bus_addr(),
        (ll.capacity() * edma_core::desc::SLOT_SIZE) as u64,
    )
    .checked()
    .expect("valid parameters")
}

/// A translation window covering every PCI address of [`batch`]: the
/// destinations at 4 GiB.. appear on the bus at 64 GiB...
#[allow(dead_code)]
pub(crate) const WINDOW: OffsetWindow = OffsetWindow {
    cpu_base: 0x1_0000_0000,
    pci_base: 0x10_0000_0000,
    size: 1 << 40,
};

/// Validates `entries` and encodes every chunk in turn into `ll` (identity
/// translation).
pub(crate) fn plan_and_encode(entries: &[Entry], params: &CheckedParams, ll: &mut SliceLl<'_>) {
    plan_and_encode_with(entries, params, &Identity, ll);
}

/// As [`plan_and_encode`], with the PCI side translated by `t`.
pub(crate) fn plan_and_encode_with<T: AddressTranslate>(
    entries: &[Entry],
    params: &CheckedParams,
    t: &T,
    ll: &mut SliceLl<'_>,
) {
    // Everything the channel driver uses is kept (black_box), so the
    // compiler cannot drop work a real submit does: the summary, each
    // chunk's element/byte counts and end flag. As `Channel::submit` does:
    // validate, encode chunk 0 with the summary; the further chunks are
    // encoded as `Channel::on_interrupt` does, in a call of their own.
    let s = plan::validate_checked(black_box(entries), params, t).expect("valid batch");
    let info = plan::encode_chunk_checked(entries, params, t, &s, Cursor::default(), 0, ll, true);
    black_box((
        s.elements,
        s.chunks,
        s.bytes,
        info.elements,
        info.bytes,
        info.last,
    ));
    if s.chunks > 1 {
        later_chunks(entries, params, t, &s, info.next, ll);
    }
    black_box(ll);
}

/// Chunks 1.. of a batch, each encoded when the one before it completes
/// (in the channel: `on_interrupt`, a call of its own).
#[inline(never)]
fn later_chunks<T: AddressTranslate>(
    entries: &[Entry],
    params: &CheckedParams,
    t: &T,
    s: &plan::PlanSummary,
    mut next: Cursor,
    ll: &mut SliceLl<'_>,
) {
    for k in 1..s.chunks {
        let info = plan::encode_chunk_checked(entries, params, t, s, next, k, ll, true);
        black_box((info.elements, info.bytes, info.last));
        next = info.next;
    }
}

/// The cost examples' command line `MAP N REPS` (MAP: legacy, unroll,
/// compat or native; defaults unroll, 64, 1).
#[allow(dead_code)]
pub(crate) fn args(args: &[String]) -> (MapFormat, usize, usize) {
    let map = match args.get(1).map(String::as_str) {
        Some("legacy") => MapFormat::EdmaLegacy,
        Some("compat") => MapFormat::HdmaCompat,
        Some("native") => MapFormat::HdmaNative,
        _ => MapFormat::EdmaUnroll,
    };
    let n = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(64);
    let reps = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    (map, n, reps)
}
