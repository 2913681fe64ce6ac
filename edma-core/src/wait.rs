//! Awaiting completions from an async task (feature `async`).
//!
//! The interrupt handler keeps driving the channel — it calls
//! [`Channel::on_interrupt`](crate::Channel::on_interrupt), which also
//! starts the next chunk — and hands each [`Completion`] to the channel's
//! [`CompletionSignal`]; a task awaits [`CompletionSignal::wait`]. The
//! signal holds at most one completion and one waker under a
//! [`lock_api::RawMutex`] of the caller's choice (for firmware an
//! interrupt-masking one, so the handler never finds it taken by the task
//! it interrupted). It works with any executor: it only stores the
//! `Waker` it is polled with.
//!
//! ```
//! use core::future::Future;
//! use core::pin::pin;
//! use core::task::{Context, Poll, Waker};
//! use edma_backend_mock::{MockConfig, MockEngine};
//! use edma_core::wait::CompletionSignal;
//! use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
//! let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
//! let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
//! let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4));
//! let signal: CompletionSignal = CompletionSignal::new();
//! let batch = [Entry::new(0, 0x1000, 64)];
//! ch.submit(&ctrl, &batch).unwrap();
//! let mut task = pin!(signal.wait());
//! let mut cx = Context::from_waker(Waker::noop());
//! assert!(task.as_mut().poll(&mut cx).is_pending()); // the interrupt has not been handled yet
//! // The interrupt handler:
//! if let Some(c) = ch.on_interrupt(&ctrl).completion() {
//!     signal.signal(c);
//! }
//! match task.as_mut().poll(&mut cx) {
//!     Poll::Ready(c) => assert!(c.is_success()),
//!     Poll::Pending => unreachable!(),
//! }
//! ```

use core::future::poll_fn;
use core::task::{Context, Poll, Waker};

use lock_api::RawMutex;

use crate::channel::Completion;
use crate::controller::SpinRawMutex;

#[derive(Default)]
struct Slot {
    done: Option<Completion>,
    waker: Option<Waker>,
}

/// One channel's completion, handed from its interrupt handler to the task
/// that awaits it.
///
/// ```
/// use core::task::{Context, Poll, Waker};
/// use edma_core::wait::CompletionSignal;
/// use edma_core::{Completion, Status};
/// static DONE: CompletionSignal = CompletionSignal::new();
/// let mut cx = Context::from_waker(Waker::noop());
/// let mut fut = core::pin::pin!(DONE.wait());
/// assert!(fut.as_mut().poll(&mut cx).is_pending());
/// // The interrupt handler:
/// DONE.signal(Completion { status: Status::Done, bytes_done: 64, residue: 0, chunks: 1 });
/// assert!(matches!(fut.as_mut().poll(&mut cx), Poll::Ready(c) if c.bytes_done == 64));
/// ```
pub struct CompletionSignal<M: RawMutex = SpinRawMutex> {
    slot: lock_api::Mutex<M, Slot>,
}

impl<M: RawMutex> core::fmt::Debug for CompletionSignal<M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CompletionSignal").finish_non_exhaustive()
    }
}

impl<M: RawMutex> Default for CompletionSignal<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: RawMutex> CompletionSignal<M> {
    /// An empty signal (usable in a `static`).
    ///
    /// ```
    /// use edma_core::wait::CompletionSignal;
    /// let s: CompletionSignal = CompletionSignal::new();
    /// assert!(s.try_take().is_none());
    /// ```
    pub const fn new() -> Self {
        CompletionSignal {
            slot: lock_api::Mutex::const_new(
                M::INIT,
                Slot {
                    done: None,
                    waker: None,
                },
            ),
        }
    }

    /// From the interrupt handler: stores `c` (replacing one not yet taken)
    /// and wakes the waiting task.
    ///
    /// ```
    /// use edma_core::wait::CompletionSignal;
    /// use edma_core::{Completion, Status};
    /// let s: CompletionSignal = CompletionSignal::new();
    /// let c = Completion { status: Status::Done, bytes_done: 8, residue: 0, chunks: 1 };
    /// s.signal(c);
    /// s.signal(Completion { bytes_done: 16, ..c }); // replaces the one not taken
    /// assert_eq!(s.try_take().map(|c| c.bytes_done), Some(16));
    /// ```
    pub fn signal(&self, c: Completion) {
        let waker = {
            let mut s = self.slot.lock();
            s.done = Some(c);
            s.waker.take()
        };
        // Woken outside the lock: the executor may poll at once.
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Takes a completion that has arrived, without waiting.
    ///
    /// ```
    /// use edma_core::wait::CompletionSignal;
    /// use edma_core::{Completion, Status};
    /// let s: CompletionSignal = CompletionSignal::new();
    /// s.signal(Completion { status: Status::Done, bytes_done: 8, residue: 0, chunks: 1 });
    /// assert!(s.try_take().is_some());
    /// assert!(s.try_take().is_none()); // taken once
    /// ```
    pub fn try_take(&self) -> Option<Completion> {
        self.slot.lock().done.take()
    }

    /// Polls for the completion, registering `cx`'s waker when there is
    /// none yet (registered before the check, so a signal between the two
    /// is not lost: both happen under the lock).
    ///
    /// ```
    /// use core::task::{Context, Waker};
    /// use edma_core::wait::CompletionSignal;
    /// let s: CompletionSignal = CompletionSignal::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(s.poll_wait(&mut cx).is_pending());
    /// ```
    pub fn poll_wait(&self, cx: &mut Context<'_>) -> Poll<Completion> {
        let mut s = self.slot.lock();
        match s.done.take() {
            Some(c) => Poll::Ready(c),
            None => {
                match &mut s.waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    slot => *slot = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }

    /// Waits for the next completion.
    ///
    /// ```
    /// use core::task::{Context, Poll, Waker};
    /// use edma_core::wait::CompletionSignal;
    /// use edma_core::{Completion, Status};
    /// let s: CompletionSignal = CompletionSignal::new();
    /// s.signal(Completion { status: Status::Done, bytes_done: 1, residue: 0, chunks: 1 });
    /// let mut fut = core::pin::pin!(s.wait());
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(matches!(fut.as_mut().poll(&mut cx), Poll::Ready(_)));
    /// ```
    pub async fn wait(&self) -> Completion {
        poll_fn(|cx| self.poll_wait(cx)).await
    }
}
