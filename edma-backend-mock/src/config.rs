//! Construction parameters: memories, channel counts, execution mode.

use edma_core::MapFormat;
use edma_core::desc::SLOT_SIZE;

/// When the engine executes.
///
/// In [`ExecMode::Manual`] a test decides how far the engine gets, so it can
/// look at the state in between:
///
/// ```
/// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
/// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative).with_mode(ExecMode::Manual));
/// engine.local_write(0x100, &[1; 8]);
/// engine.local_write(0x200, &[2; 8]);
/// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1)).unwrap(), engine.ll_region(ChannelDir::Write, 1, 4));
/// let batch = [Entry::new(0x100, 0x8000, 8), Entry::new(0x200, 0x8008, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// assert!(engine.is_running(ChannelDir::Write, 1));
/// assert_eq!(ch.on_interrupt(&ctrl).completion(), None); // nothing happened yet
/// assert_eq!(engine.step(ChannelDir::Write, 1, 1), 1);
/// assert_eq!(engine.pci_read(0x8000, 16), [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
/// assert_eq!(engine.step(ChannelDir::Write, 1, 10), 1); // only one element was left
/// assert!(!engine.is_running(ChannelDir::Write, 1));
/// assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
/// assert_eq!(engine.pci_read(0x8008, 8), [2; 8]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecMode {
    /// A doorbell runs the channel until it stops or aborts.
    RunOnDoorbell,
    /// A doorbell only starts the channel; [`MockEngine::step`](crate::MockEngine::step) executes it.
    Manual,
    /// The engine runs concurrently with the driver, in micro-steps (fetch
    /// an element, act on it, execute it) interleaved with the driver's
    /// actions by a schedule the test chooses
    /// ([`MockEngine::set_scheduler`](crate::MockEngine::set_scheduler)):
    /// before every register access and between the two halves of every
    /// LL slot write (the body, then the control word) the scheduler is
    /// asked, again and again, whether the engine takes one more step.
    /// A doorbell only starts the channel. Between two elements the engine
    /// takes bounded time: it has fetched the next element and acted on it
    /// (loaded it, or stopped) no later than the driver's
    /// [`MockConfig::fetch_window_reads`]-th register read after it
    /// finished the previous one. A doorbell that arrives after the fetch
    /// and before the stop finds the channel running and is lost (the
    /// erratum `docs/ring.md` describes).
    Scheduled,
}

/// Construction parameters of a [`MockEngine`](crate::MockEngine).
///
/// ```
/// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
/// use edma_core::MapFormat;
/// let mut cfg = MockConfig::new(MapFormat::EdmaUnroll).with_memory(1 << 20, 64 << 20);
/// cfg.wr_channels = 2; // what CTRL reports
/// let engine = MockEngine::new(cfg.with_mode(ExecMode::Manual));
/// assert_eq!(engine.config().pci_size, 64 << 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MockConfig {
    /// Register map format.
    pub map: MapFormat,
    /// Bus address of the first byte of local memory.
    pub local_base: u64,
    /// Local memory size in bytes (the LL regions live at its top).
    pub local_size: usize,
    /// Bus address of the first byte of PCI memory.
    pub pci_base: u64,
    /// PCI memory size in bytes.
    pub pci_size: usize,
    /// Write channels reported in `CTRL` (eDMA maps).
    pub wr_channels: u8,
    /// Read channels reported in `CTRL` (eDMA maps).
    pub rd_channels: u8,
    /// Bytes reserved per channel for LL regions by [`MockEngine::ll_region`](crate::MockEngine::ll_region).
    pub ll_bytes_per_channel: usize,
    /// Execution mode.
    pub mode: ExecMode,
    /// [`ExecMode::Scheduled`]: driver register reads after which an engine
    /// between two elements has fetched the next one and acted on it
    /// (default 3).
    pub fetch_window_reads: u32,
}

impl MockConfig {
    /// 4 MiB of local and 4 MiB of PCI memory, both at bus address 0,
    /// 8 + 8 channels, 24 KiB of LL space per channel, run on doorbell.
    ///
    /// ```
    /// use edma_backend_mock::{ExecMode, MockConfig};
    /// use edma_core::MapFormat;
    /// let cfg = MockConfig::new(MapFormat::HdmaNative);
    /// assert_eq!((cfg.local_size, cfg.pci_size, cfg.mode), (4 << 20, 4 << 20, ExecMode::RunOnDoorbell));
    /// ```
    pub fn new(map: MapFormat) -> Self {
        MockConfig {
            map,
            local_base: 0,
            local_size: 4 << 20,
            pci_base: 0,
            pci_size: 4 << 20,
            wr_channels: 8,
            rd_channels: 8,
            ll_bytes_per_channel: 1024 * SLOT_SIZE,
            mode: ExecMode::RunOnDoorbell,
            fetch_window_reads: 3,
        }
    }

    /// The same configuration with other memory sizes.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_memory(1 << 20, 16 << 20));
    /// engine.pci_write(15 << 20, b"far");
    /// assert_eq!(engine.pci_read(15 << 20, 3), b"far");
    /// ```
    pub fn with_memory(mut self, local_size: usize, pci_size: usize) -> Self {
        self.local_size = local_size;
        self.pci_size = pci_size;
        self
    }

    /// The same configuration in another execution mode.
    ///
    /// ```
    /// use edma_backend_mock::{ExecMode, MockConfig};
    /// use edma_core::MapFormat;
    /// assert_eq!(MockConfig::new(MapFormat::EdmaLegacy).with_mode(ExecMode::Manual).mode, ExecMode::Manual);
    /// ```
    pub fn with_mode(mut self, mode: ExecMode) -> Self {
        self.mode = mode;
        self
    }
}
