//! The planner's validation rules written out plainly, independent of
//! `edma_core::plan::validate`'s fast path: an oracle shared by the property
//! tests (`tests/plan_props.rs`) and the `plan_model` fuzz target.

use edma_core::ChannelDir;
use edma_core::plan::{Entry, PlanError, PlanParams};

/// The per-entry rules of `PlanError`'s documentation, first failing entry
/// first, each entry's checks in the documented order; returns the byte
/// total and element count when every entry passes and the batch's elements
/// (`ceil(len / max)` each, no coalescing) fit the chunk limit.
pub(crate) fn validate(
    entries: &[Entry],
    p: &PlanParams,
    t: &dyn Fn(u64) -> Option<u64>,
) -> Result<(u64, u64), PlanError> {
    use PlanError::*;
    if p.limits.max_element_len == 0
        || p.chunk_elements == 0
        || !(1..=64).contains(&p.limits.addr_bits)
    {
        return Err(InvalidLimits);
    }
    let fits = |a: u64, len: u64| -> bool {
        let end = u128::from(a) + u128::from(len);
        end < 1u128 << 64 && end <= 1u128 << p.limits.addr_bits
    };
    let mut total: u128 = 0;
    let allowed = p.chunk_elements as u128 * u128::from(p.limits.max_chunks);
    let mut elements: u128 = 0;
    let mut beyond = None;
    for (i, e) in entries.iter().enumerate() {
        let entry = i;
        if e.len == 0 {
            return Err(ZeroLength { entry });
        }
        let write = p.dir == ChannelDir::Write;
        let pci = if write { e.dst } else { e.src };
        if u128::from(pci) + u128::from(e.len) - 1 > u128::from(u64::MAX) {
            return Err(if write {
                DestinationOutOfRange { entry }
            } else {
                SourceOutOfRange { entry }
            });
        }
        let (Some(first), Some(last)) = (t(pci), t(pci + (e.len - 1))) else {
            return Err(NoPciAddress { entry });
        };
        if u128::from(first) + u128::from(e.len) - 1 != u128::from(last) {
            return Err(NoPciAddress { entry });
        }
        let (sar, dar) = if write {
            (e.src, first)
        } else {
            (first, e.dst)
        };
        if !fits(sar, e.len) {
            return Err(SourceOutOfRange { entry });
        }
        if !fits(dar, e.len) {
            return Err(DestinationOutOfRange { entry });
        }
        if !p.limits.split && e.len > u64::from(p.limits.max_element_len) {
            return Err(LengthTooLarge { entry });
        }
        total += u128::from(e.len);
        elements += u128::from(e.len).div_ceil(u128::from(p.limits.max_element_len));
        if beyond.is_none() && elements > allowed {
            beyond = Some(i);
        }
    }
    if entries.is_empty() {
        return Err(EmptyBatch);
    }
    if let Some(entry) = beyond {
        return Err(TooManyChunks { entry });
    }
    let elements = u64::try_from(elements).unwrap_or(u64::MAX);
    Ok((u64::try_from(total).unwrap_or(u64::MAX), elements))
}
