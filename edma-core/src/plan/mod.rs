//! The dual-address batch planner.
//!
//! A batch is a slice of [`Entry`] values. Each entry carries **both** of its
//! addresses — there is no implicit "the other side" as in a scatterlist —
//! and its length. Which of the two addresses is on the PCI side follows from
//! the channel direction ([`ChannelDir::Write`]: the destination;
//! [`ChannelDir::Read`]: the source). The caller's [`AddressTranslate`] is
//! applied to that side of every entry, and only to that side.
//!
//! The planner is a pure function of (entries, [`PlanParams`], translation):
//! it touches no register and no memory, so it can be property-tested and
//! fuzzed alone. It
//!
//! 1. validates the whole batch up front ([`validate`]) — an invalid batch is
//!    rejected with a [`PlanError`] naming the offending entry before
//!    anything is written;
//! 2. walks the batch as a stream of LL data elements ([`Elements`]): in
//!    entry order, splitting an entry longer than
//!    [`Limits::max_element_len`], optionally coalescing neighbours that are
//!    contiguous on both sides ([`Limits::coalesce`], off by default);
//! 3. cuts that stream into chunks of at most [`PlanParams::chunk_elements`]
//!    data elements and encodes chunk `k` into an [`LlMemory`] with
//!    [`encode_chunk`]: data elements carrying the chunk's cycle bit, the
//!    interrupt bits on the chunk's last element, and a link element back to
//!    slot 0 that toggles the consumer cycle state;
//! 4. maps hardware progress back to the batch ([`locate`]): from the number
//!    of bytes the engine finished, which entry failed and how many bytes were
//!    not transferred.
//!
//! ```
//! use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
//! use edma_core::plan::{validate, Entry, Limits, PlanParams};
//! let params = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 4);
//! let batch = [Entry::new(0x1000, 0xa000, 100), Entry::new(0x3000, 0xb000, 200)];
//! let summary = validate(&batch, &params, &Identity).unwrap();
//! assert_eq!((summary.elements, summary.chunks, summary.bytes), (2, 1, 300));
//! ```

use crate::desc::Control;
use crate::io::{AddressTranslate, LlMemory};

mod checked;
mod encode;
mod locate;
mod stream;
mod validate;

use crate::{ChannelDir, Deployment, MapFormat};
pub use checked::CheckedParams;
pub use encode::{
    ChunkInfo, chunk_cycle_bit, data_control, encode_chunk, encode_chunk_checked,
    encode_chunk_validated, link_element,
};
pub use locate::{chunk_prefix_bytes, locate};
pub use stream::Elements;
pub(crate) use validate::all_single;
pub use validate::{validate, validate_checked};

/// One independent transfer: `len` bytes from `src` to `dst`.
///
/// Addresses are in the engine's terms: on a write channel `src` is a local
/// (AXI) address and `dst` a PCI address before translation; on a read
/// channel `src` is the PCI address and `dst` local.
///
/// ```
/// use edma_core::Entry;
/// // An MHI-style ring that wraps: its tail and head are two entries.
/// let batch = [Entry::new(0x1f00, 0x8000, 0x100), Entry::new(0x1000, 0x8100, 0x80)];
/// assert_eq!(batch.iter().map(|e| e.len).sum::<u64>(), 0x180);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
// `repr(C)`: the C ABI (edma-capi) passes arrays of entries in place.
#[repr(C)]
pub struct Entry {
    /// Source address.
    pub src: u64,
    /// Destination address.
    pub dst: u64,
    /// Number of bytes (at least 1).
    pub len: u64,
}

impl Entry {
    /// A transfer of `len` bytes from `src` to `dst`.
    ///
    /// ```
    /// use edma_core::Entry;
    /// let e = Entry::new(0x1000, 0x2000, 64);
    /// assert_eq!((e.src, e.dst, e.len), (0x1000, 0x2000, 64));
    /// ```
    pub const fn new(src: u64, dst: u64, len: u64) -> Self {
        Entry { src, dst, len }
    }
}

/// Limits a plan must respect.
///
/// ```
/// use edma_core::plan::{validate, Entry, Limits, PlanError, PlanParams};
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// let params = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 169);
/// // Two halves of one buffer (contiguous on both sides), then one elsewhere.
/// let batch = [
///     Entry::new(0x1000, 0x9000, 0x800),
///     Entry::new(0x1800, 0x9800, 0x800),
///     Entry::new(0x4000, 0x2000, 64),
/// ];
/// assert_eq!(validate(&batch, &params, &Identity).unwrap().elements, 3);
/// let merge = params.with_limits(Limits { coalesce: true, ..Limits::default() });
/// assert_eq!(validate(&batch, &merge, &Identity).unwrap().elements, 2);
/// // At most 1 KiB per element: split (the default), or refuse.
/// let small = params.with_limits(Limits { max_element_len: 0x400, ..Limits::default() });
/// assert_eq!(validate(&batch, &small, &Identity).unwrap().elements, 5);
/// let strict = params.with_limits(Limits { max_element_len: 0x400, split: false, ..Limits::default() });
/// assert_eq!(validate(&batch, &strict, &Identity), Err(PlanError::LengthTooLarge { entry: 0 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Limits {
    /// Largest transfer size of one element (the 32-bit `transfer_size`
    /// field allows up to `u32::MAX`; must be at least 1).
    pub max_element_len: u32,
    /// Whether an entry longer than `max_element_len` may be split into
    /// several elements (default true). When false such an entry is
    /// rejected with [`PlanError::LengthTooLarge`].
    pub split: bool,
    /// Merge an element with the next entry when both its source and its
    /// destination continue exactly where the element ends (default false).
    /// Merged entries share one element, so a failure inside it is still
    /// reported by entry (through [`locate`]), but fewer elements are spent.
    pub coalesce: bool,
    /// Width of the bus addresses in bits (1..=64): every `[addr, addr+len)`
    /// must end at or below `2^addr_bits`.
    pub addr_bits: u8,
    /// Most chunks a batch may need (each chunk costs a doorbell and an
    /// interrupt).
    pub max_chunks: u32,
}

impl Limits {
    /// Checks that the limits can describe a plan: `max_element_len >= 1`
    /// and `addr_bits` in 1..=64.
    ///
    /// ```
    /// use edma_core::plan::{LimitField, Limits, PlanError};
    /// assert_eq!(Limits::default().check(), Ok(()));
    /// let zero = Limits { max_element_len: 0, ..Limits::default() };
    /// assert_eq!(zero.check(), Err(PlanError::InvalidLimits { field: LimitField::MaxElementLen }));
    /// ```
    pub fn check(&self) -> Result<(), PlanError> {
        if self.max_element_len == 0 {
            return Err(PlanError::InvalidLimits {
                field: LimitField::MaxElementLen,
            });
        }
        if self.addr_bits == 0 || self.addr_bits > 64 {
            return Err(PlanError::InvalidLimits {
                field: LimitField::AddrBits,
            });
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_element_len: u32::MAX,
            split: true,
            coalesce: false,
            addr_bits: 64,
            max_chunks: u32::MAX,
        }
    }
}

/// Everything the plan depends on besides the entries and the translation.
///
/// ```
/// use edma_core::plan::{validate, Entry, PlanParams};
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// // 4 data elements per chunk (a 5-slot LL region).
/// let params = PlanParams::new(MapFormat::HdmaNative, ChannelDir::Read, Deployment::Local, 4);
/// let batch: Vec<Entry> = (0..9).map(|i| Entry::new(i * 512, 0x10_0000 + i * 512, 512)).collect();
/// let s = validate(&batch, &params, &Identity).unwrap();
/// assert_eq!((s.elements, s.chunks, s.bytes), (9, 3, 9 * 512));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct PlanParams {
    /// Register map: decides which element bits signal completion.
    pub map: MapFormat,
    /// Channel direction: decides which side of an entry is the PCI side.
    pub dir: ChannelDir,
    /// Deployment: remote adds RIE next to LIE.
    pub deployment: Deployment,
    /// Data elements per chunk: the LL region's capacity minus the link
    /// slot, or 1 for a channel in non-LL mode.
    pub chunk_elements: usize,
    /// Limits.
    pub limits: Limits,
    /// The channel's own LL region in the engine's local address space, as
    /// (bus address, length in bytes); length 0 for none (non-LL mode). An
    /// entry whose local side overlaps it is refused
    /// ([`PlanError::OverlapsLl`]): data landing there would rewrite the
    /// descriptors the engine is executing.
    pub ll_region: (u64, u64),
}

impl PlanParams {
    /// Parameters with default [`Limits`].
    ///
    /// ```
    /// use edma_core::plan::{Limits, PlanParams};
    /// use edma_core::{ChannelDir, Deployment, MapFormat};
    /// let p = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Remote, 169);
    /// assert_eq!((p.chunk_elements, p.limits, p.ll_region), (169, Limits::default(), (0, 0)));
    /// ```
    pub fn new(
        map: MapFormat,
        dir: ChannelDir,
        deployment: Deployment,
        chunk_elements: usize,
    ) -> Self {
        PlanParams {
            map,
            dir,
            deployment,
            chunk_elements,
            limits: Limits::default(),
            ll_region: (0, 0),
        }
    }

    /// The same parameters with other limits.
    ///
    /// ```
    /// use edma_core::plan::{validate, Entry, Limits, PlanError, PlanParams};
    /// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
    /// let p = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 8)
    ///     .with_limits(Limits { addr_bits: 32, ..Limits::default() });
    /// let above_4g = [Entry::new(0x1000, 0x1_0000_0000, 8)];
    /// assert_eq!(validate(&above_4g, &p, &Identity), Err(PlanError::DestinationOutOfRange { entry: 0 }));
    /// ```
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same parameters with the channel's LL region at bus address
    /// `bus`, `len` bytes long (see [`PlanParams::ll_region`]).
    ///
    /// ```
    /// use edma_core::plan::{validate, Entry, PlanError, PlanParams};
    /// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
    /// let p = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 8)
    ///     .with_ll_region(0x8000, 9 * 24);
    /// // The local source may not read the channel's own LL region.
    /// let bad = [Entry::new(0x8010, 0x1_0000, 16)];
    /// assert_eq!(validate(&bad, &p, &Identity), Err(PlanError::OverlapsLl { entry: 0 }));
    /// ```
    pub fn with_ll_region(mut self, bus: u64, len: u64) -> Self {
        self.ll_region = (bus, len);
        self
    }
}

/// Why a batch was rejected. Every variant that concerns an entry names it by
/// its index in the batch.
///
/// ```
/// use edma_core::plan::{validate, Entry, PlanError, PlanParams};
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// let p = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Read, Deployment::Local, 8);
/// let batch = [Entry::new(0, 0x100, 8), Entry::new(u64::MAX - 3, 0x200, 8)];
/// let err = validate(&batch, &p, &Identity).unwrap_err();
/// assert_eq!(err, PlanError::SourceOutOfRange { entry: 1 });
/// assert_eq!(err.entry(), Some(1));
/// assert_eq!(validate(&[], &p, &Identity), Err(PlanError::EmptyBatch));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlanError {
    /// The batch has no entries.
    EmptyBatch,
    /// The entry has length 0.
    ZeroLength {
        /// Index of the entry.
        entry: usize,
    },
    /// The entry's source range wraps around or ends above the address width.
    SourceOutOfRange {
        /// Index of the entry.
        entry: usize,
    },
    /// The entry's destination range wraps around or ends above the address width.
    DestinationOutOfRange {
        /// Index of the entry.
        entry: usize,
    },
    /// The translation has no contiguous PCI range for the entry's PCI side.
    NoPciAddress {
        /// Index of the entry.
        entry: usize,
    },
    /// The entry is longer than one element and splitting is disabled.
    LengthTooLarge {
        /// Index of the entry.
        entry: usize,
    },
    /// The entry's local side (the source on a write channel, the
    /// destination on a read channel) overlaps the channel's own LL region.
    OverlapsLl {
        /// Index of the entry.
        entry: usize,
    },
    /// The batch's total length does not fit in 64 bits; `entry` is the
    /// first entry at which the running sum exceeds `u64::MAX`.
    TotalTooLarge {
        /// Index of the entry.
        entry: usize,
    },
    /// The batch needs more chunks than [`Limits::max_chunks`]; `entry` is
    /// the first entry that does not fit.
    TooManyChunks {
        /// Index of the first entry beyond the limit.
        entry: usize,
    },
    /// The limits or the chunk size cannot describe any plan; `field` says
    /// which value is wrong.
    InvalidLimits {
        /// The offending value.
        field: LimitField,
    },
}

/// Which limit [`PlanError::InvalidLimits`] refers to.
///
/// ```
/// use edma_core::plan::{LimitField, Limits, PlanError};
/// let bad = Limits { addr_bits: 0, ..Limits::default() };
/// assert_eq!(bad.check(), Err(PlanError::InvalidLimits { field: LimitField::AddrBits }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitField {
    /// [`Limits::max_element_len`] is 0.
    MaxElementLen,
    /// [`PlanParams::chunk_elements`] is 0 (an LL region with no data slot).
    ChunkElements,
    /// [`Limits::addr_bits`] is not in 1..=64.
    AddrBits,
}

impl PlanError {
    /// The index of the offending entry, when the error concerns one.
    ///
    /// ```
    /// use edma_core::plan::PlanError;
    /// assert_eq!(PlanError::ZeroLength { entry: 4 }.entry(), Some(4));
    /// assert_eq!(PlanError::EmptyBatch.entry(), None);
    /// ```
    pub fn entry(&self) -> Option<usize> {
        match *self {
            PlanError::ZeroLength { entry }
            | PlanError::SourceOutOfRange { entry }
            | PlanError::DestinationOutOfRange { entry }
            | PlanError::NoPciAddress { entry }
            | PlanError::LengthTooLarge { entry }
            | PlanError::OverlapsLl { entry }
            | PlanError::TotalTooLarge { entry }
            | PlanError::TooManyChunks { entry } => Some(entry),
            PlanError::EmptyBatch | PlanError::InvalidLimits { .. } => None,
        }
    }
}

impl core::fmt::Display for PlanError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PlanError::EmptyBatch => write!(f, "the batch is empty"),
            PlanError::ZeroLength { entry } => write!(f, "entry {entry} has length 0"),
            PlanError::SourceOutOfRange { entry } => write!(
                f,
                "entry {entry}: source range wraps or exceeds the address width"
            ),
            PlanError::DestinationOutOfRange { entry } => write!(
                f,
                "entry {entry}: destination range wraps or exceeds the address width"
            ),
            PlanError::NoPciAddress { entry } => write!(
                f,
                "entry {entry}: no contiguous PCI address for its PCI side"
            ),
            PlanError::LengthTooLarge { entry } => write!(
                f,
                "entry {entry} is longer than one element and splitting is off"
            ),
            PlanError::OverlapsLl { entry } => write!(
                f,
                "entry {entry}: its local side overlaps the channel's LL region"
            ),
            PlanError::TotalTooLarge { entry } => write!(
                f,
                "entry {entry}: the batch's total length exceeds 2^64 - 1 bytes"
            ),
            PlanError::TooManyChunks { entry } => {
                write!(f, "entry {entry} is beyond the batch's chunk limit")
            }
            PlanError::InvalidLimits { field } => {
                let what = match field {
                    LimitField::MaxElementLen => "max_element_len must be at least 1",
                    LimitField::ChunkElements => "a chunk needs at least one data element",
                    LimitField::AddrBits => "addr_bits must be in 1..=64",
                };
                write!(f, "invalid limits: {what}")
            }
        }
    }
}

impl core::error::Error for PlanError {}

/// What a valid batch costs.
///
/// ```
/// use edma_core::plan::{validate, Entry, Limits, PlanParams};
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// let p = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 2)
///     .with_limits(Limits { max_element_len: 1000, ..Limits::default() });
/// // 2500 bytes split into 1000 + 1000 + 500: 3 elements, 2 chunks of 2.
/// let s = validate(&[Entry::new(0, 0x10_0000, 2500)], &p, &Identity).unwrap();
/// assert_eq!((s.elements, s.chunks, s.bytes), (3, 2, 2500));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct PlanSummary {
    /// LL data elements in all.
    pub elements: u64,
    /// Chunks (doorbells and completion interrupts).
    pub chunks: u64,
    /// Bytes in all.
    pub bytes: u64,
}

/// A position in the batch: entry index and byte offset inside it.
///
/// ```
/// use edma_core::plan::{Cursor, Elements, Entry, Limits, PlanParams};
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// let p = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 8)
///     .with_limits(Limits { max_element_len: 100, ..Limits::default() });
/// let batch = [Entry::new(0, 0x1000, 250), Entry::new(0x400, 0x2000, 10)];
/// // Resume the stream 200 bytes into entry 0.
/// let rest: Vec<_> = Elements::new(&batch, &p, &Identity, Cursor { entry: 0, offset: 200 }).collect();
/// assert_eq!(rest.len(), 2);
/// assert_eq!((rest[0].sar, rest[0].len), (200, 50));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Cursor {
    /// Index of the entry.
    pub entry: usize,
    /// Bytes of that entry already planned.
    pub offset: u64,
}

/// One planned data element.
///
/// ```
/// use edma_core::plan::{Cursor, Elements, Entry, PlanParams};
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// let p = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Read, Deployment::Local, 8);
/// let batch = [Entry::new(0x9000, 0x100, 32)];
/// let el = Elements::new(&batch, &p, &Identity, Cursor::default()).next().unwrap();
/// assert_eq!((el.sar, el.dar, el.len, el.entry), (0x9000, 0x100, 32, 0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PlannedElement {
    /// Source address as the engine sees it.
    pub sar: u64,
    /// Destination address as the engine sees it.
    pub dar: u64,
    /// Bytes (1..=`max_element_len`).
    pub len: u32,
    /// Index of the entry the element starts in.
    pub entry: usize,
}

/// The engine-side (SAR, DAR) of an entry's start, PCI side translated.
pub(crate) fn resolve<T: AddressTranslate + ?Sized>(
    e: &Entry,
    dir: ChannelDir,
    t: &T,
) -> Option<(u64, u64)> {
    match dir {
        ChannelDir::Write => Some((e.src, t.to_pci(e.dst)?)),
        ChannelDir::Read => Some((t.to_pci(e.src)?, e.dst)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Identity;

    fn p(dir: ChannelDir, chunk: usize) -> PlanParams {
        PlanParams::new(MapFormat::EdmaUnroll, dir, Deployment::Local, chunk)
    }

    #[test]
    fn splits_long_entry() {
        let params = p(ChannelDir::Write, 8).with_limits(Limits {
            max_element_len: 100,
            ..Limits::default()
        });
        let b = [Entry::new(0, 1000, 250)];
        let els: std::vec::Vec<_> =
            Elements::new(&b, &params, &Identity, Cursor::default()).collect();
        assert_eq!(els.len(), 3);
        assert_eq!((els[2].sar, els[2].dar, els[2].len), (200, 1200, 50));
    }

    #[test]
    fn coalesces_only_when_both_sides_continue() {
        let lim = Limits {
            coalesce: true,
            ..Limits::default()
        };
        let params = p(ChannelDir::Write, 8).with_limits(lim);
        let b = [
            Entry::new(0, 100, 10),
            Entry::new(10, 110, 10),
            Entry::new(20, 999, 10),
        ];
        let els: std::vec::Vec<_> =
            Elements::new(&b, &params, &Identity, Cursor::default()).collect();
        assert_eq!(els.len(), 2);
        assert_eq!(els[0].len, 20);
        assert_eq!(els[1].entry, 2);
    }

    /// Found by the plan_execute fuzzer (a 10 s timeout): validation walked
    /// every element when coalescing, so one huge entry cost billions of steps.
    #[test]
    fn validation_is_linear_in_entries_not_elements() {
        for coalesce in [false, true] {
            let lim = Limits {
                max_element_len: 1,
                coalesce,
                ..Limits::default()
            };
            let params = p(ChannelDir::Read, 1 << 40).with_limits(lim);
            let b = [
                Entry::new(0, 1 << 62, 1 << 61),
                Entry::new(1 << 61, (1 << 62) + (1 << 61), 1 << 61),
            ];
            let s = validate(&b, &params, &Identity).unwrap();
            assert_eq!(s.elements, 1 << 62);
            let lim = Limits {
                max_chunks: 3,
                ..lim
            };
            let params = params.with_limits(lim);
            // 3 * 2^40 elements fit; the next one is a byte of entry 0.
            assert_eq!(
                validate(&b, &params, &Identity),
                Err(PlanError::TooManyChunks { entry: 0 })
            );
            // With room for all of entry 0 (2^61 one-byte elements) and one
            // more chunk, the first element beyond is in entry 1.
            let lim = Limits {
                max_chunks: (1 << 21) + 1,
                ..lim
            };
            assert_eq!(
                validate(&b, &params.with_limits(lim), &Identity),
                Err(PlanError::TooManyChunks { entry: 1 })
            );
        }
    }

    #[test]
    fn errors_name_the_entry() {
        let params = p(ChannelDir::Write, 4).with_limits(Limits {
            addr_bits: 32,
            ..Limits::default()
        });
        let ok = Entry::new(0, 0, 1);
        assert_eq!(
            validate(&[], &params, &Identity),
            Err(PlanError::EmptyBatch)
        );
        assert_eq!(
            validate(&[ok, Entry::new(0, 0, 0)], &params, &Identity),
            Err(PlanError::ZeroLength { entry: 1 })
        );
        assert_eq!(
            validate(&[ok, ok, Entry::new(0xffff_ffff, 0, 2)], &params, &Identity),
            Err(PlanError::SourceOutOfRange { entry: 2 })
        );
        assert_eq!(
            validate(&[Entry::new(0, u64::MAX, 2)], &params, &Identity),
            Err(PlanError::DestinationOutOfRange { entry: 0 })
        );
    }
}
