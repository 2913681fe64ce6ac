//! The controller: the register block, the lock over registers channels
//! share, and the per-family programming the channels use.
//!
//! Everything that differs between the register families lives in one of
//! two files — `edma_v0.rs` (eDMA v0: legacy with its viewport, unrolled,
//! HDMA compatibility mode) and `hdma.rs` (native HDMA) — as the same set of
//! operations: first start in LL mode, one block in non-LL mode, doorbell,
//! stop request, channel status, interrupt status and clear, pending mask,
//! off, remote-interrupt setup. [`Controller`] dispatches each with one
//! `match` on the family; a new map or a fix touches one of the two files.

mod claims;
pub(crate) mod edma_v0;
pub(crate) mod hdma;

use lock_api::RawMutex;

use crate::io::RegisterIo;
use crate::plan::PlannedElement;
use crate::regs::{self, ChReg, HwChannelStatus};
use crate::{ChannelDir, Deployment, MAX_CHANNELS, MapFormat};

/// The lock [`Controller::new`] uses: a spinning mutex (`spin`). Right for
/// threads and for tests; **not** for firmware whose interrupt handler uses
/// the controller while thread code may hold it on the same core — use
/// [`Controller::with_lock`] with an interrupt-masking lock there (for
/// example `edma_backend_mmio::CriticalSectionRawMutex`).
pub type SpinRawMutex = spin::Mutex<()>;

/// What the controller's lock guards besides shared registers.
#[derive(Debug, Default)]
struct Shared {
    /// Channels with a remote-interrupt target (bit `8 * dir + ch`).
    remote: u16,
    /// Channels handed out by `claim` (bit `8 * dir + ch`).
    claimed: u16,
    /// Channels whose engine did not stop when their channel or ring was
    /// dropped (bit `8 * dir + ch`): still claimed, LL region quarantined.
    quarantined: u16,
}

fn bit(dir: ChannelDir, ch: u8) -> u16 {
    1 << (8 * dir.index() + usize::from(ch & 7))
}

/// Reads of the channel status a done interrupt waits for the engine to
/// leave "running" before the done is taken as spurious.
const DONE_SETTLE_READS: u32 = 64;

/// Owner of the register block and of the lock over shared registers.
///
/// Any [`RegisterIo`] works — the mock, a mapped BAR, or a register file of
/// your own:
///
/// ```
/// use core::cell::Cell;
/// use edma_core::io::RegisterIo;
/// use edma_core::regs::edma_v0;
/// use edma_core::{Controller, Deployment, MapFormat};
/// // A plain register file: 64 words, no side effects.
/// struct Words([Cell<u32>; 64]);
/// impl RegisterIo for Words {
///     fn read32(&self, offset: usize) -> u32 {
///         self.0.get(offset / 4).map_or(u32::MAX, Cell::get)
///     }
///     fn write32(&self, offset: usize, value: u32) {
///         if let Some(w) = self.0.get(offset / 4) {
///             w.set(value);
///         }
///     }
/// }
/// let regs = Words(core::array::from_fn(|_| Cell::new(0)));
/// // CTRL: 4 write channels (bits 3:0) and 2 read channels (bits 19:16).
/// regs.write32(edma_v0::CTRL, 0x0002_0004);
/// let ctrl = Controller::new(&regs, MapFormat::EdmaUnroll, Deployment::Local);
/// assert_eq!(ctrl.channel_counts(), (4, 2));
/// ```
///
/// The lock is a [`lock_api::RawMutex`] chosen by the caller
/// ([`Controller::with_lock`]); it guards the registers channels share
/// (interrupt mask, linked-list error enable, IMWr data, and on the legacy
/// map the viewport-select + window pair) and is held only for a few
/// register accesses, never across a call into user code.
pub struct Controller<R, M: RawMutex = SpinRawMutex> {
    regs: R,
    map: MapFormat,
    deployment: Deployment,
    shared: lock_api::Mutex<M, Shared>,
}

impl<R: core::fmt::Debug, M: RawMutex> core::fmt::Debug for Controller<R, M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Controller")
            .field("regs", &self.regs)
            .field("map", &self.map)
            .field("deployment", &self.deployment)
            .finish_non_exhaustive()
    }
}

impl<R: RegisterIo> Controller<R> {
    /// A controller for a register block of format `map`, driven from
    /// `deployment`, with the spinning lock ([`SpinRawMutex`]).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{Controller, Deployment, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Remote);
    /// // Nothing is written until a channel starts.
    /// assert_eq!(engine.counters().total().reg_writes, 0);
    /// assert_eq!(ctrl.deployment(), Deployment::Remote);
    /// ```
    pub fn new(regs: R, map: MapFormat, deployment: Deployment) -> Self {
        Self::with_lock(regs, map, deployment)
    }
}

impl<R, M: RawMutex> Controller<R, M> {
    /// The register map format.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Controller, Deployment, MapFormat};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaCompat));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaCompat, Deployment::Local);
    /// assert_eq!(ctrl.map(), MapFormat::HdmaCompat);
    /// assert!(ctrl.map().is_edma_v0());
    /// ```
    pub fn map(&self) -> MapFormat {
        self.map
    }

    /// The deployment.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Controller, Deployment, MapFormat};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// assert_eq!(ctrl.deployment(), Deployment::Local);
    /// ```
    pub fn deployment(&self) -> Deployment {
        self.deployment
    }

    /// The register block.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Controller, Deployment, MapFormat};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// // The register block it was built with (here the mock, for its counters).
    /// assert_eq!(ctrl.regs().counters().total().reg_reads, 0);
    /// ```
    pub fn regs(&self) -> &R {
        &self.regs
    }
}

impl<R: RegisterIo, M: RawMutex> Controller<R, M> {
    /// A controller whose shared-register lock is `M`: for firmware, a lock
    /// that masks interrupts, so an interrupt handler can use the
    /// controller while thread code holds it (see the firmware guide).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{Controller, Deployment, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// // Any lock_api::RawMutex: here the one `new` uses, named explicitly.
    /// let ctrl: Controller<_, edma_core::controller::SpinRawMutex> =
    ///     Controller::with_lock(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// assert_eq!(ctrl.channel_counts(), (8, 8));
    /// ```
    pub fn with_lock(regs: R, map: MapFormat, deployment: Deployment) -> Self {
        Controller {
            regs,
            map,
            deployment,
            shared: lock_api::Mutex::new(Shared::default()),
        }
    }

    /// Number of (write, read) channels. eDMA v0 maps read it from `CTRL`
    /// (capped at 8); native HDMA has no such register, so 8 and 8 (as Linux).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{Controller, Deployment, MapFormat};
    /// let mut cfg = MockConfig::new(MapFormat::EdmaLegacy);
    /// (cfg.wr_channels, cfg.rd_channels) = (2, 1);
    /// let engine = MockEngine::new(cfg);
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaLegacy, Deployment::Local);
    /// assert_eq!(ctrl.channel_counts(), (2, 1)); // from CTRL at 0x008
    /// ```
    pub fn channel_counts(&self) -> (u8, u8) {
        if self.map == MapFormat::HdmaNative {
            return (MAX_CHANNELS, MAX_CHANNELS);
        }
        edma_v0::channel_counts(self)
    }

    /// Reads a per-channel register (selecting the viewport on the legacy map).
    /// Returns 0 for a register the map does not have.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::regs::ChReg;
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// ctrl.ch_write(ChannelDir::Read, 1, ChReg::SarLo, 0x1234_5678);
    /// assert_eq!(ctrl.ch_read(ChannelDir::Read, 1, ChReg::SarLo), 0x1234_5678);
    /// // eDMA maps have no HDMA-only registers: reads give 0.
    /// assert_eq!(ctrl.ch_read(ChannelDir::Read, 1, ChReg::ChStat), 0);
    /// ```
    pub fn ch_read(&self, dir: ChannelDir, ch: u8, reg: ChReg) -> u32 {
        let Some(off) = regs::ch_reg_offset(self.map, dir, ch, reg) else {
            return 0;
        };
        if self.map == MapFormat::EdmaLegacy {
            let _g = self.shared.lock();
            edma_v0::select_viewport(self, dir, ch);
            self.regs.read32(off)
        } else {
            self.regs.read32(off)
        }
    }

    /// Writes a per-channel register (selecting the viewport on the legacy
    /// map). A register the map does not have is not written.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::io::RegisterIo;
    /// use edma_core::regs::{edma_v0, ChReg};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaLegacy, Deployment::Local);
    /// // Legacy map: the viewport selects read channel 3, then the window is written.
    /// ctrl.ch_write(ChannelDir::Read, 3, ChReg::DarLo, 0xabcd);
    /// assert_eq!(engine.read32(edma_v0::VIEWPORT_SEL), 0x8000_0003);
    /// assert_eq!(engine.read32(edma_v0::LEGACY_CH_BASE + edma_v0::CH_DAR_LO), 0xabcd);
    /// ```
    pub fn ch_write(&self, dir: ChannelDir, ch: u8, reg: ChReg, value: u32) {
        let Some(off) = regs::ch_reg_offset(self.map, dir, ch, reg) else {
            return;
        };
        if self.map == MapFormat::EdmaLegacy {
            let _g = self.shared.lock();
            edma_v0::select_viewport(self, dir, ch);
            self.regs.write32(off, value);
        } else {
            self.regs.write32(off, value);
        }
    }

    /// Read-modify-write of a shared register under the controller's lock.
    pub(crate) fn rmw(&self, off: usize, f: impl FnOnce(u32) -> u32) {
        let _g = self.shared.lock();
        let v = self.regs.read32(off);
        self.regs.write32(off, f(v));
    }

    /// Runs `f` with the lock held (for sequences of shared-register
    /// accesses that must not interleave with another channel's).
    pub(crate) fn locked<X>(&self, f: impl FnOnce() -> X) -> X {
        let _g = self.shared.lock();
        f()
    }

    /// The raw register block (for the family modules).
    pub(crate) fn raw(&self) -> &R {
        &self.regs
    }

    /// Bit mask of the channels of `dir` with a done or abort interrupt
    /// pending (bit n = channel n): what an interrupt handler routes on.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// let batch = [Entry::new(0, 0x1000, 64)];
    /// let mut channels: Vec<_> = [0u8, 2]
    ///     .into_iter()
    ///     .map(|i| Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, i)).unwrap(), engine.ll_region(ChannelDir::Write, i, 4)))
    ///     .collect();
    /// for ch in &mut channels {
    ///     ch.submit(&ctrl, &batch).unwrap();
    /// }
    /// assert_eq!(ctrl.pending(ChannelDir::Write), 0b101);
    /// // The interrupt handler: each pending bit goes to its channel.
    /// let pending = ctrl.pending(ChannelDir::Write);
    /// let mut completed = 0;
    /// for ch in channels.iter_mut().filter(|c| pending & (1 << c.config().index) != 0) {
    ///     let done = ch.on_interrupt(&ctrl).completion().expect("one-chunk batch");
    ///     assert!(done.is_success());
    ///     completed += 1;
    /// }
    /// assert_eq!(completed, 2);
    /// assert_eq!(ctrl.pending(ChannelDir::Write), 0); // each channel cleared its own bit
    /// ```
    pub fn pending(&self, dir: ChannelDir) -> u8 {
        match self.map {
            MapFormat::HdmaNative => hdma::pending(self, dir),
            _ => edma_v0::pending(self, dir),
        }
    }

    /// Programs where the remote (IMWr) done and abort interrupts of channel
    /// `ch` go: a PCI address (usually an MSI address) and 16-bit data, as
    /// Linux's `ch_config`. On eDMA v0 maps the addresses are shared by all
    /// channels of a direction; the data is per channel.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// // The host drives the endpoint's engine: completion is a write into host memory.
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Remote);
    /// ctrl.configure_remote_interrupt(ChannelDir::Read, 3, 0x3f_0000, 0x41);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 3)).unwrap(), engine.ll_region(ChannelDir::Read, 3, 8));
    /// let batch = [Entry::new(0x1000, 0x2000, 32), Entry::new(0x5000, 0x2020, 32)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// // One message for the whole batch, carrying this channel's data.
    /// let msgs = engine.imwr_log();
    /// assert_eq!(msgs.len(), 1);
    /// assert_eq!((msgs[0].addr, msgs[0].data, msgs[0].abort), (0x3f_0000, 0x41, false));
    /// assert_eq!(engine.pci_read(0x3f_0000, 2), [0x41, 0]);
    /// ```
    pub fn configure_remote_interrupt(&self, dir: ChannelDir, ch: u8, addr: u64, data: u16) {
        if ch >= MAX_CHANNELS {
            return;
        }
        self.shared.lock().remote |= bit(dir, ch);
        match self.map {
            MapFormat::HdmaNative => hdma::configure_remote_interrupt(self, dir, ch, addr, data),
            _ => edma_v0::configure_remote_interrupt(self, dir, ch, addr, data),
        }
    }

    /// Whether [`Controller::configure_remote_interrupt`] was called for the
    /// channel (required before a batch starts in remote deployment).
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelDir, Controller, Deployment, MapFormat};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Remote);
    /// assert!(!ctrl.remote_interrupt_configured(ChannelDir::Write, 2));
    /// ctrl.configure_remote_interrupt(ChannelDir::Write, 2, 0xfee0_0000, 0x21);
    /// assert!(ctrl.remote_interrupt_configured(ChannelDir::Write, 2));
    /// assert!(!ctrl.remote_interrupt_configured(ChannelDir::Read, 2));
    /// ```
    pub fn remote_interrupt_configured(&self, dir: ChannelDir, ch: u8) -> bool {
        ch < MAX_CHANNELS && self.shared.lock().remote & bit(dir, ch) != 0
    }

    /// Turns the engine off: masks and clears every interrupt and disables
    /// the engines / channels (Linux's `off`).
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::io::RegisterIo;
    /// use edma_core::regs::edma_v0;
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4));
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// assert_eq!(engine.read32(edma_v0::WR_ENGINE_EN) & 1, 1);
    /// let _ = ch.on_interrupt(&ctrl);
    /// ctrl.off();
    /// assert_eq!(engine.read32(edma_v0::WR_ENGINE_EN) & 1, 0);
    /// ```
    pub fn off(&self) {
        match self.map {
            MapFormat::HdmaNative => hdma::off(self),
            _ => edma_v0::off(self),
        }
    }

    /// The hardware status of a channel.
    ///
    /// ```
    /// # use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// use edma_core::regs::HwChannelStatus;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative).with_mode(ExecMode::Manual));
    /// # let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap(), engine.ll_region(ChannelDir::Read, 0, 4));
    /// let batch = [Entry::new(0x100, 0x2000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// assert_eq!(ctrl.hw_status(ChannelDir::Read, 0), HwChannelStatus::Running);
    /// engine.step(ChannelDir::Read, 0, 10);
    /// assert_eq!(ctrl.hw_status(ChannelDir::Read, 0), HwChannelStatus::Stopped);
    /// ```
    pub fn hw_status(&self, dir: ChannelDir, ch: u8) -> HwChannelStatus {
        match self.map {
            MapFormat::HdmaNative => hdma::hw_status(self, dir, ch),
            _ => edma_v0::hw_status(self, dir, ch),
        }
    }

    /// Whether the channel has left "running", waiting at most
    /// [`DONE_SETTLE_READS`] status reads: after the done interrupt of a
    /// chunk's last element the engine still fetches the link and the
    /// next element before it stops.
    pub(crate) fn settled(&self, dir: ChannelDir, ch: u8) -> bool {
        (0..DONE_SETTLE_READS).any(|_| self.hw_status(dir, ch) != HwChannelStatus::Running)
    }

    /// Rings the channel's doorbell (start, or resume at LLP).
    pub(crate) fn doorbell(&self, dir: ChannelDir, ch: u8) {
        match self.map {
            MapFormat::HdmaNative => hdma::doorbell(self, dir, ch),
            _ => edma_v0::doorbell(self, dir, ch),
        }
    }

    /// Asks the channel to stop.
    pub(crate) fn stop_request(&self, dir: ChannelDir, ch: u8) {
        match self.map {
            MapFormat::HdmaNative => hdma::stop_request(self, dir, ch),
            _ => edma_v0::stop_request(self, dir, ch),
        }
    }

    /// Engine/channel enable, interrupt unmask, LL error enable: the part of
    /// a first start that does not depend on the mode.
    pub(crate) fn enable_channel(&self, dir: ChannelDir, ch: u8) {
        match self.map {
            MapFormat::HdmaNative => hdma::enable_channel(self, dir, ch),
            _ => edma_v0::enable_channel(self, dir, ch),
        }
    }

    /// The LL-mode part of a first start: control, LLP (and on HDMA the
    /// consumer cycle state). The doorbell follows separately.
    pub(crate) fn start_ll(&self, dir: ChannelDir, ch: u8, llp: u64) {
        match self.map {
            MapFormat::HdmaNative => hdma::start_ll(self, dir, ch, llp),
            _ => edma_v0::start_ll(self, dir, ch, llp),
        }
    }

    /// Programs one element through the channel registers (non-LL mode).
    pub(crate) fn load_block(&self, dir: ChannelDir, ch: u8, el: &PlannedElement, first: bool) {
        if self.map == MapFormat::HdmaNative {
            // Linux's order: SAR, DAR, size, then (first element) the
            // interrupt setup and control1.
            self.write64(dir, ch, ChReg::SarLo, ChReg::SarHi, el.sar);
            self.write64(dir, ch, ChReg::DarLo, ChReg::DarHi, el.dar);
            self.ch_write(dir, ch, ChReg::TransferSize, el.len);
            hdma::block_control(self, dir, ch, first);
            return;
        }
        edma_v0::block_control(self, dir, ch);
        self.ch_write(dir, ch, ChReg::TransferSize, el.len);
        self.write64(dir, ch, ChReg::SarLo, ChReg::SarHi, el.sar);
        self.write64(dir, ch, ChReg::DarLo, ChReg::DarHi, el.dar);
    }

    /// Enables a channel for non-LL mode (HDMA: the channel enable only;
    /// the interrupt setup follows the first element's registers).
    pub(crate) fn enable_block_channel(&self, dir: ChannelDir, ch: u8) {
        match self.map {
            MapFormat::HdmaNative => hdma::enable_block(self, dir, ch),
            _ => edma_v0::enable_channel(self, dir, ch),
        }
    }

    /// Reads and decodes the channel's own interrupt status: (done, abort).
    pub(crate) fn int_status(&self, dir: ChannelDir, ch: u8) -> (bool, bool) {
        match self.map {
            MapFormat::HdmaNative => hdma::int_status(self, dir, ch),
            _ => edma_v0::int_status(self, dir, ch),
        }
    }

    /// Clears the channel's own done and/or abort status, nobody else's.
    pub(crate) fn int_clear(&self, dir: ChannelDir, ch: u8, done: bool, abort: bool) {
        if !done && !abort {
            return;
        }
        match self.map {
            MapFormat::HdmaNative => hdma::int_clear(self, dir, ch, done, abort),
            _ => edma_v0::int_clear(self, dir, ch, done, abort),
        }
    }

    /// A 64-bit channel register as two 32-bit reads (low word first).
    pub(crate) fn read64(&self, dir: ChannelDir, ch: u8, lo: ChReg, hi: ChReg) -> u64 {
        u64::from(self.ch_read(dir, ch, lo)) | (u64::from(self.ch_read(dir, ch, hi)) << 32)
    }

    /// A 64-bit channel register as two 32-bit writes (low word first).
    pub(crate) fn write64(&self, dir: ChannelDir, ch: u8, lo: ChReg, hi: ChReg, v: u64) {
        self.ch_write(dir, ch, lo, v as u32);
        self.ch_write(dir, ch, hi, (v >> 32) as u32);
    }
}
