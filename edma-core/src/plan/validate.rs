//! Validation: every entry checked up front (a fast yes/no per entry, the
//! exact error worked out again out of line), and what the batch costs.

use super::checked::CheckedParams;
use super::*;

/// Whether `[addr, addr + len)` (`len >= 1`) lies inside the
/// `addr_bits`-wide bus: its last byte at or below `2^addr_bits - 1`.
pub(super) fn range_ok(addr: u64, len: u64, addr_bits: u8) -> bool {
    match addr.checked_add(len - 1) {
        None => false,
        Some(last) => last <= addr_last(addr_bits),
    }
}

/// The LL region as (first, last) bus address, `(u64::MAX, 0)` for none:
/// with that value the overlap test below is false for every entry (an
/// entry would have to start at 0 and end at `u64::MAX`, i.e. be 2^64
/// bytes long).
#[inline]
pub(super) fn ll_bounds((bus, len): (u64, u64)) -> (u64, u64) {
    if len == 0 {
        (u64::MAX, 0)
    } else {
        (bus, bus.saturating_add(len - 1))
    }
}

/// Whether `[local, local + last]` overlaps the LL bounds (branch-free:
/// `validate`'s hot loop).
#[inline]
pub(super) fn overlaps_bounds(local: u64, last: u64, (first, ll_last): (u64, u64)) -> bool {
    (local <= ll_last) & (first <= local.wrapping_add(last))
}

/// Checks one entry; on success returns its translated (SAR, DAR).
pub(super) fn check_entry<T: AddressTranslate + ?Sized>(
    i: usize,
    e: &Entry,
    p: &PlanParams,
    t: &T,
) -> Result<(u64, u64), PlanError> {
    if e.len == 0 {
        return Err(PlanError::ZeroLength { entry: i });
    }
    let last = e.len - 1;
    let (pci, pci_is_src) = match p.dir {
        ChannelDir::Write => (e.dst, false),
        ChannelDir::Read => (e.src, true),
    };
    // The untranslated PCI-side address must itself be a sane range.
    if pci.checked_add(last).is_none() {
        return Err(if pci_is_src {
            PlanError::SourceOutOfRange { entry: i }
        } else {
            PlanError::DestinationOutOfRange { entry: i }
        });
    }
    // The whole PCI range must translate contiguously.
    let pci_start = t
        .to_pci_range(pci, e.len)
        .ok_or(PlanError::NoPciAddress { entry: i })?;
    let (sar, dar) = if pci_is_src {
        (pci_start, e.dst)
    } else {
        (e.src, pci_start)
    };
    if !range_ok(sar, e.len, p.limits.addr_bits) {
        return Err(PlanError::SourceOutOfRange { entry: i });
    }
    if !range_ok(dar, e.len, p.limits.addr_bits) {
        return Err(PlanError::DestinationOutOfRange { entry: i });
    }
    if !p.limits.split && e.len > u64::from(p.limits.max_element_len) {
        return Err(PlanError::LengthTooLarge { entry: i });
    }
    let local = match p.dir {
        ChannelDir::Write => e.src,
        ChannelDir::Read => e.dst,
    };
    if overlaps_bounds(local, e.len - 1, ll_bounds(p.ll_region)) {
        return Err(PlanError::OverlapsLl { entry: i });
    }
    Ok((sar, dar))
}

pub(super) fn check_params(p: &PlanParams) -> Result<(), PlanError> {
    p.limits.check()?;
    if p.chunk_elements == 0 {
        return Err(PlanError::InvalidLimits {
            field: LimitField::ChunkElements,
        });
    }
    Ok(())
}

/// Validates a whole batch and counts what it costs. Nothing is written.
///
/// Errors name the first offending entry in batch order; per-entry checks
/// (length, ranges, translation) come before the chunk-count check.
///
/// ```
/// use edma_core::plan::{validate, Entry, Limits, PlanError, PlanParams};
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// // A read channel (source on the PCI side) of an engine with 32-bit addresses,
/// // 169 data elements per chunk (a 4 KiB LL page).
/// let params = PlanParams::new(MapFormat::HdmaNative, ChannelDir::Read, Deployment::Local, 169)
///     .with_limits(Limits { addr_bits: 32, ..Limits::default() });
/// let batch = [Entry::new(0x1000, 0x2000, 64), Entry::new(0xffff_ff00, 0x3000, 0x200)];
/// let err = validate(&batch, &params, &Identity).unwrap_err();
/// assert_eq!(err, PlanError::SourceOutOfRange { entry: 1 });
/// assert_eq!(err.entry(), Some(1));
/// assert_eq!(err.to_string(), "entry 1: source range wraps or exceeds the address width");
///
/// // 400 entries need 3 chunks; with at most 2 allowed, entry 338 is the first that does not fit.
/// let many: Vec<Entry> = (0..400).map(|i| Entry::new(i * 64, 0x10_0000 + i * 64, 64)).collect();
/// assert_eq!(validate(&many, &params, &Identity).map(|s| s.chunks), Ok(3));
/// let two = params.with_limits(Limits { max_chunks: 2, ..params.limits });
/// assert_eq!(validate(&many, &two, &Identity), Err(PlanError::TooManyChunks { entry: 338 }));
/// ```
#[inline]
pub fn validate<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
) -> Result<PlanSummary, PlanError> {
    validate_checked(entries, &params.checked()?, translate)
}

/// [`validate`] with parameters checked beforehand ([`PlanParams::checked`]):
/// the same result for the same batch, without checking the parameters
/// again. What [`Channel::submit`](crate::Channel::submit) uses.
///
/// ```
/// use edma_core::plan::{validate_checked, Entry, PlanError, PlanParams};
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// let checked = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 2)
///     .checked()
///     .unwrap();
/// let batch = [Entry::new(0, 0x100, 8), Entry::new(8, 0x200, 8), Entry::new(16, 0x300, 8)];
/// let s = validate_checked(&batch, &checked, &Identity).unwrap();
/// assert_eq!((s.elements, s.chunks, s.bytes), (3, 2, 24));
/// assert_eq!(validate_checked(&batch[..0], &checked, &Identity), Err(PlanError::EmptyBatch));
/// ```
#[inline]
pub fn validate_checked<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    p: &CheckedParams,
    translate: &T,
) -> Result<PlanSummary, PlanError> {
    if entries.is_empty() {
        return Err(PlanError::EmptyBatch);
    }
    if p.quick
        && let Some(bytes) = single_total::<T, true>(entries, p, translate)
    {
        // The common case, accepted in one cheap pass: every entry valid
        // and one element.
        let elements = entries.len() as u64;
        let chunk = p.params.chunk_elements as u64;
        // One chunk is always allowed (`quick` implies max_chunks >= 1);
        // more are allowed up to max_chunks, i.e. up to `chunk *
        // max_chunks` elements.
        let chunks = if elements <= chunk {
            1
        } else {
            let chunks = elements.div_ceil(chunk);
            if chunks > u64::from(p.params.limits.max_chunks) {
                return Err(PlanError::TooManyChunks {
                    entry: usize::try_from(p.allowed()).unwrap_or(usize::MAX),
                });
            }
            chunks
        };
        return Ok(PlanSummary {
            elements,
            chunks,
            bytes,
        });
    }
    // The exact path reports (elements, bytes) through `counts` and only
    // the error by value: small enough for registers, so the two paths'
    // summaries meet as values, not through memory.
    let mut counts = (0, 0);
    validate_exact(entries, p, translate, &mut counts)?;
    let (elements, bytes) = counts;
    Ok(PlanSummary {
        elements,
        chunks: elements.div_ceil(p.params.chunk_elements as u64),
        bytes,
    })
}

/// [`validate_checked`] entry by entry: batches the quick accept did not
/// take (long entries to split, coalescing, or an invalid entry to name).
/// Out of line, so the quick path stays small; on success the batch's
/// (elements, bytes) are stored in `counts`.
#[cold]
#[inline(never)]
fn validate_exact<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    p: &CheckedParams,
    translate: &T,
    counts: &mut (u64, u64),
) -> Result<(), PlanError> {
    let params = &p.params;
    // Elements allowed in all: the first one beyond belongs to the entry
    // reported by TooManyChunks.
    let allowed = p.allowed();
    let max = p.max();
    // Fast pass: one yes/no per entry and the sums; the exact error (which
    // check, which entry) is worked out again out of line only when needed.
    let mut long = false;
    // At most 2^64 entries of less than 2^64 bytes each: no u128 overflow.
    let mut total: u128 = 0;
    for e in entries {
        if !entry_ok(e, params, translate, p.top, p.ll) {
            return Err(first_entry_error(entries, params, translate));
        }
        total += u128::from(e.len);
        long |= e.len > max;
    }
    // Each range fits in 2^64 but the sum may not: progress and residue are
    // u64 byte counts of the whole batch, so such a batch is refused.
    let Ok(bytes) = u64::try_from(total) else {
        return Err(first_overflow(entries));
    };
    let (elements, too_many) = if params.limits.coalesce {
        count_coalesced(entries, params, translate, allowed)
    } else if !long {
        // Without coalescing an entry no longer than an element is one element.
        let n = entries.len() as u64;
        let beyond = usize::try_from(allowed).ok().filter(|a| *a < entries.len());
        (n, beyond)
    } else {
        count_split(entries, max, allowed)
    };
    if let Some(entry) = too_many {
        return Err(PlanError::TooManyChunks { entry });
    }
    *counts = (elements, bytes);
    Ok(())
}

/// Whether every entry passes validation as exactly one element (nothing to
/// split): the ring's fast path, one pass of reductions without early
/// exits. Conservative: `true` only if [`validate`] accepts every entry as
/// one element; `false` sends the caller to [`validate`], which splits or
/// names the offending entry (and may still accept the batch: the address
/// check here is on the largest address and the longest entry together).
#[inline]
pub(crate) fn all_single<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    p: &CheckedParams,
    t: &T,
) -> bool {
    p.quick && single_total::<T, false>(entries, p, t).is_some()
}

/// [`all_single`] and the batch's byte total in the same pass: `Some(total)`
/// only if every entry is valid and one element and the total fits in a
/// `u64`. Only for parameters with `quick` set (no coalescing, `top >=
/// max`).
///
/// One pass of plain bit operations, no comparison per entry: the OR of
/// the lengths minus one bounds the longest from above, the OR of the
/// addresses bounds the highest, the AND of the local addresses bounds the
/// lowest from below. Every bound errs on the safe side, so the checks
/// below can only refuse more than the exact ones would — and a refused
/// batch goes through [`validate`]'s exact per-entry pass, which finds the
/// real answer.
#[inline]
pub(crate) fn single_total<T: AddressTranslate + ?Sized, const SUM: bool>(
    entries: &[Entry],
    p: &CheckedParams,
    t: &T,
) -> Option<u64> {
    let (max, top, (first, ll_last)) = (p.max(), p.top, p.ll);
    let dir = p.params.dir;
    // (longest - 1 OR-ed, lowest local AND-ed, highest local and highest
    // bus address OR-ed, byte total) after one more entry. Fewer than 2^64
    // entries of fewer than 2^32 bytes each (longest < max): the total
    // cannot overflow a u128; checked against u64 below.
    let step = |(longest, low, high, bus_hi, total): (u64, u64, u64, u64, u128), e: &Entry| {
        let (local, pci) = sides(e, dir);
        let bus = t.to_pci_range(pci, e.len)?;
        // len 0 makes its `len - 1` u64::MAX: longest >= max.
        Some((
            longest | e.len.wrapping_sub(1),
            low & local,
            high | local,
            bus_hi | bus,
            if SUM { total + u128::from(e.len) } else { 0 },
        ))
    };
    let init = (0u64, u64::MAX, 0u64, 0u64, 0u128);
    // A batch of one in straight-line code, without the loop's setup.
    let (longest, low_local, high_local, high_bus, total) = if let [e] = entries {
        step(init, e)?
    } else {
        let mut acc = init;
        // By index: the trip count is the length itself (iterating the
        // slice made the unrolled loop divide its byte span by 24 first).
        for i in 0..entries.len() {
            acc = step(acc, entries.get(i)?)?;
        }
        acc
    };
    // With longest < max <= top, every range ends at or below its start +
    // longest <= top. The local sides all lie in [low_local, high_local +
    // longest]: if that misses the LL region, so does each of them.
    let ok = longest < max
        && high_local.max(high_bus) <= top - longest
        && (high_local + longest < first || low_local > ll_last);
    if ok { u64::try_from(total).ok() } else { None }
}

/// An entry's (local, PCI) addresses on a channel of direction `dir`.
#[inline(always)]
fn sides(e: &Entry, dir: ChannelDir) -> (u64, u64) {
    match dir {
        ChannelDir::Write => (e.src, e.dst),
        ChannelDir::Read => (e.dst, e.src),
    }
}

/// The highest bus address `addr_bits` (1..=64) allows: `2^addr_bits - 1`.
pub(super) fn addr_last(addr_bits: u8) -> u64 {
    if addr_bits >= 64 {
        u64::MAX
    } else {
        (1u64 << addr_bits) - 1
    }
}

/// The entry at which the running byte sum of `entries` first exceeds
/// `u64::MAX` (only called when it does).
#[cold]
#[inline(never)]
pub(super) fn first_overflow(entries: &[Entry]) -> PlanError {
    let mut sum: u64 = 0;
    for (i, e) in entries.iter().enumerate() {
        match sum.checked_add(e.len) {
            Some(s) => sum = s,
            None => return PlanError::TotalTooLarge { entry: i },
        }
    }
    PlanError::TotalTooLarge {
        entry: entries.len().saturating_sub(1),
    }
}

/// The checks of [`check_entry`] as one yes/no, in as few instructions as
/// the translation allows (`validate`'s hot loop).
#[inline]
pub(super) fn entry_ok<T: AddressTranslate + ?Sized>(
    e: &Entry,
    p: &PlanParams,
    t: &T,
    top: u64,
    ll: (u64, u64),
) -> bool {
    // `top` is the highest allowed bus address (`addr_last`); `ll` the
    // channel's LL region as `ll_bounds`.
    let len = e.len;
    let last = len.wrapping_sub(1);
    let pci = match p.dir {
        ChannelDir::Write => e.dst,
        ChannelDir::Read => e.src,
    };
    // A PCI range that wraps gets `None` or `Some(pci)` from the
    // translation (its contract); the latter fails the range check below.
    let Some(pci_start) = t.to_pci_range(pci, len) else {
        return false;
    };
    let (sar, dar) = match p.dir {
        ChannelDir::Write => (e.src, pci_start),
        ChannelDir::Read => (pci_start, e.dst),
    };
    // [a, a + len) has its last byte at or below `top` exactly when
    // a <= top - (len - 1) (len == 0 is refused below; `last` wrapped then).
    let Some(highest_start) = top.checked_sub(last) else {
        return false;
    };
    len != 0
        && sar.max(dar) <= highest_start
        && (p.limits.split || len <= u64::from(p.limits.max_element_len))
        && !overlaps_bounds(
            match p.dir {
                ChannelDir::Write => e.src,
                ChannelDir::Read => e.dst,
            },
            last,
            ll,
        )
}

/// The first per-entry error of a batch [`entry_ok`] rejected, in the order
/// [`check_entry`] tests an entry.
#[cold]
#[inline(never)]
pub(super) fn first_entry_error<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
) -> PlanError {
    entries
        .iter()
        .enumerate()
        .find_map(|(i, e)| check_entry(i, e, params, translate).err())
        // Unreachable for a batch entry_ok rejected; named rather than panic.
        .unwrap_or(PlanError::EmptyBatch)
}

/// Element count of a valid batch without coalescing when some entries need
/// splitting: entry `i` is `ceil(len / max)` elements. Also returns the entry
/// holding element number `allowed`, if there is one.
#[inline(never)]
pub(super) fn count_split(entries: &[Entry], max: u64, allowed: u64) -> (u64, Option<usize>) {
    let mut elements: u64 = 0;
    let mut too_many = None;
    for (i, e) in entries.iter().enumerate() {
        elements = elements.saturating_add(e.len.div_ceil(max));
        if too_many.is_none() && elements > allowed {
            too_many = Some(i);
        }
    }
    (elements, too_many)
}

/// Element count of a valid batch with coalescing, in O(entries): the
/// stream packs each maximal run of entries that continue each other on both
/// sides greedily into `max_element_len` pieces, so a run of `b` bytes is
/// `ceil(b / max)` elements. Also returns the entry holding element number
/// `allowed` (the first one beyond the chunk limit), if there is one.
// Kept out of line: inlined, it made `validate`'s common (non-coalescing)
// path 50% more expensive (scripts/instructions.sh: 89.4 -> 135.3 at N = 64).
#[inline(never)]
pub(super) fn count_coalesced<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
    allowed: u64,
) -> (u64, Option<usize>) {
    let max = u128::from(params.limits.max_element_len);
    let mut elements: u64 = 0;
    let mut too_many = None;
    let mut i = 0;
    while i < entries.len() {
        // One run: entries i..j, contiguous on both sides.
        let Some((s0, d0)) = entries
            .get(i)
            .and_then(|e| resolve(e, params.dir, translate))
        else {
            break;
        };
        let mut run: u128 = 0;
        let mut j = i;
        while let Some(e) = entries.get(j) {
            let Some((s, d)) = resolve(e, params.dir, translate) else {
                break;
            };
            let at = u64::try_from(run).ok();
            if j > i
                && (at.and_then(|a| s0.checked_add(a)) != Some(s)
                    || at.and_then(|a| d0.checked_add(a)) != Some(d))
            {
                break;
            }
            run += u128::from(e.len);
            j += 1;
        }
        let n = u64::try_from(run.div_ceil(max)).unwrap_or(u64::MAX);
        if too_many.is_none() && elements.saturating_add(n) > allowed {
            // Byte offset of element `allowed` inside this run.
            let mut off = u128::from(allowed - elements) * max;
            for (k, e) in entries.iter().enumerate().take(j).skip(i) {
                if off < u128::from(e.len) {
                    too_many = Some(k);
                    break;
                }
                off -= u128::from(e.len);
            }
        }
        elements = elements.saturating_add(n);
        i = j.max(i + 1);
    }
    (elements, too_many)
}
