//! Progress of a chunk as a pure function of a register snapshot.
//!
//! The invariant: **the bytes reported done are never more than the engine
//! moved.** Where the registers say exactly how far the engine got, the
//! count is exact; where they are ambiguous (an element that may never have
//! been loaded, LLP back at the region start), the element is not counted.
//! The channel reads a [`RegSnapshot`] when a batch fails or is terminated
//! and asks [`chunk_done`] how much of the chunk in flight to count; the
//! chunks before it are counted from their done interrupts.

use crate::desc::SLOT_SIZE;
use crate::io::{AddressTranslate, RegisterIo};
use crate::plan::{self, Cursor, Entry, PlanParams};
use crate::regs::ChReg;
use crate::{ChannelDir, controller::Controller};
use lock_api::RawMutex;

/// The per-channel registers progress is read from.
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
            size: ctrl.ch_read(dir, ch, ChReg::TransferSize),
            sar: ctrl.read64(dir, ch, ChReg::SarLo, ChReg::SarHi),
            dar: ctrl.read64(dir, ch, ChReg::DarLo, ChReg::DarHi),
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

/// Bytes of the chunk `v` the snapshot `s` proves done (see the module
/// documentation for the rules).
pub(crate) fn chunk_done<T: AddressTranslate + ?Sized>(
    s: &RegSnapshot,
    v: &ChunkView<'_, T>,
) -> u64 {
    let idx = match v.ll_bus {
        Some(bus) => match s.llp.checked_sub(bus) {
            Some(d) if d % SLOT_SIZE as u64 == 0 && d / (SLOT_SIZE as u64) <= v.elements as u64 => {
                (d / SLOT_SIZE as u64) as usize
            }
            // Not inside the chunk: nothing of it can be confirmed.
            _ => return 0,
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
    let len = u64::from(el.len);
    let left = u64::from(s.size);
    // Size 0: the element was never loaded (stale registers of the element
    // before it) or finished without LLP moving on; either way unproven.
    // Size above the element: not this element's count.
    if left == 0 || left > len || v.stale.is_some_and(|st| st.same_element_state(s)) {
        return before.min(v.bytes);
    }
    let partial = len - left;
    // Trust the partial count only when SAR and DAR moved by exactly as much.
    let consistent =
        el.sar.checked_add(partial) == Some(s.sar) && el.dar.checked_add(partial) == Some(s.dar);
    let partial = if consistent { partial } else { 0 };
    before.saturating_add(partial).min(v.bytes)
}
