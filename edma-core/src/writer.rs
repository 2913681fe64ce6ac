//! The one element writer of the batch channel and the ring: data elements
//! into consecutive LL slots with the cycle bit of their lap, the lap's link
//! when the region's end is reached, and (ring) the first element of a
//! request held back and published last, behind a `sync`.
//!
//! The slot's control word is made visible no earlier than the rest of the
//! slot by the region itself ([`LlMemory::write`]'s contract, the MMIO
//! backend's store order); this module decides *which* elements go where,
//! with which control bits, and in what order slots are published.
//!
//! * The batch writes a chunk in slot order from slot 0 and closes it with a
//!   link back to slot 0 ([`SlotWriter::close`]), as Linux does; the
//!   channel syncs after programming its registers, right before the
//!   doorbell.
//! * The ring writes behind the running engine: every element of a request
//!   except its first, then (after a `sync`) the first, so the engine, which
//!   stops at the first slot whose cycle bit does not match, sees the whole
//!   request or none of it ([`SlotWriter::finish`]).

use crate::desc::{Control, Element};
use crate::io::LlMemory;

/// The link element that closes chunk `k`: back to slot 0, toggling the
/// consumer cycle state, with the opposite cycle bit.
///
/// ```
/// use edma_core::desc::{Control, Element};
/// use edma_core::plan::link_element;
/// // Chunk 0 runs with CB = 1: its link carries CB = 0 and toggles CCS.
/// assert_eq!(link_element(true, 0x8000), Element::link(Control::TCB, 0x8000));
/// assert_eq!(link_element(false, 0x8000), Element::link(Control::CB | Control::TCB, 0x8000));
/// ```
pub fn link_element(cycle: bool, ll_bus_addr: u64) -> Element {
    let c = if cycle {
        Control::TCB
    } else {
        Control::TCB | Control::CB
    };
    Element::link(c, ll_bus_addr)
}

/// The cycle bit of a lap's elements.
#[inline(always)]
pub(crate) fn cycle(pcs: bool) -> Control {
    if pcs { Control::CB } else { Control::empty() }
}

/// Writes data elements from `head` on; see the module documentation.
/// `RING`: the region wraps at `data` slots with a lap link and the first
/// element is held back (the ring); otherwise slot order from `head`, no
/// wrap (a batch chunk). A constant, so each use compiles to its own
/// straight-line code.
pub(crate) struct SlotWriter<'a, L: ?Sized, const RING: bool> {
    ll: &'a mut L,
    /// The next slot.
    head: usize,
    /// The cycle state of the lap `head` is in.
    pcs: bool,
    /// Data slots before the lap's link (ring).
    data: usize,
    /// The request's first element, held back (ring): its slot, control
    /// word (cycle bit included), size, SAR and DAR.
    held: Option<(usize, Control, u32, u64, u64)>,
    /// Elements put so far.
    count: usize,
}

impl<'a, L: LlMemory + ?Sized, const RING: bool> SlotWriter<'a, L, RING> {
    /// A writer at slot `head` of a lap with cycle state `pcs`, wrapping
    /// after `data` data slots (ring; ignored otherwise).
    #[inline(always)]
    pub(crate) fn new(ll: &'a mut L, head: usize, pcs: bool, data: usize) -> Self {
        SlotWriter {
            ll,
            head,
            pcs,
            data,
            held: None,
            count: 0,
        }
    }

    /// Elements put so far.
    #[inline(always)]
    pub(crate) fn count(&self) -> usize {
        if RING { self.count } else { self.head }
    }

    /// Advances past one slot; at the region's end writes the lap's link
    /// (back to slot 0, carrying the cycle the engine will have after
    /// following it) and toggles the cycle state.
    #[inline(always)]
    fn advance(&mut self, by: usize) {
        self.head += by;
        if !RING {
            return;
        }
        self.count += by;
        if self.head == self.data {
            let link = link_element(self.pcs, self.ll.bus_addr());
            self.ll.write(self.data, &link);
            self.head = 0;
            self.pcs = !self.pcs;
        }
    }

    /// Puts one data element (`ctl` without the cycle bit) at the head;
    /// returns its slot and the cycle state of its lap.
    #[inline(always)]
    pub(crate) fn put(&mut self, ctl: Control, len: u32, sar: u64, dar: u64) -> (usize, bool) {
        let at = (self.head, self.pcs);
        let ctl = ctl | cycle(self.pcs);
        if RING && self.held.is_none() {
            self.held = Some((self.head, ctl, len, sar, dar));
        } else {
            self.ll.write_data(self.head, ctl, len, sar, dar);
        }
        self.advance(1);
        at
    }

    /// Puts the elements of `items` (each mapped by `f` to size, SAR,
    /// DAR), all with control bits `ctl`, into consecutive slots with the
    /// region's run store ([`LlMemory::write_data_run`]), wrapping at most
    /// once. Returns the slot and lap cycle state of the last one (the
    /// head's if `items` is empty).
    #[inline(always)]
    pub(crate) fn put_run<T>(
        &mut self,
        ctl: Control,
        items: &[T],
        f: impl Fn(&T) -> (u32, u64, u64) + Copy,
    ) -> (usize, bool)
    where
        L: Sized,
    {
        let mut last = (self.head, self.pcs);
        // Up to the region's end, then (ring) the rest from slot 0 after
        // the lap's link: two runs at most, as the callers never put more
        // than the free slots.
        let mut rest = items;
        for _ in 0..if RING { 2 } else { 1 } {
            let room = if RING {
                self.data.saturating_sub(self.head).min(rest.len())
            } else {
                rest.len()
            };
            if room == 0 {
                break;
            }
            let (part, tail) = rest.split_at(room);
            self.ll
                .write_data_run(self.head, ctl | cycle(self.pcs), part.iter().map(f));
            last = (self.head + room - 1, self.pcs);
            rest = tail;
            self.advance(room);
        }
        last
    }

    /// Closes a batch chunk: the link back to slot 0 at the head.
    #[inline(always)]
    pub(crate) fn close(&mut self) {
        let link = link_element(self.pcs, self.ll.bus_addr());
        self.ll.write(self.head, &link);
    }

    /// Publishes a ring request: the held first element after the rest is
    /// made visible (a `sync` when there is more than one), then a `sync`.
    /// Returns the new head and its lap's cycle state.
    #[inline(always)]
    pub(crate) fn finish(self) -> (usize, bool) {
        if let Some((slot, ctl, len, sar, dar)) = self.held {
            if self.count > 1 {
                self.ll.sync();
            }
            self.ll.write_data(slot, ctl, len, sar, dar);
            self.ll.sync();
        }
        (self.head, self.pcs)
    }
}
