//! Interrupt-driven streaming: thread code queues batches, the interrupt
//! handler completes each and submits the next — the controller and the
//! channel are used from interrupt context while thread code may use them
//! too, so the controller's lock masks interrupts
//! ([`CriticalSectionRawMutex`]) and the channel lives in a
//! `critical_section::Mutex`.

use core::cell::RefCell;

use edma_backend_mmio::CriticalSectionRawMutex;
use edma_core::channel::{Channel, ChannelConfig, ChannelError, Completion};
use edma_core::io::{LlMemory, RegisterIo};
use edma_core::plan::Entry;
use edma_core::{Controller, Deployment, MapFormat};

/// What the handler has seen so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Batches completed successfully.
    pub done: usize,
    /// Batches that ended with an error.
    pub failed: usize,
    /// Bytes completed in all.
    pub bytes: u64,
    /// The last completion.
    pub last: Option<Completion>,
}

struct State<'q, L> {
    ch: Channel<'q, 'q, L>,
    queue: &'q [&'q [Entry]],
    next: usize,
    progress: Progress,
}

/// A channel fed from a fixed queue of batches by its interrupt handler.
pub struct Streamer<'q, R, L> {
    ctrl: &'q Controller<R, CriticalSectionRawMutex>,
    state: critical_section::Mutex<RefCell<State<'q, L>>>,
}

/// The controller a [`Streamer`] uses: its lock masks interrupts.
pub fn controller<R: RegisterIo>(
    regs: R,
    map: MapFormat,
) -> Controller<R, CriticalSectionRawMutex> {
    Controller::with_lock(regs, map, Deployment::Local)
}

impl<'q, R: RegisterIo + Sync, L: LlMemory> Streamer<'q, R, L> {
    /// A streamer over channel `cfg` (LL region `ll`) of `ctrl` (from
    /// [`controller`]; in firmware a `static`), feeding it the batches of
    /// `queue` in order.
    pub fn new(
        ctrl: &'q Controller<R, CriticalSectionRawMutex>,
        cfg: ChannelConfig,
        ll: L,
        queue: &'q [&'q [Entry]],
    ) -> Result<Self, ChannelError> {
        let ch = Channel::new(ctrl.claim(cfg)?, ll);
        Ok(Streamer {
            ctrl,
            state: critical_section::Mutex::new(RefCell::new(State {
                ch,
                queue,
                next: 0,
                progress: Progress::default(),
            })),
        })
    }

    /// Thread code: submits the first queued batch.
    pub fn start(&self) -> Result<(), ChannelError> {
        critical_section::with(|cs| {
            let mut st = self.state.borrow_ref_mut(cs);
            let st = &mut *st;
            let Some(first) = st.queue.first() else {
                return Ok(());
            };
            st.ch.submit(self.ctrl, first)?;
            st.next = 1;
            Ok(())
        })
    }

    /// The interrupt handler: completes the batch in flight and submits the
    /// next one from interrupt context.
    pub fn on_irq(&self) {
        critical_section::with(|cs| {
            let mut st = self.state.borrow_ref_mut(cs);
            let st = &mut *st;
            let Some(c) = st.ch.on_interrupt(self.ctrl).completion() else {
                return;
            };
            if c.is_success() {
                st.progress.done += 1;
            } else {
                st.progress.failed += 1;
            }
            st.progress.bytes += c.bytes_done;
            st.progress.last = Some(c);
            if let Some(batch) = st.queue.get(st.next) {
                st.next += 1;
                if st.ch.submit(self.ctrl, batch).is_err() {
                    st.progress.failed += 1;
                }
            }
        })
    }

    /// What the handler has seen so far.
    pub fn progress(&self) -> Progress {
        critical_section::with(|cs| self.state.borrow_ref(cs).progress)
    }

    /// Whether every queued batch has been submitted and completed.
    pub fn finished(&self) -> bool {
        critical_section::with(|cs| {
            let st = self.state.borrow_ref(cs);
            st.next >= st.queue.len() && !st.ch.is_busy()
        })
    }
}
