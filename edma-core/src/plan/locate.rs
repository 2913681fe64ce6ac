//! Progress mapped back to the batch: bytes of a chunk prefix, and which
//! entry a byte count ends in.

use super::*;

/// Bytes moved by the first `n` elements of the chunk that starts at `start`.
pub fn chunk_prefix_bytes<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    params: &PlanParams,
    translate: &T,
    start: Cursor,
    n: usize,
) -> u64 {
    Elements::new(entries, params, translate, start)
        .take(n)
        .map(|e| u64::from(e.len))
        .sum()
}

/// Maps "the engine finished `bytes_done` bytes of the batch" to the entry in
/// progress: returns `(entry index, bytes of that entry done)`, or `None`
/// when every byte of the batch is done.
///
/// Elements preserve entry order and partition the batch's bytes, so the
/// engine's progress is a prefix of the concatenated entries, whatever the
/// splitting or coalescing.
///
/// ```
/// use edma_core::plan::{locate, Entry};
/// let b = [Entry::new(0, 0, 10), Entry::new(0, 0, 5), Entry::new(0, 0, 7)];
/// assert_eq!(locate(&b, 0), Some((0, 0)));
/// assert_eq!(locate(&b, 12), Some((1, 2)));
/// assert_eq!(locate(&b, 15), Some((2, 0)));
/// assert_eq!(locate(&b, 22), None);
/// ```
pub fn locate(entries: &[Entry], bytes_done: u64) -> Option<(usize, u64)> {
    let mut left = bytes_done;
    for (i, e) in entries.iter().enumerate() {
        if left < e.len {
            return Some((i, left));
        }
        left -= e.len;
    }
    None
}
