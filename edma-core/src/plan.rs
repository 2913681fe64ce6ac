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

use crate::desc::{Control, Element};
use crate::io::{AddressTranslate, LlMemory};
use crate::{ChannelDir, Deployment, MapFormat};

/// One independent transfer: `len` bytes from `src` to `dst`.
///
/// Addresses are in the engine's terms: on a write channel `src` is a local
/// (AXI) address and `dst` a PCI address before translation; on a read
/// channel `src` is the PCI address and `dst` local.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
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
    /// use edma_core::plan::{Limits, PlanError};
    /// assert_eq!(Limits::default().check(), Ok(()));
    /// let zero = Limits { max_element_len: 0, ..Limits::default() };
    /// assert_eq!(zero.check(), Err(PlanError::InvalidLimits));
    /// ```
    pub fn check(&self) -> Result<(), PlanError> {
        if self.max_element_len == 0 || self.addr_bits == 0 || self.addr_bits > 64 {
            return Err(PlanError::InvalidLimits);
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
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same parameters with the channel's LL region at bus address
    /// `bus`, `len` bytes long (see [`PlanParams::ll_region`]).
    pub fn with_ll_region(mut self, bus: u64, len: u64) -> Self {
        self.ll_region = (bus, len);
        self
    }
}

/// Why a batch was rejected. Every variant that concerns an entry names it by
/// its index in the batch.
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
    /// The limits or the chunk size cannot describe any plan
    /// (`max_element_len == 0`, `chunk_elements == 0`, `addr_bits` not in 1..=64).
    InvalidLimits,
}

impl PlanError {
    /// The index of the offending entry, when the error concerns one.
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
            PlanError::EmptyBatch | PlanError::InvalidLimits => None,
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
            PlanError::InvalidLimits => write!(f, "the plan limits are invalid"),
        }
    }
}

impl core::error::Error for PlanError {}

/// What a valid batch costs.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Cursor {
    /// Index of the entry.
    pub entry: usize,
    /// Bytes of that entry already planned.
    pub offset: u64,
}

/// One planned data element.
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

/// Whether `[addr, addr + len)` (`len >= 1`) lies inside the
/// `addr_bits`-wide bus: its last byte at or below `2^addr_bits - 1`.
fn range_ok(addr: u64, len: u64, addr_bits: u8) -> bool {
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
fn ll_bounds((bus, len): (u64, u64)) -> (u64, u64) {
    if len == 0 {
        (u64::MAX, 0)
    } else {
        (bus, bus.saturating_add(len - 1))
    }
}

/// Whether `[local, local + last]` overlaps the LL bounds (branch-free:
/// `validate`'s hot loop).
#[inline]
fn overlaps_bounds(local: u64, last: u64, (first, ll_last): (u64, u64)) -> bool {
    (local <= ll_last) & (first <= local.wrapping_add(last))
}

/// The engine-side (SAR, DAR) of an entry's start, PCI side translated.
fn resolve<T: AddressTranslate + ?Sized>(e: &Entry, dir: ChannelDir, t: &T) -> Option<(u64, u64)> {
    match dir {
        ChannelDir::Write => Some((e.src, t.to_pci(e.dst)?)),
        ChannelDir::Read => Some((t.to_pci(e.src)?, e.dst)),
    }
}

/// Checks one entry; on success returns its translated (SAR, DAR).
fn check_entry<T: AddressTranslate + ?Sized>(
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

fn check_params(p: &PlanParams) -> Result<(), PlanError> {
    if p.limits.max_element_len == 0
        || p.chunk_elements == 0
        || p.limits.addr_bits == 0
        || p.limits.addr_bits > 64
    {
        return Err(PlanError::InvalidLimits);
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
    check_params(params)?;
    if entries.is_empty() {
        return Err(PlanError::EmptyBatch);
    }
    let chunk = params.chunk_elements as u64;
    // Elements allowed in all: the first one beyond belongs to the entry
    // reported by TooManyChunks.
    let allowed = chunk.saturating_mul(u64::from(params.limits.max_chunks));
    let max = u64::from(params.limits.max_element_len);
    let top = addr_last(params.limits.addr_bits);
    let ll = ll_bounds(params.ll_region);
    // Fast pass: one yes/no per entry and the sums; the exact error (which
    // check, which entry) is worked out again out of line only when needed.
    let mut long = false;
    // At most 2^64 entries of less than 2^64 bytes each: no u128 overflow.
    let mut total: u128 = 0;
    for e in entries {
        if !entry_ok(e, params, translate, top, ll) {
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
    Ok(PlanSummary {
        elements,
        chunks: elements.div_ceil(chunk),
        bytes,
    })
}

/// The highest bus address `addr_bits` (1..=64) allows: `2^addr_bits - 1`.
fn addr_last(addr_bits: u8) -> u64 {
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
fn first_overflow(entries: &[Entry]) -> PlanError {
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
fn entry_ok<T: AddressTranslate + ?Sized>(
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
fn first_entry_error<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
) -> PlanError {
    entries
        .iter()
        .enumerate()
        .find_map(|(i, e)| check_entry(i, e, params, translate).err())
        // Unreachable for a batch entry_ok rejected; named rather than panic.
        .unwrap_or(PlanError::InvalidLimits)
}

/// Element count of a valid batch without coalescing when some entries need
/// splitting: entry `i` is `ceil(len / max)` elements. Also returns the entry
/// holding element number `allowed`, if there is one.
#[inline(never)]
fn count_split(entries: &[Entry], max: u64, allowed: u64) -> (u64, Option<usize>) {
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
fn count_coalesced<T: AddressTranslate + ?Sized>(
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

/// The batch as a stream of data elements, starting at a [`Cursor`].
///
/// Must only be used on a batch [`validate`] accepted with the same
/// parameters and translation; on anything else it never panics, but it may
/// stop early or yield meaningless elements.
///
/// ```
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// use edma_core::plan::{Cursor, Elements, Entry, Limits, PlanParams};
/// let params = PlanParams::new(MapFormat::HdmaNative, ChannelDir::Write, Deployment::Local, 8)
///     .with_limits(Limits { max_element_len: 4096, ..Limits::default() });
/// // 10 KiB split at 4 KiB: three elements, all from entry 0.
/// let batch = [Entry::new(0x10_0000, 0x8000_0000, 10 << 10)];
/// let lens: Vec<u32> = Elements::new(&batch, &params, &Identity, Cursor::default())
///     .map(|e| e.len)
///     .collect();
/// assert_eq!(lens, [4096, 4096, 2048]);
/// ```
#[derive(Debug)]
pub struct Elements<'a, T: ?Sized> {
    entries: &'a [Entry],
    params: &'a PlanParams,
    translate: &'a T,
    cursor: Cursor,
}

impl<'a, T: AddressTranslate + ?Sized> Elements<'a, T> {
    /// Starts the stream at `cursor`.
    pub fn new(
        entries: &'a [Entry],
        params: &'a PlanParams,
        translate: &'a T,
        cursor: Cursor,
    ) -> Self {
        Elements {
            entries,
            params,
            translate,
            cursor,
        }
    }

    /// Where the next element starts.
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

/// Extends an element `[sar, dar, len)` that ended with its entry over the
/// entries from `next` on while both sides continue (coalescing). Returns the
/// new length and the cursor after what was taken.
// Out of line and by value: the common, non-coalescing stream stays small
// enough to inline into `encode_chunk` and keep its cursor in registers.
#[inline(never)]
fn coalesce_from<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    dir: ChannelDir,
    translate: &T,
    (sar, dar, mut len): (u64, u64, u64),
    max: u64,
    mut next: Cursor,
) -> (u64, Cursor) {
    while len < max {
        let Some(n) = entries.get(next.entry) else {
            break;
        };
        let Some((ns, nd)) = resolve(n, dir, translate) else {
            break;
        };
        if sar.checked_add(len) != Some(ns) || dar.checked_add(len) != Some(nd) {
            break;
        }
        let take = n.len.min(max - len);
        len += take;
        if take < n.len {
            next.offset = take;
            break;
        }
        next.entry += 1;
    }
    (len, next)
}

impl<T: AddressTranslate + ?Sized> Iterator for Elements<'_, T> {
    type Item = PlannedElement;

    #[inline]
    fn next(&mut self) -> Option<PlannedElement> {
        let max = u64::from(self.params.limits.max_element_len);
        let start = self.cursor;
        let e = self.entries.get(start.entry)?;
        let (s, d) = resolve(e, self.params.dir, self.translate)?;
        if start.offset >= e.len {
            return None;
        }
        let left = e.len - start.offset;
        // A validated entry's ranges do not wrap; on anything else the
        // addresses are meaningless but nothing panics.
        let sar = s.wrapping_add(start.offset);
        let dar = d.wrapping_add(start.offset);
        let mut len = left.min(max);
        if len < left {
            self.cursor.offset = start.offset + len;
        } else {
            self.cursor = Cursor {
                entry: start.entry + 1,
                offset: 0,
            };
            if self.params.limits.coalesce {
                (len, self.cursor) = coalesce_from(
                    self.entries,
                    self.params.dir,
                    self.translate,
                    (sar, dar, len),
                    max,
                    self.cursor,
                );
            }
        }
        // len <= max <= u32::MAX
        let len = u32::try_from(len).ok()?;
        Some(PlannedElement {
            sar,
            dar,
            len,
            entry: start.entry,
        })
    }
}

/// What [`encode_chunk`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ChunkInfo {
    /// Data elements written (slots `0..elements`; the link is in slot `elements`).
    pub elements: usize,
    /// Bytes the chunk moves.
    pub bytes: u64,
    /// Cursor at the start of the next chunk.
    pub next: Cursor,
    /// Whether the batch is complete after this chunk.
    pub last: bool,
}

/// The cycle bit of chunk `k`: chunk 0 starts with CB = 1 (matching the
/// consumer cycle state the first start programs), then it alternates.
pub const fn chunk_cycle_bit(k: u64) -> bool {
    k.is_multiple_of(2)
}

/// The control bits the data element at `index` of a chunk of `count`
/// elements gets.
pub fn data_control(params: &PlanParams, cycle: bool, index: usize, count: usize) -> Control {
    let mut c = if cycle { Control::CB } else { Control::empty() };
    // eDMA v0 maps signal completion with LIE/RIE on the chunk's last
    // element; native HDMA signals it with the channel-stop interrupt and
    // its bits 3/4 mean "watermark", so they stay clear there.
    if params.map.is_edma_v0() && index + 1 == count {
        c |= Control::LIE;
        if params.deployment == Deployment::Remote {
            c |= Control::RIE;
        }
    }
    c
}

/// The link element that closes chunk `k`: back to slot 0, toggling the
/// consumer cycle state, with the opposite cycle bit.
pub fn link_element(cycle: bool, ll_bus_addr: u64) -> Element {
    let c = if cycle {
        Control::TCB
    } else {
        Control::TCB | Control::CB
    };
    Element::link(c, ll_bus_addr)
}

/// Encodes the chunk that starts at `start` as chunk number `k` of its batch.
///
/// Writes the data elements into slots `0..n` and, in LL mode (`with_link`),
/// the link element into slot `n`; `n <= params.chunk_elements` and
/// `n + 1 <= ll.capacity()` are the caller's job (the channel checks them).
/// Slots are written in order and each slot is written whole through
/// [`LlMemory::write`], which puts its control word last.
///
/// The chunk's last data element — the one that fills the chunk or ends the
/// batch — carries the completion bits ([`data_control`]). Must only be
/// used on a batch [`validate`] accepted (as [`Elements`]).
///
/// ```
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// use edma_core::desc::{Control, Element};
/// use edma_core::io::SliceLl;
/// use edma_core::plan::{encode_chunk, validate, Cursor, Entry, PlanParams};
/// let params = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 2);
/// let batch = [Entry::new(0, 0x100, 8), Entry::new(8, 0x200, 8), Entry::new(16, 0x300, 8)];
/// assert_eq!(validate(&batch, &params, &Identity).unwrap().chunks, 2);
/// let mut page = [0u8; 3 * 24];
/// let mut ll = SliceLl::new(&mut page, 0x4000);
/// let first = encode_chunk(&batch, &params, &Identity, Cursor::default(), 0, &mut ll, true);
/// assert_eq!((first.elements, first.bytes, first.last), (2, 16, false));
/// let second = encode_chunk(&batch, &params, &Identity, first.next, 1, &mut ll, true);
/// assert_eq!((second.elements, second.last), (1, true));
/// // Chunk 1 has cycle bit 0; its only element is its last: LIE.
/// let slot0: [u8; 24] = page[..24].try_into().unwrap();
/// assert_eq!(
///     Element::decode(&slot0),
///     Element::data(Control::LIE, 8, 16, 0x300)
/// );
/// ```
#[inline]
pub fn encode_chunk<T: AddressTranslate + ?Sized, L: LlMemory + ?Sized>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
    start: Cursor,
    k: u64,
    ll: &mut L,
    with_link: bool,
) -> ChunkInfo {
    let cycle = chunk_cycle_bit(k);
    let chunk = params.chunk_elements;
    let max = u64::from(params.limits.max_element_len);
    let mut count = 0usize;
    let mut bytes = 0u64;
    // Control bits of every element, and the extra ones of the chunk's last:
    // the element that fills the chunk or ends the batch.
    let body = data_control(params, cycle, 0, usize::MAX).bits();
    let extra = data_control(params, cycle, 0, 1).bits() & !body;
    let control =
        |ends: bool| Control::from_bits_retain(body | (extra & 0u32.wrapping_sub(u32::from(ends))));
    let mut cursor = start;
    // Fast path, the common case: no coalescing and whole entries that each
    // fit one element, so element `i` is entry `start.entry + i` and the
    // chunk's last element is known before the loop.
    if !params.limits.coalesce && start.offset == 0 {
        let rest = entries.get(start.entry..).unwrap_or_default();
        let n = rest.len().min(chunk);
        let last = n.wrapping_sub(1);
        for e in rest.iter().take(n) {
            // 1..=max bytes (a zero length wraps to u64::MAX and stops too).
            if e.len.wrapping_sub(1) >= max {
                break;
            }
            let (Ok(len), Some((sar, dar))) =
                (u32::try_from(e.len), resolve(e, params.dir, translate))
            else {
                break;
            };
            ll.write(count, &Element::data(control(count == last), len, sar, dar));
            // At most `count` elements of < 2^32 bytes each: no wrap in practice,
            // and wrapping (unlike `+`) cannot panic.
            bytes = bytes.wrapping_add(e.len);
            count += 1;
        }
        cursor.entry += count;
    }
    // General path: split entries, coalescing, or a chunk that starts
    // inside an entry; continues wherever the fast path stopped.
    let mut it = Elements::new(entries, params, translate, cursor);
    while count < chunk {
        let Some(el) = it.next() else { break };
        let ends = count + 1 == chunk || it.cursor.entry >= entries.len();
        ll.write(count, &Element::data(control(ends), el.len, el.sar, el.dar));
        bytes = bytes.wrapping_add(u64::from(el.len));
        count += 1;
    }
    if with_link {
        ll.write(count, &link_element(cycle, ll.bus_addr()));
    }
    let next = it.cursor();
    ChunkInfo {
        elements: count,
        bytes,
        next,
        last: next.entry >= entries.len(),
    }
}

/// Bytes moved by the first `n` elements of the chunk that starts at `start`.
pub fn chunk_prefix_bytes<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
    start: Cursor,
    n: usize,
) -> u64 {
    Elements::new(entries, params, translate, start)
        .take(n)
        .map(|e| u64::from(e.len))
        .sum()
}

/// Maps "the engine finished `bytes_done` bytes of the batch" to the entry in
/// progress: returns `(entry index, bytes of that entry done)`, or `None`
/// when every byte of the batch is done.
///
/// Elements preserve entry order and partition the batch's bytes, so the
/// engine's progress is a prefix of the concatenated entries, whatever the
/// splitting or coalescing.
///
/// ```
/// use edma_core::plan::{locate, Entry};
/// let b = [Entry::new(0, 0, 10), Entry::new(0, 0, 5), Entry::new(0, 0, 7)];
/// assert_eq!(locate(&b, 0), Some((0, 0)));
/// assert_eq!(locate(&b, 12), Some((1, 2)));
/// assert_eq!(locate(&b, 15), Some((2, 0)));
/// assert_eq!(locate(&b, 22), None);
/// ```
pub fn locate(entries: &[Entry], bytes_done: u64) -> Option<(usize, u64)> {
    let mut left = bytes_done;
    for (i, e) in entries.iter().enumerate() {
        if left < e.len {
            return Some((i, left));
        }
        left -= e.len;
    }
    None
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
