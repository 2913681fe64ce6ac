//! Progress of a chunk as a pure function of a register snapshot.
//!
//! The invariant: **the bytes reported done are never more than the engine
//! moved.** Where the registers say exactly how far the engine got, the
//! count is exact; where they are ambiguous (an element that may never have
//! been loaded, LLP back at the region start), the element is not counted.
//! The channel reads a [`RegSnapshot`] when a batch fails or is terminated
//! and asks `chunk_done` how much of the chunk in flight to count; the
//! chunks before it are counted from their done interrupts.

use crate::desc::SLOT_SIZE;
use crate::io::{AddressTranslate, RegisterIo};
use crate::plan::{self, Cursor, Entry, PlanParams};
use crate::regs::ChReg;
use crate::{ChannelDir, controller::Controller};
use lock_api::RawMutex;

/// The per-channel registers progress is read from.
///
/// ```
/// use edma_core::progress::RegSnapshot;
/// // What an engine stopped 100 bytes into an element of 256 at 0x1000 -> 0x9000 shows.
/// let s = RegSnapshot { llp: 0x8018, size: 156, sar: 0x1064, dar: 0x9064 };
/// assert_eq!(s.sar - 0x1000, 256 - u64::from(s.size));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RegSnapshot {
    /// Linked-list pointer: bus address of the element in progress or next.
    pub llp: u64,
    /// Bytes left of the loaded element (`transfer_size`).
    pub size: u32,
    /// Source address register.
    pub sar: u64,
    /// Destination address register.
    pub dar: u64,
}

impl RegSnapshot {
    /// Reads the snapshot of channel `ch` of `dir` through `ctrl`.
    pub(crate) fn read<R: RegisterIo, M: RawMutex>(
        ctrl: &Controller<R, M>,
        dir: ChannelDir,
        ch: u8,
    ) -> Self {
        RegSnapshot {
            llp: ctrl.read64(dir, ch, ChReg::LlpLo, ChReg::LlpHi),
            ..Self::read_element(ctrl, dir, ch)
        }
    }

    /// Reads `size`, `sar` and `dar` only (`llp` is 0): what tells whether
    /// a later snapshot shows a loaded element.
    pub(crate) fn read_element<R: RegisterIo, M: RawMutex>(
        ctrl: &Controller<R, M>,
        dir: ChannelDir,
        ch: u8,
    ) -> Self {
        RegSnapshot {
            llp: 0,
            size: ctrl.ch_read(dir, ch, ChReg::TransferSize),
            sar: ctrl.read64(dir, ch, ChReg::SarLo, ChReg::SarHi),
            dar: ctrl.read64(dir, ch, ChReg::DarLo, ChReg::DarHi),
        }
    }

    /// Whether `size`, `sar` and `dar` equal `other`'s (LLP aside).
    fn same_element_state(&self, other: &RegSnapshot) -> bool {
        self.size == other.size && self.sar == other.sar && self.dar == other.dar
    }
}

/// The chunk in flight, as far as progress is concerned.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChunkView<'a, T: ?Sized> {
    /// The batch.
    pub entries: &'a [Entry],
    /// Its plan parameters.
    pub params: &'a PlanParams,
    /// Its translation.
    pub translate: &'a T,
    /// Where the chunk starts in the batch.
    pub start: Cursor,
    /// Data elements in the chunk.
    pub elements: usize,
    /// Bytes in the chunk.
    pub bytes: u64,
    /// Bus address of LL slot 0 (`None` in non-LL mode).
    pub ll_bus: Option<u64>,
    /// The registers as the channel last saw them idle (after its previous
    /// batch failed or was stopped, or before its first batch).
    pub stale: Option<RegSnapshot>,
}

/// The LL slot LLP points at in a region at `ll_bus`: `Some(i)` when LLP is
/// slot `i`'s address and `i <= last`, else `None` (outside the region, or
/// not on a slot boundary). Used by the batch (slot in the chunk) and the
/// ring (slot in the lap).
#[inline]
pub(crate) fn llp_slot(llp: u64, ll_bus: u64, last: usize) -> Option<usize> {
    let d = llp.checked_sub(ll_bus)?;
    if d % SLOT_SIZE as u64 != 0 {
        return None;
    }
    let i = usize::try_from(d / SLOT_SIZE as u64).ok()?;
    (i <= last).then_some(i)
}

/// Bytes of an element of `len` bytes written with `sar`/`dar` that the
/// snapshot proves moved when LLP points at it: its partial count, only if
/// the engine loaded it — bytes left non-zero and not above `len`, the
/// element registers not the very values the channel was last seen idle
/// in (`stale`) — and SAR and DAR both moved by exactly that much; else 0.
/// The batch's [`chunk_done`] and the ring's abort report both count the
/// element in progress with it.
#[inline]
pub(crate) fn element_partial(
    s: &RegSnapshot,
    len: u32,
    sar: u64,
    dar: u64,
    stale: Option<&RegSnapshot>,
) -> u64 {
    let left = s.size;
    if left == 0 || left > len || stale.is_some_and(|st| st.same_element_state(s)) {
        return 0;
    }
    let d = u64::from(len - left);
    if sar.checked_add(d) == Some(s.sar) && dar.checked_add(d) == Some(s.dar) {
        d
    } else {
        0
    }
}

/// Bytes of the chunk `v` the snapshot `s` proves done (see the module
/// documentation for the rules).
pub(crate) fn chunk_done<T: AddressTranslate + ?Sized>(
    s: &RegSnapshot,
    v: &ChunkView<'_, T>,
) -> u64 {
    let idx = match v.ll_bus {
        Some(bus) => match llp_slot(s.llp, bus, v.elements) {
            Some(i) => i,
            // Not inside the chunk: nothing of it can be confirmed.
            None => return 0,
        },
        None => 0,
    };
    if idx >= v.elements {
        // Past the last data element (at the link): every element finished.
        return v.bytes;
    }
    let before = plan::chunk_prefix_bytes(v.entries, v.params, v.translate, v.start, idx);
    let Some(el) = plan::Elements::new(v.entries, v.params, v.translate, v.start).nth(idx) else {
        return before.min(v.bytes);
    };
    // Size 0: the element was never loaded (stale registers of the element
    // before it) or finished without LLP moving on; either way unproven.
    // Size above the element: not this element's count. SAR and DAR must
    // have moved by exactly as much.
    let partial = element_partial(s, el.len, el.sar, el.dar, v.stale.as_ref());
    before.saturating_add(partial).min(v.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::Identity;
    use crate::{Deployment, MapFormat};

    const BUS: u64 = 0x8000;

    /// A chunk of three 0x100-byte entries (SAR 0x1000.., DAR 0x9000..).
    fn check(s: RegSnapshot, stale: Option<RegSnapshot>) -> u64 {
        let entries = [
            Entry::new(0x1000, 0x9000, 0x100),
            Entry::new(0x2000, 0xa000, 0x100),
            Entry::new(0x3000, 0xb000, 0x100),
        ];
        let p = PlanParams::new(
            MapFormat::EdmaUnroll,
            ChannelDir::Write,
            Deployment::Local,
            8,
        );
        let v = ChunkView {
            entries: &entries,
            params: &p,
            translate: &Identity,
            start: Cursor::default(),
            elements: 3,
            bytes: 0x300,
            ll_bus: Some(BUS),
            stale,
        };
        chunk_done(&s, &v)
    }

    fn at(slot: u64, size: u32, sar: u64, dar: u64) -> RegSnapshot {
        RegSnapshot {
            llp: BUS + 24 * slot,
            size,
            sar,
            dar,
        }
    }

    #[test]
    fn exact_partial_when_sar_and_dar_moved_together() {
        // Element 1, 0x40 of 0x100 moved.
        assert_eq!(check(at(1, 0xc0, 0x2040, 0xa040), None), 0x140);
        // SAR moved, DAR did not (or the other way): nothing of it.
        assert_eq!(check(at(1, 0xc0, 0x2040, 0xa000), None), 0x100);
        assert_eq!(check(at(1, 0xc0, 0x2000, 0xa040), None), 0x100);
        // Loaded, nothing moved yet.
        assert_eq!(check(at(1, 0x100, 0x2000, 0xa000), None), 0x100);
    }

    #[test]
    fn unproven_states_count_nothing_of_the_element() {
        // Size 0 (stale registers of the element before): not counted.
        assert_eq!(check(at(1, 0, 0x2100, 0xa100), None), 0x100);
        // Size above the element's length: not this element's count.
        assert_eq!(check(at(1, 0x101, 0x1fff, 0x9fff), None), 0x100);
        assert_eq!(check(at(2, u32::MAX, 0x3000, 0xb000), None), 0x200);
        // LLP home with size 0: nothing started, or all done — unproven.
        assert_eq!(check(at(0, 0, 0x3100, 0xb100), None), 0);
        // Past the last data element (at the link): the whole chunk.
        assert_eq!(check(at(3, 0, 0, 0), None), 0x300);
    }

    #[test]
    fn llp_outside_the_chunk_or_misaligned_counts_nothing() {
        let s = |llp: u64| RegSnapshot {
            llp,
            size: 0x80,
            sar: 0x2080,
            dar: 0xa080,
        };
        assert_eq!(check(s(BUS + 24 + 8), None), 0); // inside slot 1, not at its start
        assert_eq!(check(s(BUS + 24 * 4), None), 0); // beyond the link
        assert_eq!(check(s(BUS - 24), None), 0); // before the region
        assert_eq!(check(s(BUS + 24), None), 0x180); // the same state at slot 1
    }

    #[test]
    fn the_registers_left_by_the_previous_batch_are_not_progress() {
        let stale = at(0, 0x80, 0x1080, 0x9080);
        // Exactly the stale state: the first element was never loaded.
        assert_eq!(check(at(0, 0x80, 0x1080, 0x9080), Some(stale)), 0);
        // Any one field different: a real, consistent partial count.
        assert_eq!(
            check(
                at(0, 0x80, 0x1080, 0x9080),
                Some(at(0, 0x40, 0x1080, 0x9080))
            ),
            0x80
        );
        assert_eq!(
            check(
                at(0, 0x80, 0x1080, 0x9080),
                Some(at(0, 0x80, 0x10c0, 0x9080))
            ),
            0x80
        );
        assert_eq!(
            check(
                at(0, 0x80, 0x1080, 0x9080),
                Some(at(0, 0x80, 0x1080, 0x90c0))
            ),
            0x80
        );
    }
}
