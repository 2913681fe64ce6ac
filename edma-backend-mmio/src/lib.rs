//! `edma-backend-mmio`: volatile MMIO access to a real eDMA/HDMA register
//! block and LL region, for kernel, firmware and userspace (mapped BAR)
//! callers of `edma-core`.
//!
//! This crate is where the project's `unsafe` lives. It is deliberately
//! small: [`MmioRegs`] implements [`RegisterIo`] with `core::ptr`
//! volatile reads and writes of 32-bit words, and [`MmioLl`] implements
//! [`LlMemory`] for an LL region in device memory (behind a BAR) or in RAM
//! the engine fetches from. Each constructor is `unsafe` and states the
//! contract that makes every later access sound.
//!
//! Why plain `core::ptr::{read,write}_volatile` rather than a crate such as
//! `safe-mmio` or `volatile`: the whole surface is two 32-bit operations and
//! one 64-bit split; a dependency would add API surface (and MSRV pressure)
//! without removing any `unsafe` from our constructors, whose contract
//! (a valid, exclusively owned mapping) no crate can check for us.
//!
//! ```
//! use edma_backend_mmio::MmioRegs;
//! use edma_core::io::RegisterIo;
//! let mut block = [0u32; 16];
//! // SAFETY: `block` is valid for 64 bytes, aligned, and outlives `regs`.
//! let regs = unsafe { MmioRegs::new(block.as_mut_ptr().cast(), 64) };
//! regs.write32(8, 0xdead_beef);
//! assert_eq!(regs.read32(8), 0xdead_beef);
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(not(feature = "std"), no_std)]

pub mod barrier;
pub mod buffers;
#[cfg(feature = "critical-section")]
mod cs_mutex;
pub mod pcie;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod userspace;
#[cfg(all(feature = "vfio", target_os = "linux"))]
#[cfg_attr(docsrs, doc(cfg(feature = "vfio")))]
pub mod vfio;

#[cfg(feature = "critical-section")]
#[cfg_attr(docsrs, doc(cfg(feature = "critical-section")))]
pub use cs_mutex::CriticalSectionRawMutex;
use edma_core::desc::{Element, SLOT_SIZE};
use edma_core::io::{LlMemory, RegisterIo};

/// A mapped register block accessed with 32-bit volatile operations.
///
/// Offsets outside the block or not 4-byte aligned are ignored on write and
/// read as `0xffff_ffff` (what a PCIe read of nothing returns), so a wrong
/// offset can never touch memory outside the mapping.
///
/// ```
/// use edma_backend_mmio::MmioRegs;
/// use edma_core::io::RegisterIo;
/// let mut block = [0u32; 16]; // stands in for a mapped register block
/// // SAFETY: `block` is 4-aligned, 64 bytes, outlives `regs` and is not used meanwhile.
/// let regs = unsafe { MmioRegs::new(block.as_mut_ptr().cast(), 64) };
/// regs.write32(0x8, 0x0001_0002);
/// assert_eq!(regs.read32(0x8), 0x0001_0002);
/// // Outside the block (or unaligned): dropped, and reads give all ones.
/// regs.write32(0x40, 1);
/// assert_eq!((regs.read32(0x40), regs.read32(0x6)), (u32::MAX, u32::MAX));
/// ```
#[derive(Debug)]
pub struct MmioRegs {
    base: *mut u8,
    len: usize,
}

// SAFETY: the mapping is device memory owned by this value (constructor
// contract); volatile 32-bit accesses from several threads are what the
// hardware expects, and `edma-core`'s Controller serialises the accesses that
// must not interleave.
unsafe impl Send for MmioRegs {}
// SAFETY: as above; `&MmioRegs` only performs volatile accesses.
unsafe impl Sync for MmioRegs {}

impl MmioRegs {
    /// Wraps a mapped register block.
    ///
    /// # Safety
    ///
    /// `base` must be 4-byte aligned and valid for volatile reads and writes
    /// of `len` bytes for as long as the returned value lives, and nothing
    /// else may access that memory non-volatilely during that time.
    ///
    /// ```
    /// use edma_backend_mmio::MmioRegs;
    /// use edma_core::{Controller, Deployment, MapFormat};
    /// let mut block = vec![0u32; 0x1000 / 4];
    /// block[0x8 / 4] = 0x0004_0004; // CTRL: 4 + 4 channels
    /// // SAFETY: the vector is 4-aligned and 4 KiB, outlives `regs` and is not touched meanwhile.
    /// let regs = unsafe { MmioRegs::new(block.as_mut_ptr().cast(), 0x1000) };
    /// let ctrl = Controller::new(&regs, MapFormat::EdmaUnroll, Deployment::Local);
    /// assert_eq!(ctrl.channel_counts(), (4, 4));
    /// ```
    pub unsafe fn new(base: *mut u8, len: usize) -> Self {
        MmioRegs { base, len }
    }

    fn in_range(&self, offset: usize) -> bool {
        offset.is_multiple_of(4) && offset.checked_add(4).is_some_and(|end| end <= self.len)
    }
}

impl RegisterIo for MmioRegs {
    fn read32(&self, offset: usize) -> u32 {
        if !self.in_range(offset) {
            return u32::MAX;
        }
        // SAFETY: offset..offset+4 is inside the mapping and 4-byte aligned
        // (base is aligned by contract); the mapping is valid for volatile reads.
        let v = unsafe { self.base.add(offset).cast::<u32>().read_volatile() };
        barrier::after_register_read();
        v
    }

    fn write32(&self, offset: usize, value: u32) {
        if !self.in_range(offset) {
            return;
        }
        barrier::before_register_write();
        // SAFETY: as in read32, for writes.
        unsafe { self.base.add(offset).cast::<u32>().write_volatile(value) }
    }
}

/// Where an LL region lives, which decides how slots are written and synced.
///
/// ```
/// use edma_backend_mmio::{LlKind, MmioLl};
/// use edma_core::io::LlMemory;
/// let mut bar = [0u64; 12]; // 4 slots of "device memory"
/// // SAFETY: 8-aligned, 96 bytes, ours for the region's life.
/// let mut ll = unsafe { MmioLl::new(bar.as_mut_ptr().cast(), 4, 0x4000_0000, LlKind::Device) };
/// ll.sync(); // Device: a fence and a read-back of slot 0 (Linux's dummy read)
/// assert_eq!(ll.kind(), LlKind::Device);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LlKind {
    /// Device memory behind a BAR (remote deployment): writes are posted
    /// PCIe writes; `sync` reads the region back so they have landed before
    /// the doorbell (Linux's dummy read).
    Device,
    /// Ordinary RAM the engine fetches from (local deployment): `sync` is a
    /// release fence.
    Ram,
}

/// One step of writing a slot: a volatile store at a byte offset inside the
/// slot, or a release fence.
///
/// ```
/// use edma_backend_mmio::{slot_stores, Store};
/// use edma_core::desc::{Control, Element};
/// let stores: Vec<Store> = slot_stores(&Element::link(Control::TCB, 0x8000), true).collect();
/// // The link's pointer first, its control word (with LLP) last.
/// assert_eq!(stores[0], Store::U64 { offset: 8, value: 0x8000 });
/// assert_eq!(stores.last(), Some(&Store::U64 { offset: 0, value: 0x6 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    /// A 64-bit volatile store.
    U64 {
        /// Byte offset in the slot.
        offset: usize,
        /// Value (stored little-endian).
        value: u64,
    },
    /// A 32-bit volatile store.
    U32 {
        /// Byte offset in the slot.
        offset: usize,
        /// Value (stored little-endian).
        value: u32,
    },
    /// A release fence between stores.
    Fence,
}

/// The exact sequence of stores [`MmioLl`] performs for one slot — the
/// sequence `write` executes, exposed so its count and order are testable.
///
/// With 64-bit stores: bytes 8..16, bytes 16..24, fence, bytes 0..8 (control
/// word and size together): three stores, the cycle bit last. Without:
/// the last store splits into the size word, a fence, then the control word.
///
/// ```
/// use edma_backend_mmio::{slot_stores, Store};
/// use edma_core::desc::{Control, Element};
/// let el = Element::data(Control::CB | Control::LIE, 0x40, 0x1000, 0x2000);
/// let wide: Vec<Store> = slot_stores(&el, true).collect();
/// assert_eq!(wide, [
///     Store::U64 { offset: 8, value: 0x1000 },  // SAR
///     Store::U64 { offset: 16, value: 0x2000 }, // DAR
///     Store::Fence,
///     Store::U64 { offset: 0, value: 0x40 << 32 | u64::from(el.control_word()) },
/// ]);
/// let narrow: Vec<Store> = slot_stores(&el, false).collect();
/// assert_eq!(narrow.len(), 6);
/// assert_eq!(narrow[3], Store::U32 { offset: 4, value: 0x40 }); // size first
/// assert_eq!(narrow[5], Store::U32 { offset: 0, value: el.control_word() }); // control last
/// ```
pub fn slot_stores(element: &Element, wide: bool) -> impl Iterator<Item = Store> {
    let bytes = element.encode();
    let dword = |o: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[o..o + 8]);
        u64::from_le_bytes(b)
    };
    let head = dword(0);
    let tail: [Option<Store>; 3] = if wide {
        [
            Some(Store::U64 {
                offset: 0,
                value: head,
            }),
            None,
            None,
        ]
    } else {
        [
            Some(Store::U32 {
                offset: 4,
                value: (head >> 32) as u32,
            }),
            Some(Store::Fence),
            Some(Store::U32 {
                offset: 0,
                value: head as u32,
            }),
        ]
    };
    [
        Some(Store::U64 {
            offset: 8,
            value: dword(8),
        }),
        Some(Store::U64 {
            offset: 16,
            value: dword(16),
        }),
        Some(Store::Fence),
    ]
    .into_iter()
    .chain(tail)
    .flatten()
}

/// An LL region accessed through volatile writes.
///
/// On 64-bit targets each slot costs **three** volatile stores: bytes 8..16
/// (SAR or link pointer) and 16..24 (DAR), then a release fence, then bytes
/// 0..8 (control word and transfer size) as one 64-bit store — so the cycle
/// bit in the control word becomes visible no earlier than the addresses and
/// together with the size. (Linux's driver issues four: control first.) On
/// targets without native 64-bit stores the last store is split into size
/// then control, keeping the control word last.
///
/// ```
/// use edma_backend_mmio::{LlKind, MmioLl};
/// use edma_core::desc::{Control, Element, SLOT_SIZE};
/// use edma_core::io::LlMemory;
/// // Stands in for the LL page (u64 words: 8-aligned as required).
/// let mut page = [0u64; 3 * SLOT_SIZE / 8];
/// // SAFETY: `page` is 8-aligned, 72 bytes long, outlives `ll` and is not used meanwhile.
/// let mut ll = unsafe { MmioLl::new(page.as_mut_ptr().cast(), 3, 0x8000_0000, LlKind::Ram) };
/// let el = Element::data(Control::CB, 512, 0x1000, 0x2000);
/// ll.write(1, &el);
/// ll.write(3, &el); // beyond the region: ignored
/// ll.sync();
/// assert_eq!((ll.capacity(), ll.bus_addr()), (3, 0x8000_0000));
/// drop(ll);
/// let bytes: Vec<u8> = page.iter().flat_map(|w| w.to_le_bytes()).collect();
/// assert_eq!(bytes[SLOT_SIZE..2 * SLOT_SIZE], el.encode());
/// assert!(bytes[..SLOT_SIZE].iter().chain(&bytes[2 * SLOT_SIZE..]).all(|&b| b == 0));
/// ```
#[derive(Debug)]
pub struct MmioLl {
    base: *mut u8,
    slots: usize,
    bus: u64,
    kind: LlKind,
    cache_clean: Option<fn(*const u8, usize)>,
    /// First and last slot written since the last `sync`.
    dirty: Option<(usize, usize)>,
}

// SAFETY: see MmioRegs; the region is owned by this value.
unsafe impl Send for MmioLl {}

impl MmioLl {
    /// Wraps an LL region of `slots` 24-byte slots mapped at `base`, which
    /// the engine sees at bus address `bus`.
    ///
    /// # Safety
    ///
    /// `base` must be 8-byte aligned and valid for volatile reads and writes
    /// of `slots * 24` bytes for as long as the returned value lives, and no
    /// one else may write that memory meanwhile.
    ///
    /// ```
    /// use edma_backend_mmio::{LlKind, MmioLl};
    /// use edma_core::io::LlMemory;
    /// let mut page = vec![0u64; 4096 / 8];
    /// // SAFETY: 8-aligned, 4 KiB (170 slots of 24 bytes), ours for the region's life.
    /// let ll = unsafe { MmioLl::new(page.as_mut_ptr().cast(), 170, 0x8000_0000, LlKind::Ram) };
    /// assert_eq!((ll.capacity(), ll.bus_addr()), (170, 0x8000_0000));
    /// ```
    pub unsafe fn new(base: *mut u8, slots: usize, bus: u64, kind: LlKind) -> Self {
        MmioLl {
            base,
            slots,
            bus,
            kind,
            cache_clean: None,
            dirty: None,
        }
    }

    /// The same region with a cache-clean hook, for an LL in RAM the engine
    /// does not snoop (a non-coherent local deployment): `sync` calls
    /// `clean(start, len)` over the slots written since the last `sync`,
    /// before its barrier, so the engine fetches what the CPU wrote.
    ///
    /// ```
    /// use core::sync::atomic::{AtomicUsize, Ordering};
    /// use edma_backend_mmio::{LlKind, MmioLl};
    /// use edma_core::desc::{Control, Element};
    /// use edma_core::io::LlMemory;
    /// static CLEANED: AtomicUsize = AtomicUsize::new(0);
    /// fn clean(_start: *const u8, len: usize) {
    ///     CLEANED.fetch_add(len, Ordering::Relaxed); // e.g. `dc cvac` over the range
    /// }
    /// let mut mem = [0u64; 3 * 4];
    /// // SAFETY: `mem` is 8-aligned, 96 bytes, ours and outlives `ll`.
    /// let mut ll = unsafe { MmioLl::new(mem.as_mut_ptr().cast(), 4, 0x1000, LlKind::Ram) }.with_cache_clean(clean);
    /// ll.write(1, &Element::data(Control::CB, 8, 0, 0));
    /// ll.write(2, &Element::link(Control::TCB, 0x1000));
    /// ll.sync();
    /// assert_eq!(CLEANED.load(Ordering::Relaxed), 48); // slots 1..=2
    /// ll.sync();
    /// assert_eq!(CLEANED.load(Ordering::Relaxed), 48); // nothing new written
    /// ```
    pub fn with_cache_clean(mut self, clean: fn(*const u8, usize)) -> Self {
        self.cache_clean = Some(clean);
        self
    }

    /// The region's kind.
    ///
    /// ```
    /// use edma_backend_mmio::{LlKind, MmioLl};
    /// let mut mem = [0u64; 3];
    /// // SAFETY: 8-aligned, 24 bytes, ours.
    /// let ll = unsafe { MmioLl::new(mem.as_mut_ptr().cast(), 1, 0, LlKind::Ram) };
    /// assert_eq!(ll.kind(), LlKind::Ram);
    /// ```
    pub fn kind(&self) -> LlKind {
        self.kind
    }
}

impl LlMemory for MmioLl {
    fn bus_addr(&self) -> u64 {
        self.bus
    }

    fn capacity(&self) -> usize {
        self.slots
    }

    // Always inlined: a slot is a handful of stores, and the barrier check
    // (scripts/check-barriers.sh) reads them in the caller's code.
    #[inline(always)]
    fn write(&mut self, index: usize, element: &Element) {
        if index >= self.slots {
            return;
        }
        self.dirty = Some(match self.dirty {
            Some((lo, hi)) => (lo.min(index), hi.max(index)),
            None => (index, index),
        });
        // The stores `slot_stores` describes, straight-line: payload
        // (bytes 8..24), a barrier, then the head (bytes 0..8) whose control
        // word carries the cycle bit — as one 64-bit store, or on 32-bit
        // targets the size word, a barrier and the control word.
        let b = element.encode();
        let word = |o: usize| {
            u64::from_le_bytes([
                b[o],
                b[o + 1],
                b[o + 2],
                b[o + 3],
                b[o + 4],
                b[o + 5],
                b[o + 6],
                b[o + 7],
            ])
        };
        let slot = self.base.wrapping_add(index * SLOT_SIZE);
        // SAFETY: index < slots, so the slot's 24 bytes are inside the
        // region; the region is 8-aligned and slots are 24 bytes, so the
        // 8-byte stores (offsets 0, 8, 16) are 8-aligned and the 4-byte ones
        // (0, 4) 4-aligned. The same holds for every store below.
        unsafe {
            slot.add(8).cast::<u64>().write_volatile(word(8).to_le());
            slot.add(16).cast::<u64>().write_volatile(word(16).to_le());
        }
        barrier::device_wmb();
        let head = word(0);
        if cfg!(target_pointer_width = "64") {
            // SAFETY: as above.
            unsafe { slot.cast::<u64>().write_volatile(head.to_le()) }
        } else {
            // SAFETY: as above.
            unsafe {
                slot.add(4)
                    .cast::<u32>()
                    .write_volatile(((head >> 32) as u32).to_le())
            }
            barrier::device_wmb();
            // SAFETY: as above.
            unsafe { slot.cast::<u32>().write_volatile((head as u32).to_le()) }
        }
    }

    #[inline]
    fn sync(&mut self) {
        if let (Some(clean), Some((lo, hi))) = (self.cache_clean, self.dirty.take()) {
            // The written slots, for a region in non-coherent RAM.
            clean(
                self.base.wrapping_add(lo * SLOT_SIZE).cast_const(),
                (hi - lo + 1) * SLOT_SIZE,
            );
        }
        barrier::device_wmb();
        if self.kind == LlKind::Device && self.slots > 0 {
            // SAFETY: slot 0 is inside the region (slots > 0) and aligned.
            let _ = unsafe { self.base.cast::<u32>().read_volatile() };
            // The read-back completes before the doorbell store that follows.
            barrier::after_register_read();
        }
    }

    fn read(&self, index: usize) -> Option<Element> {
        if index >= self.slots {
            return None;
        }
        let slot = self.base.wrapping_add(index * SLOT_SIZE);
        let mut b = [0u8; SLOT_SIZE];
        for (k, chunk) in b.chunks_exact_mut(8).enumerate() {
            // SAFETY: index < slots, so the slot's 24 bytes are inside the
            // region, and the 8-byte loads at offsets 0, 8 and 16 of an
            // 8-aligned slot are aligned (see `write`).
            let w = unsafe { slot.add(8 * k).cast::<u64>().read_volatile() };
            chunk.copy_from_slice(&u64::from_le(w).to_le_bytes());
        }
        Some(Element::decode(&b))
    }
}
