//! What stops the engine before a channel's or ring's LL region goes, and
//! the quarantine of a region whose engine does not stop.

use lock_api::RawMutex;

use super::Controller;
use crate::ChannelDir;
use crate::io::{LlMemory, RegisterIo};
use crate::regs::HwChannelStatus;

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
