//! An interrupt-safe lock for [`Controller::with_lock`](edma_core::Controller::with_lock).

use core::cell::Cell;

use critical_section::RestoreState;

/// A [`lock_api::RawMutex`] that holds a `critical-section` critical
/// section while locked: on a single-core MCU interrupts are masked, so an
/// interrupt handler that uses the controller can never find the lock taken
/// by the thread code it interrupted (with a spinning lock it would spin
/// forever). On multi-core targets the `critical-section` implementation
/// also serialises the cores.
///
/// The controller holds its lock for a few register accesses only, never
/// across a call into user code, so masking interrupts that long is cheap.
///
/// ```
/// use edma_backend_mmio::CriticalSectionRawMutex;
/// use edma_backend_mock::{MockConfig, MockEngine};
/// use edma_core::{Controller, Deployment, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy));
/// let ctrl: Controller<_, CriticalSectionRawMutex> =
///     Controller::with_lock(&engine, MapFormat::EdmaLegacy, Deployment::Local);
/// ctrl.off();
/// assert_eq!(ctrl.pending(edma_core::ChannelDir::Write), 0);
/// ```
pub struct CriticalSectionRawMutex {
    /// The state to restore on unlock; written only with the critical
    /// section held.
    restore: Cell<RestoreState>,
}

impl core::fmt::Debug for CriticalSectionRawMutex {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("CriticalSectionRawMutex")
    }
}

// SAFETY: `restore` is only accessed between `acquire` and `release` of the
// critical section, which excludes every other context that could access it
// (interrupts on this core, other cores).
unsafe impl Sync for CriticalSectionRawMutex {}

// SAFETY: `lock` enters a critical section and `unlock` leaves it with the
// state `lock` saved; while the critical section is held no other context
// can run `lock`, so at most one holder exists at a time. Nested locking
// from the same context is not done by `edma-core` (it never re-enters its
// lock), and `critical-section` itself allows nesting.
unsafe impl lock_api::RawMutex for CriticalSectionRawMutex {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = CriticalSectionRawMutex {
        restore: Cell::new(RestoreState::invalid()),
    };

    type GuardMarker = lock_api::GuardNoSend;

    fn lock(&self) {
        // SAFETY: paired with the `release` in `unlock`, which lock_api calls
        // exactly once per successful `lock`.
        let state = unsafe { critical_section::acquire() };
        self.restore.set(state);
    }

    fn try_lock(&self) -> bool {
        self.lock();
        true
    }

    unsafe fn unlock(&self) {
        let state = self.restore.replace(RestoreState::invalid());
        // SAFETY: the caller holds the lock (lock_api's contract), so `state`
        // is what the matching `acquire` returned.
        unsafe { critical_section::release(state) }
    }
}
