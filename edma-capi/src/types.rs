//! The values that cross the boundary: status codes, error details,
//! entries, limits and the reports of channels and rings.

use edma_core::channel::{ChannelError, Completion, Outcome, Status};
use edma_core::plan::{Entry, LimitField, Limits, PlanError, PlanSummary};
use edma_core::ring::{Appended, Completed, FailKind, RingError, RingStats};
use edma_core::{ChannelDir, Deployment, MapFormat};

/// eDMA v0, legacy map (one register window selected by the viewport).
pub const EDMA_MAP_EDMA_LEGACY: u32 = 0;
/// eDMA v0, unrolled map.
pub const EDMA_MAP_EDMA_UNROLL: u32 = 1;
/// HDMA in eDMA compatibility mode.
pub const EDMA_MAP_HDMA_COMPAT: u32 = 5;
/// Native HDMA.
pub const EDMA_MAP_HDMA_NATIVE: u32 = 7;

/// Write channel: local (AXI) memory to the PCI side.
pub const EDMA_DIR_WRITE: u32 = 0;
/// Read channel: the PCI side to local memory.
pub const EDMA_DIR_READ: u32 = 1;

/// The CPU next to the engine drives it (endpoint firmware, the endpoint's
/// Linux).
pub const EDMA_DEPLOYMENT_LOCAL: u32 = 0;
/// A host drives a remote endpoint's engine through a BAR.
pub const EDMA_DEPLOYMENT_REMOTE: u32 = 1;

/// Ring appends: the append's last element asks for an interrupt.
pub const EDMA_NOTIFY_END: u32 = 0;
/// Ring appends: the last element of every entry asks for an interrupt.
pub const EDMA_NOTIFY_EACH: u32 = 1;
/// Ring appends: no element asks for an interrupt (the caller polls).
pub const EDMA_NOTIFY_NONE: u32 = 2;
/// Ring appends, interrupt moderation: `EDMA_NOTIFY_EVERY | (k << 16)`
/// asks for an interrupt on every `k`-th entry by ring index and on the
/// append's end while fewer than `k` entries are queued (Rust's
/// `Notify::Every(k)`; see its completion-latency rule). Build it with
/// `edma_notify_every(k)`.
pub const EDMA_NOTIFY_EVERY: u32 = 3;

/// `edma_outcome.kind`: no status of this channel was set.
pub const EDMA_OUTCOME_NOT_MINE: u32 = 0;
/// `edma_outcome.kind`: a status was set with nothing to complete; cleared.
pub const EDMA_OUTCOME_SPURIOUS: u32 = 1;
/// `edma_outcome.kind`: a chunk finished and the next one was started.
pub const EDMA_OUTCOME_PROGRESS: u32 = 2;
/// `edma_outcome.kind`: the batch ended; see `edma_outcome.completion`.
pub const EDMA_OUTCOME_COMPLETE: u32 = 3;

/// `edma_completion.status`: every byte of every entry was moved.
pub const EDMA_BATCH_DONE: u32 = 0;
/// `edma_completion.status`: the engine aborted at `entry`.
pub const EDMA_BATCH_ABORTED: u32 = 1;
/// `edma_completion.status`: `edma_channel_terminate` stopped the batch.
pub const EDMA_BATCH_TERMINATED: u32 = 2;

/// `edma_terminate.kind`: no batch was in flight; nothing was written.
pub const EDMA_TERMINATE_IDLE: u32 = 0;
/// `edma_terminate.kind`: a stop was requested and the engine still runs;
/// the completion comes from the interrupt (or poll) path.
pub const EDMA_TERMINATE_STOPPING: u32 = 1;
/// `edma_terminate.kind`: the engine stopped; the report is filled in.
pub const EDMA_TERMINATE_STOPPED: u32 = 2;

/// `edma_ring_completed.fail_kind`: the engine aborted.
pub const EDMA_FAIL_ABORTED: u32 = 1;
/// `edma_ring_completed.fail_kind`: `edma_ring_terminate` stopped it.
pub const EDMA_FAIL_TERMINATED: u32 = 2;

/// `edma_error.field` for `EDMA_ERR_INVALID_LIMITS`: `max_element_len` is 0.
pub const EDMA_LIMIT_MAX_ELEMENT_LEN: u32 = 1;
/// `edma_error.field`: the LL region has no data slot.
pub const EDMA_LIMIT_CHUNK_ELEMENTS: u32 = 2;
/// `edma_error.field`: `addr_bits` is not in 1..=64.
pub const EDMA_LIMIT_ADDR_BITS: u32 = 3;

/// What a call returned. `EDMA_OK` is 0; every error is positive and comes
/// with its details in the call's `edma_error` out-parameter (when the
/// caller passed one). A call that returns an error has written nothing to
/// registers or LL memory and left its handles as they were.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum edma_status {
    /// Success.
    EDMA_OK = 0,
    /// A required pointer argument is NULL.
    EDMA_ERR_NULL = 1,
    /// A handle pointer is not 8-byte aligned.
    EDMA_ERR_MISALIGNED = 2,
    /// The storage does not hold a live handle of this kind (never
    /// initialised, of another kind, overwritten, or moved/copied after
    /// initialisation).
    EDMA_ERR_BAD_HANDLE = 3,
    /// The handle was released (or deinitialised) and not initialised again.
    EDMA_ERR_RELEASED = 4,
    /// An argument is out of its range (a map, direction, deployment or
    /// notify value, an LL kind, or a missing callback).
    EDMA_ERR_INVALID_ARGUMENT = 5,
    /// The controller still has channels or rings, or the storage already
    /// holds a live handle.
    EDMA_ERR_IN_USE = 6,
    /// A handle given to the call belongs to another controller.
    EDMA_ERR_WRONG_CONTROLLER = 7,
    /// A batch is already in flight on the channel (`ChannelError::Busy`),
    /// or a ring still has queued entries.
    EDMA_ERR_BUSY = 16,
    /// The LL region is too small (`edma_error.capacity` slots).
    EDMA_ERR_LL_TOO_SMALL = 17,
    /// The channel number is not below 8 (`edma_error.index`).
    EDMA_ERR_BAD_CHANNEL = 18,
    /// The engine has `edma_error.count` channels of `edma_error.dir`;
    /// `edma_error.index` does not exist.
    EDMA_ERR_NO_SUCH_CHANNEL = 19,
    /// The channel is already claimed on this controller.
    EDMA_ERR_ALREADY_CLAIMED = 20,
    /// Remote deployment without `edma_controller_configure_remote_interrupt`
    /// for the channel.
    EDMA_ERR_NO_REMOTE_INTERRUPT = 21,
    /// The batch has no entries.
    EDMA_ERR_EMPTY_BATCH = 32,
    /// Entry `edma_error.entry` has length 0.
    EDMA_ERR_ZERO_LENGTH = 33,
    /// Entry `edma_error.entry`'s source range wraps or ends above the
    /// address width.
    EDMA_ERR_SOURCE_OUT_OF_RANGE = 34,
    /// Entry `edma_error.entry`'s destination range wraps or ends above the
    /// address width.
    EDMA_ERR_DESTINATION_OUT_OF_RANGE = 35,
    /// The translation has no contiguous PCI range for entry
    /// `edma_error.entry`.
    EDMA_ERR_NO_PCI_ADDRESS = 36,
    /// Entry `edma_error.entry` is longer than one element and splitting is
    /// off.
    EDMA_ERR_LENGTH_TOO_LARGE = 37,
    /// Entry `edma_error.entry`'s local side overlaps the channel's LL region.
    EDMA_ERR_OVERLAPS_LL = 38,
    /// The batch's total passes 2^64 - 1 at entry `edma_error.entry`.
    EDMA_ERR_TOTAL_TOO_LARGE = 39,
    /// The batch needs more chunks than `max_chunks`; entry
    /// `edma_error.entry` is the first that does not fit.
    EDMA_ERR_TOO_MANY_CHUNKS = 40,
    /// A limit is invalid: `edma_error.field` says which
    /// (`EDMA_LIMIT_*`).
    EDMA_ERR_INVALID_LIMITS = 41,
    /// The ring has `edma_error.free` free slots; the first
    /// `edma_error.fits` entries would fit (`edma_ring_append_some` takes
    /// them).
    EDMA_ERR_FULL = 48,
    /// Entry `edma_error.entry` needs more elements than the ring holds.
    EDMA_ERR_TOO_LARGE = 49,
    /// The ring is waiting for the engine to stop after a terminate.
    EDMA_ERR_STOPPING = 50,
    /// The engine did not stop when the channel or ring was released: the
    /// handle is gone, the channel quarantined (see
    /// `edma_controller_is_quarantined`); keep its LL region and buffers.
    EDMA_ERR_QUARANTINED = 51,
    /// An error of a newer edma-core this ABI version has no code for.
    EDMA_ERR_OTHER = 255,
}

/// Details of an error: which fields mean something depends on the status
/// (each status's documentation names them); the others are 0.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_error {
    /// The index of the offending entry in the caller's array.
    pub entry: u64,
    /// `EDMA_LIMIT_*` for `EDMA_ERR_INVALID_LIMITS`.
    pub field: u32,
    /// `EDMA_DIR_*` for `EDMA_ERR_NO_SUCH_CHANNEL` and
    /// `EDMA_ERR_ALREADY_CLAIMED`.
    pub dir: u32,
    /// The channel number asked for.
    pub index: u32,
    /// Channels of `dir` the engine has (`EDMA_ERR_NO_SUCH_CHANNEL`).
    pub count: u32,
    /// Slots of the LL region (`EDMA_ERR_LL_TOO_SMALL`).
    pub capacity: u64,
    /// Free data slots of a full ring (`EDMA_ERR_FULL`).
    pub free: u64,
    /// How many of the entries would fit (`EDMA_ERR_FULL`).
    pub fits: u64,
}

impl edma_error {
    /// No error details (all zero).
    pub const NONE: edma_error = edma_error {
        entry: 0,
        field: 0,
        dir: 0,
        index: 0,
        count: 0,
        capacity: 0,
        free: 0,
        fits: 0,
    };
}

/// One independent transfer: `len` bytes from `src` to `dst`. On a write
/// channel `src` is local and `dst` on the PCI side; on a read channel the
/// other way round. Same layout as `edma_core::Entry`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_entry {
    /// Source address.
    pub src: u64,
    /// Destination address.
    pub dst: u64,
    /// Bytes (at least 1).
    pub len: u64,
}

// The entry arrays C passes are used in place as `&[Entry]`.
const _: () = {
    assert!(core::mem::size_of::<edma_entry>() == core::mem::size_of::<Entry>());
    assert!(core::mem::align_of::<edma_entry>() == core::mem::align_of::<Entry>());
    assert!(core::mem::offset_of!(edma_entry, src) == core::mem::offset_of!(Entry, src));
    assert!(core::mem::offset_of!(edma_entry, dst) == core::mem::offset_of!(Entry, dst));
    assert!(core::mem::offset_of!(edma_entry, len) == core::mem::offset_of!(Entry, len));
};

/// Limits of the batches (and ring appends) of a channel.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct edma_limits {
    /// Largest element (1..=2^32-1 bytes).
    pub max_element_len: u32,
    /// Longer entries are split (true) or refused (false).
    pub split: bool,
    /// Merge entries contiguous on both sides into one element.
    pub coalesce: bool,
    /// Bus address width in bits (1..=64).
    pub addr_bits: u8,
    /// Most chunks (doorbells) a batch may take.
    pub max_chunks: u32,
}

/// The default limits: elements up to 2^32-1 bytes, split, no coalescing,
/// 64-bit addresses, any number of chunks.
///
/// ```
/// let l = edma_capi::edma_limits_default();
/// assert_eq!((l.max_element_len, l.split, l.addr_bits), (u32::MAX, true, 64));
/// ```
#[unsafe(no_mangle)]
pub extern "C" fn edma_limits_default() -> edma_limits {
    edma_limits::from(Limits::default())
}

impl From<Limits> for edma_limits {
    fn from(l: Limits) -> Self {
        edma_limits {
            max_element_len: l.max_element_len,
            split: l.split,
            coalesce: l.coalesce,
            addr_bits: l.addr_bits,
            max_chunks: l.max_chunks,
        }
    }
}

impl From<edma_limits> for Limits {
    fn from(l: edma_limits) -> Self {
        Limits {
            max_element_len: l.max_element_len,
            split: l.split,
            coalesce: l.coalesce,
            addr_bits: l.addr_bits,
            max_chunks: l.max_chunks,
        }
    }
}

/// A channel to claim: direction, number and limits.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct edma_channel_config {
    /// `EDMA_DIR_WRITE` or `EDMA_DIR_READ`.
    pub dir: u32,
    /// Channel number within the direction (0..8).
    pub index: u8,
    /// Limits (start from `edma_limits_default()`).
    pub limits: edma_limits,
}

/// What a submitted batch takes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_plan_summary {
    /// LL data elements.
    pub elements: u64,
    /// Chunks (one doorbell and one interrupt each).
    pub chunks: u64,
    /// Total bytes.
    pub bytes: u64,
}

impl From<PlanSummary> for edma_plan_summary {
    fn from(s: PlanSummary) -> Self {
        edma_plan_summary {
            elements: s.elements,
            chunks: s.chunks,
            bytes: s.bytes,
        }
    }
}

/// The single completion of a batch.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_completion {
    /// `EDMA_BATCH_DONE`, `EDMA_BATCH_ABORTED` or `EDMA_BATCH_TERMINATED`.
    pub status: u32,
    /// Whether `entry` names an entry: always for an abort; for a
    /// termination unless the engine had finished every entry.
    pub has_entry: bool,
    /// The first entry not completely moved (the failing one).
    pub entry: u64,
    /// Bytes of `entry` moved before an abort (0 for a termination).
    pub entry_bytes_done: u64,
    /// Bytes of the batch moved (a prefix, in entry order).
    pub bytes_done: u64,
    /// Bytes not moved: total minus `bytes_done`.
    pub residue: u64,
    /// Chunks started (doorbells) for the batch.
    pub chunks: u64,
}

impl edma_completion {
    /// An empty completion.
    pub const NONE: edma_completion = edma_completion {
        status: 0,
        has_entry: false,
        entry: 0,
        entry_bytes_done: 0,
        bytes_done: 0,
        residue: 0,
        chunks: 0,
    };
}

impl From<Completion> for edma_completion {
    fn from(c: Completion) -> Self {
        let (status, entry, entry_bytes_done) = match c.status {
            Status::Done => (EDMA_BATCH_DONE, None, 0),
            Status::Aborted {
                entry,
                entry_bytes_done,
            } => (EDMA_BATCH_ABORTED, Some(entry), entry_bytes_done),
            Status::Terminated { entry } => (EDMA_BATCH_TERMINATED, entry, 0),
            // A newer edma-core's status: reported as an abort without an entry.
            _ => (EDMA_BATCH_ABORTED, None, 0),
        };
        edma_completion {
            status,
            has_entry: entry.is_some(),
            entry: entry.map_or(0, |e| e as u64),
            entry_bytes_done,
            bytes_done: c.bytes_done,
            residue: c.residue,
            chunks: c.chunks,
        }
    }
}

/// What `edma_channel_on_interrupt` found.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_outcome {
    /// `EDMA_OUTCOME_*`.
    pub kind: u32,
    /// The completion when `kind` is `EDMA_OUTCOME_COMPLETE`.
    pub completion: edma_completion,
}

impl edma_outcome {
    /// An empty outcome (`EDMA_OUTCOME_NOT_MINE`).
    pub const NONE: edma_outcome = edma_outcome {
        kind: EDMA_OUTCOME_NOT_MINE,
        completion: edma_completion::NONE,
    };
}

impl From<Outcome> for edma_outcome {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Complete(c) => edma_outcome {
                kind: EDMA_OUTCOME_COMPLETE,
                completion: c.into(),
            },
            Outcome::Progress => edma_outcome {
                kind: EDMA_OUTCOME_PROGRESS,
                ..edma_outcome::NONE
            },
            Outcome::Spurious => edma_outcome {
                kind: EDMA_OUTCOME_SPURIOUS,
                ..edma_outcome::NONE
            },
            _ => edma_outcome::NONE,
        }
    }
}

/// What `edma_channel_terminate` did.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_terminate {
    /// `EDMA_TERMINATE_*`.
    pub kind: u32,
    /// The batch's completion when `kind` is `EDMA_TERMINATE_STOPPED`.
    pub completion: edma_completion,
}

/// What a ring append queued: entries `first .. first + entries`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_appended {
    /// Index of the first entry queued (indices count up for the ring's life).
    pub first: u64,
    /// Entries queued.
    pub entries: u64,
    /// LL elements they took (more than `entries` when split).
    pub elements: u64,
}

impl From<Appended> for edma_appended {
    fn from(a: Appended) -> Self {
        edma_appended {
            first: a.first,
            entries: a.entries as u64,
            elements: a.elements as u64,
        }
    }
}

/// What a ring poll, interrupt or termination found.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_ring_completed {
    /// Whether the interrupt was this ring's (always true for a poll).
    pub mine: bool,
    /// Entries completed since the last report, in index order.
    pub completed: u64,
    /// Whether `last` is set (`completed > 0`).
    pub has_last: bool,
    /// Index of the last completed entry.
    pub last: u64,
    /// The engine was found stopped with work pending and rung again.
    pub resumed: bool,
    /// 0, or `EDMA_FAIL_ABORTED` / `EDMA_FAIL_TERMINATED`: the ring was reset.
    pub fail_kind: u32,
    /// The first entry not completed (when `fail_kind` is set).
    pub fail_entry: u64,
    /// Bytes of `fail_entry` the engine is known to have moved.
    pub fail_entry_bytes_done: u64,
    /// Entries `not_attempted_start .. not_attempted_end` were not attempted.
    pub not_attempted_start: u64,
    /// End (exclusive) of the entries not attempted.
    pub not_attempted_end: u64,
}

impl edma_ring_completed {
    /// An empty report.
    pub const NONE: edma_ring_completed = edma_ring_completed {
        mine: false,
        completed: 0,
        has_last: false,
        last: 0,
        resumed: false,
        fail_kind: 0,
        fail_entry: 0,
        fail_entry_bytes_done: 0,
        not_attempted_start: 0,
        not_attempted_end: 0,
    };
}

impl From<Completed> for edma_ring_completed {
    fn from(c: Completed) -> Self {
        let mut out = edma_ring_completed {
            mine: true,
            completed: c.completed,
            has_last: c.last.is_some(),
            last: c.last.unwrap_or(0),
            resumed: c.resumed,
            ..edma_ring_completed::NONE
        };
        if let Some(f) = c.failure {
            out.fail_kind = match f.kind {
                FailKind::Terminated => EDMA_FAIL_TERMINATED,
                _ => EDMA_FAIL_ABORTED,
            };
            out.fail_entry = f.entry;
            out.fail_entry_bytes_done = f.entry_bytes_done;
            out.not_attempted_start = f.not_attempted.start;
            out.not_attempted_end = f.not_attempted.end;
        }
        out
    }
}

/// What `edma_ring_terminate` did.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_ring_terminate {
    /// `EDMA_TERMINATE_*` (`IDLE`: never started and nothing queued).
    pub kind: u32,
    /// The report when `kind` is `EDMA_TERMINATE_STOPPED`.
    pub report: edma_ring_completed,
}

/// Counters of a ring.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct edma_ring_stats {
    /// Doorbells rung by submit/push.
    pub doorbells: u64,
    /// Doorbells rung again for an engine found stopped with work pending.
    pub rerings: u64,
    /// Aborts and terminations that reset the ring.
    pub resets: u64,
}

impl From<RingStats> for edma_ring_stats {
    fn from(s: RingStats) -> Self {
        edma_ring_stats {
            doorbells: s.doorbells,
            rerings: s.rerings,
            resets: s.resets,
        }
    }
}

/// `EDMA_MAP_*` to the map format.
pub(crate) fn map_from(v: u32) -> Option<MapFormat> {
    MapFormat::from_raw(v)
}

/// `EDMA_DIR_*` to the direction.
pub(crate) fn dir_from(v: u32) -> Option<ChannelDir> {
    match v {
        EDMA_DIR_WRITE => Some(ChannelDir::Write),
        EDMA_DIR_READ => Some(ChannelDir::Read),
        _ => None,
    }
}

/// The direction as `EDMA_DIR_*`.
pub(crate) fn dir_to(d: ChannelDir) -> u32 {
    match d {
        ChannelDir::Write => EDMA_DIR_WRITE,
        ChannelDir::Read => EDMA_DIR_READ,
    }
}

/// `EDMA_DEPLOYMENT_*` to the deployment.
pub(crate) fn deployment_from(v: u32) -> Option<Deployment> {
    match v {
        EDMA_DEPLOYMENT_LOCAL => Some(Deployment::Local),
        EDMA_DEPLOYMENT_REMOTE => Some(Deployment::Remote),
        _ => None,
    }
}

/// An error status with its details.
pub(crate) type Fail = (edma_status, edma_error);

/// Just a status, no details.
pub(crate) fn bare(s: edma_status) -> Fail {
    (s, edma_error::NONE)
}

/// A planner error as a status and details.
pub(crate) fn plan_fail(e: PlanError) -> Fail {
    use edma_status::*;
    let at = |s, entry: usize| {
        (
            s,
            edma_error {
                entry: entry as u64,
                ..edma_error::NONE
            },
        )
    };
    match e {
        PlanError::EmptyBatch => bare(EDMA_ERR_EMPTY_BATCH),
        PlanError::ZeroLength { entry } => at(EDMA_ERR_ZERO_LENGTH, entry),
        PlanError::SourceOutOfRange { entry } => at(EDMA_ERR_SOURCE_OUT_OF_RANGE, entry),
        PlanError::DestinationOutOfRange { entry } => at(EDMA_ERR_DESTINATION_OUT_OF_RANGE, entry),
        PlanError::NoPciAddress { entry } => at(EDMA_ERR_NO_PCI_ADDRESS, entry),
        PlanError::LengthTooLarge { entry } => at(EDMA_ERR_LENGTH_TOO_LARGE, entry),
        PlanError::OverlapsLl { entry } => at(EDMA_ERR_OVERLAPS_LL, entry),
        PlanError::TotalTooLarge { entry } => at(EDMA_ERR_TOTAL_TOO_LARGE, entry),
        PlanError::TooManyChunks { entry } => at(EDMA_ERR_TOO_MANY_CHUNKS, entry),
        PlanError::InvalidLimits { field } => (
            EDMA_ERR_INVALID_LIMITS,
            edma_error {
                field: match field {
                    LimitField::MaxElementLen => EDMA_LIMIT_MAX_ELEMENT_LEN,
                    LimitField::ChunkElements => EDMA_LIMIT_CHUNK_ELEMENTS,
                    LimitField::AddrBits => EDMA_LIMIT_ADDR_BITS,
                    _ => 0,
                },
                ..edma_error::NONE
            },
        ),
        _ => bare(EDMA_ERR_OTHER),
    }
}

/// A channel error as a status and details.
pub(crate) fn channel_fail(e: ChannelError) -> Fail {
    use edma_status::*;
    match e {
        ChannelError::Busy => bare(EDMA_ERR_BUSY),
        ChannelError::Plan(p) => plan_fail(p),
        ChannelError::LlTooSmall { capacity } => (
            EDMA_ERR_LL_TOO_SMALL,
            edma_error {
                capacity: capacity as u64,
                ..edma_error::NONE
            },
        ),
        ChannelError::BadChannel { index } => (
            EDMA_ERR_BAD_CHANNEL,
            edma_error {
                index: u32::from(index),
                ..edma_error::NONE
            },
        ),
        ChannelError::NoSuchChannel { dir, index, count } => (
            EDMA_ERR_NO_SUCH_CHANNEL,
            edma_error {
                dir: dir_to(dir),
                index: u32::from(index),
                count: u32::from(count),
                ..edma_error::NONE
            },
        ),
        ChannelError::AlreadyClaimed { dir, index } => (
            EDMA_ERR_ALREADY_CLAIMED,
            edma_error {
                dir: dir_to(dir),
                index: u32::from(index),
                ..edma_error::NONE
            },
        ),
        ChannelError::NoRemoteInterrupt => bare(EDMA_ERR_NO_REMOTE_INTERRUPT),
        _ => bare(EDMA_ERR_OTHER),
    }
}

/// A ring error as a status and details.
pub(crate) fn ring_fail(e: RingError) -> Fail {
    use edma_status::*;
    match e {
        RingError::Full { free, fits } => (
            EDMA_ERR_FULL,
            edma_error {
                free: free as u64,
                fits: fits as u64,
                ..edma_error::NONE
            },
        ),
        RingError::TooLarge { entry } => (
            EDMA_ERR_TOO_LARGE,
            edma_error {
                entry: entry as u64,
                ..edma_error::NONE
            },
        ),
        RingError::Plan(p) => plan_fail(p),
        RingError::Stopping => bare(EDMA_ERR_STOPPING),
        RingError::NoRemoteInterrupt => bare(EDMA_ERR_NO_REMOTE_INTERRUPT),
        RingError::LlTooSmall { capacity } => (
            EDMA_ERR_LL_TOO_SMALL,
            edma_error {
                capacity: capacity as u64,
                ..edma_error::NONE
            },
        ),
        _ => bare(EDMA_ERR_OTHER),
    }
}
