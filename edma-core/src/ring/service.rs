//! The consumer side: doorbells, interrupts and polls, retiring what the
//! engine finished, the lost-doorbell re-ring, abort and terminate.

use lock_api::RawMutex;

use super::{
    Appended, Completed, ENDS_ENTRY, FailKind, Failure, Notify, RUN, Ring, RingError,
    RingTerminate, SETTLE_READS, StopGuard,
};
use crate::channel::DROP_STOP_READS;
use crate::controller::Controller;
use crate::desc::{Control, Element};
use crate::io::{AddressTranslate, LlMemory, RegisterIo};
use crate::plan::{self, Entry};
use crate::progress::{self, RegSnapshot};
use crate::regs::{ChReg, HwChannelStatus};
use crate::{ChannelDir, Deployment};

impl<'c, L: LlMemory, T: AddressTranslate, const N: usize> Ring<'c, L, T, N> {
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

    pub(super) fn service<R: RegisterIo, M: RawMutex>(
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
    pub(super) fn consumed(&self, llp: u64) -> Option<usize> {
        let slot = progress::llp_slot(llp, self.held.ll.bus_addr(), self.data)?;
        // The link slot: everything before it ran; the engine is at slot 0.
        let at = if slot == self.data { 0 } else { slot };
        let n = (at + self.data - self.tail) % self.data;
        (n <= self.outstanding).then_some(n)
    }

    pub(super) fn retire_to(&mut self, llp: u64, out: &mut Completed) {
        if let Some(n) = self.consumed(llp) {
            self.retire(n, out);
        }
    }

    pub(super) fn retire(&mut self, n: usize, out: &mut Completed) {
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
    pub(super) fn end<R: RegisterIo, M: RawMutex>(
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
            let partial = match self.held.ll.read(self.tail) {
                Some(Element::Data { size, sar, dar, .. }) if at.is_some() => {
                    progress::element_partial(&snap, size, sar, dar, self.stale.as_ref())
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
    pub(super) fn reset(&mut self) {
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
    pub(super) fn write_empty(&mut self) {
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
