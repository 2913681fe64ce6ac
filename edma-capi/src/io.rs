//! The caller's side of the three seams: register access, LL memory and
//! PCI address translation, as C structs, and their Rust implementations.

use core::ffi::c_void;

use edma_backend_mmio::{LlKind, MmioLl, MmioRegs};
use edma_core::desc::{Element, SLOT_SIZE};
use edma_core::io::{AddressTranslate, LlMemory, OffsetWindow, RegisterIo};

use crate::types::edma_status;

/// Register access through the caller's functions. `ctx` is passed back
/// unchanged. Both are required.
///
/// The functions may be called from every thread and interrupt context
/// that calls into the controller, concurrently for different channels:
/// they must be safe for that (a plain `readl`/`writel` is). Offsets are
/// byte offsets into the engine's register block, 4-byte aligned.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct edma_reg_ops {
    /// Reads the 32-bit register at `offset`.
    pub read32: Option<unsafe extern "C" fn(ctx: *mut c_void, offset: usize) -> u32>,
    /// Writes the 32-bit register at `offset`.
    pub write32: Option<unsafe extern "C" fn(ctx: *mut c_void, offset: usize, value: u32)>,
}

/// The register block: the caller's functions or a mapped MMIO base.
#[derive(Debug)]
pub(crate) enum CRegs {
    Callbacks {
        read32: unsafe extern "C" fn(*mut c_void, usize) -> u32,
        write32: unsafe extern "C" fn(*mut c_void, usize, u32),
        ctx: *mut c_void,
    },
    Mmio(MmioRegs),
}

// SAFETY: the header's contract: the register functions are callable from
// any thread with `ctx`, concurrently (MmioRegs is Sync on its own).
unsafe impl Sync for CRegs {}
// SAFETY: as above.
unsafe impl Send for CRegs {}

impl RegisterIo for CRegs {
    #[inline]
    fn read32(&self, offset: usize) -> u32 {
        match self {
            // SAFETY: the caller's function, called as its contract says.
            CRegs::Callbacks { read32, ctx, .. } => unsafe { read32(*ctx, offset) },
            CRegs::Mmio(m) => m.read32(offset),
        }
    }
    #[inline]
    fn write32(&self, offset: usize, value: u32) {
        match self {
            // SAFETY: as in read32.
            CRegs::Callbacks { write32, ctx, .. } => unsafe { write32(*ctx, offset, value) },
            CRegs::Mmio(m) => m.write32(offset, value),
        }
    }
}

/// `edma_ll.kind`: ordinary RAM the engine fetches from (local
/// deployment); written with plain 64-bit stores, control word last;
/// `sync` is a release fence. `base` must be 8-byte aligned.
pub const EDMA_LL_RAM: u32 = 0;
/// `edma_ll.kind`: device memory mapped behind a BAR (remote
/// deployment); volatile stores, and `sync` reads slot 0 back so the
/// posted writes land before the doorbell. `base` must be 8-byte aligned.
pub const EDMA_LL_DEVICE: u32 = 1;
/// `edma_ll.kind`: every slot is written through `ops->write_slot`
/// (LL memory the CPU cannot map, or a recorder).
pub const EDMA_LL_CALLBACKS: u32 = 2;

/// LL memory reached through the caller's functions (`EDMA_LL_CALLBACKS`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct edma_ll_ops {
    /// Required. Writes the 24 bytes of slot `index` (little-endian, as the
    /// engine reads them). Bytes 0..4 hold the control word with the cycle
    /// bit: it must become visible to the engine no earlier than the rest.
    pub write_slot: Option<unsafe extern "C" fn(ctx: *mut c_void, index: usize, slot: *const u8)>,
    /// Optional. Makes every written slot visible to the engine before the
    /// doorbell (a fence, a cache clean, a read-back).
    pub sync: Option<unsafe extern "C" fn(ctx: *mut c_void)>,
    /// Optional. Reads slot `index` back into `out[0..24]`; returns false if
    /// it cannot. Rings use it after an abort to prove partial progress.
    pub read_slot:
        Option<unsafe extern "C" fn(ctx: *mut c_void, index: usize, out: *mut u8) -> bool>,
}

/// A channel's LL region. The memory (or `ops` and `ctx`) must stay valid
/// until the channel or ring that uses it is released.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct edma_ll {
    /// `EDMA_LL_RAM`, `EDMA_LL_DEVICE` or `EDMA_LL_CALLBACKS`.
    pub kind: u32,
    /// The region as the CPU sees it (`RAM` / `DEVICE`; 8-byte aligned,
    /// `slots * 24` bytes).
    pub base: *mut c_void,
    /// Number of 24-byte slots.
    pub slots: usize,
    /// Bus address of slot 0 as the engine sees it (what goes into LLP).
    pub bus: u64,
    /// The functions of `EDMA_LL_CALLBACKS` (copied at init).
    pub ops: *const edma_ll_ops,
    /// Passed to `ops`.
    pub ctx: *mut c_void,
}

impl edma_ll {
    /// An empty description (kind RAM, no memory).
    pub const NONE: edma_ll = edma_ll {
        kind: EDMA_LL_RAM,
        base: core::ptr::null_mut(),
        slots: 0,
        bus: 0,
        ops: core::ptr::null(),
        ctx: core::ptr::null_mut(),
    };
}

/// An LL region the caller described: mapped memory, or its functions.
#[derive(Debug)]
pub(crate) enum LlDesc {
    Mapped(MmioLl),
    Callbacks(CbLl),
}

/// LL memory written through the caller's functions.
#[derive(Debug)]
pub(crate) struct CbLl {
    write_slot: unsafe extern "C" fn(*mut c_void, usize, *const u8),
    sync: Option<unsafe extern "C" fn(*mut c_void)>,
    read_slot: Option<unsafe extern "C" fn(*mut c_void, usize, *mut u8) -> bool>,
    ctx: *mut c_void,
    slots: usize,
    bus: u64,
}

// SAFETY: a channel (and its LL) is used by one caller at a time (header
// contract); moving it between threads is what a kernel driver does.
unsafe impl Send for CbLl {}

impl LlDesc {
    /// Builds the region a C description names.
    ///
    /// # Safety
    ///
    /// `d` must be valid for reads; its memory or functions must be valid
    /// as the header says for as long as the region is used.
    pub(crate) unsafe fn from_c(d: *const edma_ll) -> Result<LlDesc, edma_status> {
        if d.is_null() {
            return Err(edma_status::EDMA_ERR_NULL);
        }
        // SAFETY: non-null and valid for reads (contract).
        let d = unsafe { *d };
        match d.kind {
            EDMA_LL_RAM | EDMA_LL_DEVICE => {
                if d.base.is_null() {
                    return Err(edma_status::EDMA_ERR_NULL);
                }
                if !(d.base as usize).is_multiple_of(8) {
                    return Err(edma_status::EDMA_ERR_MISALIGNED);
                }
                if d.slots.checked_mul(SLOT_SIZE).is_none() {
                    return Err(edma_status::EDMA_ERR_INVALID_ARGUMENT);
                }
                let kind = if d.kind == EDMA_LL_RAM {
                    LlKind::Ram
                } else {
                    LlKind::Device
                };
                // SAFETY: 8-aligned, valid for `slots * 24` bytes for as
                // long as the handle lives and written by no one else
                // (the header's contract for `edma_ll`).
                Ok(LlDesc::Mapped(unsafe {
                    MmioLl::new(d.base.cast(), d.slots, d.bus, kind)
                }))
            }
            EDMA_LL_CALLBACKS => {
                if d.ops.is_null() {
                    return Err(edma_status::EDMA_ERR_NULL);
                }
                // SAFETY: non-null, valid for reads (contract); copied.
                let ops = unsafe { *d.ops };
                let write_slot = ops
                    .write_slot
                    .ok_or(edma_status::EDMA_ERR_INVALID_ARGUMENT)?;
                Ok(LlDesc::Callbacks(CbLl {
                    write_slot,
                    sync: ops.sync,
                    read_slot: ops.read_slot,
                    ctx: d.ctx,
                    slots: d.slots,
                    bus: d.bus,
                }))
            }
            _ => Err(edma_status::EDMA_ERR_INVALID_ARGUMENT),
        }
    }

    /// Slots of the region.
    pub(crate) fn capacity(&self) -> usize {
        match self {
            LlDesc::Mapped(m) => m.capacity(),
            LlDesc::Callbacks(c) => c.slots,
        }
    }
}

impl LlMemory for CbLl {
    fn bus_addr(&self) -> u64 {
        self.bus
    }
    fn capacity(&self) -> usize {
        self.slots
    }
    fn write(&mut self, index: usize, element: &Element) {
        if index < self.slots {
            let bytes = element.encode();
            // SAFETY: the caller's function with its context and a 24-byte
            // buffer valid for the call.
            unsafe { (self.write_slot)(self.ctx, index, bytes.as_ptr()) }
        }
    }
    fn sync(&mut self) {
        if let Some(sync) = self.sync {
            // SAFETY: the caller's function with its context.
            unsafe { sync(self.ctx) }
        }
    }
    fn read(&self, index: usize) -> Option<Element> {
        let read_slot = self.read_slot?;
        if index >= self.slots {
            return None;
        }
        let mut b = [0u8; SLOT_SIZE];
        // SAFETY: the caller's function, a 24-byte buffer.
        unsafe { read_slot(self.ctx, index, b.as_mut_ptr()) }.then(|| Element::decode(&b))
    }
}

/// `edma_translate.kind`: PCI address = CPU address (Linux's default).
pub const EDMA_TRANSLATE_IDENTITY: u32 = 0;
/// `edma_translate.kind`: `[cpu_base, cpu_base + size)` maps to
/// `pci_base + (addr - cpu_base)`; anything else has no PCI address.
pub const EDMA_TRANSLATE_WINDOW: u32 = 1;
/// `edma_translate.kind`: the caller's `to_pci` function.
pub const EDMA_TRANSLATE_CALLBACK: u32 = 2;

/// Translation of the PCI side of every entry (Linux's
/// `dw_edma_plat_ops::pci_address`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct edma_translate {
    /// `EDMA_TRANSLATE_*`.
    pub kind: u32,
    /// Window: first CPU address.
    pub cpu_base: u64,
    /// Window: the PCI address of `cpu_base`.
    pub pci_base: u64,
    /// Window: size in bytes.
    pub size: u64,
    /// Callback: stores the PCI address of `[addr, addr + len)` in `*pci`
    /// and returns true when the whole range has one contiguous PCI range;
    /// returns false otherwise (the entry is refused with
    /// `EDMA_ERR_NO_PCI_ADDRESS`). Called once per entry, from submit and
    /// append, with the caller's locks as they are there.
    pub to_pci:
        Option<unsafe extern "C" fn(ctx: *mut c_void, addr: u64, len: u64, pci: *mut u64) -> bool>,
    /// Passed to `to_pci`.
    pub ctx: *mut c_void,
}

/// A translation the caller described: identity, window or callback.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TrDesc {
    Identity,
    Window(OffsetWindow),
    Callback(CbTranslate),
}

/// The caller's translation function.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CbTranslate {
    to_pci: unsafe extern "C" fn(*mut c_void, u64, u64, *mut u64) -> bool,
    ctx: *mut c_void,
}

// SAFETY: the callback and its context are used only from calls on the
// channel or ring that holds them, which the caller serialises.
unsafe impl Send for CbTranslate {}

impl TrDesc {
    /// Builds the translation a C description names (NULL: identity).
    ///
    /// # Safety
    ///
    /// `d`, when not NULL, must be valid for reads.
    pub(crate) unsafe fn from_c(d: *const edma_translate) -> Result<TrDesc, edma_status> {
        if d.is_null() {
            return Ok(TrDesc::Identity);
        }
        // SAFETY: non-null and valid for reads (contract).
        let d = unsafe { *d };
        match d.kind {
            EDMA_TRANSLATE_IDENTITY => Ok(TrDesc::Identity),
            EDMA_TRANSLATE_WINDOW => Ok(TrDesc::Window(OffsetWindow {
                cpu_base: d.cpu_base,
                pci_base: d.pci_base,
                size: d.size,
            })),
            EDMA_TRANSLATE_CALLBACK => Ok(TrDesc::Callback(CbTranslate {
                to_pci: d.to_pci.ok_or(edma_status::EDMA_ERR_INVALID_ARGUMENT)?,
                ctx: d.ctx,
            })),
            _ => Err(edma_status::EDMA_ERR_INVALID_ARGUMENT),
        }
    }
}

impl CbTranslate {
    fn call(&self, addr: u64, len: u64) -> Option<u64> {
        let mut pci = 0u64;
        // SAFETY: the caller's function, its context and a valid out-pointer.
        unsafe { (self.to_pci)(self.ctx, addr, len, &mut pci) }.then_some(pci)
    }
}

impl AddressTranslate for CbTranslate {
    fn to_pci(&self, addr: u64) -> Option<u64> {
        self.call(addr, 1)
    }
    fn to_pci_range(&self, addr: u64, len: u64) -> Option<u64> {
        // A range that wraps has no PCI address, whatever the callback
        // would say.
        addr.checked_add(len.saturating_sub(1))?;
        self.call(addr, len)
    }
}
