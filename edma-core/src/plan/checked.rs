//! Parameters checked once: what a channel keeps between batches, so that
//! a batch pays for its entries and not again for its parameters.

use super::encode::data_control;
use super::validate::{addr_last, check_params, ll_bounds};
use super::{PlanError, PlanParams};
use crate::desc::Control;

/// [`PlanParams`] that passed their checks, with what every batch derives
/// from them worked out once: the highest bus address, the LL region's
/// bounds, whether the one-pass accept applies, and the control bits of a
/// chunk's last element.
///
/// Made by [`PlanParams::checked`]; used by [`validate_checked`] and
/// [`encode_chunk_checked`], which give the same results as
/// [`validate`] and [`encode_chunk_validated`] with the parameters it was
/// made from. A [`Channel`](crate::Channel) keeps one per claimed channel
/// (rebuilt when its limits change), so a batch of one entry does not
/// check its parameters again.
///
/// [`validate_checked`]: super::validate_checked
/// [`encode_chunk_checked`]: super::encode_chunk_checked
/// [`validate`]: super::validate
/// [`encode_chunk_validated`]: super::encode_chunk_validated
///
/// ```
/// use edma_core::plan::{validate, validate_checked, Entry, LimitField, Limits, PlanError, PlanParams};
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// let params = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 4);
/// let checked = params.checked().unwrap();
/// assert_eq!(checked.params(), &params);
/// let batch = [Entry::new(0, 0x1000, 64), Entry::new(64, 0x2000, 32)];
/// assert_eq!(validate_checked(&batch, &checked, &Identity), validate(&batch, &params, &Identity));
/// // Parameters that describe no plan are refused once, here.
/// let bad = params.with_limits(Limits { addr_bits: 65, ..Limits::default() });
/// assert_eq!(bad.checked(), Err(PlanError::InvalidLimits { field: LimitField::AddrBits }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CheckedParams {
    pub(super) params: PlanParams,
    /// The highest bus address the limits allow.
    pub(super) top: u64,
    /// The LL region as (first, last) bus address (`ll_bounds`).
    pub(super) ll: (u64, u64),
    /// Whether the one-pass quick accept applies: no coalescing, every
    /// element length is a valid address offset (`top >= max`), and a
    /// batch may have a chunk (`max_chunks >= 1`).
    pub(super) quick: bool,
    /// Control bits of a chunk's last data element, without the cycle bit
    /// (the others have none besides it). Kept small: a channel holds one
    /// of these in the C ABI's fixed-size handle.
    pub(super) last: u8,
}

impl PlanParams {
    /// Checks the parameters once ([`Limits::check`](super::Limits::check)
    /// and at least one data element per chunk) and works out what every
    /// batch needs from them. The same errors [`validate`](super::validate)
    /// reports for them, in the same order.
    ///
    /// ```
    /// use edma_core::plan::{LimitField, PlanError, PlanParams};
    /// use edma_core::{ChannelDir, Deployment, MapFormat};
    /// let p = PlanParams::new(MapFormat::HdmaNative, ChannelDir::Read, Deployment::Local, 0);
    /// assert_eq!(p.checked(), Err(PlanError::InvalidLimits { field: LimitField::ChunkElements }));
    /// ```
    pub fn checked(&self) -> Result<CheckedParams, PlanError> {
        check_params(self)?;
        let top = addr_last(self.limits.addr_bits);
        let last = data_control(self, false, 0, 1).bits();
        Ok(CheckedParams {
            params: *self,
            top,
            ll: ll_bounds(self.ll_region),
            quick: !self.limits.coalesce
                && top >= u64::from(self.limits.max_element_len)
                && self.limits.max_chunks != 0,
            // LIE and RIE, bits 3 and 4: always within a byte.
            last: u8::try_from(last).unwrap_or(0),
        })
    }
}

impl CheckedParams {
    /// The parameters these were made from.
    ///
    /// ```
    /// use edma_core::plan::PlanParams;
    /// use edma_core::{ChannelDir, Deployment, MapFormat};
    /// let p = PlanParams::new(MapFormat::EdmaLegacy, ChannelDir::Read, Deployment::Remote, 9);
    /// assert_eq!(p.checked().unwrap().params().chunk_elements, 9);
    /// ```
    pub fn params(&self) -> &PlanParams {
        &self.params
    }

    /// A stand-in for parameters not checked yet, which no checked ones
    /// equal ([`CheckedParams::is_checked`] is false: 0 elements per chunk).
    /// Never used to plan (a channel checks its real parameters before its
    /// first batch); it lets a channel hold checked parameters without an
    /// `Option` (its handle in the C ABI has a fixed size).
    pub(crate) fn unchecked() -> CheckedParams {
        let params = PlanParams::new(
            crate::MapFormat::EdmaUnroll,
            crate::ChannelDir::Write,
            crate::Deployment::Local,
            0,
        );
        CheckedParams {
            params,
            top: u64::MAX,
            ll: ll_bounds(params.ll_region),
            quick: false,
            last: 0,
        }
    }

    /// Whether these are parameters [`PlanParams::checked`] accepted (not
    /// [`CheckedParams::unchecked`]).
    #[inline(always)]
    pub(crate) fn is_checked(&self) -> bool {
        self.params.chunk_elements != 0
    }

    /// The longest element, widened.
    #[inline(always)]
    pub(super) fn max(&self) -> u64 {
        u64::from(self.params.limits.max_element_len)
    }

    /// Elements a batch may have: `chunk_elements * max_chunks`, saturated.
    #[inline(always)]
    pub(super) fn allowed(&self) -> u64 {
        (self.params.chunk_elements as u64).saturating_mul(u64::from(self.params.limits.max_chunks))
    }

    /// The control bits of a chunk's last data element (without the cycle
    /// bit).
    #[inline(always)]
    pub(super) fn last_bits(&self) -> Control {
        Control::from_bits_retain(u32::from(self.last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ChannelDir, Deployment, MapFormat};

    /// Only a chunk's last element has control bits besides the cycle bit,
    /// and they fit the byte `last` keeps.
    #[test]
    fn only_the_last_element_has_bits_and_they_fit_a_byte() {
        for map in [
            MapFormat::EdmaLegacy,
            MapFormat::EdmaUnroll,
            MapFormat::HdmaCompat,
            MapFormat::HdmaNative,
        ] {
            for dep in [Deployment::Local, Deployment::Remote] {
                let p = PlanParams::new(map, ChannelDir::Read, dep, 7);
                assert!(data_control(&p, false, 0, usize::MAX).is_empty());
                assert!(data_control(&p, false, 5, 7).is_empty());
                let c = p.checked().unwrap();
                assert_eq!(c.last_bits(), data_control(&p, false, 6, 7));
                assert_eq!(u32::from(c.last), data_control(&p, false, 0, 1).bits());
            }
        }
    }
}
