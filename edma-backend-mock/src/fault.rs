//! Injected faults, remote interrupts (IMWr) and abort causes.

use edma_core::ChannelDir;

/// An injected fault.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AbortCause {
    /// SAR range outside its memory.
    SarOutOfRange,
    /// DAR range outside its memory.
    DarOutOfRange,
    /// LLP outside local memory, or an injected LL fetch error.
    LlFetch,
    /// Injected read error.
    ReadError,
    /// Injected write error.
    WriteError,
    /// A stop request.
    Stopped,
    /// A chain of links without any data element.
    LinkLoop,
}
