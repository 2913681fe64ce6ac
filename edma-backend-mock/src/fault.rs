//! Injected faults, remote interrupts (IMWr) and abort causes.

use edma_core::ChannelDir;

/// An injected fault.
///
/// ```
/// use edma_backend_mock::{AbortCause, Fault, MockConfig, MockEngine};
/// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap(), engine.ll_region(ChannelDir::Read, 0, 8));
/// engine.inject_fault(ChannelDir::Read, 0, Fault::LlFetchError { after_elements: 1 });
/// let batch = [Entry::new(0x100, 0x1000, 8), Entry::new(0x200, 0x2000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// let done = ch.on_interrupt(&ctrl).completion().unwrap();
/// assert_eq!((done.bytes_done, done.residue), (8, 8));
/// assert_eq!(engine.last_abort(ChannelDir::Read, 0), Some(AbortCause::LlFetch));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The `element`-th data element executed from now on (0-based) aborts
    /// after moving `after_bytes` bytes (capped below its size): a read
    /// error (`read == true`) or a write error.
    AbortAt {
        /// Which element.
        element: u64,
        /// Bytes moved before the error.
        after_bytes: u32,
        /// Read error (true) or write error (false).
        read: bool,
    },
    /// The first LL fetch after `after_elements` data elements have executed
    /// (counted from now) fails, as an error on the LL read would.
    LlFetchError {
        /// Data elements that run before the failing fetch.
        after_elements: u64,
    },
}

/// A remote interrupt: an IMWr the engine wrote to PCI memory.
///
/// ```
/// use edma_backend_mock::{Imwr, MockConfig, MockEngine};
/// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
/// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Remote);
/// ctrl.configure_remote_interrupt(ChannelDir::Write, 2, 0x10_0000, 0x33);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 2)).unwrap(), engine.ll_region(ChannelDir::Write, 2, 4));
/// let batch = [Entry::new(0, 0x1000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// assert_eq!(engine.imwr_log(), [Imwr { dir: ChannelDir::Write, ch: 2, abort: false, addr: 0x10_0000, data: 0x33 }]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Imwr {
    /// Channel direction.
    pub dir: ChannelDir,
    /// Channel number.
    pub ch: u8,
    /// Abort (true) or done/stop (false).
    pub abort: bool,
    /// PCI address written.
    pub addr: u64,
    /// Data written.
    pub data: u32,
}

/// Why a channel last aborted.
///
/// ```
/// use edma_backend_mock::{AbortCause, MockConfig, MockEngine};
/// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4));
/// // A destination beyond the 4 MiB of PCI memory: the engine aborts.
/// let batch = [Entry::new(0, 0x10_0000_0000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// assert!(!ch.on_interrupt(&ctrl).completion().unwrap().is_success());
/// assert_eq!(engine.last_abort(ChannelDir::Write, 0), Some(AbortCause::DarOutOfRange));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AbortCause {
    /// SAR range outside its memory.
    SarOutOfRange,
    /// DAR range outside its memory.
    DarOutOfRange,
    /// LLP outside local memory, or an injected LL fetch error.
    LlFetch,
    /// Injected read error, or a PCI-side read a
    /// [`PciMemory`](crate::PciMemory) refused (the IOMMU faulted it and
    /// the completion came back as an error).
    ReadError,
    /// Injected write error.
    WriteError,
    /// A stop request.
    Stopped,
    /// A chain of links without any data element.
    LinkLoop,
}

/// Memory on the engine's PCI side that lives outside the mock: host
/// buffers behind an IOMMU, for example (see
/// [`MockEngine::set_pci_memory`](crate::MockEngine::set_pci_memory)).
/// Each call is one whole access of one element (or one IMWr); an
/// implementation answers `false` when the address range is not mapped.
pub trait PciMemory: Send {
    /// Reads `buf.len()` bytes at bus address `addr` into `buf`; `false`
    /// (and `buf` unspecified) if the access is refused.
    fn read(&self, addr: u64, buf: &mut [u8]) -> bool;
    /// Writes `data` at bus address `addr`; `false` if refused (nothing
    /// written).
    fn write(&self, addr: u64, data: &[u8]) -> bool;
}
