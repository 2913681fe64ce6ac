//! Scheduled mode: the engine's micro-steps interleaved with the driver's
//! actions by a schedule the test chooses.
//!
//! The driver acts on the engine only through register accesses and LL
//! slot writes. Before each of them (and between the two halves of a slot
//! write) the mock reaches a *yield point* and asks the test's
//! [`Scheduler`], again and again, whether the engine takes one more
//! micro-step there. A micro-step of a running channel is one of: fetch the
//! element at LLP (following links), act on the fetched element (load it, or
//! stop on a cycle-bit mismatch), execute the loaded element. Every
//! interleaving of driver actions and engine steps is some answer sequence,
//! so a test can enumerate them (small cases) or draw them from a seed.
#![allow(clippy::wildcard_imports)]

use std::boxed::Box;
use std::hash::{Hash, Hasher};

use crate::ExecMode;
use crate::state::*;

/// Where the driver is when the scheduler is asked.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use edma_backend_mock::{ExecMode, MockConfig, MockEngine, YieldKind};
/// use edma_core::ring::{Notify, Ring};
/// use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Scheduled));
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// engine.set_scheduler(Some(Box::new(move |v| {
///     log.lock().unwrap().push(v.kind());
///     false // the engine never moves: only where the driver stood is recorded
/// })));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap();
/// let mut ring: Ring<'_, _, _, 8> = Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 8)).unwrap();
/// ring.push(&ctrl, &[Entry::new(0, 0x1000, 8)], Notify::End).unwrap(); // the channel runs
/// seen.lock().unwrap().clear();
/// ring.append(&[Entry::new(8, 0x2000, 8)], Notify::End).unwrap();
/// // The slot written behind the running engine: its body, then its control word.
/// let slot1 = engine.ll_base(ChannelDir::Write, 0) + 24;
/// let kinds = seen.lock().unwrap();
/// let body = kinds.iter().position(|k| *k == YieldKind::SlotBody(slot1)).unwrap();
/// let control = kinds.iter().position(|k| *k == YieldKind::SlotControl(slot1)).unwrap();
/// assert!(body < control);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum YieldKind {
    /// Before a register read at this offset.
    RegRead(usize),
    /// Before a register write at this offset.
    RegWrite(usize),
    /// Before writing the body (size, SAR, DAR / link target) of an LL
    /// slot at this bus address.
    SlotBody(u64),
    /// After the body, before the control word of the slot at this bus address.
    SlotControl(u64),
}

/// What the scheduler sees at a yield point.
///
/// ```
/// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
/// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Scheduled));
/// // Step the engine at every other yield point, by sequence number.
/// engine.set_scheduler(Some(Box::new(|v| v.seq() % 2 == 0)));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
/// let batch = [Entry::new(0, 0x1000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// while ch.on_interrupt(&ctrl).completion().is_none() {}
/// ```
pub struct EngineView<'a> {
    pub(crate) inner: &'a Inner,
    pub(crate) kind: YieldKind,
}

impl EngineView<'_> {
    /// Where the driver is.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine, YieldKind};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Scheduled));
    /// let kinds = Arc::new(Mutex::new(Vec::new()));
    /// let k = kinds.clone();
    /// engine.set_scheduler(Some(Box::new(move |v| {
    ///     k.lock().unwrap().push(v.kind());
    ///     false
    /// })));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// let _ = ch.on_interrupt(&ctrl); // the engine runs while the driver reads
    /// assert!(kinds.lock().unwrap().iter().any(|k| matches!(k, YieldKind::RegRead(_))));
    /// ```
    pub fn kind(&self) -> YieldKind {
        self.kind
    }

    /// Yield points reached so far (driver actions), this one included.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Scheduled));
    /// let seqs = Arc::new(Mutex::new(Vec::new()));
    /// let s = seqs.clone();
    /// engine.set_scheduler(Some(Box::new(move |v| {
    ///     s.lock().unwrap().push(v.seq());
    ///     false
    /// })));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// let _ = ch.on_interrupt(&ctrl);
    /// let seqs = seqs.lock().unwrap();
    /// assert!(seqs.windows(2).all(|w| w[0] <= w[1])); // never goes back
    /// ```
    pub fn seq(&self) -> u64 {
        self.inner.yield_seq
    }

    /// A hash of everything that decides the future: every channel's
    /// registers and execution state, the shared registers, both memories
    /// and every value the driver has read so far (the driver's state is a
    /// function of those). Two yield points with equal hashes (and equal
    /// positions in the driver's program) have the same futures.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Scheduled));
    /// let hashes = Arc::new(Mutex::new(Vec::new()));
    /// let h = hashes.clone();
    /// engine.set_scheduler(Some(Box::new(move |v| {
    ///     h.lock().unwrap().push(v.state_hash());
    ///     true
    /// })));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// let _ = ch.on_interrupt(&ctrl);
    /// let hashes = hashes.lock().unwrap();
    /// assert!(hashes.windows(2).any(|w| w[0] != w[1])); // the engine's steps change it
    /// ```
    pub fn state_hash(&self) -> u64 {
        self.inner.state_hash()
    }
}

impl core::fmt::Debug for EngineView<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EngineView")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A schedule: asked at a yield point while some channel can take a
/// micro-step; `true` makes every running channel take one step now and
/// asks again, `false` lets the driver go on.
pub type Scheduler = Box<dyn FnMut(&EngineView<'_>) -> bool + Send>;

/// One step of a 64-bit mixing hash (FxHash's multiply-rotate).
pub(crate) fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

fn mix_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    let (words, rest) = bytes.as_chunks::<8>();
    for w in words {
        h = mix(h, u64::from_le_bytes(*w));
    }
    for b in rest {
        h = mix(h, u64::from(*b));
    }
    h
}

impl Inner {
    /// Whether some channel can take a micro-step.
    pub(crate) fn can_tick(&self) -> bool {
        self.ch
            .iter()
            .flatten()
            .any(|c| c.running && (c.latch.is_some() || c.need_fetch || c.loaded))
    }

    /// One micro-step of every running channel.
    pub(crate) fn tick_all(&mut self) {
        for i in 0..2 {
            for ch in 0..8u8 {
                self.tick(dir_of(i), ch);
            }
        }
    }

    pub(crate) fn yield_point(&mut self, kind: YieldKind) {
        if self.cfg.mode != ExecMode::Scheduled {
            return;
        }
        self.yield_seq += 1;
        let Some(mut s) = self.scheduler.take() else {
            return;
        };
        while self.can_tick() && s(&EngineView { inner: self, kind }) {
            self.tick_all();
        }
        self.scheduler = Some(s);
    }

    pub(crate) fn state_hash(&self) -> u64 {
        let mut hs = std::collections::hash_map::DefaultHasher::new();
        self.ch.hash(&mut hs);
        (
            self.engine_en,
            self.int_status,
            self.int_mask,
            self.ll_err_en,
            self.done_imwr,
            self.abort_imwr,
            self.imwr_data,
            self.pwr_en,
            self.viewport,
        )
            .hash(&mut hs);
        let h = mix(hs.finish(), self.read_hash);
        let h = mix_bytes(h, &self.local);
        mix_bytes(h, &self.pci)
    }
}
