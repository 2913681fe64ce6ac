//! `edma_mock_*` (feature `mock`): the in-memory engine of
//! `edma-backend-mock` for C test programs. It allocates (a test tool, not
//! part of the driver); every other function of the crate does not.
//!
//! A mock engine gives a C program everything a controller, a channel and
//! a ring need: register functions (`edma_mock_reg_ops`), LL regions in
//! its local memory written by plain stores (`edma_mock_ll_ram`) or
//! through functions (`edma_mock_ll_callbacks`), its two memories, its
//! counters, faults and manual stepping.

use core::ffi::c_void;
use std::boxed::Box;
use std::sync::Mutex;
use std::vec::Vec;

use edma_backend_mock::{ExecMode, Fault, MockConfig, MockEngine};
use edma_core::ChannelDir;
use edma_core::desc::{Element, SLOT_SIZE};
use edma_core::io::{LlMemory, RegisterIo};

use crate::io::{EDMA_LL_CALLBACKS, EDMA_LL_RAM, edma_ll, edma_ll_ops, edma_reg_ops};
use crate::types::{dir_from, map_from};

/// `edma_mock_new`: a doorbell runs the channel until it stops.
pub const EDMA_MOCK_RUN_ON_DOORBELL: u32 = 0;
/// `edma_mock_new`: a doorbell only starts the channel; `edma_mock_step`
/// runs it.
pub const EDMA_MOCK_MANUAL: u32 = 1;

/// An in-memory engine (opaque; from `edma_mock_new`).
pub struct edma_mock {
    engine: MockEngine,
    // Boxed: C holds pointers to the contexts, which must not move when
    // the vector grows.
    #[allow(clippy::vec_box)]
    lls: Mutex<Vec<Box<MockLlCtx>>>,
}

impl edma_mock {
    /// The engine, for Rust code that drives it beside the C ABI.
    pub fn engine(&self) -> &MockEngine {
        &self.engine
    }
}

struct MockLlCtx {
    engine: *const MockEngine,
    dir: ChannelDir,
    ch: u8,
    slots: usize,
}

/// The mock's counters (totals, or one channel's).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct edma_mock_counters {
    /// Register reads.
    pub reg_reads: u64,
    /// Register writes.
    pub reg_writes: u64,
    /// Doorbells that started or resumed a channel.
    pub doorbells: u64,
    /// LL data elements executed.
    pub elements: u64,
    /// Bytes moved.
    pub bytes: u64,
    /// Local done (eDMA) / stop (HDMA) interrupts raised.
    pub done_local: u64,
    /// Remote done interrupts (IMWr) sent.
    pub done_remote: u64,
    /// Local abort interrupts.
    pub abort_local: u64,
    /// Slots written through `edma_mock_ll_callbacks` regions.
    pub ll_slot_writes: u64,
}

/// A new engine with register map `map` (`EDMA_MAP_*`), 4 MiB of local and
/// 4 MiB of PCI memory at bus address 0, 8 + 8 channels, and execution mode
/// `mode` (`EDMA_MOCK_*`). NULL for an invalid map or mode. Free with
/// `edma_mock_free`.
#[unsafe(no_mangle)]
pub extern "C" fn edma_mock_new(map: u32, mode: u32) -> *mut edma_mock {
    let Some(map) = map_from(map) else {
        return core::ptr::null_mut();
    };
    let mode = match mode {
        EDMA_MOCK_RUN_ON_DOORBELL => ExecMode::RunOnDoorbell,
        EDMA_MOCK_MANUAL => ExecMode::Manual,
        _ => return core::ptr::null_mut(),
    };
    Box::into_raw(Box::new(edma_mock {
        engine: MockEngine::new(MockConfig::new(map).with_mode(mode)),
        lls: Mutex::new(Vec::new()),
    }))
}

/// Frees an engine from `edma_mock_new` (NULL is ignored). Every handle
/// using it must have been released.
///
/// # Safety
///
/// `m` from `edma_mock_new`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_free(m: *mut edma_mock) {
    if !m.is_null() {
        // SAFETY: from `Box::into_raw` in `edma_mock_new`, freed once.
        drop(unsafe { Box::from_raw(m) });
    }
}

/// # Safety
///
/// `m` from `edma_mock_new` and not freed.
unsafe fn engine<'a>(m: *const edma_mock) -> &'a MockEngine {
    // SAFETY: the caller's contract.
    unsafe { &(*m).engine }
}

unsafe extern "C" fn mock_read32(ctx: *mut c_void, offset: usize) -> u32 {
    // SAFETY: `ctx` is the engine `edma_mock_reg_ops` was given.
    unsafe { engine(ctx.cast()) }.read32(offset)
}

unsafe extern "C" fn mock_write32(ctx: *mut c_void, offset: usize, value: u32) {
    // SAFETY: as above.
    unsafe { engine(ctx.cast()) }.write32(offset, value)
}

/// Register functions that access the engine's registers; pass `m` as
/// their context (`edma_controller_init_callbacks(c, map, dep, &ops, m)`).
///
/// # Safety
///
/// `out` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_reg_ops(m: *mut edma_mock, out: *mut edma_reg_ops) {
    let _ = m;
    // SAFETY: valid for writes (contract).
    unsafe {
        out.write(edma_reg_ops {
            read32: Some(mock_read32),
            write32: Some(mock_write32),
        })
    }
}

/// Bus address of the LL space reserved for a channel (24 KiB each, at the
/// top of local memory).
///
/// # Safety
///
/// `m` a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_ll_base(m: *const edma_mock, dir: u32, ch: u8) -> u64 {
    // SAFETY: the caller's contract.
    let e = unsafe { engine(m) };
    dir_from(dir).map_or(0, |d| e.ll_base(d, ch))
}

/// A pointer to local memory `[addr, addr + len)`, or NULL outside it.
/// Valid until `edma_mock_free`; write through it only while the engine is
/// not executing (the mock runs inside register writes, on the caller's
/// thread).
///
/// # Safety
///
/// `m` a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_local_ptr(
    m: *const edma_mock,
    addr: u64,
    len: usize,
) -> *mut u8 {
    // SAFETY: the caller's contract.
    let e = unsafe { engine(m) };
    let base = e.config().local_base;
    e.with_memory(|local, _| {
        let Some(off) = addr.checked_sub(base).and_then(|o| usize::try_from(o).ok()) else {
            return core::ptr::null_mut();
        };
        match off.checked_add(len) {
            Some(end) if end <= local.len() => local.as_mut_ptr().wrapping_add(off),
            _ => core::ptr::null_mut(),
        }
    })
}

/// Fills `*out` with an `EDMA_LL_RAM` region of `slots` slots in the LL
/// space of channel `ch` of `dir`: the caller's plain stores go straight
/// into the engine's local memory. Returns false if it does not fit.
///
/// # Safety
///
/// `m` a live engine; `out` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_ll_ram(
    m: *mut edma_mock,
    dir: u32,
    ch: u8,
    slots: usize,
    out: *mut edma_ll,
) -> bool {
    // SAFETY: the caller's contract.
    let e = unsafe { engine(m) };
    let Some(d) = dir_from(dir) else { return false };
    if slots.saturating_mul(SLOT_SIZE) > e.config().ll_bytes_per_channel {
        return false;
    }
    let bus = e.ll_base(d, ch);
    // SAFETY: as above.
    let base = unsafe { edma_mock_local_ptr(m, bus, slots * SLOT_SIZE) };
    if base.is_null() {
        return false;
    }
    // SAFETY: valid for writes (contract).
    unsafe {
        out.write(edma_ll {
            kind: EDMA_LL_RAM,
            base: base.cast(),
            slots,
            bus,
            ops: core::ptr::null(),
            ctx: core::ptr::null_mut(),
        })
    };
    true
}

unsafe extern "C" fn ll_write_slot(ctx: *mut c_void, index: usize, slot: *const u8) {
    // SAFETY: `ctx` is a `MockLlCtx` owned by a live engine; `slot` points
    // to 24 bytes (the contract of `write_slot`).
    let (c, bytes) = unsafe { (&*ctx.cast::<MockLlCtx>(), &*slot.cast::<[u8; SLOT_SIZE]>()) };
    c.region().write(index, &Element::decode(bytes));
}

unsafe extern "C" fn ll_read_slot(ctx: *mut c_void, index: usize, out: *mut u8) -> bool {
    // SAFETY: as `ll_write_slot`.
    let c = unsafe { &*ctx.cast::<MockLlCtx>() };
    match c.region().read(index) {
        Some(el) => {
            // SAFETY: `out` is valid for 24 bytes (contract of read_slot).
            unsafe { core::ptr::copy_nonoverlapping(el.encode().as_ptr(), out, SLOT_SIZE) };
            true
        }
        None => false,
    }
}

impl MockLlCtx {
    /// The mock's own LL region type over the channel's reserved space.
    fn region(&self) -> edma_backend_mock::MockLl<'_> {
        // SAFETY: the engine owns this context and outlives it.
        let e = unsafe { &*self.engine };
        e.ll_region(self.dir, self.ch, self.slots)
    }
}

static LL_OPS: edma_ll_ops = edma_ll_ops {
    write_slot: Some(ll_write_slot),
    sync: None,
    read_slot: Some(ll_read_slot),
};

/// Fills `*out` with an `EDMA_LL_CALLBACKS` region of `slots` slots in the
/// LL space of channel `ch` of `dir`, written slot by slot through the
/// mock (counted in `ll_slot_writes`). Returns false if it does not fit.
///
/// # Safety
///
/// `m` a live engine; `out` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_ll_callbacks(
    m: *mut edma_mock,
    dir: u32,
    ch: u8,
    slots: usize,
    out: *mut edma_ll,
) -> bool {
    // SAFETY: the caller's contract.
    let mock = unsafe { &*m };
    let Some(d) = dir_from(dir) else { return false };
    if ch >= 8 || slots.saturating_mul(SLOT_SIZE) > mock.engine.config().ll_bytes_per_channel {
        return false;
    }
    let ctx = Box::new(MockLlCtx {
        engine: &mock.engine,
        dir: d,
        ch,
        slots,
    });
    let ctx_ptr: *const MockLlCtx = &*ctx;
    let bus = mock.engine.ll_base(d, ch);
    match mock.lls.lock() {
        Ok(mut v) => v.push(ctx),
        Err(_) => return false,
    }
    // SAFETY: valid for writes (contract).
    unsafe {
        out.write(edma_ll {
            kind: EDMA_LL_CALLBACKS,
            base: core::ptr::null_mut(),
            slots,
            bus,
            ops: &LL_OPS,
            ctx: ctx_ptr.cast_mut().cast(),
        })
    };
    true
}

fn mem_op(
    m: *const edma_mock,
    pci: bool,
    addr: u64,
    len: usize,
    f: impl FnOnce(&mut [u8]),
) -> bool {
    // SAFETY: callers pass a live engine (their contract).
    let e = unsafe { engine(m) };
    let cfg = e.config();
    let base = if pci { cfg.pci_base } else { cfg.local_base };
    e.with_memory(|local, pcim| {
        let mem = if pci { pcim } else { local };
        let Some(off) = addr.checked_sub(base).and_then(|o| usize::try_from(o).ok()) else {
            return false;
        };
        match off.checked_add(len).and_then(|end| mem.get_mut(off..end)) {
            Some(r) => {
                f(r);
                true
            }
            None => false,
        }
    })
}

/// Copies `len` bytes from `data` into local memory at `addr`; false (and
/// nothing written) outside it.
///
/// # Safety
///
/// `m` a live engine; `data` valid for `len` reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_local_write(
    m: *mut edma_mock,
    addr: u64,
    data: *const u8,
    len: usize,
) -> bool {
    // SAFETY: valid for `len` reads (contract).
    mem_op(m, false, addr, len, |r| unsafe {
        core::ptr::copy_nonoverlapping(data, r.as_mut_ptr(), len)
    })
}

/// Copies `len` bytes of local memory at `addr` into `out`.
///
/// # Safety
///
/// `m` a live engine; `out` valid for `len` writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_local_read(
    m: *mut edma_mock,
    addr: u64,
    out: *mut u8,
    len: usize,
) -> bool {
    // SAFETY: valid for `len` writes (contract).
    mem_op(m, false, addr, len, |r| unsafe {
        core::ptr::copy_nonoverlapping(r.as_ptr(), out, len)
    })
}

/// Copies `len` bytes from `data` into PCI memory at `addr`.
///
/// # Safety
///
/// As `edma_mock_local_write`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_pci_write(
    m: *mut edma_mock,
    addr: u64,
    data: *const u8,
    len: usize,
) -> bool {
    // SAFETY: valid for `len` reads (contract).
    mem_op(m, true, addr, len, |r| unsafe {
        core::ptr::copy_nonoverlapping(data, r.as_mut_ptr(), len)
    })
}

/// Copies `len` bytes of PCI memory at `addr` into `out`.
///
/// # Safety
///
/// As `edma_mock_local_read`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_pci_read(
    m: *mut edma_mock,
    addr: u64,
    out: *mut u8,
    len: usize,
) -> bool {
    // SAFETY: valid for `len` writes (contract).
    mem_op(m, true, addr, len, |r| unsafe {
        core::ptr::copy_nonoverlapping(r.as_ptr(), out, len)
    })
}

/// The totals (`dir` = -1) or one channel's counters.
///
/// # Safety
///
/// `m` a live engine; `out` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_counters(
    m: *const edma_mock,
    dir: i32,
    ch: u8,
    out: *mut edma_mock_counters,
) {
    // SAFETY: the caller's contract.
    let e = unsafe { engine(m) };
    let set = e.counters();
    let c = match u32::try_from(dir).ok().and_then(dir_from) {
        Some(d) => set.channel(d, ch),
        None => set.total(),
    };
    // SAFETY: valid for writes (contract).
    unsafe {
        out.write(edma_mock_counters {
            reg_reads: c.reg_reads,
            reg_writes: c.reg_writes,
            doorbells: c.doorbells,
            elements: c.elements,
            bytes: c.bytes,
            done_local: c.done_local,
            done_remote: c.done_remote,
            abort_local: c.abort_local,
            ll_slot_writes: c.ll_slot_writes,
        })
    }
}

/// Runs up to `elements` data elements of a started channel
/// (`EDMA_MOCK_MANUAL`); returns how many ran.
///
/// # Safety
///
/// `m` a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_step(m: *mut edma_mock, dir: u32, ch: u8, elements: u64) -> u64 {
    // SAFETY: the caller's contract.
    let e = unsafe { engine(m) };
    dir_from(dir).map_or(0, |d| e.step(d, ch, elements))
}

/// Wedges a channel: it reports "running" and ignores stop requests from
/// now on (a register file that never reports the stop).
///
/// # Safety
///
/// `m` a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_wedge(m: *mut edma_mock, dir: u32, ch: u8) {
    // SAFETY: the caller's contract.
    let e = unsafe { engine(m) };
    if let Some(d) = dir_from(dir) {
        e.wedge(d, ch);
    }
}

/// Arms a fault: the `element`-th data element executed from now on
/// aborts after `after_bytes` bytes (a read error if `read`).
///
/// # Safety
///
/// `m` a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_inject_abort(
    m: *mut edma_mock,
    dir: u32,
    ch: u8,
    element: u64,
    after_bytes: u32,
    read: bool,
) {
    // SAFETY: the caller's contract.
    let e = unsafe { engine(m) };
    if let Some(d) = dir_from(dir) {
        e.inject_fault(
            d,
            ch,
            Fault::AbortAt {
                element,
                after_bytes,
                read,
            },
        );
    }
}

/// Whether an interrupt line of the engine is asserted.
///
/// # Safety
///
/// `m` a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_irq_pending(m: *const edma_mock) -> bool {
    // SAFETY: the caller's contract.
    unsafe { engine(m) }.irq_pending()
}

/// The number of remote interrupt messages (IMWr) the engine sent.
///
/// # Safety
///
/// `m` a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_mock_imwr_count(m: *const edma_mock) -> u64 {
    // SAFETY: the caller's contract.
    unsafe { engine(m) }.imwr_log().len() as u64
}
