//! The three seams backends plug into.
//!
//! * [`RegisterIo`] — 32-bit reads and writes at an offset of the engine's
//!   register block. The mock implements it with side effects, the MMIO
//!   backend with volatile accesses.
//! * [`LlMemory`] — the channel's LL region: where elements are written, its
//!   bus address as the engine sees it, its capacity, and a `sync` that makes
//!   written elements visible to the engine before the doorbell.
//! * [`AddressTranslate`] — CPU/local address → PCI bus address, applied to
//!   the PCI side of every entry (Linux's `dw_edma_plat_ops::pci_address`).

use crate::desc::{Control, Element};

/// 32-bit access to the engine's register block.
///
/// Methods take `&self`: the register block is shared by every channel, and
/// device registers are interior-mutable by nature. Implementations must not
/// reorder accesses made through one value.
///
/// ```
/// use std::sync::Mutex;
/// use edma_core::io::RegisterIo;
/// // A register file that logs every access, over another one.
/// struct Logged<'a, R>(&'a R, Mutex<Vec<(char, usize, u32)>>);
/// impl<R: RegisterIo> RegisterIo for Logged<'_, R> {
///     fn read32(&self, offset: usize) -> u32 {
///         let v = self.0.read32(offset);
///         self.1.lock().unwrap().push(('r', offset, v));
///         v
///     }
///     fn write32(&self, offset: usize, value: u32) {
///         self.1.lock().unwrap().push(('w', offset, value));
///         self.0.write32(offset, value)
///     }
/// }
/// let engine = edma_backend_mock::MockEngine::new(edma_backend_mock::MockConfig::new(edma_core::MapFormat::EdmaUnroll));
/// let logged = Logged(&engine, Mutex::new(Vec::new()));
/// logged.write32(0x00c, 1); // write engine enable
/// assert_eq!(logged.read32(0x00c), 1);
/// assert_eq!(*logged.1.lock().unwrap(), [('w', 0x00c, 1), ('r', 0x00c, 1)]);
/// ```
pub trait RegisterIo {
    /// Reads the 32-bit register at byte `offset`.
    ///
    /// ```
    /// use edma_core::io::RegisterIo;
    /// use edma_core::regs::edma_v0;
    /// let engine = edma_backend_mock::MockEngine::new(edma_backend_mock::MockConfig::new(edma_core::MapFormat::EdmaUnroll));
    /// // CTRL: 8 write channels (bits 3:0) and 8 read channels (bits 19:16).
    /// assert_eq!(engine.read32(edma_v0::CTRL) & 0x000f_000f, 0x0008_0008);
    /// ```
    fn read32(&self, offset: usize) -> u32;
    /// Writes the 32-bit register at byte `offset`.
    ///
    /// ```
    /// use edma_core::io::RegisterIo;
    /// use edma_core::regs::edma_v0;
    /// let engine = edma_backend_mock::MockEngine::new(edma_backend_mock::MockConfig::new(edma_core::MapFormat::EdmaUnroll));
    /// engine.write32(edma_v0::WR_INT_MASK, 0x00ff_00ff);
    /// assert_eq!(engine.read32(edma_v0::WR_INT_MASK), 0x00ff_00ff);
    /// ```
    fn write32(&self, offset: usize, value: u32);
}

impl<T: RegisterIo + ?Sized> RegisterIo for &T {
    fn read32(&self, offset: usize) -> u32 {
        (**self).read32(offset)
    }
    fn write32(&self, offset: usize, value: u32) {
        (**self).write32(offset, value)
    }
}

/// A channel's LL region.
///
/// The channel driver writes each chunk's elements into slots `0..n` and the
/// link element into slot `n`, then calls [`LlMemory::sync`] before ringing
/// the doorbell. An implementation decides *how* a slot is written (plain
/// stores, volatile MMIO in a safe order) — the driver only decides *what*.
///
/// A region that records what it is given shows what a chunk looks like:
///
/// ```
/// use edma_backend_mock::{MockConfig, MockEngine};
/// use edma_core::desc::{Control, Element};
/// use edma_core::io::LlMemory;
/// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// struct Recorder {
///     slots: [Option<Element>; 4],
///     synced: bool,
/// }
/// impl LlMemory for Recorder {
///     fn bus_addr(&self) -> u64 {
///         0x3f_0000
///     }
///     fn capacity(&self) -> usize {
///         self.slots.len()
///     }
///     fn write(&mut self, index: usize, element: &Element) {
///         self.slots[index] = Some(*element);
///     }
///     fn sync(&mut self) {
///         self.synced = true;
///     }
/// }
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let ll = Recorder { slots: [None; 4], synced: false };
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), ll);
/// let batch = [Entry::new(0x100, 0x9000, 64), Entry::new(0x800, 0x7000, 32)];
/// ch.submit(&ctrl, &batch).unwrap();
/// let ll = ch.ll().unwrap();
/// assert!(ll.synced);
/// assert_eq!(ll.slots[0], Some(Element::data(Control::CB, 64, 0x100, 0x9000)));
/// // The chunk's last element asks for the done interrupt.
/// assert_eq!(ll.slots[1], Some(Element::data(Control::CB | Control::LIE, 32, 0x800, 0x7000)));
/// // Then the link back to slot 0, toggling the consumer cycle state.
/// assert_eq!(ll.slots[2], Some(Element::link(Control::TCB, 0x3f_0000)));
/// assert_eq!(ll.slots[3], None);
/// ```
pub trait LlMemory {
    /// Bus address of slot 0 as the engine sees it (what goes into LLP).
    ///
    /// ```
    /// use edma_core::io::{LlMemory, SliceLl};
    /// let mut page = [0u8; 96];
    /// let ll = SliceLl::new(&mut page, 0x4000_0000);
    /// assert_eq!(ll.bus_addr(), 0x4000_0000); // what LLP is programmed with
    /// ```
    fn bus_addr(&self) -> u64;
    /// Number of 24-byte slots in the region (data elements plus the link).
    ///
    /// ```
    /// use edma_core::io::{LlMemory, SliceLl};
    /// let mut page = [0u8; 100]; // 4 whole slots, 4 bytes unused
    /// assert_eq!(SliceLl::new(&mut page, 0).capacity(), 4);
    /// ```
    fn capacity(&self) -> usize;
    /// Writes `element` into slot `index` (`index < capacity()`).
    ///
    /// Implementations must make the control word (which carries the cycle
    /// bit) visible no earlier than the rest of the slot.
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// use edma_core::io::{LlMemory, SliceLl};
    /// let mut page = [0u8; 48];
    /// let mut ll = SliceLl::new(&mut page, 0);
    /// ll.write(1, &Element::link(Control::TCB, 0x8000));
    /// ll.write(2, &Element::link(Control::TCB, 0x8000)); // beyond the region: ignored
    /// assert_eq!(ll.read(1), Some(Element::link(Control::TCB, 0x8000)));
    /// ```
    fn write(&mut self, index: usize, element: &Element);
    /// Writes a data element into slot `index`: [`LlMemory::write`] of
    /// [`Element::data`]`(control, size, sar, dar)`, which the default does.
    /// A region in plain memory may store the fields directly (the ring's
    /// hot path calls this once per element).
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// use edma_core::io::{LlMemory, SliceLl};
    /// let mut page = [0u8; 24];
    /// let mut ll = SliceLl::new(&mut page, 0);
    /// ll.write_data(0, Control::CB, 512, 0x1000, 0x2000);
    /// assert_eq!(ll.read(0), Some(Element::data(Control::CB, 512, 0x1000, 0x2000)));
    /// ```
    #[inline]
    fn write_data(&mut self, index: usize, control: Control, size: u32, sar: u64, dar: u64) {
        self.write(index, &Element::data(control, size, sar, dar));
    }
    /// Writes data elements into consecutive slots from `start`, all with
    /// `control`: item `k` of `items`, as (size, SAR, DAR), into slot
    /// `start + k`. The default calls [`LlMemory::write_data`] for each.
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// use edma_core::io::{LlMemory, SliceLl};
    /// let mut page = [0u8; 72];
    /// let mut ll = SliceLl::new(&mut page, 0);
    /// ll.write_data_run(1, Control::CB, [(8, 0x10, 0x20), (16, 0x30, 0x40)].into_iter());
    /// assert_eq!(ll.read(2), Some(Element::data(Control::CB, 16, 0x30, 0x40)));
    /// ```
    #[inline]
    fn write_data_run<I: Iterator<Item = (u32, u64, u64)>>(
        &mut self,
        start: usize,
        control: Control,
        items: I,
    ) where
        Self: Sized,
    {
        for (k, (size, sar, dar)) in items.enumerate() {
            self.write_data(start + k, control, size, sar, dar);
        }
    }
    /// Makes every written slot visible to the engine (fences, or the dummy
    /// read-back Linux issues for LL memory behind a BAR).
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// use edma_core::io::{LlMemory, SliceLl};
    /// let mut page = [0u8; 48];
    /// let mut ll = SliceLl::new(&mut page, 0);
    /// ll.write(0, &Element::data(Control::CB, 8, 0, 0x100));
    /// ll.sync(); // a release fence: the element is visible before the doorbell
    /// ```
    fn sync(&mut self) {}
    /// Reads slot `index` back, if the region can be read (default: no).
    ///
    /// A [`Ring`](crate::ring::Ring) uses it only after an abort, to check
    /// the failing element's SAR and DAR against the engine's registers
    /// before it counts a partial transfer; without it no partial bytes
    /// of the failing element are reported.
    ///
    /// ```
    /// use edma_core::io::{LlMemory, SliceLl};
    /// let mut page = [0u8; 24];
    /// let ll = SliceLl::new(&mut page, 0);
    /// assert!(ll.read(0).is_some());
    /// assert!(ll.read(1).is_none());
    /// ```
    fn read(&self, index: usize) -> Option<Element> {
        let _ = index;
        None
    }
    /// Called, just before the region is dropped, when the engine that
    /// fetches from it did not report its channel stopped within the bound
    /// ([`DROP_STOP_READS`](crate::channel::DROP_STOP_READS) status reads):
    /// the engine may still read (and, for its status, write) the region.
    /// The region is **quarantined**: an implementation that gives memory
    /// back when dropped must not do so any more (leak it, keep it
    /// reserved); one that only borrows memory has nothing to do here, and
    /// its owner learns of it from
    /// [`Controller::is_quarantined`](crate::Controller::is_quarantined).
    /// The default does nothing.
    ///
    /// ```
    /// use edma_core::io::{LlMemory, SliceLl};
    /// let mut page = [0u8; 48];
    /// let mut ll = SliceLl::new(&mut page, 0);
    /// ll.quarantine(); // borrowed memory: nothing to keep; the owner must
    /// ```
    fn quarantine(&mut self) {}
}

impl<T: LlMemory + ?Sized> LlMemory for &mut T {
    fn quarantine(&mut self) {
        (**self).quarantine()
    }
    fn bus_addr(&self) -> u64 {
        (**self).bus_addr()
    }
    fn capacity(&self) -> usize {
        (**self).capacity()
    }
    fn write(&mut self, index: usize, element: &Element) {
        (**self).write(index, element)
    }
    #[inline]
    fn write_data(&mut self, index: usize, control: Control, size: u32, sar: u64, dar: u64) {
        (**self).write_data(index, control, size, sar, dar)
    }
    fn sync(&mut self) {
        (**self).sync()
    }
    fn read(&self, index: usize) -> Option<Element> {
        (**self).read(index)
    }
}

/// An LL region in a byte slice of ordinary memory the engine fetches from
/// (local deployment with the LL in RAM, or a test). `sync` is a release
/// fence; use `edma-backend-mmio` for device memory.
///
/// ```
/// use edma_core::desc::{Control, Element};
/// use edma_core::io::{LlMemory, SliceLl};
/// let mut page = [0u8; 4096];
/// let mut ll = SliceLl::new(&mut page, 0x8000_0000);
/// assert_eq!(ll.capacity(), 170);
/// ll.write(1, &Element::link(Control::TCB, 0x8000_0000));
/// ll.sync();
/// assert_eq!(page[24], 0x06);
/// ```
#[derive(Debug)]
pub struct SliceLl<'a> {
    slots: &'a mut [[u8; crate::desc::SLOT_SIZE]],
    bus: u64,
}

impl<'a> SliceLl<'a> {
    /// The region `mem`, which the engine sees at bus address `bus`.
    /// A trailing part shorter than a slot is not used.
    ///
    /// ```
    /// use edma_core::io::{LlMemory, SliceLl};
    /// let mut page = vec![0u8; 4096];
    /// let ll = SliceLl::new(&mut page, 0x9000_0000);
    /// assert_eq!((ll.capacity(), ll.bus_addr()), (170, 0x9000_0000));
    /// ```
    pub fn new(mem: &'a mut [u8], bus: u64) -> Self {
        SliceLl {
            slots: mem.as_chunks_mut().0,
            bus,
        }
    }
}

impl LlMemory for SliceLl<'_> {
    #[inline]
    fn bus_addr(&self) -> u64 {
        self.bus
    }
    #[inline]
    fn capacity(&self) -> usize {
        self.slots.len()
    }
    /// The fields stored directly, little-endian (the same bytes as
    /// [`Element::encode`]).
    #[inline]
    fn write(&mut self, index: usize, element: &Element) {
        if let Some(slot) = self.slots.get_mut(index) {
            match *element {
                Element::Data {
                    control,
                    size,
                    sar,
                    dar,
                } => store_data(slot, control.bits(), size, sar, dar),
                // Control and the reserved word 0, the pointer, 8 unused bytes 0.
                Element::Link { control, target } => store_data(slot, control.bits(), 0, target, 0),
            }
        }
    }
    /// The fields stored directly, little-endian, control word last.
    #[inline]
    fn write_data(&mut self, index: usize, control: Control, size: u32, sar: u64, dar: u64) {
        if let Some(slot) = self.slots.get_mut(index) {
            store_data(slot, data_bits(control), size, sar, dar);
        }
    }
    #[inline]
    fn write_data_run<I: Iterator<Item = (u32, u64, u64)>>(
        &mut self,
        start: usize,
        control: Control,
        items: I,
    ) {
        let bits = data_bits(control);
        let slots = self.slots.get_mut(start..).unwrap_or_default();
        for (slot, (size, sar, dar)) in slots.iter_mut().zip(items) {
            store_data(slot, bits, size, sar, dar);
        }
    }
    #[inline]
    fn sync(&mut self) {
        core::sync::atomic::fence(core::sync::atomic::Ordering::Release);
    }
    fn read(&self, index: usize) -> Option<Element> {
        self.slots.get(index).map(Element::decode)
    }
}

/// A data element's control word as stored (the LLP bit cleared).
#[inline(always)]
fn data_bits(control: Control) -> u32 {
    crate::desc::DataControl::new(control.bits()).bits()
}

/// Stores a data element's fields into a slot, little-endian: SAR, DAR,
/// size, then the control word (a link: its pointer as SAR, 0 for the
/// rest).
#[inline(always)]
fn store_data(
    slot: &mut [u8; crate::desc::SLOT_SIZE],
    control: u32,
    size: u32,
    sar: u64,
    dar: u64,
) {
    let (head, tail) = slot.split_at_mut(8);
    let (s, d) = tail.split_at_mut(8);
    s.copy_from_slice(&sar.to_le_bytes());
    d.copy_from_slice(&dar.to_le_bytes());
    let (c, z) = head.split_at_mut(4);
    // The size, then the control word (as 32-bit stores: no shift to
    // combine them).
    z.copy_from_slice(&size.to_le_bytes());
    c.copy_from_slice(&control.to_le_bytes());
}

/// Translation of the PCI side of an entry into the address the engine must
/// put on the bus.
///
/// Only the PCI side is translated. Linux applies `pci_address()` to the
/// dmaengine *device* side instead, which in remote deployment is the
/// engine's **local** side (the endpoint memory a host driver names by its
/// BAR address). Express that here by translating when the entries are
/// built — the local side is a plain address the engine uses as given:
///
/// ```
/// use edma_core::plan::Entry;
/// // A host driving a remote endpoint's engine: endpoint memory appears to
/// // the host at BAR 0x9000_0000; the engine itself sees it at 0x0.
/// let bar_to_local = |host_addr: u64| host_addr - 0x9000_0000;
/// // Write channel: local (endpoint) source, PCI (host) destination.
/// let e = Entry::new(bar_to_local(0x9000_1000), 0x2_0000_0000, 512);
/// assert_eq!(e.src, 0x1000);
/// ```
pub trait AddressTranslate {
    /// Translates `addr`, or returns `None` when it has no PCI address
    /// (the batch is then rejected naming the entry).
    ///
    /// ```
    /// use edma_core::io::AddressTranslate;
    /// // The PCI window of an endpoint: outbound addresses 0x6000_0000.. map to host 0x1_0000_0000..
    /// let outbound = |a: u64| a.checked_sub(0x6000_0000).filter(|o| *o < 0x1000_0000).map(|o| 0x1_0000_0000 + o);
    /// assert_eq!(outbound.to_pci(0x6000_0040), Some(0x1_0000_0040));
    /// assert_eq!(outbound.to_pci(0x5fff_ffff), None);
    /// ```
    fn to_pci(&self, addr: u64) -> Option<u64>;

    /// Translates the range `[addr, addr + len)` as a whole: the PCI address
    /// of `addr` when every byte has one and they are contiguous, so the
    /// engine can move the range in one piece; otherwise `None`.
    ///
    /// The planner calls it once per entry (it must not panic on any
    /// argument). When `len` is 0 the result does not matter. When
    /// `addr + len - 1` wraps past `u64::MAX`, it must return `None` or
    /// `Some(addr)` (the planner then refuses the entry either way); the
    /// default returns `None`. The default translates the first and
    /// the last byte and requires the last to be `len - 1` above the first —
    /// exact for translations that are linear inside each window, as the
    /// engine's address windows are. Override it when one range check is
    /// cheaper than two lookups (as [`OffsetWindow`] does) or when the
    /// translation can be non-linear between the ends.
    ///
    /// ```
    /// use edma_core::io::AddressTranslate;
    /// // 4 KiB pages: page 0 -> 0x9000, page 1 -> 0x5000 (not contiguous).
    /// let pages = |a: u64| match a >> 12 {
    ///     0 => Some(0x9000 + (a & 0xfff)),
    ///     1 => Some(0x5000 + (a & 0xfff)),
    ///     _ => None,
    /// };
    /// assert_eq!(pages.to_pci_range(0x100, 0x200), Some(0x9100));
    /// assert_eq!(pages.to_pci_range(0xf00, 0x200), None); // crosses into page 1
    /// ```
    #[inline]
    fn to_pci_range(&self, addr: u64, len: u64) -> Option<u64> {
        let last = len.wrapping_sub(1);
        let first = self.to_pci(addr)?;
        let end = self.to_pci(addr.checked_add(last)?)?;
        (first.checked_add(last) == Some(end)).then_some(first)
    }
}

/// The identity translation (Linux's default when `pci_address` is not set).
///
/// ```
/// use edma_core::io::{AddressTranslate, Identity};
/// assert_eq!(Identity.to_pci(0x1234), Some(0x1234));
/// assert_eq!(Identity.to_pci_range(0x1000, 64), Some(0x1000));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Identity;

impl AddressTranslate for Identity {
    #[inline]
    fn to_pci(&self, addr: u64) -> Option<u64> {
        Some(addr)
    }

    /// The range itself, also when it wraps (allowed: see the trait; the
    /// planner's range check refuses such an entry).
    #[inline]
    fn to_pci_range(&self, addr: u64, _len: u64) -> Option<u64> {
        Some(addr)
    }
}

/// A fixed window: addresses in `[cpu_base, cpu_base + size)` map to
/// `pci_base + (addr - cpu_base)`; anything else has no PCI address.
///
/// ```
/// use edma_core::io::{AddressTranslate, OffsetWindow};
/// let w = OffsetWindow { cpu_base: 0x8000_0000, pci_base: 0x1_0000_0000, size: 0x1000 };
/// assert_eq!(w.to_pci(0x8000_0010), Some(0x1_0000_0010));
/// assert_eq!(w.to_pci(0x7fff_ffff), None);
/// assert_eq!(w.to_pci(0x8000_1000), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetWindow {
    /// First CPU/local address of the window.
    pub cpu_base: u64,
    /// PCI address `cpu_base` maps to.
    pub pci_base: u64,
    /// Window size in bytes.
    pub size: u64,
}

impl AddressTranslate for OffsetWindow {
    #[inline]
    fn to_pci(&self, addr: u64) -> Option<u64> {
        let off = addr.checked_sub(self.cpu_base)?;
        if off >= self.size {
            return None;
        }
        self.pci_base.checked_add(off)
    }

    /// One range check instead of two lookups; the same answer as the
    /// default for every `len >= 1`.
    #[inline]
    fn to_pci_range(&self, addr: u64, len: u64) -> Option<u64> {
        let off = addr.checked_sub(self.cpu_base)?;
        // off + len <= size, without overflow; the CPU range must not wrap.
        if len > self.size || off > self.size - len {
            return None;
        }
        addr.checked_add(len.wrapping_sub(1))?;
        let start = self.pci_base.checked_add(off)?;
        start.checked_add(len.wrapping_sub(1))?;
        Some(start)
    }
}

impl<F: Fn(u64) -> Option<u64>> AddressTranslate for F {
    fn to_pci(&self, addr: u64) -> Option<u64> {
        self(addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `SliceLl` stores elements field by field; the bytes must be exactly
    /// `Element::encode`'s, for data elements (through `write`,
    /// `write_data` and `write_data_run`) and links, every control bit and
    /// the reserved words included.
    #[test]
    fn slice_ll_stores_the_encoded_bytes() {
        let data = Element::data(
            Control::CB | Control::LIE | Control::RIE,
            0x1234_5678,
            0x1122_3344_5566_7788,
            0x99aa_bbcc_ddee_ff00,
        );
        let link = Element::link(Control::CB | Control::TCB, 0x0102_0304_0506_0708);
        let mut page = [0xa5u8; 4 * 24];
        let mut ll = SliceLl::new(&mut page, 0);
        ll.write(0, &data);
        ll.write(1, &link);
        ll.write_data(
            2,
            Control::CB | Control::LIE | Control::RIE,
            0x1234_5678,
            0x1122_3344_5566_7788,
            0x99aa_bbcc_ddee_ff00,
        );
        ll.write_data_run(
            3,
            Control::CB | Control::LIE | Control::RIE,
            [(0x1234_5678, 0x1122_3344_5566_7788, 0x99aa_bbcc_ddee_ff00)].into_iter(),
        );
        assert_eq!(page[..24], data.encode());
        assert_eq!(page[24..48], link.encode());
        assert_eq!(page[48..72], data.encode());
        assert_eq!(page[72..], data.encode());
    }
}
