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
    use edma_core::plan::LimitField;
    if p.limits.max_element_len == 0 {
        return Err(InvalidLimits {
            field: LimitField::MaxElementLen,
        });
    }
    if !(1..=64).contains(&p.limits.addr_bits) {
        return Err(InvalidLimits {
            field: LimitField::AddrBits,
        });
    }
    if p.chunk_elements == 0 {
        return Err(InvalidLimits {
            field: LimitField::ChunkElements,
        });
    }
    // The last byte at or below 2^addr_bits - 1.
    let fits = |a: u64, len: u64| -> bool {
        u128::from(a) + u128::from(len) - 1 < 1u128 << p.limits.addr_bits
    };
    let (ll_bus, ll_len) = p.ll_region;
    let mut total: u128 = 0;
    let allowed = p.chunk_elements as u128 * u128::from(p.limits.max_chunks);
    let mut elements: u128 = 0;
    let mut beyond = None;
    let mut overflow = None;
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
        let local = if write { e.src } else { e.dst };
        let (l0, l1) = (u128::from(local), u128::from(local) + u128::from(e.len));
        let (r0, r1) = (u128::from(ll_bus), u128::from(ll_bus) + u128::from(ll_len));
        if ll_len != 0 && l0 < r1 && r0 < l1 {
            return Err(OverlapsLl { entry });
        }
        total += u128::from(e.len);
        if total > u128::from(u64::MAX) && overflow.is_none() {
            overflow = Some(i);
        }
        elements += u128::from(e.len).div_ceil(u128::from(p.limits.max_element_len));
        if beyond.is_none() && elements > allowed {
            beyond = Some(i);
        }
    }
    if entries.is_empty() {
        return Err(EmptyBatch);
    }
    if let Some(entry) = overflow {
        return Err(TotalTooLarge { entry });
    }
    if let Some(entry) = beyond {
        return Err(TooManyChunks { entry });
    }
    let elements = u64::try_from(elements).unwrap_or(u64::MAX);
    Ok((total as u64, elements))
}
