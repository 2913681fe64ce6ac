//! Batch entries from typed buffers (`embedded-dma`'s [`ReadBuffer`] and
//! [`WriteBuffer`]), for firmware that owns its local buffers as Rust values.
//!
//! The local side of an entry is a buffer in the engine's local memory; its
//! CPU address is turned into the engine's bus address by the caller's
//! `cpu_to_bus` (often the identity on an endpoint SoC). The PCI side is a
//! plain PCI address: host memory is not a Rust value on the endpoint.
//!
//! These helpers live here, not in `edma-core`, because obtaining a buffer's
//! address through `embedded-dma` is an `unsafe` call and `edma-core`
//! forbids `unsafe`. They only read the address and length; they never
//! dereference the pointer.
//!
//! ```
//! use edma_backend_mmio::buffers::{read_entry, write_entry};
//! static SRC: [u32; 4] = [1, 2, 3, 4];
//! let e = write_entry(&&SRC, 0x8000_0000, |cpu| cpu as u64);
//! assert_eq!((e.dst, e.len), (0x8000_0000, 16));
//! assert_eq!(e.src, SRC.as_ptr() as u64);
//! // embedded-dma wants 'static buffers (a DMA may outlive a stack frame).
//! let raw = Box::into_raw(Box::new([0u16; 16]));
//! // SAFETY: `raw` is a live, unique allocation until it is freed below.
//! let mut dst: &'static mut [u16; 16] = unsafe { &mut *raw };
//! let e = read_entry(0x9000_0000, &mut dst, |cpu| cpu as u64 + 0x1000);
//! assert_eq!((e.src, e.dst, e.len), (0x9000_0000, raw as u64 + 0x1000, 32));
//! // SAFETY: `dst` is no longer used; `raw` came from Box::into_raw.
//! drop(unsafe { Box::from_raw(raw) });
//! ```

use core::mem::size_of;

use edma_core::plan::Entry;
use embedded_dma::{ReadBuffer, WriteBuffer};

/// An entry for a **write** channel: `src` (local) → `pci_dst`.
///
/// The caller keeps `src` alive and unmoved until the batch completes, as
/// `embedded-dma`'s contract requires of any DMA.
///
/// ```
/// use edma_backend_mmio::buffers::write_entry;
/// static PAYLOAD: [u8; 64] = [0xa5; 64];
/// // Endpoint SoC whose AXI address equals the CPU address: identity.
/// let e = write_entry(&&PAYLOAD, 0x2_0000_0000, |cpu| cpu as u64);
/// assert_eq!((e.src, e.dst, e.len), (PAYLOAD.as_ptr() as u64, 0x2_0000_0000, 64));
/// ```
pub fn write_entry<B: ReadBuffer>(
    src: &B,
    pci_dst: u64,
    cpu_to_bus: impl Fn(usize) -> u64,
) -> Entry {
    // SAFETY: `read_buffer` is unsafe to call because the returned pointer
    // is only valid while `src` is not moved or dropped; we do not
    // dereference it, we only record its address and length.
    let (ptr, words) = unsafe { src.read_buffer() };
    Entry::new(
        cpu_to_bus(ptr as usize),
        pci_dst,
        (words * size_of::<B::Word>()) as u64,
    )
}

/// An entry for a **read** channel: `pci_src` → `dst` (local).
///
/// The caller keeps `dst` alive, unmoved and unread until the batch
/// completes.
///
/// ```
/// use edma_backend_mmio::buffers::read_entry;
/// let raw = Box::into_raw(Box::new([0u32; 8]));
/// // SAFETY: `raw` is a live, unique allocation until it is freed below.
/// let mut buf: &'static mut [u32; 8] = unsafe { &mut *raw };
/// let e = read_entry(0x3_0000_0000, &mut buf, |cpu| cpu as u64);
/// assert_eq!((e.src, e.dst, e.len), (0x3_0000_0000, raw as u64, 32));
/// // SAFETY: `buf` is no longer used; `raw` came from Box::into_raw.
/// drop(unsafe { Box::from_raw(raw) });
/// ```
pub fn read_entry<B: WriteBuffer>(
    pci_src: u64,
    dst: &mut B,
    cpu_to_bus: impl Fn(usize) -> u64,
) -> Entry {
    // SAFETY: as in `write_entry`: the pointer is recorded, never dereferenced.
    let (ptr, words) = unsafe { dst.write_buffer() };
    Entry::new(
        pci_src,
        cpu_to_bus(ptr as usize),
        (words * size_of::<B::Word>()) as u64,
    )
}
