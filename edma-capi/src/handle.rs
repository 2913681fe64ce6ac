//! Handles in caller storage: opaque, fixed-size, 8-byte aligned structs
//! that hold a magic word, the address they were initialised at, and the
//! Rust value.
//!
//! The magic word tells a live handle from uninitialised or overwritten
//! storage and from a released one; the address tells a handle that was
//! moved or copied (the value inside may point at itself through the
//! channels that borrow the controller). Both checks cost two loads.

use core::mem::{align_of, size_of};

use crate::types::edma_status;

/// Size in bytes of an [`edma_controller`].
pub const EDMA_CONTROLLER_SIZE: usize = EDMA_CONTROLLER_WORDS * 8;
/// Size in bytes of an [`edma_channel`].
pub const EDMA_CHANNEL_SIZE: usize = EDMA_CHANNEL_WORDS * 8;
/// Size in bytes of an [`edma_ring`] (its 256 slot records are most of it).
pub const EDMA_RING_SIZE: usize = EDMA_RING_WORDS * 8;
/// [`EDMA_CONTROLLER_SIZE`] in 64-bit words.
pub const EDMA_CONTROLLER_WORDS: usize = 16;
/// [`EDMA_CHANNEL_SIZE`] in 64-bit words.
pub const EDMA_CHANNEL_WORDS: usize = 48;
/// [`EDMA_RING_SIZE`] in 64-bit words.
pub const EDMA_RING_WORDS: usize = 320;
/// Alignment in bytes of every handle.
pub const EDMA_HANDLE_ALIGN: usize = 8;

/// Storage for a controller: the register block, its map format and
/// deployment, and the lock over the registers channels share. Initialise
/// with `edma_controller_init_*`; do not copy or move it afterwards.
#[repr(C)]
#[derive(Debug)]
pub struct edma_controller {
    opaque: [u64; EDMA_CONTROLLER_WORDS],
}

/// Storage for a batch channel. Initialise with `edma_channel_init`; do not
/// copy or move it afterwards.
#[repr(C)]
#[derive(Debug)]
pub struct edma_channel {
    opaque: [u64; EDMA_CHANNEL_WORDS],
}

/// Storage for a ring channel. Initialise with `edma_ring_init`; do not copy
/// or move it afterwards.
#[repr(C)]
#[derive(Debug)]
pub struct edma_ring {
    opaque: [u64; EDMA_RING_WORDS],
}

impl edma_controller {
    /// Zeroed storage (not a live handle until initialised).
    pub const ZEROED: edma_controller = edma_controller {
        opaque: [0; EDMA_CONTROLLER_WORDS],
    };
}

impl edma_channel {
    /// Zeroed storage (not a live handle until initialised).
    pub const ZEROED: edma_channel = edma_channel {
        opaque: [0; EDMA_CHANNEL_WORDS],
    };
}

impl edma_ring {
    /// Zeroed storage (not a live handle until initialised).
    pub const ZEROED: edma_ring = edma_ring {
        opaque: [0; EDMA_RING_WORDS],
    };
}

/// What a handle's storage holds.
#[repr(C)]
pub(crate) struct Slot<T> {
    magic: u64,
    addr: usize,
    pub(crate) value: T,
}

/// "edma ctl", "edma chn", "edma rng", "edma ---" (released).
pub(crate) const MAGIC_CONTROLLER: u64 = 0x6564_6d61_2063_746c;
pub(crate) const MAGIC_CHANNEL: u64 = 0x6564_6d61_2063_686e;
pub(crate) const MAGIC_RING: u64 = 0x6564_6d61_2072_6e67;
const MAGIC_RELEASED: u64 = 0x6564_6d61_202d_2d2d;

/// A storage type and the Rust value it holds.
pub(crate) trait Storage: Sized {
    /// The value in the slot.
    type Value;
    /// The magic word of a live handle of this kind.
    const MAGIC: u64;
}

/// Size and alignment checked at compile time against the value's.
pub(crate) const fn fits<S, T>() -> bool {
    size_of::<Slot<T>>() <= size_of::<S>()
        && align_of::<Slot<T>>() <= EDMA_HANDLE_ALIGN
        && align_of::<S>() == EDMA_HANDLE_ALIGN
}

/// Checks a handle pointer: not NULL, aligned, live (magic and address).
///
/// # Safety
///
/// `p`, when not NULL and aligned, must be valid for reads of `S`.
pub(crate) unsafe fn check<S: Storage>(p: *const S) -> Result<*mut Slot<S::Value>, edma_status> {
    if p.is_null() {
        return Err(edma_status::EDMA_ERR_NULL);
    }
    if !(p as usize).is_multiple_of(EDMA_HANDLE_ALIGN) {
        return Err(edma_status::EDMA_ERR_MISALIGNED);
    }
    let slot = p.cast::<Slot<S::Value>>().cast_mut();
    // SAFETY: `p` is non-null, aligned and valid for reads of `S`, which is
    // at least as large as the slot's first two words (`fits`).
    let (magic, addr) = unsafe { ((*slot).magic, (*slot).addr) };
    if magic == MAGIC_RELEASED && addr == p as usize {
        return Err(edma_status::EDMA_ERR_RELEASED);
    }
    if magic != S::MAGIC || addr != p as usize {
        return Err(edma_status::EDMA_ERR_BAD_HANDLE);
    }
    Ok(slot)
}

/// Checks that `p` may receive a new handle: not NULL, aligned, and not a
/// live handle of this kind.
///
/// # Safety
///
/// As [`check`].
pub(crate) unsafe fn check_free<S: Storage>(p: *mut S) -> Result<(), edma_status> {
    // SAFETY: forwarded contract.
    match unsafe { check::<S>(p) } {
        Ok(_) => Err(edma_status::EDMA_ERR_IN_USE),
        Err(edma_status::EDMA_ERR_BAD_HANDLE | edma_status::EDMA_ERR_RELEASED) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes a live handle holding `value` into `p` (checked by `check_free`).
///
/// # Safety
///
/// `p` must be valid for writes of `S`, aligned, and not hold a live handle.
pub(crate) unsafe fn install<S: Storage>(p: *mut S, value: S::Value) {
    let slot = p.cast::<Slot<S::Value>>();
    // SAFETY: `p` is valid for writes of `S`, which holds a `Slot` (`fits`,
    // asserted where each storage type is declared to the crate).
    unsafe {
        slot.write(Slot {
            magic: S::MAGIC,
            addr: p as usize,
            value,
        })
    }
}

/// Drops the value of a live handle and marks the storage released.
///
/// # Safety
///
/// `slot` must come from [`check`] and no reference to its value may be
/// used afterwards.
pub(crate) unsafe fn retire<T>(slot: *mut Slot<T>) {
    // SAFETY: the slot holds a live value (checked); it is dropped once and
    // the magic word changed so no later call reaches it again.
    unsafe {
        core::ptr::drop_in_place(&raw mut (*slot).value);
        (*slot).magic = MAGIC_RELEASED;
    }
}

/// A channel or ring: the controller it belongs to.
pub(crate) trait Owned {
    /// The controller storage it was initialised on.
    fn owner(&self) -> *const edma_controller;
}

/// The live channel or ring in `p`; with `ctrl` not NULL, also checks that
/// it belongs to that controller.
///
/// # Safety
///
/// `p` valid for reads and writes of `S` when not NULL and aligned; no
/// other reference to the value in use (the caller serialises calls on
/// one handle).
pub(crate) unsafe fn live<'a, S: Storage>(
    p: *mut S,
    ctrl: *const edma_controller,
) -> Result<&'a mut S::Value, edma_status>
where
    S::Value: Owned,
{
    // SAFETY: forwarded contract.
    let slot = unsafe { check::<S>(p) }?;
    // SAFETY: a live slot; exclusive by contract.
    let value = unsafe { &mut (*slot).value };
    if !ctrl.is_null() && value.owner() != ctrl {
        return Err(edma_status::EDMA_ERR_WRONG_CONTROLLER);
    }
    Ok(value)
}

/// Moves the value out of a live slot and marks the slot released without
/// dropping the value there.
///
/// # Safety
///
/// `slot` must come from [`check`]; no reference to its value may be used
/// afterwards.
pub(crate) unsafe fn take<T>(slot: *mut Slot<T>) -> T {
    // SAFETY: the value is read once; the `ManuallyDrop` view of the same
    // layout marks the slot released without dropping it a second time.
    unsafe {
        let value = core::ptr::read(&raw const (*slot).value);
        retire(slot.cast::<Slot<core::mem::ManuallyDrop<T>>>());
        value
    }
}
