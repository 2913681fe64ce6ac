//! What the ring takes and reports: notification policies, what an append
//! queued, errors, completions and failures, statistics.

use core::ops::Range;

use crate::plan::PlanError;
#[cfg(doc)]
use crate::{Controller, plan::Limits, ring::Ring};

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
