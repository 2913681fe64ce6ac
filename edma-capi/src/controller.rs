//! `edma_controller_*` and `edma_dispatch`.

use core::ffi::c_void;
use core::sync::atomic::{AtomicU32, Ordering};

use edma_backend_mmio::MmioRegs;
use edma_core::{ChannelDir, Controller, MAX_CHANNELS};

use crate::channel::{chan_of, edma_channel_on_interrupt_inner};
use crate::handle::{
    self, MAGIC_CONTROLLER, Slot, Storage, edma_channel, edma_controller, edma_ring,
};
use crate::io::{CRegs, edma_reg_ops};
use crate::ring::{edma_ring_on_interrupt_inner, ring_of};
use crate::types::*;

/// What a controller handle holds.
#[derive(Debug)]
pub(crate) struct CtrlInner {
    pub(crate) ctrl: Controller<CRegs>,
    /// Channels and rings initialised on it and not yet released.
    users: AtomicU32,
}

impl CtrlInner {
    pub(crate) fn add_user(&self) {
        self.users.fetch_add(1, Ordering::AcqRel);
    }
    pub(crate) fn drop_user(&self) {
        self.users.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Storage for edma_controller {
    type Value = CtrlInner;
    const MAGIC: u64 = MAGIC_CONTROLLER;
}
const _: () = assert!(handle::fits::<edma_controller, CtrlInner>());

/// The live controller in `p`.
///
/// # Safety
///
/// `p`, when not NULL and aligned, must be valid for reads of the storage
/// type, and a live controller must stay where it is until deinitialised.
pub(crate) unsafe fn ctrl_of(p: *const edma_controller) -> Result<&'static CtrlInner, edma_status> {
    // SAFETY: forwarded contract; a live slot's value is initialised, and it
    // stays in place until `edma_controller_deinit`, which refuses while
    // any channel or ring refers to it.
    unsafe { handle::check(p).map(|s: *mut Slot<CtrlInner>| &(*s).value) }
}

/// Stores the details of a failure (when the caller asked for them) and
/// returns its status.
pub(crate) fn report(r: Result<(), Fail>, err: *mut edma_error) -> edma_status {
    match r {
        Ok(()) => edma_status::EDMA_OK,
        Err((s, details)) => {
            if !err.is_null() {
                // SAFETY: a non-null `err` points to an edma_error the caller
                // owns (header contract).
                unsafe { err.write(details) }
            }
            s
        }
    }
}

/// Stores `value` through `out` when not NULL.
pub(crate) fn put<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: a non-null out-pointer points to a `T` the caller owns
        // (header contract).
        unsafe { out.write(value) }
    }
}

fn init(
    storage: *mut edma_controller,
    map: u32,
    deployment: u32,
    regs: impl FnOnce() -> Result<CRegs, edma_status>,
) -> edma_status {
    let r = (|| {
        // SAFETY: the caller's storage (contract: valid for reads and writes
        // of edma_controller when not NULL).
        unsafe { handle::check_free(storage) }?;
        let map = map_from(map).ok_or(edma_status::EDMA_ERR_INVALID_ARGUMENT)?;
        let deployment =
            deployment_from(deployment).ok_or(edma_status::EDMA_ERR_INVALID_ARGUMENT)?;
        let ctrl = Controller::new(regs()?, map, deployment);
        // SAFETY: checked free, aligned and valid for writes.
        unsafe {
            handle::install(
                storage,
                CtrlInner {
                    ctrl,
                    users: AtomicU32::new(0),
                },
            )
        };
        Ok(())
    })();
    report(r.map_err(bare), core::ptr::null_mut())
}

/// Initialises a controller whose registers are reached through the
/// caller's functions.
///
/// * `storage`: caller memory for the handle (8-byte aligned); it must
///   stay valid and in place until `edma_controller_deinit`.
/// * `map`: `EDMA_MAP_*`; `deployment`: `EDMA_DEPLOYMENT_*`.
/// * `ops`: read by this call only (the functions are copied); both
///   required. `ctx` is passed to them and must stay valid until deinit.
///
/// Nothing is written to the registers. Errors: `EDMA_ERR_NULL`,
/// `EDMA_ERR_MISALIGNED`, `EDMA_ERR_IN_USE` (the storage holds a live
/// controller), `EDMA_ERR_INVALID_ARGUMENT` (map, deployment, a NULL
/// function).
///
/// # Safety
///
/// As above: every pointer valid as described for as long as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_controller_init_callbacks(
    storage: *mut edma_controller,
    map: u32,
    deployment: u32,
    ops: *const edma_reg_ops,
    ctx: *mut c_void,
) -> edma_status {
    init(storage, map, deployment, || {
        if ops.is_null() {
            return Err(edma_status::EDMA_ERR_NULL);
        }
        // SAFETY: non-null, valid for reads (contract).
        let ops = unsafe { *ops };
        match (ops.read32, ops.write32) {
            (Some(read32), Some(write32)) => Ok(CRegs::Callbacks {
                read32,
                write32,
                ctx,
            }),
            _ => Err(edma_status::EDMA_ERR_INVALID_ARGUMENT),
        }
    })
}

/// Initialises a controller over a mapped register block accessed with
/// 32-bit volatile loads and stores and the architecture's I/O barriers
/// (what Linux's `readl`/`writel` do).
///
/// * `base`: the mapping, 4-byte aligned, valid for `len` bytes until
///   deinit; accesses outside it are dropped (reads give `0xffffffff`).
///
/// Errors as `edma_controller_init_callbacks`.
///
/// # Safety
///
/// `storage` as there; `base` valid for volatile access of `len` bytes
/// until `edma_controller_deinit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_controller_init_mmio(
    storage: *mut edma_controller,
    map: u32,
    deployment: u32,
    base: *mut c_void,
    len: usize,
) -> edma_status {
    init(storage, map, deployment, || {
        if base.is_null() {
            return Err(edma_status::EDMA_ERR_NULL);
        }
        if !(base as usize).is_multiple_of(4) {
            return Err(edma_status::EDMA_ERR_MISALIGNED);
        }
        // SAFETY: 4-aligned and valid for volatile access of `len` bytes
        // until deinit (the caller's contract).
        Ok(CRegs::Mmio(unsafe { MmioRegs::new(base.cast(), len) }))
    })
}

/// Deinitialises a controller. Refused with `EDMA_ERR_IN_USE` while any
/// channel or ring initialised on it has not been released. Does not touch
/// the registers (call `edma_controller_off` first to turn the engine off).
/// Afterwards the storage may be reused or freed; calls with it return
/// `EDMA_ERR_RELEASED`.
///
/// # Safety
///
/// `ctrl` valid for reads and writes of `edma_controller` when not NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_controller_deinit(ctrl: *mut edma_controller) -> edma_status {
    // SAFETY: the caller's storage.
    let slot = match unsafe { handle::check::<edma_controller>(ctrl) } {
        Ok(s) => s,
        Err(e) => return e,
    };
    // SAFETY: live slot.
    if unsafe { (*slot).value.users.load(Ordering::Acquire) } != 0 {
        return edma_status::EDMA_ERR_IN_USE;
    }
    // SAFETY: live slot, no channel or ring refers to it.
    unsafe { handle::retire(slot) };
    edma_status::EDMA_OK
}

/// The number of write and read channels the engine has (eDMA maps read
/// `CTRL`; native HDMA has 8 and 8). Either out-pointer may be NULL.
///
/// # Safety
///
/// `ctrl` a controller handle; out-pointers NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_controller_channel_counts(
    ctrl: *const edma_controller,
    write_channels: *mut u8,
    read_channels: *mut u8,
) -> edma_status {
    // SAFETY: the caller's handle.
    match unsafe { ctrl_of(ctrl) } {
        Ok(c) => {
            let (wr, rd) = c.ctrl.channel_counts();
            put(write_channels, wr);
            put(read_channels, rd);
            edma_status::EDMA_OK
        }
        Err(e) => e,
    }
}

/// A controller handle and a direction argument, both checked.
///
/// # Safety
///
/// As `ctrl_of`.
unsafe fn ctrl_dir(
    ctrl: *const edma_controller,
    dir: u32,
) -> Result<(&'static CtrlInner, ChannelDir), edma_status> {
    // SAFETY: the caller's contract.
    let c = unsafe { ctrl_of(ctrl) }?;
    let dir = dir_from(dir).ok_or(edma_status::EDMA_ERR_INVALID_ARGUMENT)?;
    Ok((c, dir))
}

/// The bit mask of channels of `dir` with a done or abort status pending
/// (bit n = channel n), read from the engine.
///
/// # Safety
///
/// `ctrl` a controller handle; `mask` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_controller_pending(
    ctrl: *const edma_controller,
    dir: u32,
    mask: *mut u8,
) -> edma_status {
    // SAFETY: the caller's handle.
    let (c, dir) = match unsafe { ctrl_dir(ctrl, dir) } {
        Ok(x) => x,
        Err(e) => return e,
    };
    if mask.is_null() {
        return edma_status::EDMA_ERR_NULL;
    }
    put(mask, c.ctrl.pending(dir));
    edma_status::EDMA_OK
}

/// Whether channel `index` of `dir` is **quarantined**: a channel or ring
/// on it was released while its engine did not stop within the bound
/// (`edma_ring_release` then answered `EDMA_ERR_QUARANTINED`). The LL region
/// and every buffer lent to the channel must stay allocated (the engine may
/// still use them) until `edma_controller_clear_quarantine` succeeds.
/// `*quarantined` is set to 1 or 0.
///
/// # Safety
///
/// `ctrl` a controller handle; `quarantined` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_controller_is_quarantined(
    ctrl: *const edma_controller,
    dir: u32,
    index: u8,
    quarantined: *mut u8,
) -> edma_status {
    // SAFETY: the caller's handle.
    let (c, dir) = match unsafe { ctrl_dir(ctrl, dir) } {
        Ok(x) => x,
        Err(e) => return e,
    };
    if quarantined.is_null() {
        return edma_status::EDMA_ERR_NULL;
    }
    put(quarantined, u8::from(c.ctrl.is_quarantined(dir, index)));
    edma_status::EDMA_OK
}

/// Ends the quarantine of channel `index` of `dir` if the engine reports it
/// stopped now (after an engine reset, say): the channel can be claimed
/// again and the memory lent to it reused. `EDMA_ERR_BUSY` if it still
/// runs or was not quarantined.
///
/// # Safety
///
/// `ctrl` a controller handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_controller_clear_quarantine(
    ctrl: *const edma_controller,
    dir: u32,
    index: u8,
) -> edma_status {
    // SAFETY: the caller's handle.
    let (c, dir) = match unsafe { ctrl_dir(ctrl, dir) } {
        Ok(x) => x,
        Err(e) => return e,
    };
    if c.ctrl.clear_quarantine(dir, index) {
        edma_status::EDMA_OK
    } else {
        edma_status::EDMA_ERR_BUSY
    }
}

/// Programs where channel `index` of `dir` sends its remote (IMWr) done and
/// abort messages: a PCI address (an MSI address) and 16-bit data, as
/// Linux's `ch_config`. Required for every channel before its first batch
/// in remote deployment. On eDMA maps the addresses are shared by the
/// channels of a direction; the data is per channel.
///
/// Errors: `EDMA_ERR_INVALID_ARGUMENT` (dir), `EDMA_ERR_BAD_CHANNEL`
/// (`index >= 8`; nothing written).
///
/// # Safety
///
/// `ctrl` a controller handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_controller_configure_remote_interrupt(
    ctrl: *const edma_controller,
    dir: u32,
    index: u8,
    addr: u64,
    data: u16,
) -> edma_status {
    // SAFETY: the caller's handle.
    let (c, dir) = match unsafe { ctrl_dir(ctrl, dir) } {
        Ok(x) => x,
        Err(e) => return e,
    };
    if index >= MAX_CHANNELS {
        return edma_status::EDMA_ERR_BAD_CHANNEL;
    }
    c.ctrl.configure_remote_interrupt(dir, index, addr, data);
    edma_status::EDMA_OK
}

/// Turns the engine off: masks and clears every interrupt and disables the
/// engine (Linux's `off`). Channels stay claimed.
///
/// # Safety
///
/// `ctrl` a controller handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_controller_off(ctrl: *const edma_controller) -> edma_status {
    // SAFETY: the caller's handle.
    match unsafe { ctrl_of(ctrl) } {
        Ok(c) => {
            c.ctrl.off();
            edma_status::EDMA_OK
        }
        Err(e) => e,
    }
}

/// Called by `edma_dispatch` for a batch channel with a status pending:
/// its position in the caller's array and what its interrupt handling
/// found.
pub type edma_channel_irq_fn =
    Option<unsafe extern "C" fn(ctx: *mut c_void, index: usize, outcome: *const edma_outcome)>;
/// Called by `edma_dispatch` for a ring with a status pending.
pub type edma_ring_irq_fn = Option<
    unsafe extern "C" fn(ctx: *mut c_void, index: usize, report: *const edma_ring_completed),
>;

/// Routes one shared interrupt line: reads the pending mask of each
/// direction once, then handles the interrupt of every channel and ring in
/// the arrays whose status is pending (as `edma_channel_on_interrupt` /
/// `edma_ring_on_interrupt`) and passes the result to `on_channel` /
/// `on_ring` with the handle's position in its array. Handles without a
/// pending status are not touched.
///
/// Every handle is checked before any is handled: a bad one (or one of
/// another controller: `EDMA_ERR_WRONG_CONTROLLER`) fails the call with
/// nothing done, and `edma_error.index` names its position.
/// `*called` (when not NULL) gets the number of handles handled. An array
/// may be NULL when its count is 0; a callback may be NULL.
///
/// # Safety
///
/// `ctrl` a controller handle; the arrays valid for their counts, each
/// element a handle of `ctrl`. The call is the interrupt-handler side of
/// every handle it handles: see the header's concurrency rules.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn edma_dispatch(
    ctrl: *const edma_controller,
    channels: *const *mut edma_channel,
    n_channels: usize,
    rings: *const *mut edma_ring,
    n_rings: usize,
    on_channel: edma_channel_irq_fn,
    on_ring: edma_ring_irq_fn,
    ctx: *mut c_void,
    called: *mut usize,
    err: *mut edma_error,
) -> edma_status {
    // SAFETY: the caller's arrays, valid for their counts (contract).
    let (chans, rngs) = unsafe {
        (
            slice_or_empty(channels, n_channels),
            slice_or_empty(rings, n_rings),
        )
    };
    let (Some(chans), Some(rngs)) = (chans, rngs) else {
        return edma_status::EDMA_ERR_NULL;
    };
    let at = |s: edma_status, i: usize| {
        (
            s,
            edma_error {
                index: i as u32,
                ..edma_error::NONE
            },
        )
    };
    let r = (|| {
        // SAFETY: the caller's handle.
        unsafe { ctrl_of(ctrl) }.map_err(bare)?;
        for (i, &c) in chans.iter().enumerate() {
            // SAFETY: each element is a channel handle (contract).
            unsafe { chan_of(c, ctrl) }.map_err(|s| at(s, i))?;
        }
        for (i, &r) in rngs.iter().enumerate() {
            // SAFETY: each element is a ring handle (contract).
            unsafe { ring_of(r, ctrl) }.map_err(|s| at(s, i))?;
        }
        Ok(())
    })();
    if r.is_err() {
        return report(r, err);
    }
    // SAFETY: checked above.
    let c = match unsafe { ctrl_of(ctrl) } {
        Ok(c) => c,
        Err(e) => return e,
    };
    let pending = ChannelDir::ALL.map(|d| c.ctrl.pending(d));
    let is_pending = |dir: ChannelDir, index: u8| {
        pending
            .get(dir.index())
            .is_some_and(|b| b.checked_shr(u32::from(index)).is_some_and(|b| b & 1 != 0))
    };
    let mut n = 0usize;
    for (i, &p) in chans.iter().enumerate() {
        // SAFETY: checked above; the caller serialises (contract).
        let Ok(ch) = (unsafe { chan_of(p, ctrl) }) else {
            continue;
        };
        let cfg = *ch.config();
        if is_pending(cfg.dir, cfg.index) {
            n += 1;
            let o = edma_channel_on_interrupt_inner(ch);
            if let Some(f) = on_channel {
                // SAFETY: the caller's callback with its context.
                unsafe { f(ctx, i, &o) }
            }
        }
    }
    for (i, &p) in rngs.iter().enumerate() {
        // SAFETY: checked above; the caller serialises (contract).
        let Ok(r) = (unsafe { ring_of(p, ctrl) }) else {
            continue;
        };
        let cfg = *r.config();
        if is_pending(cfg.dir, cfg.index) {
            n += 1;
            let rep = edma_ring_on_interrupt_inner(r);
            if let Some(f) = on_ring {
                // SAFETY: the caller's callback with its context.
                unsafe { f(ctx, i, &rep) }
            }
        }
    }
    put(called, n);
    edma_status::EDMA_OK
}

/// A C array as a slice: empty for a count of 0 (whatever the pointer),
/// `None` for a NULL pointer with a count.
///
/// # Safety
///
/// A non-null `p` must be valid for `n` reads for `'a`.
pub(crate) unsafe fn slice_or_empty<'a, T>(p: *const T, n: usize) -> Option<&'a [T]> {
    if n == 0 {
        return Some(&[]);
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null, valid for `n` elements (contract).
    Some(unsafe { core::slice::from_raw_parts(p, n) })
}

/// Releases a channel or ring handle: `refuse` may keep it (a status: busy,
/// stopping), otherwise the value is moved out of the storage, handed to
/// `give_back` with its controller (which says whether the controller took
/// the hardware channel back), and the storage is marked released.
///
/// # Safety
///
/// `p` as for [`handle::live`].
pub(crate) unsafe fn release_handle<S: Storage>(
    p: *mut S,
    refuse: impl FnOnce(&S::Value) -> Option<edma_status>,
    give_back: impl FnOnce(S::Value, &CtrlInner) -> bool,
) -> Result<(), Fail>
where
    S::Value: handle::Owned,
{
    // SAFETY: the caller's storage.
    let slot: *mut Slot<S::Value> = unsafe { handle::check::<S>(p) }.map_err(bare)?;
    // SAFETY: a live slot.
    let value = unsafe { &(*slot).value };
    // SAFETY: the controller it was initialised on (it cannot be
    // deinitialised while this handle lives; `ctrl_of` re-checks it).
    let c = unsafe { ctrl_of(handle::Owned::owner(value)) }.map_err(bare)?;
    if let Some(s) = refuse(value) {
        return Err(bare(s));
    }
    // SAFETY: live slot, no reference to its value kept.
    let value = unsafe { handle::take(slot) };
    let released = give_back(value, c);
    c.drop_user();
    if released {
        Ok(())
    } else {
        Err(bare(edma_status::EDMA_ERR_OTHER))
    }
}
