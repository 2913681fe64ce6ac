//! `edma-core`: a `no_std`, allocation-free model of the Synopsys DesignWare
//! eDMA and HDMA engines found inside many PCIe controllers, and a driver for
//! them that runs **many independent transfers as one transaction**.
//!
//! The engines execute a linked list (LL) of elements, each with its own
//! source address (SAR), destination address (DAR) and size. This crate turns
//! a *batch* — a slice of [`plan::Entry`] values, each carrying both of its
//! addresses explicitly — into LL chunks for one channel, writes them through
//! a small [`io::LlMemory`] trait, programs the channel through a small
//! [`io::RegisterIo`] trait, and reports completion with the exact residue
//! and, on failure, the index of the entry that failed.
//!
//! # Layers
//!
//! * [`regs`] — typed register maps of the four layouts the hardware comes in
//!   ([`MapFormat`]), with compile-time checked offsets and bit flags.
//! * [`desc`] — the 24-byte LL data and link elements, byte-exact with
//!   `zerocopy`.
//! * [`plan`] — validation and the dual-address batch planner (a pure
//!   function of entries, direction, deployment, limits and translation).
//! * [`channel`] — the per-channel state machine and the [`channel::Controller`]
//!   that owns the shared registers.
//! * [`ring`] — the same channel driven as a ring: entries appended behind
//!   a running engine, completed by index.
//! * [`io`] — the three seams backends plug into: register access, LL memory
//!   and PCI address translation.
//!
//! # Which backend
//!
//! This crate never touches hardware itself. `edma-backend-mmio` provides
//! [`io::RegisterIo`] and [`io::LlMemory`] over volatile MMIO (firmware and
//! kernel: a mapped register block and LL memory; userspace: a PCI BAR
//! mapped through sysfs); `edma-backend-mock` provides an in-memory engine
//! for tests and measurements. The repository's `docs/guides/` walk through
//! a Linux dmaengine provider, `no_std` endpoint firmware and a userspace
//! driver; `docs/architecture.md` follows a batch from entries to interrupt.
//!
//! # Errors, not panics
//!
//! Every input — entries, limits, channel numbers, interrupts at odd times —
//! yields a value: a rejected batch is a [`PlanError`] naming the entry, and
//! nothing has been written to registers or LL memory when it is returned.
//! The crate denies `panic!`, `unwrap`, `expect` and slice indexing outside
//! tests, and the planner is fuzzed (`fuzz/`).
//!
//! # Example: a batch of three transfers on the mock engine
//!
//! ```
//! use edma_core::{ChannelDir, Deployment, MapFormat};
//! use edma_core::channel::{Channel, ChannelConfig, Controller};
//! use edma_core::plan::Entry;
//! use edma_backend_mock::{MockConfig, MockEngine};
//!
//! let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
//! // PCI-side memory (the host) holds three buffers; the endpoint reads them.
//! engine.pci_write(0x1000, b"ring tail");
//! engine.pci_write(0x8000, b"ring head");
//! engine.pci_write(0x9000, b"payload");
//! let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
//! let ll = engine.ll_region(ChannelDir::Read, 0, 64);
//! let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap(), ll);
//! // Read channel: source is on the PCI side, destination is local memory.
//! let batch = [
//!     Entry::new(0x1000, 0x10_0000, 9),
//!     Entry::new(0x8000, 0x10_0009, 9),
//!     Entry::new(0x9000, 0x10_0012, 7),
//! ];
//! ch.submit(&ctrl, &batch).unwrap();
//! let done = ch.on_interrupt(&ctrl).completion().expect("one completion");
//! assert!(done.is_success());
//! assert_eq!(done.residue, 0);
//! assert_eq!(engine.local_read(0x10_0000, 25), b"ring tailring headpayload");
//! assert_eq!(engine.counters().total().doorbells, 1);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    not(test),
    deny(
        clippy::panic,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing
    )
)]

// `arbitrary`'s derive keeps a thread-local recursion counter, so the
// fuzzing feature needs std; the crate itself never does.
#[cfg(any(test, feature = "arbitrary"))]
extern crate std;

pub mod channel;
mod config;
pub mod controller;
pub mod desc;
pub mod io;
pub mod plan;
pub mod progress;
pub mod regs;
pub mod ring;
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub mod wait;
mod writer;

pub use channel::{Channel, ChannelConfig, Completion, Controller, Outcome, Status, Terminate};
pub use io::{AddressTranslate, Identity, LlMemory, RegisterIo};
pub use plan::{Entry, Limits, PlanError};

/// Which of the four register layouts the engine implements.
///
/// Linux calls this the "map format" (`enum dw_edma_map_format` in
/// `include/linux/dma/edma.h`); the values match the VSEC `MAP` field.
///
/// ```
/// use edma_core::{regs, MapFormat};
/// // The register block to map for each format.
/// let sizes = MapFormat::ALL.map(regs::map_size);
/// assert_eq!(sizes, [0x124, 0x1200, 0x1200, 0x1000]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum MapFormat {
    /// eDMA v0 with one per-channel register window selected by the
    /// viewport register (`EDMA_MF_EDMA_LEGACY`, value 0).
    EdmaLegacy,
    /// eDMA v0 with every channel's registers unrolled into their own
    /// window (`EDMA_MF_EDMA_UNROLL`, value 1).
    EdmaUnroll,
    /// HDMA in eDMA compatibility mode: the unrolled eDMA map plus the
    /// per-channel power-enable registers (`EDMA_MF_HDMA_COMPAT`, value 5).
    HdmaCompat,
    /// Native HDMA: one 256-byte register block per channel and direction
    /// (`EDMA_MF_HDMA_NATIVE`, value 7).
    HdmaNative,
}

impl MapFormat {
    /// All four formats, for iteration in tests and tools.
    pub const ALL: [MapFormat; 4] = [
        MapFormat::EdmaLegacy,
        MapFormat::EdmaUnroll,
        MapFormat::HdmaCompat,
        MapFormat::HdmaNative,
    ];

    /// Decodes the VSEC / platform `MAP` value (0, 1, 5 or 7).
    ///
    /// ```
    /// use edma_core::MapFormat;
    /// assert_eq!(MapFormat::from_raw(7), Some(MapFormat::HdmaNative));
    /// assert_eq!(MapFormat::from_raw(2), None);
    /// ```
    pub const fn from_raw(value: u32) -> Option<MapFormat> {
        match value {
            0 => Some(MapFormat::EdmaLegacy),
            1 => Some(MapFormat::EdmaUnroll),
            5 => Some(MapFormat::HdmaCompat),
            7 => Some(MapFormat::HdmaNative),
            _ => None,
        }
    }

    /// The raw `MAP` value of this format.
    ///
    /// ```
    /// use edma_core::MapFormat;
    /// for map in MapFormat::ALL {
    ///     assert_eq!(MapFormat::from_raw(map.raw()), Some(map));
    /// }
    /// ```
    pub const fn raw(self) -> u32 {
        match self {
            MapFormat::EdmaLegacy => 0,
            MapFormat::EdmaUnroll => 1,
            MapFormat::HdmaCompat => 5,
            MapFormat::HdmaNative => 7,
        }
    }

    /// Whether the format uses the eDMA v0 register map (legacy, unrolled or
    /// HDMA compat) rather than the native HDMA map.
    ///
    /// ```
    /// use edma_core::MapFormat;
    /// assert!(MapFormat::HdmaCompat.is_edma_v0());
    /// assert!(!MapFormat::HdmaNative.is_edma_v0());
    /// ```
    pub const fn is_edma_v0(self) -> bool {
        !matches!(self, MapFormat::HdmaNative)
    }
}

/// The direction of a channel, in the engine's own terms.
///
/// A **write** channel moves data from the engine's local (AXI) memory out to
/// the PCI side: its SAR is local and its DAR is a PCI address. A **read**
/// channel moves data from the PCI side into local memory: its SAR is a PCI
/// address and its DAR is local.
///
/// ```
/// use edma_core::{ChannelDir, Entry};
/// // A read channel's source is the PCI side: a host buffer into local memory.
/// let e = Entry::new(0x8_0000_0000, 0x1000, 4096);
/// let (pci, local) = match ChannelDir::Read {
///     ChannelDir::Read => (e.src, e.dst),
///     ChannelDir::Write => (e.dst, e.src),
/// };
/// assert_eq!((pci, local), (0x8_0000_0000, 0x1000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ChannelDir {
    /// Local memory → PCI (`EDMA_DIR_WRITE`).
    Write,
    /// PCI → local memory (`EDMA_DIR_READ`).
    Read,
}

impl ChannelDir {
    /// Both directions.
    pub const ALL: [ChannelDir; 2] = [ChannelDir::Write, ChannelDir::Read];

    /// Index 0 for write, 1 for read.
    ///
    /// ```
    /// use edma_core::ChannelDir;
    /// assert_eq!(ChannelDir::ALL.map(ChannelDir::index), [0, 1]);
    /// ```
    pub const fn index(self) -> usize {
        match self {
            ChannelDir::Write => 0,
            ChannelDir::Read => 1,
        }
    }
}

/// Where the software driving the engine runs relative to it.
///
/// ```
/// use edma_backend_mock::{MockConfig, MockEngine};
/// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Remote);
/// ctrl.configure_remote_interrupt(ChannelDir::Write, 0, 0x3f_0000, 7);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4));
/// let batch = [Entry::new(0, 0x1000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// // Remote: the done message is also written to the host (IMWr).
/// assert_eq!(engine.imwr_log().len(), 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Deployment {
    /// The CPU next to the engine (endpoint firmware or the endpoint's
    /// Linux) drives it; completion is signalled by local interrupts (LIE)
    /// and the LL lives in ordinary memory (`DW_EDMA_CHIP_LOCAL`).
    Local,
    /// A host drives the engine of a remote endpoint over PCIe through a
    /// BAR; completion is also signalled by a remote interrupt (RIE, an
    /// IMWr/MSI write) and the LL lives in device memory behind a BAR.
    Remote,
}

/// Number of channels per direction the register maps provide.
pub const MAX_CHANNELS: u8 = 8;

/// The README's example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
