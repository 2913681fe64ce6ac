//! The channel driver: starting a batch, handling its interrupts, restarting
//! with the next chunk and reporting completion.
//!
//! A [`Controller`] owns the register block ([`RegisterIo`]) and the lock
//! over the registers channels share (interrupt mask, linked-list error
//! enable, and on the legacy map the viewport-select + window pair). A
//! [`Channel`] owns its LL region ([`LlMemory`]) and the state of the batch
//! in flight; its methods borrow the controller, so several channels of one
//! controller can be driven from several threads.
//!
//! The programming sequences follow Linux's `dw-edma-v0-core.c` and
//! `dw-hdma-v0-core.c` (first start: engine/channel enable, interrupt unmask,
//! LL error enable, control with CCS/LLE, LLP, consumer cycle; later chunks:
//! the doorbell alone).
//!
//! ```
//! use edma_core::{ChannelDir, Deployment, MapFormat, Status};
//! use edma_core::channel::{Channel, ChannelConfig, Controller};
//! use edma_core::plan::Entry;
//! use edma_backend_mock::{MockConfig, MockEngine};
//!
//! let map = MapFormat::HdmaNative;
//! let engine = MockEngine::new(MockConfig::new(map));
//! engine.local_write(0x2000, &[0xab; 64]);
//! let ctrl = Controller::new(&engine, map, Deployment::Local);
//! // A 3-slot region: 2 data elements + the link per chunk.
//! let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1)).unwrap(), engine.ll_region(ChannelDir::Write, 1, 3));
//! let batch: Vec<Entry> = (0..5).map(|i| Entry::new(0x2000 + i * 8, 0x9000 + i * 100, 8)).collect();
//! ch.submit(&ctrl, &batch).unwrap();
//! // Each interrupt either starts the next chunk (None) or completes the batch.
//! let done = loop {
//!     if let Some(c) = ch.on_interrupt(&ctrl).completion() {
//!         break c;
//!     }
//! };
//! assert_eq!(done.status, Status::Done);
//! assert_eq!(done.chunks, 3);
//! assert!(!ch.is_busy());
//! assert_eq!(engine.counters().total().doorbells, 3); // ceil(5 / 2) chunks
//! assert_eq!(engine.pci_read(0x9000 + 400, 8), vec![0xab; 8]);
//! ```
mod guard;
mod outcome;
mod run;

use lock_api::RawMutex;

pub use crate::config::{ChannelConfig, ChannelError, Claim};
pub use crate::controller::Controller;
use crate::io::{AddressTranslate, Identity, LlMemory, RegisterIo};
use crate::plan::{CheckedParams, Cursor, Entry, Limits, PlanSummary};
use crate::progress::RegSnapshot;
pub use guard::DROP_STOP_READS;
pub(crate) use guard::{Held, StopGuard, quarantine_opt};
pub use outcome::{Completion, Outcome, Status, Terminate, dispatch};

/// The LL memory type of a channel without an LL region (non-LL mode).
/// It has no values: a channel built with [`Channel::non_ll`] never holds one.
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
/// use edma_core::channel::{Channel, NoLl};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let ch: Channel<'_, '_, NoLl> = Channel::non_ll(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap());
/// assert!(ch.ll().is_none());
/// ```
#[derive(Debug)]
pub enum NoLl {}

impl LlMemory for NoLl {
    fn bus_addr(&self) -> u64 {
        match *self {}
    }
    fn capacity(&self) -> usize {
        match *self {}
    }
    fn write(&mut self, _index: usize, _element: &crate::desc::Element) {
        match *self {}
    }
}

#[derive(Debug, Clone, Copy)]
struct Active<'b> {
    entries: &'b [Entry],
    /// What `validate` said of the batch (lets chunks skip re-checking).
    summary: PlanSummary,
    /// Index of the chunk in flight.
    chunk: u64,
    chunk_start: Cursor,
    /// Data elements of the chunk in flight (at most `u32::MAX` per chunk:
    /// the channel's chunk size is capped there, which keeps `Active` small).
    chunk_elements: u32,
    next: Cursor,
    last: bool,
    /// Bytes of the chunks before the one in flight.
    bytes_before: u64,
    chunk_bytes: u64,
    stopping: bool,
}

/// One DMA channel and the batch in flight on it.
///
/// `'b` is the lifetime of the batch's entries: the channel reads them again
/// when it encodes later chunks, so they must outlive the batch (no copy, no
/// allocation). `'c` is the lifetime of the controller a batch was submitted
/// through: a busy channel keeps it to stop the engine if dropped.
///
/// **Dropping a channel with a batch in flight stops the engine**: the drop
/// requests a stop and waits until the engine reports the channel no longer
/// running (at most [`DROP_STOP_READS`] status reads), so the LL region the
/// channel owns is not freed under a running engine. If the engine does not
/// stop within that bound, the LL region is **quarantined** instead of given
/// back: [`LlMemory::quarantine`] is called before it is dropped (a backend
/// that owns the memory keeps it; one that borrows it leaves that to its
/// owner), the controller records it ([`Controller::is_quarantined`]) and
/// the channel stays claimed until [`Controller::clear_quarantine`] sees the
/// engine stopped. Memory the batch named must then outlive the quarantine
/// too. The claim is not released by a drop; give an idle channel back with
/// [`Controller::release`].
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
/// let batch = [Entry::new(0, 0x1000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// // `batch` must outlive the batch in flight: the borrow checker holds it
/// // until the channel is idle again (or dropped, which stops the engine).
/// assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
/// ctrl.release(ch).unwrap();
/// ```
#[derive(Debug)]
pub struct Channel<'c, 'b, L, T = Identity> {
    cfg: ChannelConfig,
    /// The LL region (none in non-LL mode) and, while a batch is in
    /// flight, the guard that stops the engine before the region goes.
    held: Held<'c, Option<L>>,
    translate: T,
    active: Option<Active<'b>>,
    batches: u64,
    /// The progress registers as last seen with the channel idle.
    stale: Option<RegSnapshot>,
    /// The plan parameters, checked at the first submit and kept until the
    /// limits change (`CheckedParams::unchecked` until then; always checked
    /// while a batch is in flight).
    checked: CheckedParams,
}

impl<'c, 'b, L: LlMemory> Channel<'c, 'b, L, Identity> {
    /// A channel in LL mode with its LL region and the identity
    /// translation, for a channel the controller handed out
    /// ([`Controller::claim`]).
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::io::LlMemory;
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// # let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 4)).unwrap();
    /// let ch = Channel::new(claim, engine.ll_region(ChannelDir::Read, 4, 16));
    /// assert_eq!(ch.ll().unwrap().capacity(), 16);
    /// ```
    pub fn new(claim: Claim, ll: L) -> Self {
        Channel {
            cfg: claim.cfg,
            held: Held::new(Some(ll), quarantine_opt::<L>),
            translate: Identity,
            active: None,
            batches: 0,
            stale: None,
            checked: CheckedParams::unchecked(),
        }
    }
}

impl<'c, 'b> Channel<'c, 'b, NoLl, Identity> {
    /// A channel in non-LL mode: every element is programmed through the
    /// channel's SAR/DAR/size registers and costs its own doorbell.
    ///
    /// For engines without LL memory (some endpoints expose none); the
    /// batch API is the same, only the cost differs:
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy));
    /// engine.pci_write(0x4000, b"abcdefgh");
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaLegacy, Deployment::Local);
    /// let mut ch = Channel::non_ll(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap());
    /// let batch = [Entry::new(0x4004, 0x100, 4), Entry::new(0x4000, 0x104, 4)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// let done = loop {
    ///     if let Some(c) = ch.on_interrupt(&ctrl).completion() {
    ///         break c;
    ///     }
    /// };
    /// assert!(done.is_success());
    /// assert_eq!(done.chunks, 2); // one block per entry
    /// assert_eq!(engine.counters().total().doorbells, 2);
    /// assert_eq!(engine.local_read(0x100, 8), b"efghabcd");
    /// ```
    pub fn non_ll(claim: Claim) -> Self {
        Channel {
            cfg: claim.cfg,
            held: Held::new(None, quarantine_opt::<NoLl>),
            translate: Identity,
            active: None,
            batches: 0,
            stale: None,
            checked: CheckedParams::unchecked(),
        }
    }
}

impl<'c, 'b, L: LlMemory, T: AddressTranslate> Channel<'c, 'b, L, T> {
    /// The same channel with another PCI address translation, applied to
    /// the PCI side of every entry (the destination on a write channel).
    /// Refused (the channel handed back as `Err`) while a batch is in
    /// flight.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::io::OffsetWindow;
    /// use edma_core::plan::PlanError;
    /// use edma_core::channel::ChannelError;
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaCompat));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaCompat, Deployment::Local);
    /// // The host's buffers appear to this endpoint at 0x8000_0000; on the bus they are at 0x10_0000.
    /// let window = OffsetWindow { cpu_base: 0x8000_0000, pci_base: 0x10_0000, size: 0x1_0000 };
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4))
    ///     .with_translation(window).unwrap();
    /// engine.local_write(0x500, &[7; 16]);
    /// let batch = [Entry::new(0x500, 0x8000_0040, 16)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
    /// assert_eq!(engine.pci_read(0x10_0040, 16), [7; 16]);
    /// // An entry whose PCI side leaves the window is rejected by index.
    /// let bad = [Entry::new(0x500, 0x8000_0040, 16), Entry::new(0x500, 0x8000_fff8, 16)];
    /// assert_eq!(ch.submit(&ctrl, &bad), Err(ChannelError::Plan(PlanError::NoPciAddress { entry: 1 })));
    /// ```
    // Handing the channel back by value is the point; boxing it would need
    // an allocator, which this crate never uses.
    #[allow(clippy::result_large_err)]
    pub fn with_translation<U: AddressTranslate>(
        self,
        translate: U,
    ) -> Result<Channel<'c, 'b, L, U>, Self> {
        // A batch in flight would encode its later chunks through a
        // translation it was never validated against.
        if self.active.is_some() {
            return Err(self);
        }
        Ok(Channel {
            cfg: self.cfg,
            held: self.held,
            translate,
            active: None,
            batches: self.batches,
            stale: self.stale,
            checked: self.checked,
        })
    }

    /// The configuration.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).unwrap(), engine.ll_region(ChannelDir::Read, 1, 4));
    /// assert_eq!(*ch.config(), ChannelConfig::new(ChannelDir::Read, 1));
    /// ```
    pub fn config(&self) -> &ChannelConfig {
        &self.cfg
    }

    /// The same idle channel, free to take batches of another lifetime.
    ///
    /// A channel stores its batch's entries while the batch is in flight,
    /// so its type carries their lifetime. Once idle it stores none, and
    /// this rebinds it (for example to a batch built inside a loop). A
    /// channel with a batch in flight is handed back as `Err`.
    ///
    /// ```
    /// # use edma_core::{ChannelDir, Deployment, MapFormat};
    /// # use edma_core::channel::{Channel, ChannelConfig, Controller};
    /// # use edma_core::plan::Entry;
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut idle = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
    /// for round in 0..3u64 {
    ///     let batch = vec![Entry::new(0, 0x1000 * (round + 1), 16)];
    ///     let mut ch = idle.rebind().expect("idle");
    ///     ch.submit(&ctrl, &batch).unwrap();
    ///     assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
    ///     idle = ch.rebind().expect("idle again");
    /// }
    /// assert_eq!(idle.batches_completed(), 3);
    /// ```
    // Handing the busy channel back by value is the point; boxing it would
    // need an allocator, which this crate never uses.
    #[allow(clippy::result_large_err)]
    pub fn rebind<'n>(self) -> Result<Channel<'c, 'n, L, T>, Self> {
        if self.active.is_some() {
            return Err(self);
        }
        Ok(Channel {
            cfg: self.cfg,
            held: self.held,
            translate: self.translate,
            active: None,
            batches: self.batches,
            stale: self.stale,
            checked: self.checked,
        })
    }

    /// Replaces the plan limits for later batches; refused while a batch is
    /// in flight.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::plan::Limits;
    /// use edma_core::channel::ChannelError;
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
    /// // No element above 4 KiB (e.g. a segment-size limit of the platform).
    /// ch.set_limits(Limits { max_element_len: 4096, ..Limits::default() }).unwrap();
    /// let batch = [Entry::new(0, 0x10_0000, 10_000)];
    /// let summary = ch.submit(&ctrl, &batch).unwrap();
    /// assert_eq!(summary.elements, 3); // 4096 + 4096 + 1808
    /// assert_eq!(engine.counters().total().elements, 3);
    /// assert_eq!(ch.set_limits(Limits::default()), Err(ChannelError::Busy));
    /// ```
    pub fn set_limits(&mut self, limits: Limits) -> Result<(), ChannelError> {
        if self.active.is_some() {
            return Err(ChannelError::Busy);
        }
        limits.check()?;
        self.cfg.limits = limits;
        self.checked = CheckedParams::unchecked();
        Ok(())
    }

    /// The LL region (`None` in non-LL mode).
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::io::LlMemory;
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 2)).unwrap(), engine.ll_region(ChannelDir::Write, 2, 4));
    /// assert_eq!(ch.ll().map(|ll| ll.bus_addr()), Some(engine.ll_base(ChannelDir::Write, 2)));
    /// ```
    pub fn ll(&self) -> Option<&L> {
        self.held.ll.as_ref()
    }

    /// Whether a batch is in flight.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4));
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// assert!(!ch.is_busy());
    /// ch.submit(&ctrl, &batch).unwrap();
    /// assert!(ch.is_busy());
    /// let _ = ch.on_interrupt(&ctrl);
    /// assert!(!ch.is_busy());
    /// ```
    pub fn is_busy(&self) -> bool {
        self.active.is_some()
    }

    /// Batches completed on this channel (successfully or not).
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4));
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// for _ in 0..3 {
    ///     ch.submit(&ctrl, &batch).unwrap();
    ///     let _ = ch.on_interrupt(&ctrl);
    /// }
    /// assert_eq!(ch.batches_completed(), 3);
    /// ```
    pub fn batches_completed(&self) -> u64 {
        self.batches
    }
}

impl<R: RegisterIo, M: RawMutex> Controller<R, M> {
    /// Takes back a channel handed out by [`Controller::claim`], so it can
    /// be claimed again. A channel with a batch in flight is handed back as
    /// `Err` (terminate it first: its LL region must outlive the batch).
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4));
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// // Busy: handed back, still claimed.
    /// let mut ch = ctrl.release(ch).unwrap_err();
    /// let _ = ch.on_interrupt(&ctrl);
    /// ctrl.release(ch).unwrap();
    /// assert!(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).is_ok());
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn release<'c, 'b, L: LlMemory, T: AddressTranslate>(
        &self,
        ch: Channel<'c, 'b, L, T>,
    ) -> Result<(), Channel<'c, 'b, L, T>> {
        if ch.is_busy() {
            return Err(ch);
        }
        self.unclaim(ch.config());
        Ok(())
    }
}
