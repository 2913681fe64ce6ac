//! Hardware bit encoding: one chunk of the element stream written into an
//! LL region with its completion bits, cycle bit and link element.

use super::checked::CheckedParams;
use super::*;
use crate::writer::SlotWriter;

/// What [`encode_chunk`] wrote.
///
/// ```
/// use edma_core::io::SliceLl;
/// use edma_core::plan::{encode_chunk, Cursor, Entry, PlanParams};
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// let p = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 2);
/// let batch = [Entry::new(0, 0x100, 8), Entry::new(8, 0x200, 8), Entry::new(16, 0x300, 8)];
/// let mut page = [0u8; 72];
/// let mut ll = SliceLl::new(&mut page, 0x8000);
/// let first = encode_chunk(&batch, &p, &Identity, Cursor::default(), 0, &mut ll, true);
/// assert_eq!((first.elements, first.bytes, first.last), (2, 16, false));
/// let second = encode_chunk(&batch, &p, &Identity, first.next, 1, &mut ll, true);
/// assert_eq!((second.elements, second.bytes, second.last), (1, 8, true));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ChunkInfo {
    /// Data elements written (slots `0..elements`; the link is in slot `elements`).
    pub elements: usize,
    /// Bytes the chunk moves.
    pub bytes: u64,
    /// Cursor at the start of the next chunk.
    pub next: Cursor,
    /// Whether the batch is complete after this chunk.
    pub last: bool,
}

/// The cycle bit of chunk `k`: chunk 0 starts with CB = 1 (matching the
/// consumer cycle state the first start programs), then it alternates.
///
/// ```
/// use edma_core::plan::chunk_cycle_bit;
/// assert_eq!([0, 1, 2, 3].map(chunk_cycle_bit), [true, false, true, false]);
/// ```
pub const fn chunk_cycle_bit(k: u64) -> bool {
    k.is_multiple_of(2)
}

/// The control bits the data element at `index` of a chunk of `count`
/// elements gets.
///
/// ```
/// use edma_core::desc::Control;
/// use edma_core::plan::{data_control, PlanParams};
/// use edma_core::{ChannelDir, Deployment, MapFormat};
/// let remote = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Remote, 8);
/// // The chunk's last element asks for the local and the remote interrupt.
/// assert_eq!(data_control(&remote, true, 2, 3), Control::CB | Control::LIE | Control::RIE);
/// assert_eq!(data_control(&remote, true, 0, 3), Control::CB);
/// ```
pub fn data_control(params: &PlanParams, cycle: bool, index: usize, count: usize) -> Control {
    let mut c = if cycle { Control::CB } else { Control::empty() };
    // eDMA v0 maps signal completion with LIE/RIE on the chunk's last
    // element; native HDMA signals it with the channel-stop interrupt and
    // its bits 3/4 mean "watermark", so they stay clear there.
    if params.map.is_edma_v0() && index + 1 == count {
        c |= Control::LIE;
        if params.deployment == Deployment::Remote {
            c |= Control::RIE;
        }
    }
    c
}

pub use crate::writer::link_element;

/// Encodes the chunk that starts at `start` as chunk number `k` of its batch.
///
/// Writes the data elements into slots `0..n` and, in LL mode (`with_link`),
/// the link element into slot `n`; `n <= params.chunk_elements` and
/// `n + 1 <= ll.capacity()` are the caller's job (the channel checks them).
/// Slots are written in order and each slot is written whole through
/// [`LlMemory::write`], which puts its control word last.
///
/// The chunk's last data element — the one that fills the chunk or ends the
/// batch — carries the completion bits ([`data_control`]). Must only be
/// used on a batch [`validate`] accepted (as [`Elements`]).
///
/// ```
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// use edma_core::desc::{Control, Element};
/// use edma_core::io::SliceLl;
/// use edma_core::plan::{encode_chunk, validate, Cursor, Entry, PlanParams};
/// let params = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 2);
/// let batch = [Entry::new(0, 0x100, 8), Entry::new(8, 0x200, 8), Entry::new(16, 0x300, 8)];
/// assert_eq!(validate(&batch, &params, &Identity).unwrap().chunks, 2);
/// let mut page = [0u8; 3 * 24];
/// let mut ll = SliceLl::new(&mut page, 0x4000);
/// let first = encode_chunk(&batch, &params, &Identity, Cursor::default(), 0, &mut ll, true);
/// assert_eq!((first.elements, first.bytes, first.last), (2, 16, false));
/// let second = encode_chunk(&batch, &params, &Identity, first.next, 1, &mut ll, true);
/// assert_eq!((second.elements, second.last), (1, true));
/// // Chunk 1 has cycle bit 0; its only element is its last: LIE.
/// let slot0: [u8; 24] = page[..24].try_into().unwrap();
/// assert_eq!(
///     Element::decode(&slot0),
///     Element::data(Control::LIE, 8, 16, 0x300)
/// );
/// ```
#[inline]
pub fn encode_chunk<T: AddressTranslate + ?Sized, L: LlMemory>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
    start: Cursor,
    k: u64,
    ll: &mut L,
    with_link: bool,
) -> ChunkInfo {
    let cycle = chunk_cycle_bit(k);
    let chunk = params.chunk_elements;
    let max = u64::from(params.limits.max_element_len);
    let mut bytes = 0u64;
    // In slot order from slot 0, Linux's order; the cycle bit is the
    // writer's (the chunk's lap).
    let mut w = SlotWriter::<_, false>::new(ll, 0, cycle, 0);
    // Control bits of every element, and the extra ones of the chunk's last:
    // the element that fills the chunk or ends the batch.
    let body = data_control(params, false, 0, usize::MAX).bits();
    let extra = data_control(params, false, 0, 1).bits() & !body;
    let control =
        |ends: bool| Control::from_bits_retain(body | (extra & 0u32.wrapping_sub(u32::from(ends))));
    let mut cursor = start;
    // Fast path, the common case: no coalescing and whole entries that each
    // fit one element, so element `i` is entry `start.entry + i` and the
    // chunk's last element is known before the loop.
    if !params.limits.coalesce && start.offset == 0 {
        let rest = entries.get(start.entry..).unwrap_or_default();
        let n = rest.len().min(chunk);
        // The leading entries that are one element each (1..=max bytes; a
        // zero length wraps to u64::MAX and stops too) with an address.
        let mut m = 0;
        for e in rest.iter().take(n) {
            if e.len.wrapping_sub(1) >= max || resolve(e, params.dir, translate).is_none() {
                break;
            }
            // At most `n` lengths of at most 2^32 bytes: no wrap in practice,
            // and wrapping (unlike `+`) cannot panic.
            bytes = bytes.wrapping_add(e.len);
            m += 1;
        }
        let dir = params.dir;
        // Checked above: each resolves and fits a u32.
        let item = |e: &Entry| {
            let (sar, dar) = resolve(e, dir, translate).unwrap_or_default();
            (e.len as u32, sar, dar)
        };
        let run = rest.get(..m).unwrap_or_default();
        if m == n && m > 0 {
            // The whole chunk: the last element carries the chunk's end bits.
            let (body_run, last) = run.split_at(m - 1);
            w.put_run(control(false), body_run, item);
            if let Some(e) = last.first() {
                let (len, sar, dar) = item(e);
                w.put(control(true), len, sar, dar);
            }
        } else {
            w.put_run(control(false), run, item);
        }
        cursor.entry += m;
    }
    // General path: split entries, coalescing, or a chunk that starts
    // inside an entry; continues wherever the fast path stopped.
    let mut it = Elements::new(entries, params, translate, cursor);
    while w.count() < chunk {
        let Some(el) = it.next() else { break };
        let ends = w.count() + 1 == chunk || it.cursor.entry >= entries.len();
        w.put(control(ends), el.len, el.sar, el.dar);
        bytes = bytes.wrapping_add(u64::from(el.len));
    }
    let count = w.count();
    if with_link {
        w.close();
    }
    let next = it.cursor();
    ChunkInfo {
        elements: count,
        bytes,
        next,
        last: next.entry >= entries.len(),
    }
}

/// [`encode_chunk`] for a batch that [`validate`] accepted, given its
/// `summary`: when every entry is one element (`summary.elements` equals
/// the number of entries, no coalescing) the entries are not checked again
/// and the chunk is stored as one run; otherwise it is [`encode_chunk`].
/// What [`Channel::submit`](crate::Channel::submit) uses. With a `summary`
/// that is not `validate`'s for these entries and parameters the elements
/// written are unspecified (never a panic).
///
/// ```
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// use edma_core::io::SliceLl;
/// use edma_core::plan::{encode_chunk_validated, validate, Cursor, Entry, PlanParams};
/// let params = PlanParams::new(MapFormat::HdmaNative, ChannelDir::Read, Deployment::Local, 4);
/// let batch = [Entry::new(0x1_0000, 0x100, 8), Entry::new(0x2_0000, 0x200, 16)];
/// let s = validate(&batch, &params, &Identity).unwrap();
/// let mut page = [0u8; 5 * 24];
/// let mut ll = SliceLl::new(&mut page, 0x4000);
/// let c = encode_chunk_validated(&batch, &params, &Identity, &s, Cursor::default(), 0, &mut ll, true);
/// assert_eq!((c.elements, c.bytes, c.last), (2, 24, true));
/// ```
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn encode_chunk_validated<T: AddressTranslate + ?Sized, L: LlMemory>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
    summary: &PlanSummary,
    start: Cursor,
    k: u64,
    ll: &mut L,
    with_link: bool,
) -> ChunkInfo {
    let last = data_control(params, false, 0, 1);
    let chunk = Chunk {
        start,
        k,
        with_link,
    };
    encode_run(entries, params, translate, summary, chunk, ll, last)
}

/// [`encode_chunk_validated`] with parameters checked beforehand
/// ([`PlanParams::checked`]): the same slots for the same batch, with the
/// control bits worked out once. What
/// [`Channel::submit`](crate::Channel::submit) uses.
///
/// ```
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// use edma_core::io::SliceLl;
/// use edma_core::plan::{encode_chunk_checked, encode_chunk_validated, validate_checked, Cursor, Entry, PlanParams};
/// let params = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Remote, 4);
/// let checked = params.checked().unwrap();
/// let batch = [Entry::new(0x1_0000, 0x100, 8), Entry::new(0x2_0000, 0x200, 16)];
/// let s = validate_checked(&batch, &checked, &Identity).unwrap();
/// let (mut a, mut b) = ([0u8; 5 * 24], [0u8; 5 * 24]);
/// let c = encode_chunk_checked(&batch, &checked, &Identity, &s, Cursor::default(), 0, &mut SliceLl::new(&mut a, 0x4000), true);
/// let v = encode_chunk_validated(&batch, &params, &Identity, &s, Cursor::default(), 0, &mut SliceLl::new(&mut b, 0x4000), true);
/// assert_eq!((c, a), (v, b));
/// assert_eq!((c.elements, c.bytes, c.last), (2, 24, true));
/// ```
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn encode_chunk_checked<T: AddressTranslate + ?Sized, L: LlMemory>(
    entries: &[Entry],
    p: &CheckedParams,
    translate: &T,
    summary: &PlanSummary,
    start: Cursor,
    k: u64,
    ll: &mut L,
    with_link: bool,
) -> ChunkInfo {
    let bits = p.last_bits();
    let chunk = Chunk {
        start,
        k,
        with_link,
    };
    encode_run(entries, &p.params, translate, summary, chunk, ll, bits)
}

/// Which chunk to encode: where it starts, its number, whether it gets the
/// link.
#[derive(Clone, Copy)]
struct Chunk {
    start: Cursor,
    k: u64,
    with_link: bool,
}

/// The body of [`encode_chunk_validated`] and [`encode_chunk_checked`],
/// given the control bits of the chunk's last data element (the others
/// carry none besides the cycle bit: [`data_control`]).
#[inline(always)]
fn encode_run<T: AddressTranslate + ?Sized, L: LlMemory>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
    summary: &PlanSummary,
    Chunk {
        start,
        k,
        with_link,
    }: Chunk,
    ll: &mut L,
    last_bits: Control,
) -> ChunkInfo {
    let single =
        !params.limits.coalesce && start.offset == 0 && summary.elements == entries.len() as u64;
    if !single {
        return encode_chunk_general(entries, params, translate, start, k, ll, with_link);
    }
    let (run, bytes) = if start.entry == 0 && summary.chunks == 1 {
        // The whole batch is the chunk: its bytes are the summary's.
        (entries, summary.bytes)
    } else {
        let rest = entries.get(start.entry..).unwrap_or_default();
        let run = rest.get(..params.chunk_elements).unwrap_or(rest);
        (run, run.iter().fold(0u64, |b, e| b.wrapping_add(e.len)))
    };
    let n = run.len();
    let cycle = chunk_cycle_bit(k);
    let dir = params.dir;
    // Validated: each entry resolves and fits a u32.
    let item = |e: &Entry| {
        let (sar, dar) = resolve(e, dir, translate).unwrap_or_default();
        (e.len as u32, sar, dar)
    };
    let mut w = SlotWriter::<_, false>::new(ll, 0, cycle, 0);
    if let Some((last, body_run)) = run.split_last() {
        w.put_run(Control::empty(), body_run, item);
        let (len, sar, dar) = item(last);
        w.put(last_bits, len, sar, dar);
    }
    if with_link {
        w.close();
    }
    let next = Cursor {
        entry: start.entry + n,
        offset: 0,
    };
    ChunkInfo {
        elements: n,
        bytes,
        next,
        last: next.entry >= entries.len(),
    }
}

/// [`encode_chunk`] out of line: the path of chunks with split or coalesced
/// elements, kept out of [`encode_run`] so that the one-element-per-entry
/// path stays small (fewer registers to save, nothing hoisted for the
/// general loop).
#[inline(never)]
fn encode_chunk_general<T: AddressTranslate + ?Sized, L: LlMemory>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
    start: Cursor,
    k: u64,
    ll: &mut L,
    with_link: bool,
) -> ChunkInfo {
    encode_chunk(entries, params, translate, start, k, ll, with_link)
}
