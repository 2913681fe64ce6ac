//! Handing channels out and taking them back: claims, and the quarantine
//! of a channel whose engine did not stop.

use lock_api::RawMutex;

use super::{Controller, bit};
use crate::config::{ChannelConfig, ChannelError, Claim};
use crate::io::RegisterIo;
use crate::regs::HwChannelStatus;
use crate::{ChannelDir, MAX_CHANNELS};

impl<R: RegisterIo, M: RawMutex> Controller<R, M> {
    /// Hands out channel `cfg.index` of `cfg.dir`, at most once: the index
    /// must exist on the engine ([`Controller::channel_counts`]), must not
    /// be claimed already, and the limits must be valid. Nothing is written.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::channel::{Channel, ChannelConfig, ChannelError};
    /// use edma_core::{ChannelDir, Controller, Deployment, MapFormat};
    /// let mut cfg = MockConfig::new(MapFormat::EdmaUnroll);
    /// cfg.rd_channels = 2; // CTRL reports 2 read channels
    /// let engine = MockEngine::new(cfg);
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// assert_eq!(
    ///     ctrl.claim(ChannelConfig::new(ChannelDir::Read, 5)),
    ///     Err(ChannelError::NoSuchChannel { dir: ChannelDir::Read, index: 5, count: 2 })
    /// );
    /// let ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).unwrap(), engine.ll_region(ChannelDir::Read, 1, 4));
    /// // A second driver for the same hardware channel is refused...
    /// assert_eq!(
    ///     ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)),
    ///     Err(ChannelError::AlreadyClaimed { dir: ChannelDir::Read, index: 1 })
    /// );
    /// // ...until the first gives it back.
    /// ctrl.release(ch).unwrap();
    /// assert!(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).is_ok());
    /// ```
    pub fn claim(&self, cfg: ChannelConfig) -> Result<Claim, ChannelError> {
        let (wr, rd) = self.channel_counts();
        let count = match cfg.dir {
            ChannelDir::Write => wr,
            ChannelDir::Read => rd,
        };
        if cfg.index >= count {
            return Err(ChannelError::NoSuchChannel {
                dir: cfg.dir,
                index: cfg.index,
                count,
            });
        }
        cfg.limits.check()?;
        let mut sh = self.shared.lock();
        let b = bit(cfg.dir, cfg.index);
        if sh.claimed & b != 0 {
            return Err(ChannelError::AlreadyClaimed {
                dir: cfg.dir,
                index: cfg.index,
            });
        }
        sh.claimed |= b;
        Ok(Claim { cfg })
    }

    /// Whether the channel was **quarantined**: a channel or ring on it was
    /// dropped (or a ring released) while its engine kept running past the
    /// stop bound ([`DROP_STOP_READS`](crate::channel::DROP_STOP_READS)
    /// status reads). Its LL region was not given back
    /// ([`LlMemory::quarantine`](crate::io::LlMemory::quarantine)) and the channel stays claimed; memory the
    /// caller lent it (an LL region, the batch's buffers) must stay
    /// allocated until [`Controller::clear_quarantine`] succeeds.
    ///
    /// ```
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative).with_mode(ExecMode::Manual));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// engine.ignore_stop(ChannelDir::Write, 0, true); // a channel that never stops
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4));
    /// ch.submit(&ctrl, &batch).unwrap();
    /// drop(ch);
    /// assert!(ctrl.is_quarantined(ChannelDir::Write, 0));
    /// assert!(engine.ll_quarantined(ChannelDir::Write, 0));
    /// ```
    pub fn is_quarantined(&self, dir: ChannelDir, ch: u8) -> bool {
        ch < MAX_CHANNELS && self.shared.lock().quarantined & bit(dir, ch) != 0
    }

    /// Ends a quarantine once the engine reports the channel stopped (after
    /// a reset of the engine, for example): the channel can be claimed
    /// again and memory lent to it may be reused. Returns whether the
    /// channel is out of quarantine now (`false`: it still runs, or was not
    /// quarantined).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// assert!(!ctrl.clear_quarantine(ChannelDir::Read, 0)); // not quarantined
    /// ```
    pub fn clear_quarantine(&self, dir: ChannelDir, ch: u8) -> bool {
        if ch >= MAX_CHANNELS || self.hw_status(dir, ch) == HwChannelStatus::Running {
            return false;
        }
        let mut sh = self.shared.lock();
        let b = bit(dir, ch);
        if sh.quarantined & b == 0 {
            return false;
        }
        sh.quarantined &= !b;
        sh.claimed &= !b;
        true
    }

    /// Marks a channel quarantined (its channel or ring was dropped with
    /// the engine still running).
    pub(crate) fn mark_quarantined(&self, dir: ChannelDir, ch: u8) {
        if ch < MAX_CHANNELS {
            self.shared.lock().quarantined |= bit(dir, ch);
        }
    }

    /// Takes back the claim of `cfg`'s channel (a ring given back).
    pub(crate) fn unclaim(&self, cfg: &ChannelConfig) {
        self.shared.lock().claimed &= !bit(cfg.dir, cfg.index);
    }
}
