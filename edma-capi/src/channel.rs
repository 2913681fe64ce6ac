//! `edma_channel_*`: the batch channel.

use edma_core::channel::{Channel, ChannelConfig, NoLl, Outcome, Terminate};
use edma_core::plan::Entry;

use crate::controller::{CtrlInner, ctrl_of, put, release_handle, report, slice_or_empty};
use crate::handle::{self, MAGIC_CHANNEL, Storage, edma_channel, edma_controller};
use crate::io::{CRegs, CbLl, CbTranslate, LlDesc, TrDesc, edma_ll, edma_translate};
use crate::types::*;
use edma_backend_mmio::MmioLl;
use edma_core::Controller;
use edma_core::io::{Identity, LlMemory, OffsetWindow};

type Ch<L, T> = Channel<'static, 'static, L, T>;

/// A batch channel, monomorphised for each LL kind and translation so the
/// per-entry path is the Rust API's own (no dispatch per element).
#[derive(Debug)]
pub(crate) enum Chan {
    MappedId(Ch<MmioLl, Identity>),
    MappedWin(Ch<MmioLl, OffsetWindow>),
    MappedCb(Ch<MmioLl, CbTranslate>),
    CbId(Ch<CbLl, Identity>),
    CbWin(Ch<CbLl, OffsetWindow>),
    CbCb(Ch<CbLl, CbTranslate>),
    NonLlId(Ch<NoLl, Identity>),
    NonLlWin(Ch<NoLl, OffsetWindow>),
    NonLlCb(Ch<NoLl, CbTranslate>),
}

/// Evaluates `$body` with `$x` bound to the channel, whatever its variant.
macro_rules! each_chan {
    ($c:expr, $x:ident => $body:expr) => {
        match $c {
            Chan::MappedId($x) => $body,
            Chan::MappedWin($x) => $body,
            Chan::MappedCb($x) => $body,
            Chan::CbId($x) => $body,
            Chan::CbWin($x) => $body,
            Chan::CbCb($x) => $body,
            Chan::NonLlId($x) => $body,
            Chan::NonLlWin($x) => $body,
            Chan::NonLlCb($x) => $body,
        }
    };
}

/// The channel with its translation, as the variant `id`/`win`/`cb` makes
/// it; a refusal (never for a new channel) gives the claim back.
fn with_tr<L: LlMemory>(
    ctrl: &Controller<CRegs>,
    ch: Ch<L, Identity>,
    tr: TrDesc,
    id: fn(Ch<L, Identity>) -> Chan,
    win: fn(Ch<L, OffsetWindow>) -> Chan,
    cb: fn(Ch<L, CbTranslate>) -> Chan,
) -> Result<Chan, Fail> {
    let refused = |r: Result<(), _>| {
        let _ = r;
        bare(edma_status::EDMA_ERR_OTHER)
    };
    match tr {
        TrDesc::Identity => Ok(id(ch)),
        TrDesc::Window(w) => ch
            .with_translation(w)
            .map(win)
            .map_err(|x| refused(ctrl.release(x).map_err(drop))),
        TrDesc::Callback(c) => ch
            .with_translation(c)
            .map(cb)
            .map_err(|x| refused(ctrl.release(x).map_err(drop))),
    }
}

/// What a channel handle holds.
#[derive(Debug)]
pub(crate) struct ChanInner {
    ctrl: *const edma_controller,
    chan: Chan,
}

// SAFETY: the controller pointer is only read through `ctrl_of`, which
// re-checks it; the channel is used by one caller at a time (contract).
unsafe impl Send for ChanInner {}

impl ChanInner {
    pub(crate) fn config(&self) -> &ChannelConfig {
        each_chan!(&self.chan, c => c.config())
    }
    fn ctrl(&self) -> Result<&'static CtrlInner, edma_status> {
        // SAFETY: the controller this channel was initialised on; it cannot
        // be deinitialised while the channel lives, and `ctrl_of` re-checks
        // that it has not moved.
        unsafe { ctrl_of(self.ctrl) }
    }
}

impl Storage for edma_channel {
    type Value = ChanInner;
    const MAGIC: u64 = MAGIC_CHANNEL;
}
const _: () = assert!(handle::fits::<edma_channel, ChanInner>());

/// The live channel in `p`; with `ctrl` not NULL, also checks that it
/// belongs to that controller.
///
/// # Safety
///
/// `p` valid for reads and writes of `edma_channel` when not NULL and
/// aligned; no other reference to the channel in use (the caller
/// serialises calls on one channel).
pub(crate) unsafe fn chan_of<'a>(
    p: *mut edma_channel,
    ctrl: *const edma_controller,
) -> Result<&'a mut ChanInner, edma_status> {
    // SAFETY: forwarded contract.
    unsafe { handle::live(p, ctrl) }
}

impl handle::Owned for ChanInner {
    fn owner(&self) -> *const edma_controller {
        self.ctrl
    }
}

/// The caller's configuration as a channel configuration.
pub(crate) fn config_from(cfg: *const edma_channel_config) -> Result<ChannelConfig, edma_status> {
    if cfg.is_null() {
        return Err(edma_status::EDMA_ERR_NULL);
    }
    // SAFETY: non-null, valid for reads (contract).
    let cfg = unsafe { *cfg };
    let dir = dir_from(cfg.dir).ok_or(edma_status::EDMA_ERR_INVALID_ARGUMENT)?;
    Ok(ChannelConfig::new(dir, cfg.index).with_limits(cfg.limits.into()))
}

/// The caller's entry array as entries.
///
/// # Safety
///
/// A non-null `entries` valid for `n` reads for `'a`.
pub(crate) unsafe fn entries_from<'a>(
    entries: *const edma_entry,
    n: usize,
) -> Result<&'a [Entry], edma_status> {
    if !(entries as usize).is_multiple_of(core::mem::align_of::<edma_entry>()) {
        return Err(edma_status::EDMA_ERR_MISALIGNED);
    }
    // SAFETY: aligned, valid for `n` (contract); `edma_entry` and `Entry`
    // have one layout (asserted in types.rs).
    unsafe { slice_or_empty(entries.cast::<Entry>(), n) }.ok_or(edma_status::EDMA_ERR_NULL)
}

/// Initialises a batch channel: claims channel `cfg->index` of `cfg->dir`
/// on `ctrl` and binds it to its LL region and translation.
///
/// * `storage`: caller memory for the handle, valid and in place until
///   `edma_channel_release`.
/// * `ll`: the LL region (read by this call; the memory or functions it
///   names must stay valid until release), or NULL for non-LL mode (every
///   element programmed through the channel registers, one doorbell each).
/// * `translate`: read by this call (NULL: identity; a callback's context
///   must stay valid until release).
///
/// Nothing is written to registers or LL memory. Errors:
/// `EDMA_ERR_NULL`, `EDMA_ERR_MISALIGNED`, `EDMA_ERR_IN_USE`,
/// `EDMA_ERR_INVALID_ARGUMENT`, `EDMA_ERR_NO_SUCH_CHANNEL`,
/// `EDMA_ERR_ALREADY_CLAIMED`, `EDMA_ERR_INVALID_LIMITS` (with details in
/// `err` when not NULL); the channel is not claimed after an error.
///
/// # Safety
///
/// Every pointer valid as described for as long as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_channel_init(
    storage: *mut edma_channel,
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
        let ll = if ll.is_null() {
            None
        } else {
            // SAFETY: as above.
            Some(unsafe { LlDesc::from_c(ll) }.map_err(bare)?)
        };
        let claim = c.ctrl.claim(cfg).map_err(channel_fail)?;
        let chan = match ll {
            Some(LlDesc::Mapped(ll)) => with_tr(
                &c.ctrl,
                Channel::new(claim, ll),
                tr,
                Chan::MappedId,
                Chan::MappedWin,
                Chan::MappedCb,
            ),
            Some(LlDesc::Callbacks(ll)) => with_tr(
                &c.ctrl,
                Channel::new(claim, ll),
                tr,
                Chan::CbId,
                Chan::CbWin,
                Chan::CbCb,
            ),
            None => with_tr(
                &c.ctrl,
                Channel::non_ll(claim),
                tr,
                Chan::NonLlId,
                Chan::NonLlWin,
                Chan::NonLlCb,
            ),
        }?;
        c.add_user();
        // SAFETY: checked free above.
        unsafe { handle::install(storage, ChanInner { ctrl, chan }) };
        Ok(())
    })();
    report(r, err)
}

/// Releases a channel: gives the hardware channel back to its controller
/// (it can be claimed again). Refused with `EDMA_ERR_BUSY` while a batch is
/// in flight (terminate it first: the LL region and the entries must
/// outlive it). Afterwards calls with the handle return
/// `EDMA_ERR_RELEASED`, and the LL memory and storage belong to the caller
/// again.
///
/// # Safety
///
/// `ch` a channel handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_channel_release(
    ch: *mut edma_channel,
    err: *mut edma_error,
) -> edma_status {
    // SAFETY: the caller's handle.
    let r = unsafe {
        release_handle(
            ch,
            |inner: &ChanInner| {
                each_chan!(&inner.chan, x => x.is_busy()).then_some(edma_status::EDMA_ERR_BUSY)
            },
            |inner, c| each_chan!(inner.chan, x => c.ctrl.release(x).is_ok()),
        )
    };
    report(r, err)
}

/// Validates `entries[0..n]` and starts them as one batch on the channel:
/// the first chunk runs when this returns `EDMA_OK`; each later chunk is
/// started by `edma_channel_on_interrupt`.
///
/// * `entries`: read now and again for every later chunk: the array must
///   stay valid and unchanged until the batch's completion is reported
///   (`EDMA_OUTCOME_COMPLETE` or `EDMA_TERMINATE_STOPPED`).
/// * `summary` (may be NULL): elements, chunks and bytes of the batch.
///
/// Errors (nothing written to registers or LL memory, the channel as it
/// was): `EDMA_ERR_BUSY`, `EDMA_ERR_NO_REMOTE_INTERRUPT`,
/// `EDMA_ERR_LL_TOO_SMALL`, `EDMA_ERR_BAD_CHANNEL` and every planner
/// error, with the offending entry's index in `err->entry`.
///
/// # Safety
///
/// `ch` a channel handle; `entries` valid as described; out-pointers NULL
/// or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_channel_submit(
    ch: *mut edma_channel,
    entries: *const edma_entry,
    n: usize,
    summary: *mut edma_plan_summary,
    err: *mut edma_error,
) -> edma_status {
    // SAFETY: the caller's handle; the entries stay valid until the batch
    // completes (contract), which is as long as the channel keeps them.
    unsafe {
        plan_call(
            ch,
            entries,
            n,
            summary,
            err,
            |x, c, e| each_chan!(&mut x.chan, x => x.submit(&c.ctrl, e)),
        )
    }
}

pub(crate) fn edma_channel_on_interrupt_inner(inner: &mut ChanInner) -> edma_outcome {
    let Ok(c) = inner.ctrl() else {
        return edma_outcome::NONE;
    };
    let o: Outcome = each_chan!(&mut inner.chan, x => x.on_interrupt(&c.ctrl));
    o.into()
}

/// Handles the channel's interrupt: reads and clears its done/abort
/// status and reports what happened in `*out`: `NOT_MINE` (no status of
/// this channel), `SPURIOUS`, `PROGRESS` (the next chunk was started) or
/// `COMPLETE` with the batch's completion (exact residue; on abort the
/// failing entry and its bytes done). Call it from the interrupt handler
/// (or a poll loop).
///
/// # Safety
///
/// `ch` a channel handle; `out` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_channel_on_interrupt(
    ch: *mut edma_channel,
    out: *mut edma_outcome,
) -> edma_status {
    if out.is_null() {
        return edma_status::EDMA_ERR_NULL;
    }
    // SAFETY: the caller's handle.
    match unsafe { chan_of(ch, core::ptr::null()) } {
        Ok(inner) => {
            put(out, edma_channel_on_interrupt_inner(inner));
            edma_status::EDMA_OK
        }
        Err(e) => e,
    }
}

/// Stops the batch in flight: `IDLE` (none; nothing written), `STOPPING`
/// (the engine still runs; the completion comes from
/// `edma_channel_on_interrupt`) or `STOPPED` with the completion
/// (`EDMA_BATCH_TERMINATED` and the first entry not completed, or the
/// chunk's own result if it ended first).
///
/// # Safety
///
/// `ch` a channel handle; `out` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_channel_terminate(
    ch: *mut edma_channel,
    out: *mut edma_terminate,
) -> edma_status {
    if out.is_null() {
        return edma_status::EDMA_ERR_NULL;
    }
    // SAFETY: the caller's handle.
    let inner = match unsafe { chan_of(ch, core::ptr::null()) } {
        Ok(i) => i,
        Err(e) => return e,
    };
    let c = match inner.ctrl() {
        Ok(c) => c,
        Err(e) => return e,
    };
    let t = each_chan!(&mut inner.chan, x => x.terminate(&c.ctrl));
    let r = match t {
        Terminate::Stopped(done) => edma_terminate {
            kind: EDMA_TERMINATE_STOPPED,
            completion: done.into(),
        },
        Terminate::Stopping => edma_terminate {
            kind: EDMA_TERMINATE_STOPPING,
            completion: edma_completion::NONE,
        },
        _ => edma_terminate {
            kind: EDMA_TERMINATE_IDLE,
            completion: edma_completion::NONE,
        },
    };
    put(out, r);
    edma_status::EDMA_OK
}

/// Whether a batch is in flight (`*busy`), and how many batches completed
/// on the channel (`*batches`, may be NULL).
///
/// # Safety
///
/// `ch` a channel handle; out-pointers NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_channel_state(
    ch: *mut edma_channel,
    busy: *mut bool,
    batches: *mut u64,
) -> edma_status {
    // SAFETY: the caller's handle.
    match unsafe { chan_of(ch, core::ptr::null()) } {
        Ok(inner) => {
            let (b, n) = each_chan!(&inner.chan, x => (x.is_busy(), x.batches_completed()));
            put(busy, b);
            put(batches, n);
            edma_status::EDMA_OK
        }
        Err(e) => e,
    }
}

/// Replaces the limits for later batches. Errors: `EDMA_ERR_BUSY` (a batch
/// in flight), `EDMA_ERR_INVALID_LIMITS` (`err->field`); nothing changed.
///
/// # Safety
///
/// `ch` a channel handle; `limits` valid for reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_channel_set_limits(
    ch: *mut edma_channel,
    limits: *const edma_limits,
    err: *mut edma_error,
) -> edma_status {
    let r = (|| {
        // SAFETY: the caller's handle.
        let inner = unsafe { chan_of(ch, core::ptr::null()) }.map_err(bare)?;
        if limits.is_null() {
            return Err(bare(edma_status::EDMA_ERR_NULL));
        }
        // SAFETY: non-null, valid for reads.
        let l = unsafe { *limits }.into();
        each_chan!(&mut inner.chan, x => x.set_limits(l)).map_err(channel_fail)
    })();
    report(r, err)
}

/// Checks `entries[0..n]` as `edma_channel_submit` would, without starting
/// anything or touching a register: `EDMA_OK` and the summary, or the
/// status (and entry index) submit would return. A busy channel can check.
/// For providers that refuse bad input when a descriptor is prepared.
///
/// # Safety
///
/// `ch` a channel handle; `entries` valid for `n` reads during the call;
/// out-pointers NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn edma_channel_check(
    ch: *mut edma_channel,
    entries: *const edma_entry,
    n: usize,
    summary: *mut edma_plan_summary,
    err: *mut edma_error,
) -> edma_status {
    // SAFETY: the caller's handle and entries (read during the call only).
    unsafe {
        plan_call(
            ch,
            entries,
            n,
            summary,
            err,
            |x, c, e| each_chan!(&x.chan, x => x.check(&c.ctrl, e)),
        )
    }
}

/// Submit and check: the handle, its controller and the entries resolved,
/// `op` run, its summary or error reported.
///
/// # Safety
///
/// `ch` a channel handle; `entries` valid for `n` reads for as long as `op`
/// keeps them (submit: until the batch completes).
unsafe fn plan_call(
    ch: *mut edma_channel,
    entries: *const edma_entry,
    n: usize,
    summary: *mut edma_plan_summary,
    err: *mut edma_error,
    op: impl FnOnce(
        &mut ChanInner,
        &'static CtrlInner,
        &'static [Entry],
    ) -> Result<edma_core::plan::PlanSummary, edma_core::channel::ChannelError>,
) -> edma_status {
    let r = (|| {
        // SAFETY: the caller's handle, used by one caller at a time.
        let inner = unsafe { chan_of(ch, core::ptr::null()) }.map_err(bare)?;
        let c = inner.ctrl().map_err(bare)?;
        // SAFETY: forwarded contract.
        let entries: &'static [Entry] = unsafe { entries_from(entries, n) }.map_err(bare)?;
        let s = op(inner, c, entries).map_err(channel_fail)?;
        put(summary, s.into());
        Ok(())
    })();
    report(r, err)
}
