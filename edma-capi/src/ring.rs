//! `edma_ring_*`: a channel driven as a ring, entries appended behind a
//! running engine and completed by index.

use edma_core::channel::Channel;
use edma_core::ring::{Notify, Ring, RingTerminate};

use crate::channel::{config_from, entries_from};
use crate::controller::{CtrlInner, ctrl_of, put, release_handle, report};
use crate::handle::{self, MAGIC_RING, Storage, edma_controller, edma_ring};
use crate::io::{CRegs, CbLl, CbTranslate, LlDesc, TrDesc, edma_ll, edma_translate};
use crate::types::*;
use edma_backend_mmio::MmioLl;
use edma_core::Controller;
use edma_core::io::{Identity, LlMemory, OffsetWindow};

/// Slot records a ring handle has room for: a ring uses
/// `min(ll->slots, EDMA_RING_MAX_SLOTS + 1)` LL slots (one of them the
/// link, one data slot kept free).
pub const EDMA_RING_MAX_SLOTS: usize = 256;

type Rg<L, T> = Ring<'static, L, T, EDMA_RING_MAX_SLOTS>;

/// A ring, monomorphised for each LL kind and translation (see `Chan`).
#[derive(Debug)]
pub(crate) enum AnyRing {
    MappedId(Rg<MmioLl, Identity>),
    MappedWin(Rg<MmioLl, OffsetWindow>),
    MappedCb(Rg<MmioLl, CbTranslate>),
    CbId(Rg<CbLl, Identity>),
    CbWin(Rg<CbLl, OffsetWindow>),
    CbCb(Rg<CbLl, CbTranslate>),
}

/// Evaluates `$body` with `$x` bound to the ring, whatever its variant.
macro_rules! each_ring {
    ($r:expr, $x:ident => $body:expr) => {
        match $r {
            AnyRing::MappedId($x) => $body,
            AnyRing::MappedWin($x) => $body,
            AnyRing::MappedCb($x) => $body,
            AnyRing::CbId($x) => $body,
            AnyRing::CbWin($x) => $body,
            AnyRing::CbCb($x) => $body,
        }
    };
}

/// A new ring with its translation, as the variant `id`/`win`/`cb` makes
/// it; every refusal gives the claim back.
fn new_ring<L: LlMemory>(
    ctrl: &Controller<CRegs>,
    claim: edma_core::channel::Claim,
    ll: L,
    tr: TrDesc,
    id: fn(Rg<L, Identity>) -> AnyRing,
    win: fn(Rg<L, OffsetWindow>) -> AnyRing,
    cb: fn(Rg<L, CbTranslate>) -> AnyRing,
) -> Result<AnyRing, Fail> {
    let ring = match Rg::<L, Identity>::new(ctrl, claim, ll) {
        Ok(r) => r,
        Err((e, claim, ll)) => {
            let _ = ctrl.release(Channel::new(claim, ll));
            return Err(ring_fail(e));
        }
    };
    // A new ring has nothing queued: never refused.
    let refused = |r: Result<(), _>| {
        let _ = r;
        bare(edma_status::EDMA_ERR_OTHER)
    };
    match tr {
        TrDesc::Identity => Ok(id(ring)),
        TrDesc::Window(w) => ring
            .with_translation(w)
            .map(win)
            .map_err(|r| refused(r.release(ctrl).map_err(drop))),
        TrDesc::Callback(c) => ring
            .with_translation(c)
            .map(cb)
            .map_err(|r| refused(r.release(ctrl).map_err(drop))),
    }
}

/// What a ring handle holds.
#[derive(Debug)]
pub(crate) struct RingInner {
    ctrl: *const edma_controller,
    ring: AnyRing,
}

// SAFETY: as `ChanInner`: the controller pointer is re-checked on use; the
// ring is used by one caller at a time (contract).
unsafe impl Send for RingInner {}

impl RingInner {
    pub(crate) fn config(&self) -> &edma_core::ChannelConfig {
        each_ring!(&self.ring, r => r.config())
    }
    fn ctrl(&self) -> Result<&'static CtrlInner, edma_status> {
        // SAFETY: as `ChanInner::ctrl`.
        unsafe { ctrl_of(self.ctrl) }
    }
}

impl Storage for edma_ring {
    type Value = RingInner;
    const MAGIC: u64 = MAGIC_RING;
}
const _: () = assert!(handle::fits::<edma_ring, RingInner>());

/// The live ring in `p`; with `ctrl` not NULL, also checks that it belongs
/// to that controller.
///
/// # Safety
///
/// As `chan_of`.
pub(crate) unsafe fn ring_of<'a>(
    p: *mut edma_ring,
    ctrl: *const edma_controller,
) -> Result<&'a mut RingInner, edma_status> {
    // SAFETY: forwarded contract.
    unsafe { handle::live(p, ctrl) }
}

impl handle::Owned for RingInner {
    fn owner(&self) -> *const edma_controller {
        self.ctrl
    }
}

fn notify_from(v: u32) -> Option<Notify> {
    match (v & 0xffff, (v >> 16) as u16) {
        (EDMA_NOTIFY_END, 0) => Some(Notify::End),
        (EDMA_NOTIFY_EACH, 0) => Some(Notify::Each),
        (EDMA_NOTIFY_NONE, 0) => Some(Notify::None),
        (EDMA_NOTIFY_EVERY, k) => Some(Notify::Every(k)),
        _ => None,
    }
}

/// The `notify` value of interrupt moderation every `k` entries
/// (`EDMA_NOTIFY_EVERY | (k << 16)`).
#[unsafe(no_mangle)]
pub extern "C" fn edma_notify_every(k: u16) -> u32 {
    EDMA_NOTIFY_EVERY | (u32::from(k) << 16)
}

/// Initialises a ring: claims channel `cfg->index` of `cfg->dir` on `ctrl`
/// and writes the empty ring into its LL region (every data slot invalid
/// for the engine, the link back to slot 0). The registers are not
/// touched until the first `edma_ring_submit`.
///
/// The ring uses `min(ll->slots, EDMA_RING_MAX_SLOTS + 1)` slots: one is
/// the link and one data slot stays free, so at most `slots - 2` elements
/// are queued at once (`edma_ring_info`'s `capacity`).
///
/// Errors: as `edma_channel_init`, and `EDMA_ERR_LL_TOO_SMALL` (fewer than
/// 3 slots; `err->capacity`). `ll` must not be NULL. Nothing is claimed or
/// written after an error.
///
/// # Safety
///
/// As `edma_channel_init`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_init(
    storage: *mut edma_ring,
    ctrl: *const edma_controller,
    cfg: *const edma_channel_config,
    ll: *const edma_ll,
    translate: *const edma_translate,
    err: *mut edma_error,
) -> edma_status {
    let r = (|| {
        // SAFETY: the caller's storage and handle (contract).
        unsafe { handle::check_free(storage) }.map_err(bare)?;
        // SAFETY: as above.
        let c = unsafe { ctrl_of(ctrl) }.map_err(bare)?;
        let cfg = config_from(cfg).map_err(bare)?;
        // SAFETY: the caller's descriptions (contract).
        let tr = unsafe { TrDesc::from_c(translate) }.map_err(bare)?;
        // SAFETY: as above.
        let ll = unsafe { LlDesc::from_c(ll) }.map_err(bare)?;
        // Refused before the claim, so an LL region too small leaves the
        // channel unclaimed and its memory unwritten.
        let slots = ll.capacity().min(EDMA_RING_MAX_SLOTS.saturating_add(1));
        if slots < 3 {
            return Err(ring_fail(edma_core::ring::RingError::LlTooSmall {
                capacity: slots,
            }));
        }
        let claim = c.ctrl.claim(cfg).map_err(channel_fail)?;
        let ring = match ll {
            LlDesc::Mapped(ll) => new_ring(
                &c.ctrl,
                claim,
                ll,
                tr,
                AnyRing::MappedId,
                AnyRing::MappedWin,
                AnyRing::MappedCb,
            ),
            LlDesc::Callbacks(ll) => new_ring(
                &c.ctrl,
                claim,
                ll,
                tr,
                AnyRing::CbId,
                AnyRing::CbWin,
                AnyRing::CbCb,
            ),
        }?;
        c.add_user();
        // SAFETY: checked free above.
        unsafe { handle::install(storage, RingInner { ctrl, ring }) };
        Ok(())
    })();
    report(r, err)
}

/// Releases a ring: stops a started engine (it has nothing valid to run)
/// and gives the channel back to its controller. Refused with
/// `EDMA_ERR_BUSY` while entries are queued, `EDMA_ERR_STOPPING` while a
/// termination is pending. Afterwards calls with the handle return
/// `EDMA_ERR_RELEASED`.
///
/// # Safety
///
/// `ring` a ring handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_release(
    ring: *mut edma_ring,
    err: *mut edma_error,
) -> edma_status {
    // SAFETY: the caller's handle.
    let r = unsafe {
        release_handle(
            ring,
            |inner: &RingInner| {
                if each_ring!(&inner.ring, r => r.is_stopping()) {
                    Some(edma_status::EDMA_ERR_STOPPING)
                } else if each_ring!(&inner.ring, r => r.queued()) != 0 {
                    Some(edma_status::EDMA_ERR_BUSY)
                } else {
                    None
                }
            },
            |inner, c| each_ring!(inner.ring, r => r.release(&c.ctrl).is_ok()),
        )
    };
    // A release refused by an engine that did not stop dropped the ring,
    // which quarantined it: say so.
    let r = match r {
        Err((edma_status::EDMA_ERR_OTHER, _)) => Err(bare(edma_status::EDMA_ERR_QUARANTINED)),
        r => r,
    };
    report(r, err)
}

fn append_with(
    ring: *mut edma_ring,
    entries: *const edma_entry,
    n: usize,
    notify: u32,
    out: *mut edma_appended,
    err: *mut edma_error,
    op: impl FnOnce(
        &mut RingInner,
        &'static CtrlInner,
        &[edma_core::Entry],
        Notify,
    ) -> Result<edma_core::ring::Appended, Fail>,
) -> edma_status {
    let r = (|| {
        // SAFETY: the caller's handle, used by one caller at a time.
        let inner = unsafe { ring_of(ring, core::ptr::null()) }.map_err(bare)?;
        let c = inner.ctrl().map_err(bare)?;
        let notify = notify_from(notify).ok_or(bare(edma_status::EDMA_ERR_INVALID_ARGUMENT))?;
        // SAFETY: valid for the call (contract).
        let entries = unsafe { entries_from(entries, n) }.map_err(bare)?;
        let a = op(inner, c, entries, notify)?;
        put(out, a.into());
        Ok(())
    })();
    report(r, err)
}

/// Queues `entries[0..n]` — all of them or none — without ringing the
/// doorbell. Each entry gets an index (`out->first + k`) by which it is
/// reported complete. The array is read during the call only.
///
/// Errors (nothing written, the ring unchanged): `EDMA_ERR_FULL`
/// (`err->free` free slots, `err->fits` entries would fit),
/// `EDMA_ERR_TOO_LARGE` (`err->entry` can never fit), `EDMA_ERR_STOPPING`,
/// `EDMA_ERR_INVALID_ARGUMENT` (notify) and the planner errors naming
/// `err->entry`.
///
/// # Safety
///
/// `ring` a ring handle; `entries` valid for `n` reads; out-pointers NULL
/// or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_append(
    ring: *mut edma_ring,
    entries: *const edma_entry,
    n: usize,
    notify: u32,
    out: *mut edma_appended,
    err: *mut edma_error,
) -> edma_status {
    append_with(ring, entries, n, notify, out, err, |r, _, e, nt| {
        each_ring!(&mut r.ring, x => x.append(e, nt)).map_err(ring_fail)
    })
}

/// Queues the longest prefix of `entries[0..n]` that fits (at least one
/// entry, or an error as `edma_ring_append`); `out->entries` says how many.
/// For streaming arrays longer than the ring.
///
/// # Safety
///
/// As `edma_ring_append`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_append_some(
    ring: *mut edma_ring,
    entries: *const edma_entry,
    n: usize,
    notify: u32,
    out: *mut edma_appended,
    err: *mut edma_error,
) -> edma_status {
    append_with(ring, entries, n, notify, out, err, |r, _, e, nt| {
        each_ring!(&mut r.ring, x => x.append_some(e, nt)).map_err(ring_fail)
    })
}

/// `edma_ring_append` then `edma_ring_submit`.
///
/// # Safety
///
/// As `edma_ring_append`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_push(
    ring: *mut edma_ring,
    entries: *const edma_entry,
    n: usize,
    notify: u32,
    out: *mut edma_appended,
    err: *mut edma_error,
) -> edma_status {
    append_with(ring, entries, n, notify, out, err, |r, c, e, nt| {
        each_ring!(&mut r.ring, x => x.push(&c.ctrl, e, nt)).map_err(ring_fail)
    })
}

/// Rings the doorbell for what was appended (the first submit also starts
/// the channel, as a batch's first start does). Nothing to submit is not
/// an error. Errors: `EDMA_ERR_STOPPING`, `EDMA_ERR_NO_REMOTE_INTERRUPT`
/// (nothing written).
///
/// # Safety
///
/// `ring` a ring handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_submit(
    ring: *mut edma_ring,
    err: *mut edma_error,
) -> edma_status {
    let r = (|| {
        // SAFETY: the caller's handle.
        let inner = unsafe { ring_of(ring, core::ptr::null()) }.map_err(bare)?;
        let c = inner.ctrl().map_err(bare)?;
        each_ring!(&mut inner.ring, x => x.submit(&c.ctrl)).map_err(ring_fail)
    })();
    report(r, err)
}

pub(crate) fn edma_ring_on_interrupt_inner(inner: &mut RingInner) -> edma_ring_completed {
    let Ok(c) = inner.ctrl() else {
        return edma_ring_completed::NONE;
    };
    each_ring!(&mut inner.ring, x => x.on_interrupt(&c.ctrl))
        .map_or(edma_ring_completed::NONE, Into::into)
}

/// Handles the ring's interrupt: `out->mine` is false when no status of
/// this channel was set; otherwise the entries completed since the last
/// report (`completed`, the last index), an abort or termination
/// (`fail_kind`, `fail_entry`, its bytes, the entries not attempted; the
/// ring was reset and is usable), and `resumed` when the engine was found
/// stopped with work pending and rung again (the lost-doorbell erratum).
///
/// # Safety
///
/// `ring` a ring handle; `out` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_on_interrupt(
    ring: *mut edma_ring,
    out: *mut edma_ring_completed,
) -> edma_status {
    if out.is_null() {
        return edma_status::EDMA_ERR_NULL;
    }
    // SAFETY: the caller's handle.
    match unsafe { ring_of(ring, core::ptr::null()) } {
        Ok(inner) => {
            put(out, edma_ring_on_interrupt_inner(inner));
            edma_status::EDMA_OK
        }
        Err(e) => e,
    }
}

/// Reports progress without an interrupt (the same report as
/// `edma_ring_on_interrupt`, `mine` always true).
///
/// # Safety
///
/// `ring` a ring handle; `out` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_poll(
    ring: *mut edma_ring,
    out: *mut edma_ring_completed,
) -> edma_status {
    if out.is_null() {
        return edma_status::EDMA_ERR_NULL;
    }
    // SAFETY: the caller's handle.
    let inner = match unsafe { ring_of(ring, core::ptr::null()) } {
        Ok(i) => i,
        Err(e) => return e,
    };
    match inner.ctrl() {
        Ok(c) => {
            put(
                out,
                each_ring!(&mut inner.ring, x => x.poll(&c.ctrl)).into(),
            );
            edma_status::EDMA_OK
        }
        Err(e) => e,
    }
}

/// Stops the engine: `IDLE` (never started, nothing queued), `STOPPING`
/// (the report comes from the interrupt or a poll) or `STOPPED` with the
/// report (what completed, the first entry not completed, the entries not
/// attempted); the ring is reset and usable.
///
/// # Safety
///
/// `ring` a ring handle; `out` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_terminate(
    ring: *mut edma_ring,
    out: *mut edma_ring_terminate,
) -> edma_status {
    if out.is_null() {
        return edma_status::EDMA_ERR_NULL;
    }
    // SAFETY: the caller's handle.
    let inner = match unsafe { ring_of(ring, core::ptr::null()) } {
        Ok(i) => i,
        Err(e) => return e,
    };
    let c = match inner.ctrl() {
        Ok(c) => c,
        Err(e) => return e,
    };
    let r = match each_ring!(&mut inner.ring, x => x.terminate(&c.ctrl)) {
        RingTerminate::Stopped(rep) => edma_ring_terminate {
            kind: EDMA_TERMINATE_STOPPED,
            report: rep.into(),
        },
        RingTerminate::Stopping => edma_ring_terminate {
            kind: EDMA_TERMINATE_STOPPING,
            report: edma_ring_completed::NONE,
        },
        _ => edma_ring_terminate {
            kind: EDMA_TERMINATE_IDLE,
            report: edma_ring_completed::NONE,
        },
    };
    put(out, r);
    edma_status::EDMA_OK
}

/// The state of a ring.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_ring_info {
    /// Elements that can be queued at once.
    pub capacity: u64,
    /// Free data slots now.
    pub free: u64,
    /// Elements queued and not yet reported complete.
    pub queued: u64,
    /// The index the next appended entry gets.
    pub next_index: u64,
    /// Whether a termination is waiting for the engine to stop.
    pub stopping: bool,
    /// Counters.
    pub stats: edma_ring_stats,
}

/// The ring's capacity, free slots, queue, next index and counters.
///
/// # Safety
///
/// `ring` a ring handle; `out` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_info(
    ring: *mut edma_ring,
    out: *mut edma_ring_info,
) -> edma_status {
    if out.is_null() {
        return edma_status::EDMA_ERR_NULL;
    }
    // SAFETY: the caller's handle.
    match unsafe { ring_of(ring, core::ptr::null()) } {
        Ok(inner) => {
            let info = each_ring!(&inner.ring, r => edma_ring_info {
                capacity: r.capacity() as u64,
                free: r.free() as u64,
                queued: r.queued() as u64,
                next_index: r.next_index(),
                stopping: r.is_stopping(),
                stats: r.stats().into(),
            });
            put(out, info);
            edma_status::EDMA_OK
        }
        Err(e) => e,
    }
}

/// Checks `entries[0..n]` as a stream through this ring would meet them,
/// without writing anything: every entry valid and none needing more
/// elements than the ring holds (`EDMA_ERR_TOO_LARGE`); how full the ring
/// is now does not matter. `*elements` (may be NULL) gets the elements
/// they take in all.
///
/// # Safety
///
/// `ring` a ring handle; `entries` valid for `n` reads during the call;
/// out-pointers NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_ring_check(
    ring: *mut edma_ring,
    entries: *const edma_entry,
    n: usize,
    elements: *mut u64,
    err: *mut edma_error,
) -> edma_status {
    let r = (|| {
        // SAFETY: the caller's handle.
        let inner = unsafe { ring_of(ring, core::ptr::null()) }.map_err(bare)?;
        // SAFETY: valid for the call (contract).
        let entries = unsafe { entries_from(entries, n) }.map_err(bare)?;
        let k = each_ring!(&inner.ring, x => x.check(entries)).map_err(ring_fail)?;
        put(elements, k);
        Ok(())
    })();
    report(r, err)
}
