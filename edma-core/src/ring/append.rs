//! The producer: validating an append, writing its elements behind the
//! running engine (the append's first element published last), interrupt
//! placement ([`Notify`]).

use super::{Appended, ENDS_ENTRY, Notify, RUN, Ring, RingError};
use crate::desc::Control;
use crate::io::{AddressTranslate, LlMemory};
use crate::plan::{self, Cursor, Elements, Entry, PlanError, PlanParams};
use crate::writer::SlotWriter;
use crate::{ChannelDir, Deployment};

impl<'c, L: LlMemory, T: AddressTranslate, const N: usize> Ring<'c, L, T, N> {
    /// Queues `entries` (all of them, or none) without ringing the doorbell.
    ///
    /// Each element is written whole with its control word last; the
    /// elements after the append's first are made visible
    /// ([`LlMemory::sync`]) before the first one is written, so an engine
    /// that sees the first sees them all. `notify` chooses the elements
    /// that request an interrupt.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::plan::PlanError;
    /// use edma_core::ring::{Notify, Ring, RingError};
    /// use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 4> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 4)).unwrap();
    /// let three = [Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8), Entry::new(16, 0x3000, 8)];
    /// // 4 slots: 3 data slots, 2 usable. Nothing is written when it does not fit.
    /// assert_eq!(ring.append(&three, Notify::End), Err(RingError::Full { free: 2, fits: 2 }));
    /// let writes = engine.counters().total().ll_slot_writes;
    /// assert_eq!(ring.append(&[Entry::new(0, 0x1000, 0)], Notify::End), Err(RingError::Plan(PlanError::ZeroLength { entry: 0 })));
    /// assert_eq!(engine.counters().total().ll_slot_writes, writes);
    /// assert_eq!(ring.append_some(&three, Notify::End).unwrap().entries, 2);
    /// assert_eq!(ring.free(), 0);
    /// ```
    pub fn append(&mut self, entries: &[Entry], notify: Notify) -> Result<Appended, RingError> {
        if self.stopping {
            return Err(RingError::Stopping);
        }
        let free = self.free();
        if free == 0 {
            // Full, but an invalid request (or an entry that can never
            // fit) is told so now, not after the ring drains.
            self.check(entries)?;
            return Err(RingError::Full { free: 0, fits: 0 });
        }
        if !matches!(notify, Notify::Every(2..))
            && !entries.is_empty()
            && entries.len() <= free
            && let Some(fast) = &self.fast
            && plan::all_single(entries, fast, &self.translate)
        {
            // The common case: every entry one element, all of them fit.
            let elements = self.encode_single(entries, self.cfg.dir, notify);
            return Ok(self.appended(entries.len(), elements));
        }
        let params = self.params(free);
        let summary = match plan::validate(entries, &params, &self.translate) {
            Ok(s) => s,
            Err(PlanError::TooManyChunks { entry }) => {
                return Err(self.full(entries, free, entry));
            }
            Err(e) => return Err(RingError::Plan(e)),
        };
        let elements = self.encode(entries, &params, summary.elements, notify);
        Ok(self.appended(entries.len(), elements))
    }

    pub(super) fn appended(&mut self, entries: usize, elements: usize) -> Appended {
        let first = self.next_entry;
        self.next_entry = self.next_entry.wrapping_add(entries as u64);
        self.outstanding += elements;
        self.unrung += elements;
        Appended {
            first,
            entries,
            elements,
        }
    }

    /// The interrupt bits `notify` puts on every entry's last element and,
    /// in addition, on the append's last element.
    pub(super) fn notify_bits(&self, notify: Notify) -> (Control, Control) {
        let irq = self.irq_bits();
        match notify {
            Notify::End => (Control::empty(), irq),
            Notify::Each | Notify::Every(0 | 1) => (irq, irq),
            // Per entry in `encode`.
            Notify::None | Notify::Every(_) => (Control::empty(), Control::empty()),
        }
    }

    /// The interrupt bits of this ring's elements (see [`Notify`]),
    /// worked out once when the ring is made.
    #[inline(always)]
    pub(super) fn irq_bits(&self) -> Control {
        self.irq
    }

    /// The interrupt bits of this ring's elements, from its map and
    /// deployment: eDMA v0 maps signal with LIE (and RIE when remote),
    /// native HDMA with its channel-stop interrupt (no element bits).
    pub(super) fn irq_bits_of(&self) -> Control {
        if !self.map.is_edma_v0() {
            Control::empty()
        } else if self.deployment == Deployment::Remote {
            Control::LIE | Control::RIE
        } else {
            Control::LIE
        }
    }

    /// Writes entries that are one element each and all fit; returns how
    /// many elements (= entries). The append's first element is written
    /// last, after the rest are made visible.
    #[inline]
    pub(super) fn encode_single(
        &mut self,
        entries: &[Entry],
        dir: ChannelDir,
        notify: Notify,
    ) -> usize {
        let (each, end) = self.notify_bits(notify);
        let n = entries.len();
        // At most two runs of slots: head..data, then 0.. after the wrap;
        // each run's first slot records its length.
        let split = n.min(self.data - self.head);
        if let Some(m) = self.meta.get_mut(self.head) {
            *m = RUN | split as u64;
        }
        if let (true, Some(m)) = (n > split, self.meta.first_mut()) {
            *m = RUN | (n - split) as u64;
        }
        let t = &self.translate;
        // Validated: the translation has an address for each entry.
        let item = |e: &Entry| {
            let (sar, dar) = plan::resolve(e, dir, t).unwrap_or_default();
            (e.len as u32, sar, dar)
        };
        let mut w = SlotWriter::<_, true>::new(&mut self.held.ll, self.head, self.pcs, self.data);
        let Some((first, rest)) = entries.split_first() else {
            return 0;
        };
        // The append's first element, held back and published last.
        let (len, sar, dar) = item(first);
        w.put(if n == 1 { each | end } else { each }, len, sar, dar);
        if let Some((last, body)) = rest.split_last() {
            w.put_run(each, body, item);
            // The append's last element also asks for the interrupt.
            let (len, sar, dar) = item(last);
            w.put(each | end, len, sar, dar);
        }
        (self.head, self.pcs) = w.finish();
        n
    }

    /// `Full`, or `TooLarge` when the first entry that does not fit is the
    /// request's first and needs more elements than the ring ever holds.
    #[cold]
    pub(super) fn full(&self, entries: &[Entry], free: usize, fits: usize) -> RingError {
        let max = u64::from(self.cfg.limits.max_element_len.max(1));
        let needs = entries.get(fits).map_or(0, |e| e.len.div_ceil(max));
        if fits == 0 && needs > self.capacity() as u64 {
            RingError::TooLarge { entry: 0 }
        } else {
            RingError::Full { free, fits }
        }
    }

    /// Queues the longest prefix of `entries` that fits (at least one
    /// entry, else [`RingError::Full`]); the returned count says how many.
    /// For streaming a batch longer than the ring as slots complete.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::ring::{Notify, Ring};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// // Stream 100 entries through 6 usable slots.
    /// let all: Vec<Entry> = (0..100).map(|i| Entry::new(i * 8, 0x10_0000 + i * 8, 8)).collect();
    /// let (mut queued, mut done) = (0, 0);
    /// while done < 100 {
    ///     if let Ok(a) = ring.append_some(&all[queued..], Notify::End) {
    ///         queued += a.entries;
    ///         ring.submit(&ctrl).unwrap();
    ///     }
    ///     done += ring.on_interrupt(&ctrl).map_or(0, |c| c.completed as usize);
    /// }
    /// assert_eq!(ring.next_index(), 100);
    /// ```
    pub fn append_some(
        &mut self,
        entries: &[Entry],
        notify: Notify,
    ) -> Result<Appended, RingError> {
        // No more entries than free slots can fit (each takes at least one
        // element): looking at more would make streaming a long array
        // through a small ring quadratic in its length.
        // A full ring checks the entry that would go next (and no more).
        let entries = entries.get(..self.free().max(1)).unwrap_or(entries);
        match self.append(entries, notify) {
            Err(RingError::Full { fits, .. }) if fits > 0 => {
                self.append(entries.get(..fits).unwrap_or_default(), notify)
            }
            r => r,
        }
    }

    /// Writes the elements of a validated request; returns how many.
    #[inline]
    pub(super) fn encode(
        &mut self,
        entries: &[Entry],
        params: &PlanParams,
        elements: u64,
        notify: Notify,
    ) -> usize {
        let (each, mut end) = self.notify_bits(notify);
        // `Notify::Every(k)`: the entries whose index is k - 1 mod k, and
        // the append's end when fewer than k entries stay queued.
        let (base, every, irq) = (self.next_entry, u64::from(every_k(notify)), self.irq_bits());
        if every > 1 {
            let queued = self.next_entry.wrapping_sub(self.done_entry);
            if queued.saturating_add(entries.len() as u64) < every {
                end = irq;
            }
        }
        let mark = |j: u64| {
            if every > 1 && (base.wrapping_add(j) % every) == every - 1 {
                irq
            } else {
                Control::empty()
            }
        };
        let mut w = SlotWriter::<_, true>::new(&mut self.held.ll, self.head, self.pcs, self.data);
        let meta = &mut self.meta;
        // Records an element's slot (its length and whether it ends an entry).
        let mut put = |w: &mut SlotWriter<'_, L, true>,
                       sar: u64,
                       dar: u64,
                       len: u32,
                       ends: bool,
                       ctl: Control| {
            let (slot, _) = w.put(ctl, len, sar, dar);
            if let Some(m) = meta.get_mut(slot) {
                *m = u64::from(len) | if ends { ENDS_ENTRY } else { 0 };
            }
        };
        let translate = &self.translate;
        let mut count = 0usize;
        let total = usize::try_from(elements).unwrap_or(usize::MAX);
        if elements == entries.len() as u64 {
            // One element per entry (nothing split): element i is entry i.
            for e in entries {
                let Some((sar, dar)) = plan::resolve(e, params.dir, translate) else {
                    break;
                };
                let ctl = interrupt_bits(each, end, count + 1 == total) | mark(count as u64);
                count += 1;
                put(&mut w, sar, dar, e.len as u32, true, ctl);
            }
        } else {
            let mut it = Elements::new(entries, params, translate, Cursor::default());
            // An element is written once the next one is known, so the
            // append's last element is known when it is written.
            let mut held: Option<(u64, u64, u32, bool)> = None;
            // Index (in the append) of the entry the held element belongs to.
            let mut entry = 0u64;
            while let Some(el) = it.next() {
                let ends = it.cursor().offset == 0;
                if let Some((s, d, l, e)) = held {
                    count += 1;
                    let ctl = if e {
                        entry += 1;
                        interrupt_bits(each, end, false) | mark(entry - 1)
                    } else {
                        Control::empty()
                    };
                    put(&mut w, s, d, l, e, ctl);
                }
                held = Some((el.sar, el.dar, el.len, ends));
            }
            if let Some((s, d, l, e)) = held {
                count += 1;
                let ctl = interrupt_bits(each, end, true) | mark(entry);
                put(&mut w, s, d, l, e, ctl);
            }
        }
        // The rest of the append is visible before its first element.
        (self.head, self.pcs) = w.finish();
        count
    }
}

/// `k` of [`Notify::Every`] (0 for the other policies).
fn every_k(notify: Notify) -> u16 {
    match notify {
        Notify::Every(k) => k,
        _ => 0,
    }
}

/// The interrupt bits of an element: `each` (entry end), plus `end` on the
/// append's last element.
#[inline(always)]
fn interrupt_bits(each: Control, end: Control, last: bool) -> Control {
    if last { each | end } else { each }
}
