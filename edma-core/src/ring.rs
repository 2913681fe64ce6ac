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

use core::ops::Range;

use lock_api::RawMutex;

use crate::channel::{ChannelConfig, Claim, DROP_STOP_READS, Held, StopGuard};
use crate::controller::Controller;
use crate::desc::{Control, Element, SLOT_SIZE};
use crate::io::{AddressTranslate, Identity, LlMemory, RegisterIo};
use crate::plan::{self, Cursor, Elements, Entry, Limits, PlanError, PlanParams};
use crate::progress::RegSnapshot;
use crate::regs::{ChReg, HwChannelStatus};
use crate::{ChannelDir, Deployment, MapFormat};

/// Status reads [`Ring::poll`] and [`Ring::on_interrupt`] wait at most for
/// an engine that is between elements (running, transfer size 0) to either
/// load the next one or stop: the window in which a doorbell can be lost.
pub const SETTLE_READS: u32 = 64;

/// Which elements of an append ask for an interrupt.
///
/// On the eDMA v0 maps the element gets LIE (and RIE in remote deployment):
/// the done interrupt (and the done IMWr) fires when the engine finishes
/// it. Native HDMA signals with its stop interrupt whenever the engine
/// stops at an element not yet produced — at the end of every burst of work
/// — so no element bits are set there (its element bits 3/4 are watermark
/// requests, left clear as in Linux).
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// use edma_core::ring::{Notify, Ring};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
/// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
/// let three = [Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8), Entry::new(16, 0x3000, 8)];
/// ring.push(&ctrl, &three, Notify::Each).unwrap();
/// // One done interrupt per entry on eDMA maps.
/// assert_eq!(engine.counters().total().done_local, 3);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Notify {
    /// The append's last element (the default).
    #[default]
    End,
    /// The last element of every entry.
    Each,
    /// No element: the caller polls ([`Ring::poll`]). On eDMA maps an
    /// engine that stops on a lost doorbell then waits for the next poll,
    /// append or interrupt.
    None,
    /// Interrupt moderation: the last element of every `k`-th entry by ring
    /// index (indices `k - 1`, `2k - 1`, …), and the append's last element
    /// when fewer than `k` entries are queued after the append (the engine
    /// may drain before another `k`-th entry is appended). `Every(0)` and
    /// `Every(1)` are [`Notify::Each`].
    ///
    /// **Completion latency.** An entry is reported by the interrupt of the
    /// first marked entry at or after it: at most `k - 1` entries later
    /// while the producer keeps at least `k` entries queued, and at the
    /// append's end while fewer are queued. What this policy cannot know is
    /// that an append is the producer's last for a while: a producer that
    /// goes idle with `k` or more entries queued makes its last append with
    /// [`Notify::End`] (or calls [`Ring::poll`] when idle), else up to
    /// `k - 1` completed entries wait for its next call. On HDMA maps the
    /// engine raises its stop interrupt whenever it drains, whatever the
    /// policy (the elements carry no interrupt bits there).
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::ring::{Notify, Ring};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 64> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 64)).unwrap();
    /// let e: Vec<Entry> = (0..32).map(|i| Entry::new(i * 64, 0x1_0000 + i * 64, 64)).collect();
    /// // 32 entries, one interrupt per 8: entries 7, 15, 23 and 31.
    /// ring.push(&ctrl, &e, Notify::Every(8)).unwrap();
    /// assert_eq!(engine.counters().total().done_local, 4);
    /// ```
    Every(u16),
}

/// What [`Ring::append`] queued.
///
/// ```
/// use edma_core::ring::Appended;
/// let a = Appended { first: 10, entries: 3, elements: 4 }; // one entry was split
/// assert_eq!(a.indices(), 10..13);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Appended {
    /// Index of the first entry.
    pub first: u64,
    /// Entries queued.
    pub entries: usize,
    /// LL elements they took (more than `entries` when entries were split).
    pub elements: usize,
}

impl Appended {
    /// The indices the entries got.
    ///
    /// ```
    /// use edma_core::ring::Appended;
    /// assert_eq!(Appended { first: 0, entries: 2, elements: 2 }.indices().collect::<Vec<_>>(), [0, 1]);
    /// ```
    pub fn indices(&self) -> Range<u64> {
        self.first..self.first.saturating_add(self.entries as u64)
    }
}

/// Why a ring operation was refused. Nothing was written to registers or LL
/// memory, and the ring is unchanged.
///
/// ```
/// use edma_core::ring::RingError;
/// let e = RingError::Full { free: 2, fits: 1 };
/// assert_eq!(e.to_string(), "the ring has 2 free slots; 1 of the entries would fit");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RingError {
    /// Not enough free slots for all the entries.
    Full {
        /// Free data slots.
        free: usize,
        /// How many of the entries (a prefix) would fit.
        fits: usize,
    },
    /// The request's first entry needs more elements (after splitting at
    /// [`Limits::max_element_len`]) than the ring can hold at once: it can
    /// never be appended.
    TooLarge {
        /// Index of the entry in the request.
        entry: usize,
    },
    /// An entry was rejected by the planner (its index in the request).
    Plan(PlanError),
    /// [`Ring::terminate`] is waiting for the engine to stop.
    Stopping,
    /// Remote deployment without a remote-interrupt target
    /// ([`Controller::configure_remote_interrupt`]).
    NoRemoteInterrupt,
    /// The LL region (or the ring's slot count `N`) has fewer than 3 slots:
    /// two data slots (one kept free) and the link.
    LlTooSmall {
        /// Slots available.
        capacity: usize,
    },
}

impl From<PlanError> for RingError {
    fn from(e: PlanError) -> Self {
        RingError::Plan(e)
    }
}

impl core::fmt::Display for RingError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            RingError::Full { free, fits } => write!(
                f,
                "the ring has {free} free slots; {fits} of the entries would fit"
            ),
            RingError::TooLarge { entry } => {
                write!(f, "entry {entry} needs more elements than the ring holds")
            }
            RingError::Plan(e) => write!(f, "entries rejected: {e}"),
            RingError::Stopping => write!(f, "the ring is stopping"),
            RingError::NoRemoteInterrupt => write!(
                f,
                "remote deployment: no remote-interrupt target configured for the channel"
            ),
            RingError::LlTooSmall { capacity } => {
                write!(f, "a ring needs at least 3 LL slots; it has {capacity}")
            }
        }
    }
}

impl core::error::Error for RingError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            RingError::Plan(e) => Some(e),
            _ => None,
        }
    }
}

/// How the entries after the last completed one ended.
///
/// ```
/// # use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
/// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// use edma_core::ring::{FailKind, Notify, Ring, RingTerminate};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Manual));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
/// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
/// ring.push(&ctrl, &[Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8)], Notify::End).unwrap();
/// engine.step(ChannelDir::Write, 0, 1);
/// let RingTerminate::Stopped(report) = ring.terminate(&ctrl) else { panic!("the mock stops at once") };
/// let f = report.failure.unwrap();
/// assert_eq!((report.completed, f.kind, f.entry), (1, FailKind::Terminated, 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailKind {
    /// The engine aborted (a bus or LL fetch error).
    Aborted,
    /// [`Ring::terminate`] stopped the engine.
    Terminated,
}

/// The end of the queued work after an abort or a termination.
///
/// ```
/// # use edma_backend_mock::{Fault, MockConfig, MockEngine};
/// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// use edma_core::ring::{FailKind, Notify, Ring};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
/// # let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
/// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap();
/// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 0, 8)).unwrap();
/// // The second element fails: entries 2 and 3 are never attempted.
/// engine.inject_fault(ChannelDir::Read, 0, Fault::AbortAt { element: 1, after_bytes: 0, read: true });
/// let four: Vec<Entry> = (0..4).map(|i| Entry::new(0x100 * i, 0x1_0000 + 0x100 * i, 16)).collect();
/// ring.push(&ctrl, &four, Notify::End).unwrap();
/// let report = ring.on_interrupt(&ctrl).unwrap();
/// let f = report.failure.unwrap();
/// assert_eq!((report.completed, f.kind, f.entry, f.not_attempted), (1, FailKind::Aborted, 1, 2..4));
/// assert_eq!(ring.queued(), 0); // reset, usable again
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Failure {
    /// Abort or termination.
    pub kind: FailKind,
    /// Index of the first entry not completed (the failing one).
    pub entry: u64,
    /// Bytes of that entry the engine is known to have moved (never more
    /// than it moved; 0 where the registers do not prove any).
    pub entry_bytes_done: u64,
    /// Entries queued after it, which the engine did not attempt.
    pub not_attempted: Range<u64>,
}

/// What [`Ring::poll`], [`Ring::on_interrupt`] or [`Ring::terminate`]
/// found.
///
/// ```
/// use edma_core::ring::Completed;
/// let none = Completed::default();
/// assert_eq!((none.completed, none.last, none.failure, none.resumed), (0, None, None, false));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[must_use = "completions are reported exactly once"]
pub struct Completed {
    /// Entries that completed since the last report, in index order.
    pub completed: u64,
    /// Index of the last of them.
    pub last: Option<u64>,
    /// After an abort or a termination: the failing entry and the entries
    /// not attempted. The ring has been reset.
    pub failure: Option<Failure>,
    /// The engine was found stopped with submitted elements pending and the
    /// doorbell was rung again.
    pub resumed: bool,
}

/// What [`Ring::terminate`] did.
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
/// use edma_core::ring::{Ring, RingTerminate};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
/// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
/// assert_eq!(ring.terminate(&ctrl), RingTerminate::Idle);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use = "completions are reported exactly once"]
pub enum RingTerminate {
    /// The engine was never started and nothing was queued.
    Idle,
    /// A stop was requested; the engine still runs. The report comes from
    /// [`Ring::on_interrupt`] or [`Ring::poll`].
    Stopping,
    /// The engine stopped (or never started): what completed, what failed,
    /// and the ring is reset.
    Stopped(Completed),
}

/// Counters of a ring.
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// use edma_core::ring::{Notify, Ring, RingStats};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
/// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
/// ring.push(&ctrl, &[Entry::new(0, 0x1000, 8)], Notify::End).unwrap();
/// ring.push(&ctrl, &[Entry::new(8, 0x2000, 8)], Notify::End).unwrap();
/// assert_eq!(ring.stats(), RingStats { doorbells: 2, rerings: 0, resets: 0 });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RingStats {
    /// Doorbells rung by [`Ring::submit`].
    pub doorbells: u64,
    /// Doorbells rung again because the engine was found stopped with
    /// pending elements.
    pub rerings: u64,
    /// Aborts and terminations that reset the ring.
    pub resets: u64,
}

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
        };
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
        let params = self.params(free);
        if !matches!(notify, Notify::Every(2..))
            && !entries.is_empty()
            && entries.len() <= free
            && plan::all_single(entries, &params, &self.translate)
        {
            // The common case: every entry one element, all of them fit.
            let elements = self.encode_single(entries, params.dir, notify);
            return Ok(self.appended(entries.len(), elements));
        }
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

    fn appended(&mut self, entries: usize, elements: usize) -> Appended {
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
    fn notify_bits(&self, notify: Notify) -> (Control, Control) {
        let irq = self.irq_bits();
        match notify {
            Notify::End => (Control::empty(), irq),
            Notify::Each | Notify::Every(0 | 1) => (irq, irq),
            // Per entry in `encode`.
            Notify::None | Notify::Every(_) => (Control::empty(), Control::empty()),
        }
    }

    /// The interrupt bits of this ring's elements (see [`Notify`]).
    fn irq_bits(&self) -> Control {
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
    fn encode_single(&mut self, entries: &[Entry], dir: ChannelDir, notify: Notify) -> usize {
        let (each, end) = self.notify_bits(notify);
        let n = entries.len();
        let (first_slot, first_pcs) = (self.head, self.pcs);
        // At most two runs of slots: head..data, then 0.. after the wrap.
        // The append's first element is written last (below).
        let (a, b) = entries.split_at(n.min(self.data - self.head));
        if let Some(m) = self.meta.get_mut(first_slot) {
            *m = RUN | a.len() as u64;
        }
        if let (false, Some(m)) = (b.is_empty(), self.meta.first_mut()) {
            *m = RUN | b.len() as u64;
        }
        let cycle = |pcs: bool| if pcs { Control::CB } else { Control::empty() };
        self.write_run(
            a.get(1..).unwrap_or_default(),
            first_slot + 1,
            cycle(first_pcs) | each,
            dir,
        );
        let mut slot = first_slot + a.len();
        if slot == self.data {
            // The lap's link, carrying the cycle after the toggle.
            let link = plan::link_element(self.pcs, self.held.ll.bus_addr());
            self.held.ll.write(self.data, &link);
            self.pcs = !self.pcs;
            slot = 0;
        }
        if !b.is_empty() {
            self.write_run(b, 0, cycle(self.pcs) | each, dir);
            slot = b.len();
        }
        self.head = slot;
        if n > 1 && end != each {
            // The append's last element also asks for the interrupt: written
            // again whole (nothing of the append is visible yet).
            let last_pcs = if b.is_empty() { first_pcs } else { !first_pcs };
            let last_slot = slot.checked_sub(1).unwrap_or(self.data - 1);
            if let Some((e, (sar, dar))) = entries
                .last()
                .and_then(|e| Some((e, plan::resolve(e, dir, &self.translate)?)))
            {
                let el = Element::data(cycle(last_pcs) | each | end, e.len as u32, sar, dar);
                self.held.ll.write(last_slot, &el);
            }
        }
        if let Some((e, (sar, dar))) = entries
            .first()
            .and_then(|e| Some((e, plan::resolve(e, dir, &self.translate)?)))
        {
            if n > 1 {
                // The rest of the append is visible before its first element.
                self.held.ll.sync();
            }
            let ctl = if n == 1 { each | end } else { each };
            let el = Element::data(cycle(first_pcs) | ctl, e.len as u32, sar, dar);
            self.held.ll.write(first_slot, &el);
        }
        self.held.ll.sync();
        n
    }

    /// Writes the elements of `part` into the slots from `start` with
    /// control bits `ctl` (cycle bit included).
    #[inline(always)]
    fn write_run(&mut self, part: &[Entry], start: usize, ctl: Control, dir: ChannelDir) {
        let t = &self.translate;
        self.held.ll.write_data_run(
            start,
            ctl,
            part.iter().map(|e| {
                // Validated: the translation has an address for each entry.
                let (sar, dar) = plan::resolve(e, dir, t).unwrap_or_default();
                (e.len as u32, sar, dar)
            }),
        );
    }

    /// `Full`, or `TooLarge` when the first entry that does not fit is the
    /// request's first and needs more elements than the ring ever holds.
    #[cold]
    fn full(&self, entries: &[Entry], free: usize, fits: usize) -> RingError {
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
    fn encode(
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
        let mut w = Writer {
            ll: &mut self.held.ll,
            meta: &mut self.meta,
            head: self.head,
            pcs: self.pcs,
            data: self.data,
            first: None,
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
                w.put(sar, dar, e.len as u32, true, ctl);
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
                    w.put(s, d, l, e, ctl);
                }
                held = Some((el.sar, el.dar, el.len, ends));
            }
            if let Some((s, d, l, e)) = held {
                count += 1;
                let ctl = interrupt_bits(each, end, true) | mark(entry);
                w.put(s, d, l, e, ctl);
            }
        }
        if let Some((slot, el)) = w.first {
            if count > 1 {
                // The rest of the append is visible before its first element.
                w.ll.sync();
            }
            w.ll.write(slot, &el);
            w.ll.sync();
        }
        self.head = w.head;
        self.pcs = w.pcs;
        count
    }

    /// Rings the doorbell for everything appended so far. The first
    /// doorbell after [`Ring::new`] or a reset also starts the channel
    /// (enable, interrupt setup, LLP at slot 0, CCS = 1), as the batch
    /// path's first start does. Nothing queued: nothing is written.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::ring::{Notify, Ring};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// ring.submit(&ctrl).unwrap(); // nothing queued: nothing written
    /// assert_eq!(engine.counters().total().reg_writes, 0);
    /// ring.append(&[Entry::new(0, 0x1000, 8)], Notify::End).unwrap();
    /// ring.append(&[Entry::new(8, 0x2000, 8)], Notify::End).unwrap();
    /// ring.submit(&ctrl).unwrap(); // one doorbell for both appends
    /// assert_eq!(engine.counters().total().doorbells, 1);
    /// ```
    pub fn submit<R: RegisterIo + Sync + 'c, M: RawMutex + Sync + 'c>(
        &mut self,
        ctrl: &'c Controller<R, M>,
    ) -> Result<(), RingError> {
        if self.stopping {
            return Err(RingError::Stopping);
        }
        if self.unrung == 0 {
            return Ok(());
        }
        let (dir, ch) = (self.cfg.dir, self.cfg.index);
        if ctrl.deployment() == Deployment::Remote && !ctrl.remote_interrupt_configured(dir, ch) {
            return Err(RingError::NoRemoteInterrupt);
        }
        // Every element rung before is retired: the engine may be stopping
        // right at the first of these, on a copy it fetched before we wrote
        // it — and then this doorbell is lost (the erratum).
        let check = self.started && self.outstanding == self.unrung;
        if !self.started {
            if self.stale.is_none() {
                self.stale = Some(RegSnapshot::read_element(ctrl, dir, ch));
            }
            ctrl.enable_channel(dir, ch);
            ctrl.start_ll(dir, ch, self.held.ll.bus_addr());
            self.started = true;
            self.held.guard = Some(StopGuard {
                ctrl,
                dir,
                index: ch,
            });
        }
        ctrl.doorbell(dir, ch);
        self.unrung = 0;
        self.stats.doorbells += 1;
        if check && settle(ctrl, dir, ch) == HwChannelStatus::Stopped {
            // Stopped: rung again unless it ran them all already.
            let ran = self.consumed(read_llp(ctrl, dir, ch));
            if ran.is_some_and(|n| n < self.outstanding) {
                ctrl.doorbell(dir, ch);
                self.stats.rerings += 1;
            }
        }
        Ok(())
    }

    /// [`Ring::append`] then [`Ring::submit`]. If the submit is refused the
    /// entries stay queued (a later submit rings for them).
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::ring::{Notify, Ring};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// let a = ring.push(&ctrl, &[Entry::new(0, 0x1000, 8)], Notify::End).unwrap();
    /// assert_eq!((a.first, engine.counters().total().doorbells), (0, 1));
    /// ```
    pub fn push<R: RegisterIo + Sync + 'c, M: RawMutex + Sync + 'c>(
        &mut self,
        ctrl: &'c Controller<R, M>,
        entries: &[Entry],
        notify: Notify,
    ) -> Result<Appended, RingError> {
        let a = self.append(entries, notify)?;
        self.submit(ctrl)?;
        Ok(a)
    }

    /// Handles this channel's interrupt: `None` if no done/stop or abort
    /// status of this channel is set (another channel's interrupt);
    /// otherwise clears it and reports as [`Ring::poll`] does.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::ring::{Notify, Ring};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// assert_eq!(ring.on_interrupt(&ctrl), None); // not this channel's
    /// ring.push(&ctrl, &[Entry::new(0, 0x1000, 8)], Notify::End).unwrap();
    /// let c = ring.on_interrupt(&ctrl).unwrap();
    /// assert_eq!((c.completed, c.last), (1, Some(0)));
    /// ```
    pub fn on_interrupt<R: RegisterIo, M: RawMutex>(
        &mut self,
        ctrl: &Controller<R, M>,
    ) -> Option<Completed> {
        let (done, abort) = ctrl.int_status(self.cfg.dir, self.cfg.index);
        if !done && !abort {
            return None;
        }
        Some(self.service(ctrl, done, abort))
    }

    /// Reports progress without an interrupt (a busy-polling firmware, or a
    /// host driving a remote engine): clears this channel's statuses,
    /// retires the elements the engine finished, rings again if the engine
    /// stopped with submitted elements pending, and handles an abort or a
    /// pending termination.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::ring::{Notify, Ring};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// # let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 0, 8)).unwrap();
    /// // No interrupt asked for: the caller polls.
    /// ring.push(&ctrl, &[Entry::new(0x100, 0x1000, 8), Entry::new(0x200, 0x2000, 8)], Notify::None).unwrap();
    /// let c = ring.poll(&ctrl);
    /// assert_eq!((c.completed, c.last), (2, Some(1)));
    /// assert_eq!(ring.poll(&ctrl).completed, 0);
    /// ```
    pub fn poll<R: RegisterIo, M: RawMutex>(&mut self, ctrl: &Controller<R, M>) -> Completed {
        let (done, abort) = ctrl.int_status(self.cfg.dir, self.cfg.index);
        self.service(ctrl, done, abort)
    }

    fn service<R: RegisterIo, M: RawMutex>(
        &mut self,
        ctrl: &Controller<R, M>,
        done: bool,
        abort: bool,
    ) -> Completed {
        let (dir, ch) = (self.cfg.dir, self.cfg.index);
        // Cleared before the state is read: a completion after this point
        // raises the status again, one before it shows in LLP.
        ctrl.int_clear(dir, ch, done, abort);
        let mut out = Completed::default();
        if !self.started {
            return out;
        }
        let status = ctrl.hw_status(dir, ch);
        if self.stopping {
            if status != HwChannelStatus::Running {
                self.end(ctrl, FailKind::Terminated, &mut out);
            }
            return out;
        }
        if abort || status == HwChannelStatus::Halted {
            self.end(ctrl, FailKind::Aborted, &mut out);
            return out;
        }
        let llp = read_llp(ctrl, dir, ch);
        self.retire_to(llp, &mut out);
        if self.outstanding > self.unrung {
            let mut now = status;
            if now == HwChannelStatus::Running {
                // Between elements it either loads the next one or stops on
                // an element it fetched before we wrote it: wait for which.
                now = settle(ctrl, dir, ch);
                if now == HwChannelStatus::Halted {
                    // It aborted meanwhile (an LL fetch error): never ring a
                    // halted channel.
                    self.end(ctrl, FailKind::Aborted, &mut out);
                    return out;
                }
                if now != HwChannelStatus::Running {
                    let llp = read_llp(ctrl, dir, ch);
                    self.retire_to(llp, &mut out);
                }
            }
            if now != HwChannelStatus::Running && self.outstanding > self.unrung {
                ctrl.doorbell(dir, ch);
                self.stats.rerings += 1;
                out.resumed = true;
            }
        }
        out
    }

    /// Elements finished before the engine's position `llp`, if `llp` is a
    /// slot of this ring within the queued window.
    fn consumed(&self, llp: u64) -> Option<usize> {
        let off = llp.checked_sub(self.held.ll.bus_addr())?;
        if off % SLOT_SIZE as u64 != 0 {
            return None;
        }
        let slot = usize::try_from(off / SLOT_SIZE as u64).ok()?;
        if slot > self.data {
            return None;
        }
        // The link slot: everything before it ran; the engine is at slot 0.
        let at = if slot == self.data { 0 } else { slot };
        let n = (at + self.data - self.tail) % self.data;
        (n <= self.outstanding).then_some(n)
    }

    fn retire_to(&mut self, llp: u64, out: &mut Completed) {
        if let Some(n) = self.consumed(llp) {
            self.retire(n, out);
        }
    }

    fn retire(&mut self, n: usize, out: &mut Completed) {
        for _ in 0..n {
            let m = self.meta.get(self.tail).copied().unwrap_or_default();
            if self.run_left == 0 && m & RUN != 0 {
                self.run_left = (m & u64::from(u32::MAX)) as usize;
            }
            if self.run_left > 0 || m & ENDS_ENTRY != 0 {
                self.run_left = self.run_left.saturating_sub(1);
                out.last = Some(self.done_entry);
                out.completed += 1;
                self.done_entry = self.done_entry.wrapping_add(1);
                self.entry_bytes = 0;
            } else {
                self.entry_bytes = self.entry_bytes.saturating_add(m & u64::from(u32::MAX));
            }
            self.tail += 1;
            if self.tail == self.data {
                self.tail = 0;
            }
        }
        self.outstanding -= n;
        self.unrung = self.unrung.min(self.outstanding);
    }

    /// The engine has stopped (abort or termination): retire what it
    /// finished, report the rest, reset the ring.
    fn end<R: RegisterIo, M: RawMutex>(
        &mut self,
        ctrl: &Controller<R, M>,
        kind: FailKind,
        out: &mut Completed,
    ) {
        let (dir, ch) = (self.cfg.dir, self.cfg.index);
        if ctrl.hw_status(dir, ch) == HwChannelStatus::Running {
            // A doorbell (a submit before the abort was seen) restarted the
            // halted channel: stop it before its LL is rewritten.
            ctrl.stop_request(dir, ch);
            let stopped =
                (0..DROP_STOP_READS).any(|_| ctrl.hw_status(dir, ch) != HwChannelStatus::Running);
            if !stopped {
                // Reported once the engine is seen stopped.
                self.stopping = true;
                return;
            }
        }
        let snap = RegSnapshot::read(ctrl, dir, ch);
        let at = self.consumed(snap.llp);
        if let Some(n) = at {
            self.retire(n, out);
        }
        if self.outstanding > 0 {
            // A partial count only for the element at LLP, read back from
            // the LL (no count if the region cannot be read), proven by SAR
            // and DAR having moved by exactly that much, and not the state
            // the channel was last seen idle in.
            let fresh = self
                .stale
                .is_none_or(|s| (s.size, s.sar, s.dar) != (snap.size, snap.sar, snap.dar));
            let partial = match self.held.ll.read(self.tail) {
                Some(Element::Data { size, sar, dar, .. })
                    if at.is_some() && snap.size != 0 && fresh =>
                {
                    match size.checked_sub(snap.size) {
                        Some(d)
                            if snap.sar == sar.wrapping_add(u64::from(d))
                                && snap.dar == dar.wrapping_add(u64::from(d)) =>
                        {
                            u64::from(d)
                        }
                        _ => 0,
                    }
                }
                _ => 0,
            };
            out.failure = Some(Failure {
                kind,
                entry: self.done_entry,
                entry_bytes_done: self.entry_bytes.saturating_add(partial),
                not_attempted: self.done_entry.wrapping_add(1)..self.next_entry,
            });
        }
        self.stale = Some(snap);
        let (d, a) = ctrl.int_status(dir, ch);
        ctrl.int_clear(dir, ch, d, a);
        self.reset();
    }

    /// Back to the empty ring at slot 0, cycle 1, channel not started.
    fn reset(&mut self) {
        self.head = 0;
        self.tail = 0;
        self.pcs = true;
        self.outstanding = 0;
        self.unrung = 0;
        self.done_entry = self.next_entry;
        self.entry_bytes = 0;
        self.run_left = 0;
        self.started = false;
        self.stopping = false;
        self.held.disarm();
        self.stats.resets += 1;
        self.write_empty();
    }

    /// Every data slot not valid for CCS = 1, and the link of lap 0.
    fn write_empty(&mut self) {
        for i in 0..self.data {
            self.held
                .ll
                .write(i, &Element::data(Control::empty(), 0, 0, 0));
        }
        let link = plan::link_element(true, self.held.ll.bus_addr());
        self.held.ll.write(self.data, &link);
        self.held.ll.sync();
    }

    /// Stops the engine and ends the queued work.
    ///
    /// Requests a stop; if the engine reports the channel stopped, what it
    /// finished is retired, the rest reported ([`FailKind::Terminated`])
    /// and the ring reset, now. Otherwise [`RingTerminate::Stopping`]: the
    /// report comes from the next [`Ring::on_interrupt`] or [`Ring::poll`]
    /// that finds the engine stopped, and appends are refused until then.
    ///
    /// ```
    /// # use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::ring::{Notify, Ring, RingTerminate};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Manual));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// # let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
    /// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
    /// ring.push(&ctrl, &[Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8)], Notify::End).unwrap();
    /// let RingTerminate::Stopped(report) = ring.terminate(&ctrl) else { panic!() };
    /// let f = report.failure.unwrap();
    /// assert_eq!((report.completed, f.entry, f.not_attempted), (0, 0, 1..2));
    /// // Reset and usable: the next entry gets the next index.
    /// assert_eq!(ring.push(&ctrl, &[Entry::new(0, 0x1000, 8)], Notify::End).unwrap().first, 2);
    /// ```
    pub fn terminate<R: RegisterIo, M: RawMutex>(
        &mut self,
        ctrl: &Controller<R, M>,
    ) -> RingTerminate {
        let (dir, ch) = (self.cfg.dir, self.cfg.index);
        let mut out = Completed::default();
        if !self.started {
            if self.outstanding == 0 {
                return RingTerminate::Idle;
            }
            // Queued but never rung: none of it ran.
            out.failure = Some(Failure {
                kind: FailKind::Terminated,
                entry: self.done_entry,
                entry_bytes_done: 0,
                not_attempted: self.done_entry.wrapping_add(1)..self.next_entry,
            });
            self.reset();
            return RingTerminate::Stopped(out);
        }
        self.stopping = true;
        ctrl.stop_request(dir, ch);
        if ctrl.hw_status(dir, ch) == HwChannelStatus::Running {
            return RingTerminate::Stopping;
        }
        self.end(ctrl, FailKind::Terminated, &mut out);
        RingTerminate::Stopped(out)
    }
}

/// The producer side of an append: the LL region, the slot records and
/// the head, borrowed apart from the translation the elements come from.
struct Writer<'a, L, const N: usize> {
    ll: &'a mut L,
    meta: &'a mut [SlotMeta; N],
    head: usize,
    pcs: bool,
    data: usize,
    /// The append's first element, written last.
    first: Option<(usize, Element)>,
}

impl<L: LlMemory, const N: usize> Writer<'_, L, N> {
    /// Records one element at the head and advances the head, rewriting
    /// the link when the lap ends; returns the slot and the element (with
    /// the cycle bit of the slot's lap) for the caller to write.
    #[inline(always)]
    fn record(
        &mut self,
        sar: u64,
        dar: u64,
        len: u32,
        ends_entry: bool,
        ctl: Control,
    ) -> (usize, Element) {
        // The cycle bit of the lap the slot is in: an append that wraps
        // writes its later elements with the toggled cycle.
        let cb = if self.pcs {
            Control::CB
        } else {
            Control::empty()
        };
        let el = Element::data(ctl | cb, len, sar, dar);
        let slot = self.head;
        if let Some(m) = self.meta.get_mut(slot) {
            *m = u64::from(len) | if ends_entry { ENDS_ENTRY } else { 0 };
        }
        self.head += 1;
        if self.head == self.data {
            // The lap's link: back to slot 0, toggling CCS, carrying the
            // cycle the engine will have after following it.
            let link = plan::link_element(self.pcs, self.ll.bus_addr());
            self.ll.write(self.data, &link);
            self.head = 0;
            self.pcs = !self.pcs;
        }
        (slot, el)
    }

    /// Records and writes one element; the append's first is held back in
    /// `first`, to be written last.
    #[inline(always)]
    fn put(&mut self, sar: u64, dar: u64, len: u32, ends_entry: bool, ctl: Control) {
        let (slot, el) = self.record(sar, dar, len, ends_entry, ctl);
        if self.first.is_none() {
            self.first = Some((slot, el));
        } else {
            self.ll.write(slot, &el);
        }
    }
}

/// The interrupt bits of an element: `each` (entry end), plus `end` on the
/// append's last element.
#[inline(always)]
/// `k` of [`Notify::Every`] (0 for the other policies).
fn every_k(notify: Notify) -> u16 {
    match notify {
        Notify::Every(k) => k,
        _ => 0,
    }
}

fn interrupt_bits(each: Control, end: Control, last: bool) -> Control {
    if last { each | end } else { each }
}

/// Waits (at most [`SETTLE_READS`] rounds) while the channel runs between
/// two elements — status running, transfer size 0 — and returns its
/// status: running with an element loaded, or no longer running.
fn settle<R: RegisterIo, M: RawMutex>(
    ctrl: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) -> HwChannelStatus {
    let mut now = ctrl.hw_status(dir, ch);
    for _ in 0..SETTLE_READS {
        if now != HwChannelStatus::Running || ctrl.ch_read(dir, ch, ChReg::TransferSize) != 0 {
            break;
        }
        now = ctrl.hw_status(dir, ch);
    }
    now
}

/// LLP as two 32-bit halves, torn-read safe: high, low, high again, and the
/// low half again if the high one changed.
fn read_llp<R: RegisterIo, M: RawMutex>(ctrl: &Controller<R, M>, dir: ChannelDir, ch: u8) -> u64 {
    let hi = ctrl.ch_read(dir, ch, ChReg::LlpHi);
    let lo = ctrl.ch_read(dir, ch, ChReg::LlpLo);
    let hi2 = ctrl.ch_read(dir, ch, ChReg::LlpHi);
    let lo = if hi2 == hi {
        lo
    } else {
        ctrl.ch_read(dir, ch, ChReg::LlpLo)
    };
    (u64::from(hi2) << 32) | u64::from(lo)
}
