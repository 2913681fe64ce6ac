//! What a channel reports: a batch's status and completion, an interrupt's
//! outcome, a terminate's result; routing one shared interrupt line.

use lock_api::RawMutex;

use super::{Channel, Controller};
use crate::ChannelDir;
use crate::io::{AddressTranslate, LlMemory, RegisterIo};

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
