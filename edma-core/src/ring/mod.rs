//! Ring mode: keep the engine fed. Entries are appended behind a running
//! engine and complete by index; the engine never has to stop between
//! submissions.
//!
//! The channel's LL region is used as a circular list: `D` data slots and,
//! in slot `D`, a link back to slot 0 with TCB (the engine toggles its
//! consumer cycle state, CCS, when it follows it). The producer — this
//! type — writes each element with its producer cycle state (PCS) in the
//! cycle bit (CB) and toggles PCS when it wraps; the engine executes an
//! element only while CB equals CCS and otherwise stops there until the next
//! doorbell, which resumes it at that element. One data slot is always kept
//! free, so the distance from the oldest unfinished element to the engine's
//! position (LLP) is unambiguous.
//!
//! * [`Ring::append`] validates entries like the batch planner (naming the
//!   offending entry, splitting long entries, translating the PCI side) and
//!   writes their elements; each entry gets an index (a `u64` that counts up
//!   for the life of the ring). Nothing is written when it fails, and a
//!   request larger than the free space fails as [`RingError::Full`] with
//!   how many of its entries would fit ([`Ring::append_some`] takes them).
//! * [`Ring::submit`] rings the doorbell (the first one also starts the
//!   channel, exactly as the batch path's first start does); [`Ring::push`]
//!   is both.
//! * [`Ring::on_interrupt`] and [`Ring::poll`] report [`Completed`]: how
//!   many entries finished since the last report and the last one's index;
//!   after an error the failing entry, how many of its bytes were done and
//!   which entries were not attempted. Progress is LLP read as two halves
//!   (high, low, high again).
//! * The erratum: a doorbell written while the engine runs can be lost. When
//!   an interrupt or a poll finds the channel stopped with submitted
//!   elements pending, it rings again ([`Completed::resumed`]).
//! * [`Ring::terminate`] stops the engine; an abort or a termination
//!   reports what ran and what did not and resets the ring, which is then
//!   usable again.
//!
//! `docs/ring.md` describes the protocol, the ordering of the writes and what
//! is assumed about the hardware.
//!
//! ```
//! use edma_backend_mock::{MockConfig, MockEngine};
//! use edma_core::ring::{Notify, Ring};
//! use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
//! let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
//! engine.pci_write(0x1000, b"first second third");
//! let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
//! let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap();
//! // 8 slots: 7 data slots and the link; one data slot stays free.
//! let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 0, 8)).unwrap();
//! assert_eq!(ring.free(), 6);
//! let a = ring.push(&ctrl, &[Entry::new(0x1000, 0x8000, 5), Entry::new(0x1006, 0x9000, 6)], Notify::End).unwrap();
//! assert_eq!(a.indices(), 0..2);
//! let b = ring.push(&ctrl, &[Entry::new(0x100d, 0xa000, 5)], Notify::End).unwrap();
//! assert_eq!(b.indices(), 2..3);
//! // The mock ran the engine on each doorbell; the interrupt reports all three.
//! let done = ring.on_interrupt(&ctrl).expect("this channel's interrupt");
//! assert_eq!((done.completed, done.last), (3, Some(2)));
//! assert!(done.failure.is_none());
//! assert_eq!(engine.local_read(0xa000, 5), b"third");
//! ```
mod append;
mod service;
mod types;

use lock_api::RawMutex;

#[cfg(doc)]
use crate::channel::DROP_STOP_READS;
use crate::channel::{ChannelConfig, Claim, Held, StopGuard};
use crate::controller::Controller;
use crate::desc::{Control, SLOT_SIZE};
use crate::io::{AddressTranslate, Identity, LlMemory, RegisterIo};
use crate::plan::{self, CheckedParams, Entry, Limits, PlanParams};
use crate::progress::RegSnapshot;
use crate::{Deployment, MapFormat};
pub use types::{
    Appended, Completed, FailKind, Failure, Notify, RingError, RingStats, RingTerminate,
};

/// Status reads [`Ring::poll`] and [`Ring::on_interrupt`] wait at most for
/// an engine that is between elements (running, transfer size 0) to either
/// load the next one or stop: the window in which a doorbell can be lost.
pub const SETTLE_READS: u32 = 64;

/// What the ring remembers of a queued element: its length (bits 0..32)
/// and whether it completes its entry (bit 32) — or, with bit 33, that the
/// slot starts a run of `bits 0..32` elements that are one entry each (the
/// fast path records a run once, not each element).
type SlotMeta = u64;
const ENDS_ENTRY: u64 = 1 << 32;
const RUN: u64 = 1 << 33;

/// A DMA channel driven as a ring of at most `N` data slots and the link
/// (`N + 1` LL slots; fewer if the LL region is smaller). One data slot is
/// always kept free, so at most `N - 1` elements are queued at once
/// ([`Ring::capacity`]).
///
/// `'c` is the lifetime of the controller the ring was started through:
/// like a [`Channel`](crate::Channel), **a ring dropped while its engine may
/// run stops it** (a stop request, then at most
/// [`DROP_STOP_READS`] status reads), and quarantines its LL region if the
/// engine does not stop ([`Controller::is_quarantined`]).
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// use edma_core::ring::{Notify, Ring};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaCompat));
/// # let ctrl = Controller::new(&engine, MapFormat::HdmaCompat, Deployment::Local);
/// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
/// // N = 4: at most 5 LL slots are used (4 data slots and the link), one kept free.
/// let ring: Ring<'_, _, _, 4> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 64)).unwrap();
/// assert_eq!(ring.capacity(), 3);
/// ```
#[derive(Debug)]
pub struct Ring<'c, L, T = Identity, const N: usize = 64> {
    cfg: ChannelConfig,
    map: MapFormat,
    deployment: Deployment,
    /// The LL region and, while the engine may run, the guard that stops
    /// it before the region goes (quarantined if it does not stop).
    held: Held<'c, L>,
    translate: T,
    /// Data slots in use (2..=N-1).
    data: usize,
    meta: [SlotMeta; N],
    /// Next slot to produce, and its cycle bit.
    head: usize,
    pcs: bool,
    /// Oldest element not yet retired.
    tail: usize,
    outstanding: usize,
    /// The newest `unrung` of the outstanding elements have had no doorbell.
    unrung: usize,
    next_entry: u64,
    done_entry: u64,
    /// Bytes of entry `done_entry` in retired elements.
    entry_bytes: u64,
    /// Elements left of the fast-path run at `tail`.
    run_left: usize,
    started: bool,
    stopping: bool,
    stale: Option<RegSnapshot>,
    stats: RingStats,
    /// The ring's plan parameters checked once, for the quick accept of
    /// `append` (`None` when the limits describe no plan: every append then
    /// takes the exact path, which reports them).
    fast: Option<CheckedParams>,
    /// The interrupt bits of this ring's elements (see [`Notify`]).
    irq: Control,
}

impl<'c, L: LlMemory, const N: usize> Ring<'c, L, Identity, N> {
    /// A ring on a claimed channel and its LL region, with the identity
    /// translation. Writes the empty ring into the LL region (every data
    /// slot not valid for the engine, the link back to slot 0).
    ///
    /// Refused with [`RingError::LlTooSmall`] (the claim and the region
    /// handed back) when fewer than 3 slots are available.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::ring::{Ring, RingError};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap();
    /// // Two slots are too few: the claim and the region come back.
    /// let (err, claim, _ll) = Ring::<'_, _, _, 8>::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 0, 2)).unwrap_err();
    /// assert_eq!(err, RingError::LlTooSmall { capacity: 2 });
    /// let ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 0, 3)).unwrap();
    /// assert_eq!(ring.capacity(), 1);
    /// ```
    // Handing the claim and the region back is the point.
    #[allow(clippy::result_large_err)]
    pub fn new<R: RegisterIo, M: RawMutex>(
        ctrl: &Controller<R, M>,
        claim: Claim,
        ll: L,
    ) -> Result<Self, (RingError, Claim, L)> {
        let slots = ll.capacity().min(N.saturating_add(1));
        if slots < 3 {
            return Err((RingError::LlTooSmall { capacity: slots }, claim, ll));
        }
        let mut ring = Ring {
            cfg: claim.cfg,
            map: ctrl.map(),
            deployment: ctrl.deployment(),
            held: Held::new(ll, L::quarantine),
            translate: Identity,
            data: slots - 1,
            meta: [0; N],
            head: 0,
            pcs: true,
            tail: 0,
            outstanding: 0,
            unrung: 0,
            next_entry: 0,
            done_entry: 0,
            entry_bytes: 0,
            run_left: 0,
            started: false,
            stopping: false,
            stale: None,
            stats: RingStats::default(),
            fast: None,
            irq: Control::empty(),
        };
        ring.fast = ring.params(ring.data).checked().ok();
        ring.irq = ring.irq_bits_of();
        ring.write_empty();
        Ok(ring)
    }
}

impl<'c, L: LlMemory, T: AddressTranslate, const N: usize> Ring<'c, L, T, N> {
    /// The same ring with another PCI address translation; refused (the ring
    /// handed back) while entries are queued.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::io::OffsetWindow;
    /// use edma_core::ring::{Notify, Ring};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let window = OffsetWindow { cpu_base: 0x8000_0000, pci_base: 0x20_0000, size: 0x1000 };
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8))
    ///     .unwrap()
    ///     .with_translation(window)
    ///     .unwrap();
    /// engine.local_write(0x40, b"xlate");
    /// ring.push(&ctrl, &[Entry::new(0x40, 0x8000_0010, 5)], Notify::End).unwrap();
    /// let _ = ring.on_interrupt(&ctrl);
    /// assert_eq!(engine.pci_read(0x20_0010, 5), b"xlate");
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn with_translation<U: AddressTranslate>(
        self,
        translate: U,
    ) -> Result<Ring<'c, L, U, N>, Self> {
        if self.outstanding != 0 || self.stopping {
            return Err(self);
        }
        Ok(Ring {
            cfg: self.cfg,
            map: self.map,
            deployment: self.deployment,
            held: self.held,
            translate,
            data: self.data,
            meta: self.meta,
            head: self.head,
            pcs: self.pcs,
            tail: self.tail,
            outstanding: self.outstanding,
            unrung: self.unrung,
            next_entry: self.next_entry,
            done_entry: self.done_entry,
            entry_bytes: self.entry_bytes,
            run_left: self.run_left,
            started: self.started,
            stopping: self.stopping,
            stale: self.stale,
            stats: self.stats,
            fast: self.fast,
            irq: self.irq,
        })
    }

    /// Gives the channel back to `ctrl` (it can be claimed again): refused
    /// (the ring handed back) while entries are queued or a termination is
    /// pending. A started engine is stopped first (it has nothing valid
    /// to run, but its LL region goes back to the caller); if it does not
    /// stop within the bound the ring is handed back too (dropping it then
    /// quarantines its LL region). `ctrl` must be the controller the ring
    /// was claimed from.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::ring::{Notify, Ring};
    /// use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// ring.push(&ctrl, &[Entry::new(0, 0x1000, 8)], Notify::End).unwrap();
    /// let mut ring = ring.release(&ctrl).expect_err("an entry is queued");
    /// assert_eq!(ring.on_interrupt(&ctrl).unwrap().completed, 1);
    /// ring.release(&ctrl).unwrap();
    /// assert!(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).is_ok());
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn release<R: RegisterIo, M: RawMutex>(
        mut self,
        ctrl: &Controller<R, M>,
    ) -> Result<(), Self> {
        if self.outstanding != 0 || self.stopping {
            return Err(self);
        }
        if let Some(g) = self.held.guard.take() {
            // Stops the engine (bounded), as a drop would; one that does
            // not stop keeps its ring (dropping it then quarantines the LL).
            if !g.stop() {
                self.held.guard = Some(g);
                return Err(self);
            }
        }
        ctrl.unclaim(&self.cfg);
        Ok(())
    }

    /// The channel's configuration.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::ring::Ring;
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 6)).unwrap();
    /// let ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 6, 8)).unwrap();
    /// assert_eq!(ring.config().index, 6);
    /// ```
    pub fn config(&self) -> &ChannelConfig {
        &self.cfg
    }

    /// The LL region.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::desc::{Control, Element};
    /// use edma_core::io::LlMemory;
    /// use edma_core::ring::Ring;
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// // The empty ring: slot 7 links back to slot 0 and toggles the cycle state.
    /// let bus = ring.ll().bus_addr();
    /// assert_eq!(ring.ll().read(7), Some(Element::link(Control::TCB, bus)));
    /// ```
    pub fn ll(&self) -> &L {
        &self.held.ll
    }

    /// Data slots that can hold queued elements at once (one of the ring's
    /// data slots is always kept free).
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::ring::Ring;
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// // 16 slots: 15 data slots and the link; one data slot stays free.
    /// let ring: Ring<'_, _, _, 64> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 16)).unwrap();
    /// assert_eq!(ring.capacity(), 14);
    /// ```
    pub fn capacity(&self) -> usize {
        self.data - 1
    }

    /// Free data slots: how many more elements fit now.
    ///
    /// ```
    /// # use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::ring::{Notify, Ring};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Manual));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// ring.append(&[Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8)], Notify::End).unwrap();
    /// assert_eq!((ring.free(), ring.queued()), (4, 2));
    /// ```
    pub fn free(&self) -> usize {
        self.capacity().saturating_sub(self.outstanding)
    }

    /// Elements queued and not yet reported complete.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::ring::{Notify, Ring};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// ring.push(&ctrl, &[Entry::new(0, 0x1000, 8)], Notify::End).unwrap();
    /// assert_eq!(ring.queued(), 1); // done, but not yet reported
    /// let _ = ring.poll(&ctrl);
    /// assert_eq!(ring.queued(), 0);
    /// ```
    pub fn queued(&self) -> usize {
        self.outstanding
    }

    /// The index the next appended entry gets.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::ring::{Notify, Ring};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// assert_eq!(ring.next_index(), 0);
    /// ring.append(&[Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8)], Notify::End).unwrap();
    /// assert_eq!(ring.next_index(), 2);
    /// ```
    pub fn next_index(&self) -> u64 {
        self.next_entry
    }

    /// Counters.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::ring::{Ring, RingStats};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// assert_eq!(ring.stats(), RingStats::default());
    /// ```
    pub fn stats(&self) -> RingStats {
        self.stats
    }

    /// Whether [`Ring::terminate`] is waiting for the engine to stop.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::ring::Ring;
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// let _ = ring.terminate(&ctrl);
    /// assert!(!ring.is_stopping()); // the mock stops at once
    /// ```
    pub fn is_stopping(&self) -> bool {
        self.stopping
    }

    /// The plan parameters entries are validated with when `free` slots are
    /// free (the ring never coalesces: every element belongs to one entry).
    fn params(&self, free: usize) -> PlanParams {
        let len = (self.held.ll.capacity() as u64).saturating_mul(SLOT_SIZE as u64);
        PlanParams {
            map: self.map,
            dir: self.cfg.dir,
            deployment: self.deployment,
            chunk_elements: free,
            limits: Limits {
                max_chunks: 1,
                coalesce: false,
                ..self.cfg.limits
            },
            ll_region: (self.held.ll.bus_addr(), len),
        }
    }

    /// Checks `entries` as a stream through this ring would meet them,
    /// without writing anything: every entry valid (the planner's checks,
    /// translation included) and none needing more elements than the ring
    /// holds ([`RingError::TooLarge`]); how full the ring is now does not
    /// matter. Returns the elements the entries take in all. For a
    /// provider that refuses bad input when a descriptor is prepared and
    /// then streams it with [`Ring::append_some`].
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::plan::{Limits, PlanError};
    /// use edma_core::ring::{Ring, RingError};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let cfg = ChannelConfig::new(ChannelDir::Write, 0).with_limits(Limits { max_element_len: 4096, ..Limits::default() });
    /// let ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, ctrl.claim(cfg).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// // 100 entries through 6 usable slots: fine, they are streamed.
    /// let many: Vec<Entry> = (0..100).map(|i| Entry::new(i * 8, 0x10_0000 + i * 8, 8)).collect();
    /// assert_eq!(ring.check(&many), Ok(100));
    /// // One entry of 7 elements can never be in a ring of 6 usable slots.
    /// assert_eq!(ring.check(&[Entry::new(0, 0x1000, 7 * 4096)]), Err(RingError::TooLarge { entry: 0 }));
    /// assert_eq!(ring.check(&[Entry::new(0, 0x1000, 0)]), Err(RingError::Plan(PlanError::ZeroLength { entry: 0 })));
    /// ```
    pub fn check(&self, entries: &[Entry]) -> Result<u64, RingError> {
        let cap = self.capacity().max(1);
        let mut params = self.params(cap);
        params.limits.max_chunks = u32::MAX;
        let summary = plan::validate(entries, &params, &self.translate)?;
        let max = u64::from(self.cfg.limits.max_element_len.max(1));
        if let Some(entry) = entries
            .iter()
            .position(|e| e.len.div_ceil(max) > cap as u64)
        {
            return Err(RingError::TooLarge { entry });
        }
        Ok(summary.elements)
    }
}
