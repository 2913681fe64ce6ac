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

use lock_api::RawMutex;

pub use crate::controller::Controller;
use crate::desc::SLOT_SIZE;
use crate::io::{AddressTranslate, Identity, LlMemory, RegisterIo};
use crate::plan::{self, Cursor, Entry, Limits, PlanError, PlanParams};
use crate::progress::{self, ChunkView, RegSnapshot};
use crate::regs::HwChannelStatus;
use crate::{ChannelDir, Deployment, MAX_CHANNELS};

/// Static configuration of a channel.
///
/// ```
/// use edma_core::plan::Limits;
/// use edma_core::{ChannelConfig, ChannelDir};
/// // Read channel 2, elements of at most 64 KiB.
/// let cfg = ChannelConfig::new(ChannelDir::Read, 2)
///     .with_limits(Limits { max_element_len: 0x1_0000, ..Limits::default() });
/// assert_eq!((cfg.dir, cfg.index, cfg.limits.max_element_len), (ChannelDir::Read, 2, 0x1_0000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChannelConfig {
    /// Direction.
    pub dir: ChannelDir,
    /// Channel number within its direction (0..8).
    pub index: u8,
    /// Plan limits for batches on this channel.
    pub limits: Limits,
}

impl ChannelConfig {
    /// Channel `index` of direction `dir` with default limits.
    ///
    /// ```
    /// use edma_core::{ChannelConfig, ChannelDir};
    /// let cfg = ChannelConfig::new(ChannelDir::Write, 0);
    /// assert_eq!(cfg.limits, edma_core::Limits::default());
    /// ```
    pub fn new(dir: ChannelDir, index: u8) -> Self {
        ChannelConfig {
            dir,
            index,
            limits: Limits::default(),
        }
    }

    /// The same configuration with other limits.
    ///
    /// ```
    /// use edma_core::plan::Limits;
    /// use edma_core::{ChannelConfig, ChannelDir};
    /// let strict = Limits { split: false, ..Limits::default() };
    /// assert!(!ChannelConfig::new(ChannelDir::Write, 1).with_limits(strict).limits.split);
    /// ```
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// A hardware channel handed out by [`Controller::claim`]: proof that it
/// exists on the engine and that no other [`Channel`] drives it. Give it
/// back with [`Controller::release`].
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 3)).unwrap();
/// assert_eq!(claim.config().index, 3);
/// // Only the controller makes claims, and only one per hardware channel.
/// assert!(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 3)).is_err());
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
#[must_use = "a claimed channel stays claimed until released"]
pub struct Claim {
    pub(crate) cfg: ChannelConfig,
}

impl Claim {
    /// The claimed channel's configuration.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// # let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 7)).unwrap();
    /// assert_eq!((claim.config().dir, claim.config().index), (ChannelDir::Read, 7));
    /// ```
    pub fn config(&self) -> &ChannelConfig {
        &self.cfg
    }
}

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

/// How a batch ended.
///
/// ```
/// # use edma_backend_mock::{Fault, MockConfig, MockEngine};
/// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat, Status};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// # let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
/// // The engine fails on the second element (a write error after 16 bytes).
/// engine.inject_fault(ChannelDir::Write, 0, Fault::AbortAt { element: 1, after_bytes: 16, read: false });
/// let batch = [Entry::new(0, 0x1000, 64), Entry::new(64, 0x2000, 64), Entry::new(128, 0x3000, 64)];
/// ch.submit(&ctrl, &batch).unwrap();
/// let done = ch.on_interrupt(&ctrl).completion().unwrap();
/// match done.status {
///     Status::Aborted { entry, entry_bytes_done } => {
///         assert_eq!(entry, 1);
///         assert_eq!(done.bytes_done, 64 + entry_bytes_done);
///     }
///     other => panic!("{other:?}"),
/// }
/// assert_eq!(done.bytes_done + done.residue, 192);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Every byte of every entry was transferred.
    Done,
    /// The engine aborted (error). `entry` is the first entry not completely
    /// transferred; the entries before it are complete.
    Aborted {
        /// Index of the failing entry.
        entry: usize,
        /// Bytes of that entry the engine completed before the error.
        entry_bytes_done: u64,
    },
    /// [`Channel::terminate`] stopped the batch. `entry` is the first entry
    /// not completely transferred (`None` if the engine had finished them all).
    Terminated {
        /// Index of the first incomplete entry.
        entry: Option<usize>,
    },
}

/// The single completion of a batch.
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat, Status};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaCompat));
/// # let ctrl = Controller::new(&engine, MapFormat::HdmaCompat, Deployment::Local);
/// // 3 slots: 2 data elements per chunk, so 3 entries take 2 chunks.
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap(), engine.ll_region(ChannelDir::Read, 0, 3));
/// let batch = [Entry::new(0x100, 0x1000, 10), Entry::new(0x200, 0x2000, 20), Entry::new(0x300, 0x3000, 30)];
/// ch.submit(&ctrl, &batch).unwrap();
/// let done = loop {
///     if let Some(c) = ch.on_interrupt(&ctrl).completion() {
///         break c;
///     }
/// };
/// assert_eq!((done.status, done.bytes_done, done.residue, done.chunks), (Status::Done, 60, 0, 2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use = "a completion is reported exactly once"]
pub struct Completion {
    /// How the batch ended.
    pub status: Status,
    /// Bytes of the batch the engine completed (a prefix, in entry order).
    pub bytes_done: u64,
    /// Bytes not transferred: batch total minus `bytes_done`.
    pub residue: u64,
    /// Chunks started (doorbells rung) for the batch.
    pub chunks: u64,
}

impl Completion {
    /// Whether the batch completed without error.
    ///
    /// ```
    /// use edma_core::{Completion, Status};
    /// let ok = Completion { status: Status::Done, bytes_done: 8, residue: 0, chunks: 1 };
    /// let cut = Completion { status: Status::Terminated { entry: Some(0) }, bytes_done: 0, residue: 8, chunks: 1 };
    /// assert!(ok.is_success() && !cut.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        self.status == Status::Done
    }
}

/// What [`Channel::on_interrupt`] found.
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat, Outcome};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaLegacy, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 2));
/// // One element per chunk: two entries, two chunks.
/// let batch = [Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// assert_eq!(ch.on_interrupt(&ctrl), Outcome::Progress);
/// assert!(matches!(ch.on_interrupt(&ctrl), Outcome::Complete(c) if c.is_success()));
/// // Nothing of this channel is pending any more.
/// assert_eq!(ch.on_interrupt(&ctrl), Outcome::NotMine);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use = "a completion is reported exactly once"]
pub enum Outcome {
    /// No done or abort status of this channel is set: the interrupt is
    /// another channel's (or the line is shared with another device).
    NotMine,
    /// A status of this channel was set with nothing to complete — no batch
    /// in flight, a duplicate after the completion, or a done status while
    /// the engine still runs the chunk. It was cleared; nothing changed.
    Spurious,
    /// The chunk in flight finished and the batch's next chunk was started.
    Progress,
    /// The batch ended (successfully or not).
    Complete(Completion),
}

impl Outcome {
    /// The completion, if the batch ended.
    ///
    /// ```
    /// use edma_core::Outcome;
    /// assert_eq!(Outcome::Progress.completion(), None);
    /// assert_eq!(Outcome::NotMine.completion(), None);
    /// ```
    pub fn completion(self) -> Option<Completion> {
        match self {
            Outcome::Complete(c) => Some(c),
            _ => None,
        }
    }
}

/// What [`Channel::terminate`] did.
///
/// ```
/// # use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
/// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat, Status, Terminate};
/// // The engine moves only when stepped, so the batch is still running.
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Manual));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
/// assert_eq!(ch.terminate(&ctrl), Terminate::Idle);
/// let batch = [Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8), Entry::new(16, 0x3000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// engine.step(ChannelDir::Write, 0, 1); // the first entry moves
/// let done = ch.terminate(&ctrl).completion().expect("the mock stops at once");
/// assert_eq!(done.status, Status::Terminated { entry: Some(1) });
/// assert_eq!((done.bytes_done, done.residue), (8, 16));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use = "a completion is reported exactly once"]
pub enum Terminate {
    /// No batch was in flight; nothing was written.
    Idle,
    /// A stop was requested but the engine still reports the channel
    /// running: the completion ([`Status::Terminated`] or, if the chunk
    /// ended first, its result) comes from [`Channel::on_interrupt`].
    Stopping,
    /// The engine has stopped: the batch's completion, now.
    Stopped(Completion),
}

impl Terminate {
    /// The completion, if the batch ended now.
    ///
    /// ```
    /// use edma_core::Terminate;
    /// assert_eq!(Terminate::Idle.completion(), None);
    /// assert_eq!(Terminate::Stopping.completion(), None);
    /// ```
    pub fn completion(self) -> Option<Completion> {
        match self {
            Terminate::Stopped(c) => Some(c),
            _ => None,
        }
    }
}

/// Routes one shared interrupt: reads the pending mask of each direction
/// once and calls [`Channel::on_interrupt`] on every channel of `channels`
/// with a status pending, passing its position in `channels` and the
/// [`Outcome`] to `f`. Returns how many channels were called.
///
/// ```
/// use edma_backend_mock::{MockConfig, MockEngine};
/// use edma_core::channel::{dispatch, Channel, ChannelConfig, Outcome};
/// use edma_core::{ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let mut chans = [
///     Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4)),
///     Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap(), engine.ll_region(ChannelDir::Read, 0, 4)),
///     Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 5)).unwrap(), engine.ll_region(ChannelDir::Read, 5, 4)),
/// ];
/// let batch = [Entry::new(0x100, 0x2000, 64)];
/// chans[0].submit(&ctrl, &batch).unwrap();
/// chans[2].submit(&ctrl, &batch).unwrap();
/// let mut done = Vec::new();
/// // The engine's one interrupt line fired: route it.
/// let called = dispatch(&ctrl, &mut chans, |i, o| {
///     if let Outcome::Complete(c) = o {
///         assert!(c.is_success());
///         done.push(i);
///     }
/// });
/// assert_eq!((called, done), (2, vec![0, 2])); // channel 1 was not called
/// assert!(!engine.irq_pending());
/// ```
pub fn dispatch<R: RegisterIo, M: RawMutex, L: LlMemory, T: AddressTranslate>(
    ctrl: &Controller<R, M>,
    channels: &mut [Channel<'_, '_, L, T>],
    mut f: impl FnMut(usize, Outcome),
) -> usize {
    let pending = ChannelDir::ALL.map(|d| ctrl.pending(d));
    let mut called = 0;
    for (i, ch) in channels.iter_mut().enumerate() {
        let (dir, index) = (ch.cfg.dir, ch.cfg.index);
        let Some(bits) = pending.get(dir.index()) else {
            continue;
        };
        // A claimed channel's index is below 8; `checked_shr` keeps even a
        // wrong one from shifting out of range.
        if bits
            .checked_shr(u32::from(index))
            .is_some_and(|b| b & 1 != 0)
        {
            called += 1;
            f(i, ch.on_interrupt(ctrl));
        }
    }
    called
}

/// Errors of channel operations. A call that returns an error has written
/// nothing to registers or LL memory.
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// use edma_core::channel::ChannelError;
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
/// let batch = [Entry::new(0, 0x1000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// let err = ch.submit(&ctrl, &batch).unwrap_err();
/// assert_eq!(err, ChannelError::Busy);
/// assert_eq!(err.to_string(), "a batch is already in flight on this channel");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChannelError {
    /// A batch is already in flight on this channel.
    Busy,
    /// The batch was rejected by the planner.
    Plan(PlanError),
    /// The LL region has fewer than 2 slots (one data element plus the link).
    LlTooSmall {
        /// Slots the region has.
        capacity: usize,
    },
    /// The channel number is not below 8.
    BadChannel {
        /// The index given.
        index: u8,
    },
    /// The engine has fewer channels of this direction than the index
    /// asks for (eDMA maps report their counts in `CTRL`).
    NoSuchChannel {
        /// Direction asked for.
        dir: ChannelDir,
        /// Index asked for.
        index: u8,
        /// Channels of that direction the engine has.
        count: u8,
    },
    /// The channel was already handed out by this controller (and not
    /// released): two drivers of one hardware channel would corrupt each
    /// other's batches.
    AlreadyClaimed {
        /// Direction.
        dir: ChannelDir,
        /// Index.
        index: u8,
    },
    /// Remote deployment, but no remote-interrupt target was programmed for
    /// the channel with [`Controller::configure_remote_interrupt`]: the
    /// engine would write its done message (IMWr) to PCI address 0.
    NoRemoteInterrupt,
}

impl From<PlanError> for ChannelError {
    fn from(e: PlanError) -> Self {
        ChannelError::Plan(e)
    }
}

impl core::fmt::Display for ChannelError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ChannelError::Busy => write!(f, "a batch is already in flight on this channel"),
            ChannelError::Plan(e) => write!(f, "batch rejected: {e}"),
            ChannelError::LlTooSmall { capacity } => {
                write!(f, "the LL region has {capacity} slots; it needs at least 2")
            }
            ChannelError::BadChannel { index } => {
                write!(f, "channel number {index} out of range (0..8)")
            }
            ChannelError::NoSuchChannel { dir, index, count } => write!(
                f,
                "{dir:?} channel {index} does not exist: the engine has {count}"
            ),
            ChannelError::AlreadyClaimed { dir, index } => {
                write!(f, "{dir:?} channel {index} is already in use")
            }
            ChannelError::NoRemoteInterrupt => write!(
                f,
                "remote deployment: no remote-interrupt target configured for the channel"
            ),
        }
    }
}

impl core::error::Error for ChannelError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            ChannelError::Plan(e) => Some(e),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Active<'b> {
    entries: &'b [Entry],
    params: PlanParams,
    total: u64,
    /// Index of the chunk in flight.
    chunk: u64,
    chunk_start: Cursor,
    chunk_elements: usize,
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
}

/// Status reads a dropped busy channel waits for the engine to stop.
pub const DROP_STOP_READS: u32 = 10_000;

/// What a busy channel needs of its controller when it is dropped.
pub(crate) trait Stopper {
    /// Requests a stop and waits (bounded) for the channel to stop; clears
    /// its status. Whether it stopped.
    fn stop_and_wait(&self, dir: ChannelDir, ch: u8) -> bool;
    /// Records that the channel's engine did not stop (its LL region is
    /// quarantined).
    fn quarantine(&self, dir: ChannelDir, ch: u8);
}

impl<R: RegisterIo, M: RawMutex> Stopper for Controller<R, M> {
    fn stop_and_wait(&self, dir: ChannelDir, ch: u8) -> bool {
        self.stop_request(dir, ch);
        for _ in 0..DROP_STOP_READS {
            if self.hw_status(dir, ch) != HwChannelStatus::Running {
                let (done, abort) = self.int_status(dir, ch);
                self.int_clear(dir, ch, done, abort);
                return true;
            }
        }
        false
    }
    fn quarantine(&self, dir: ChannelDir, ch: u8) {
        self.mark_quarantined(dir, ch);
    }
}

/// Armed while the engine may run a channel's LL: the controller to stop
/// it through.
pub(crate) struct StopGuard<'b> {
    pub(crate) ctrl: &'b (dyn Stopper + Sync),
    pub(crate) dir: ChannelDir,
    pub(crate) index: u8,
}

impl StopGuard<'_> {
    /// Stops the engine (bounded); whether it reported the channel stopped.
    pub(crate) fn stop(&self) -> bool {
        self.ctrl.stop_and_wait(self.dir, self.index)
    }
}

impl core::fmt::Debug for StopGuard<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StopGuard")
            .field("dir", &self.dir)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// A channel's or ring's LL region together with the guard that stops the
/// engine before the region is given back. Dropped with the guard armed,
/// it stops the engine; if the engine does not report the channel stopped
/// within the bound, the region is **quarantined** ([`LlMemory::quarantine`])
/// and the controller told ([`Controller::is_quarantined`]) before it goes.
pub(crate) struct Held<'c, L> {
    pub(crate) guard: Option<StopGuard<'c>>,
    pub(crate) ll: L,
    /// `LlMemory::quarantine` for `L` (fixed where `L`'s bound is known).
    quarantine: fn(&mut L),
}

impl<'c, L> Held<'c, L> {
    pub(crate) fn new(ll: L, quarantine: fn(&mut L)) -> Self {
        Held {
            guard: None,
            ll,
            quarantine,
        }
    }

    /// Disarms the guard: the engine is known to be stopped.
    pub(crate) fn disarm(&mut self) {
        self.guard = None;
    }

    /// Stops the engine if it may run; `false` (and the region
    /// quarantined) if it does not stop within the bound.
    pub(crate) fn stop(&mut self) -> bool {
        let Some(g) = self.guard.take() else {
            return true;
        };
        if g.stop() {
            return true;
        }
        (self.quarantine)(&mut self.ll);
        g.ctrl.quarantine(g.dir, g.index);
        false
    }
}

impl<L> Drop for Held<'_, L> {
    fn drop(&mut self) {
        let _stopped = self.stop();
    }
}

impl<L: core::fmt::Debug> core::fmt::Debug for Held<'_, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Held")
            .field("armed", &self.guard.is_some())
            .field("ll", &self.ll)
            .finish_non_exhaustive()
    }
}

/// [`LlMemory::quarantine`] of an optional region.
pub(crate) fn quarantine_opt<L: LlMemory>(ll: &mut Option<L>) {
    if let Some(l) = ll {
        l.quarantine();
    }
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

    /// The plan parameters batches on this channel use under `ctrl`.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Identity, MapFormat};
    /// use edma_core::plan::{validate, Entry};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 5));
    /// let params = ch.plan_params(&ctrl).unwrap();
    /// assert_eq!(params.chunk_elements, 4); // 5 slots: 4 data elements and the link
    /// // What a batch would cost, without submitting it.
    /// let batch: Vec<Entry> = (0..10).map(|i| Entry::new(i * 64, 0x1_0000 + i * 64, 64)).collect();
    /// assert_eq!(validate(&batch, &params, &Identity).unwrap().chunks, 3);
    /// ```
    pub fn plan_params<R, M: RawMutex>(
        &self,
        ctrl: &Controller<R, M>,
    ) -> Result<PlanParams, ChannelError> {
        let (chunk_elements, ll_region) = match &self.held.ll {
            Some(ll) => {
                let cap = ll.capacity();
                if cap < 2 {
                    return Err(ChannelError::LlTooSmall { capacity: cap });
                }
                let len = (cap as u64).saturating_mul(SLOT_SIZE as u64);
                (cap - 1, (ll.bus_addr(), len))
            }
            None => (1, (0, 0)),
        };
        Ok(PlanParams {
            map: ctrl.map(),
            dir: self.cfg.dir,
            deployment: ctrl.deployment(),
            chunk_elements,
            limits: self.cfg.limits,
            ll_region,
        })
    }

    /// Validates `entries` as [`Channel::submit`] would, without starting
    /// anything: what the batch would take, or the error submit would
    /// return (`Busy` aside: a busy channel can still check a batch).
    /// Nothing is read or written. For a provider that refuses bad input
    /// when a descriptor is prepared, before it is queued.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::channel::ChannelError;
    /// use edma_core::plan::PlanError;
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 3));
    /// let batch = [Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8), Entry::new(16, 0x3000, 8)];
    /// let before = engine.counters().total();
    /// assert_eq!(ch.check(&ctrl, &batch).unwrap().chunks, 2);
    /// assert_eq!(ch.check(&ctrl, &batch[..0]), Err(ChannelError::Plan(PlanError::EmptyBatch)));
    /// assert_eq!(engine.counters().total(), before); // no register touched
    /// ```
    pub fn check<R, M: RawMutex>(
        &self,
        ctrl: &Controller<R, M>,
        entries: &[Entry],
    ) -> Result<plan::PlanSummary, ChannelError> {
        let params = self.plan_params(ctrl)?;
        Ok(plan::validate(entries, &params, &self.translate)?)
    }

    /// Validates `entries` and starts them as one batch.
    ///
    /// On error nothing has been written and the channel is unchanged. On
    /// success the first chunk is running; call [`Channel::on_interrupt`]
    /// when the channel's interrupt fires.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::channel::{Channel, ChannelConfig, ChannelError, Controller};
    /// use edma_core::plan::{Entry, PlanError};
    /// use edma_core::{ChannelDir, Deployment, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 16));
    /// // Entry 1 is empty: rejected by name, and the engine was not touched.
    /// let bad = [Entry::new(0, 0x1000, 64), Entry::new(64, 0x2000, 0)];
    /// assert_eq!(ch.submit(&ctrl, &bad), Err(ChannelError::Plan(PlanError::ZeroLength { entry: 1 })));
    /// assert_eq!(engine.counters().total().reg_writes, 0);
    /// // The channel is still usable.
    /// let good = [Entry::new(0, 0x1000, 64), Entry::new(64, 0x2000, 32)];
    /// let summary = ch.submit(&ctrl, &good).unwrap();
    /// assert_eq!((summary.elements, summary.chunks, summary.bytes), (2, 1, 96));
    /// assert!(ch.is_busy());
    /// ```
    pub fn submit<R: RegisterIo + Sync + 'c, M: RawMutex + Sync + 'c>(
        &mut self,
        ctrl: &'c Controller<R, M>,
        entries: &'b [Entry],
    ) -> Result<plan::PlanSummary, ChannelError> {
        if self.active.is_some() {
            return Err(ChannelError::Busy);
        }
        if self.cfg.index >= MAX_CHANNELS {
            return Err(ChannelError::BadChannel {
                index: self.cfg.index,
            });
        }
        let params = self.plan_params(ctrl)?;
        let summary = plan::validate(entries, &params, &self.translate)?;
        if ctrl.deployment() == Deployment::Remote
            && !ctrl.remote_interrupt_configured(self.cfg.dir, self.cfg.index)
        {
            return Err(ChannelError::NoRemoteInterrupt);
        }
        if self.stale.is_none() && self.held.ll.is_some() {
            // What the registers hold before this channel's first batch: an
            // LL fetch error on its first element would leave exactly this.
            self.stale = Some(RegSnapshot::read_element(
                ctrl,
                self.cfg.dir,
                self.cfg.index,
            ));
        }
        let mut a = Active {
            entries,
            params,
            total: summary.bytes,
            chunk: 0,
            chunk_start: Cursor::default(),
            chunk_elements: 0,
            next: Cursor::default(),
            last: false,
            bytes_before: 0,
            chunk_bytes: 0,
            stopping: false,
        };
        self.start_chunk(ctrl, &mut a, true);
        self.active = Some(a);
        self.held.guard = Some(StopGuard {
            ctrl,
            dir: self.cfg.dir,
            index: self.cfg.index,
        });
        Ok(summary)
    }

    fn start_chunk<R: RegisterIo, M: RawMutex>(
        &mut self,
        ctrl: &Controller<R, M>,
        a: &mut Active<'b>,
        first: bool,
    ) {
        let (dir, ch) = (self.cfg.dir, self.cfg.index);
        match self.held.ll.as_mut() {
            Some(ll) => {
                let info = plan::encode_chunk(
                    a.entries,
                    &a.params,
                    &self.translate,
                    a.chunk_start,
                    a.chunk,
                    ll,
                    true,
                );
                a.chunk_elements = info.elements;
                a.chunk_bytes = info.bytes;
                a.next = info.next;
                a.last = info.last;
                if first {
                    ctrl.enable_channel(dir, ch);
                    ctrl.start_ll(dir, ch, ll.bus_addr());
                }
                // Linux's order: the LL's read-back (device memory) comes
                // after the channel's registers, right before the doorbell.
                ll.sync();
            }
            None => {
                let mut it =
                    plan::Elements::new(a.entries, &a.params, &self.translate, a.chunk_start);
                let el = it.next();
                a.next = it.cursor();
                a.last = a.next.entry >= a.entries.len();
                a.chunk_elements = usize::from(el.is_some());
                a.chunk_bytes = el.map_or(0, |e| u64::from(e.len));
                if first {
                    ctrl.enable_block_channel(dir, ch);
                }
                if let Some(el) = el {
                    ctrl.load_block(dir, ch, &el, first);
                }
            }
        }
        ctrl.doorbell(dir, ch);
    }

    /// Bytes of the chunk in flight the engine is known to have finished,
    /// from its LLP, transfer-size, SAR and DAR registers.
    ///
    /// **Never more than the engine moved.** LLP points at the element in
    /// progress (or the next one, between elements); for that element the
    /// size register counts the bytes left and SAR/DAR have advanced by the
    /// bytes moved — *if* the engine loaded it. After an LL fetch error the
    /// element was never loaded and the registers still hold the previous
    /// element's end (size 0) or whatever an earlier batch left; so:
    ///
    /// * LLP outside the chunk: nothing of it is confirmed (0);
    /// * LLP past the last data element: the whole chunk;
    /// * size register 0: the element at LLP is not counted (it was either
    ///   never loaded, or finished without LLP moving on — ambiguous);
    /// * otherwise its partial count only when SAR and DAR both moved by
    ///   exactly that much from the element's start, and the registers are
    ///   not the very values the channel saw when its previous batch ended
    ///   (`stale`) — a chunk that never loaded its first element shows those.
    ///
    /// LLP back at slot 0 with size 0 is "nothing started" or "the whole
    /// chunk ran and the link brought LLP home": only the done status tells,
    /// so this function counts 0 there and callers count the chunk when they
    /// see its done status.
    fn chunk_progress(&self, snap: &RegSnapshot, a: &Active<'b>) -> u64 {
        let view = ChunkView {
            entries: a.entries,
            params: &a.params,
            translate: &self.translate,
            start: a.chunk_start,
            elements: a.chunk_elements,
            bytes: a.chunk_bytes,
            ll_bus: self.held.ll.as_ref().map(LlMemory::bus_addr),
            stale: self.stale,
        };
        progress::chunk_done(snap, &view)
    }

    fn finish(&mut self, a: &Active<'b>, bytes_done: u64, status: Status) -> Completion {
        self.active = None;
        self.held.disarm();
        self.batches = self.batches.wrapping_add(1);
        Completion {
            status,
            bytes_done,
            residue: a.total.saturating_sub(bytes_done),
            chunks: a.chunk.saturating_add(1),
        }
    }

    fn fail<R: RegisterIo, M: RawMutex>(
        &mut self,
        ctrl: &Controller<R, M>,
        a: &Active<'b>,
    ) -> Completion {
        let snap = RegSnapshot::read(ctrl, self.cfg.dir, self.cfg.index);
        let done = a.bytes_before.saturating_add(self.chunk_progress(&snap, a));
        self.stale = Some(snap);
        let status = if a.stopping {
            Status::Terminated {
                entry: plan::locate(a.entries, done).map(|(e, _)| e),
            }
        } else {
            match plan::locate(a.entries, done) {
                Some((entry, entry_bytes_done)) => Status::Aborted {
                    entry,
                    entry_bytes_done,
                },
                // The engine reports an abort after moving every byte: still
                // a failed batch; blame the last entry.
                None => Status::Aborted {
                    entry: a.entries.len().saturating_sub(1),
                    entry_bytes_done: a.entries.last().map_or(0, |e| e.len),
                },
            }
        };
        self.finish(a, done, status)
    }

    /// Handles this channel's interrupt: reads and clears **only this
    /// channel's** done/abort status, then says what happened
    /// ([`Outcome`]): not this channel's interrupt, a spurious status, the
    /// next chunk started, or the batch's [`Completion`] (exactly once per
    /// batch).
    ///
    /// An interrupt with no status bit for this channel, or a done status
    /// while no batch is in flight, is spurious: it is cleared if needed and
    /// ignored (`Ok(None)`).
    ///
    /// An abort completes the batch with the failing entry and the exact
    /// residue:
    ///
    /// ```
    /// use edma_backend_mock::{Fault, MockConfig, MockEngine};
    /// use edma_core::channel::{Channel, ChannelConfig, Controller, Status};
    /// use edma_core::plan::Entry;
    /// use edma_core::{ChannelDir, Deployment, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaCompat));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaCompat, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 2)).unwrap(), engine.ll_region(ChannelDir::Read, 2, 8));
    /// // The third element fails after moving 100 of its 512 bytes.
    /// engine.inject_fault(ChannelDir::Read, 2, Fault::AbortAt { element: 2, after_bytes: 100, read: true });
    /// let batch: Vec<Entry> = (0..4).map(|i| Entry::new(0x1000 * i, 0x10_0000 + 0x1000 * i, 512)).collect();
    /// ch.submit(&ctrl, &batch).unwrap();
    /// let done = ch.on_interrupt(&ctrl).completion().expect("the abort completes the batch");
    /// assert_eq!(done.status, Status::Aborted { entry: 2, entry_bytes_done: 100 });
    /// assert_eq!((done.bytes_done, done.residue), (2 * 512 + 100, 512 - 100 + 512));
    /// assert!(!ch.is_busy());
    /// ```
    pub fn on_interrupt<R: RegisterIo, M: RawMutex>(&mut self, ctrl: &Controller<R, M>) -> Outcome {
        let (dir, ch) = (self.cfg.dir, self.cfg.index);
        if ch >= MAX_CHANNELS {
            // No such channel: it has no interrupt status.
            return Outcome::NotMine;
        }
        let (done, abort) = ctrl.int_status(dir, ch);
        if !done && !abort {
            return Outcome::NotMine;
        }
        if done && !abort && self.active.is_some() && !ctrl.settled(dir, ch) {
            // A done status while the engine still runs the chunk is not a
            // completion (a spurious status): dropped, the batch goes on.
            ctrl.int_clear(dir, ch, true, false);
            return Outcome::Spurious;
        }
        ctrl.int_clear(dir, ch, done, abort);
        let Some(mut a) = self.active else {
            return Outcome::Spurious;
        };
        if abort {
            return Outcome::Complete(self.fail(ctrl, &a));
        }
        a.bytes_before = a.bytes_before.saturating_add(a.chunk_bytes);
        if a.last {
            let total = a.total;
            let c = if a.stopping {
                self.finish(&a, total, Status::Terminated { entry: None })
            } else {
                self.finish(&a, total, Status::Done)
            };
            return Outcome::Complete(c);
        }
        if a.stopping {
            let done = a.bytes_before;
            let entry = plan::locate(a.entries, done).map(|(e, _)| e);
            return Outcome::Complete(self.finish(&a, done, Status::Terminated { entry }));
        }
        a.chunk = a.chunk.saturating_add(1);
        a.chunk_start = a.next;
        self.start_chunk(ctrl, &mut a, false);
        self.active = Some(a);
        Outcome::Progress
    }

    /// Stops the batch in flight.
    ///
    /// Requests a stop through the doorbell. If the engine reports the
    /// channel no longer running, the batch completes now as
    /// [`Status::Terminated`] with the exact residue and its interrupt status
    /// is cleared; otherwise the completion arrives from
    /// [`Channel::on_interrupt`]. Returns `Ok(None)` when no batch was in
    /// flight (nothing is written then).
    ///
    /// ```
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// use edma_core::channel::{Channel, ChannelConfig, Controller, Status};
    /// use edma_core::plan::Entry;
    /// use edma_core::{ChannelDir, Deployment, MapFormat};
    /// // Manual mode: the engine runs only when stepped.
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy).with_mode(ExecMode::Manual));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaLegacy, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
    /// let batch: Vec<Entry> = (0..5).map(|i| Entry::new(0x100 * i, 0x8000 + 0x100 * i, 0x100)).collect();
    /// ch.submit(&ctrl, &batch).unwrap();
    /// assert_eq!(engine.step(ChannelDir::Write, 0, 3), 3); // three entries done
    /// let c = ch.terminate(&ctrl).completion().expect("the stopped engine completes the batch now");
    /// assert_eq!(c.status, Status::Terminated { entry: Some(3) });
    /// assert_eq!((c.bytes_done, c.residue), (0x300, 0x200));
    /// assert_eq!(ch.terminate(&ctrl), edma_core::Terminate::Idle); // nothing in flight any more
    /// ```
    pub fn terminate<R: RegisterIo, M: RawMutex>(&mut self, ctrl: &Controller<R, M>) -> Terminate {
        let (dir, ch) = (self.cfg.dir, self.cfg.index);
        let Some(mut a) = self.active else {
            return Terminate::Idle;
        };
        a.stopping = true;
        self.active = Some(a);
        ctrl.stop_request(dir, ch);
        if ctrl.hw_status(dir, ch) == HwChannelStatus::Running {
            return Terminate::Stopping;
        }
        let (done, abort) = ctrl.int_status(dir, ch);
        ctrl.int_clear(dir, ch, done, abort);
        if done && !abort {
            // The chunk in flight finished before the stop took effect.
            a.bytes_before = a.bytes_before.saturating_add(a.chunk_bytes);
            let d = a.bytes_before;
            let entry = plan::locate(a.entries, d).map(|(e, _)| e);
            return Terminate::Stopped(self.finish(&a, d, Status::Terminated { entry }));
        }
        Terminate::Stopped(self.fail(ctrl, &a))
    }
}
