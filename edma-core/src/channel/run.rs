//! A batch on a channel: validation and planning, starting each chunk,
//! the interrupt state machine, progress on failure, termination.

use lock_api::RawMutex;

use super::{
    Active, Channel, ChannelError, Completion, Controller, Outcome, Status, StopGuard, Terminate,
};
use crate::desc::SLOT_SIZE;
use crate::io::{AddressTranslate, LlMemory, RegisterIo};
use crate::plan::{self, CheckedParams, Cursor, Entry, PlanParams};
use crate::progress::{self, ChunkView, RegSnapshot};
use crate::regs::HwChannelStatus;
use crate::{Deployment, MAX_CHANNELS};

impl<'c, 'b, L: LlMemory, T: AddressTranslate> Channel<'c, 'b, L, T> {
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
                // At most u32::MAX data elements per chunk (see `Active`).
                let per_chunk = (cap - 1).min(u32::MAX as usize);
                (per_chunk, (ll.bus_addr(), len))
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
        let params = if self.checked_fits(ctrl) {
            self.checked
        } else {
            self.plan_params(ctrl)?.checked()?
        };
        Ok(plan::validate_checked(entries, &params, &self.translate)?)
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
        let params = self.checked_params(ctrl)?;
        let summary = plan::validate_checked(entries, &params, &self.translate)?;
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
            summary,
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

    /// The channel's plan parameters, checked: kept from an earlier submit,
    /// or made now ([`Channel::plan_params`], [`PlanParams::checked`]).
    ///
    /// [`PlanParams::checked`]: plan::PlanParams::checked
    fn checked_params<R, M: RawMutex>(
        &mut self,
        ctrl: &Controller<R, M>,
    ) -> Result<CheckedParams, ChannelError> {
        if !self.checked_fits(ctrl) {
            self.checked = self.plan_params(ctrl)?.checked()?;
        }
        Ok(self.checked)
    }

    /// Whether the parameters kept from an earlier submit hold on `ctrl`:
    /// checked, for the same register map and deployment (the channel's own
    /// part cannot change without clearing them).
    fn checked_fits<R, M: RawMutex>(&self, ctrl: &Controller<R, M>) -> bool {
        let p = self.checked.params();
        self.checked.is_checked() && p.map == ctrl.map() && p.deployment == ctrl.deployment()
    }

    pub(super) fn start_chunk<R: RegisterIo, M: RawMutex>(
        &mut self,
        ctrl: &Controller<R, M>,
        a: &mut Active<'b>,
        first: bool,
    ) {
        let (dir, ch) = (self.cfg.dir, self.cfg.index);
        match self.held.ll.as_mut() {
            Some(ll) => {
                let info = plan::encode_chunk_checked(
                    a.entries,
                    &self.checked,
                    &self.translate,
                    &a.summary,
                    a.chunk_start,
                    a.chunk,
                    ll,
                    true,
                );
                a.chunk_elements = u32::try_from(info.elements).unwrap_or(u32::MAX);
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
                let mut it = plan::Elements::new(
                    a.entries,
                    self.checked.params(),
                    &self.translate,
                    a.chunk_start,
                );
                let el = it.next();
                a.next = it.cursor();
                a.last = a.next.entry >= a.entries.len();
                a.chunk_elements = u32::from(el.is_some());
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
    pub(super) fn chunk_progress(&self, snap: &RegSnapshot, a: &Active<'b>) -> u64 {
        let view = ChunkView {
            entries: a.entries,
            params: self.checked.params(),
            translate: &self.translate,
            start: a.chunk_start,
            elements: a.chunk_elements as usize,
            bytes: a.chunk_bytes,
            ll_bus: self.held.ll.as_ref().map(LlMemory::bus_addr),
            stale: self.stale,
        };
        progress::chunk_done(snap, &view)
    }

    pub(super) fn finish(&mut self, a: &Active<'b>, bytes_done: u64, status: Status) -> Completion {
        self.active = None;
        self.held.disarm();
        self.batches = self.batches.wrapping_add(1);
        Completion {
            status,
            bytes_done,
            residue: a.summary.bytes.saturating_sub(bytes_done),
            chunks: a.chunk.saturating_add(1),
        }
    }

    pub(super) fn fail<R: RegisterIo, M: RawMutex>(
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
            let total = a.summary.bytes;
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
