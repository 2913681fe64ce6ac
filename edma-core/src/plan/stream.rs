//! The batch as a stream of LL data elements: entry order, long entries
//! split, contiguous ones optionally coalesced.

use super::*;

/// The batch as a stream of data elements, starting at a [`Cursor`].
///
/// Must only be used on a batch [`validate`] accepted with the same
/// parameters and translation; on anything else it never panics, but it may
/// stop early or yield meaningless elements.
///
/// ```
/// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
/// use edma_core::plan::{Cursor, Elements, Entry, Limits, PlanParams};
/// let params = PlanParams::new(MapFormat::HdmaNative, ChannelDir::Write, Deployment::Local, 8)
///     .with_limits(Limits { max_element_len: 4096, ..Limits::default() });
/// // 10 KiB split at 4 KiB: three elements, all from entry 0.
/// let batch = [Entry::new(0x10_0000, 0x8000_0000, 10 << 10)];
/// let lens: Vec<u32> = Elements::new(&batch, &params, &Identity, Cursor::default())
///     .map(|e| e.len)
///     .collect();
/// assert_eq!(lens, [4096, 4096, 2048]);
/// ```
#[derive(Debug)]
pub struct Elements<'a, T: ?Sized> {
    entries: &'a [Entry],
    params: &'a PlanParams,
    translate: &'a T,
    pub(super) cursor: Cursor,
}

impl<'a, T: AddressTranslate + ?Sized> Elements<'a, T> {
    /// Starts the stream at `cursor`.
    ///
    /// ```
    /// use edma_core::io::OffsetWindow;
    /// use edma_core::plan::{Cursor, Elements, Entry, PlanParams};
    /// use edma_core::{ChannelDir, Deployment, MapFormat};
    /// let p = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 8);
    /// let w = OffsetWindow { cpu_base: 0x8000_0000, pci_base: 0x0, size: 0x1000 };
    /// let batch = [Entry::new(0x10, 0x8000_0100, 4)];
    /// // The PCI side (the destination of a write channel) comes out translated.
    /// let el = Elements::new(&batch, &p, &w, Cursor::default()).next().unwrap();
    /// assert_eq!((el.sar, el.dar), (0x10, 0x100));
    /// ```
    pub fn new(
        entries: &'a [Entry],
        params: &'a PlanParams,
        translate: &'a T,
        cursor: Cursor,
    ) -> Self {
        Elements {
            entries,
            params,
            translate,
            cursor,
        }
    }

    /// Where the next element starts.
    ///
    /// ```
    /// use edma_core::plan::{Cursor, Elements, Entry, Limits, PlanParams};
    /// use edma_core::{ChannelDir, Deployment, Identity, MapFormat};
    /// let p = PlanParams::new(MapFormat::EdmaUnroll, ChannelDir::Write, Deployment::Local, 8)
    ///     .with_limits(Limits { max_element_len: 64, ..Limits::default() });
    /// let batch = [Entry::new(0, 0x1000, 100)];
    /// let mut it = Elements::new(&batch, &p, &Identity, Cursor::default());
    /// it.next();
    /// assert_eq!(it.cursor(), Cursor { entry: 0, offset: 64 });
    /// it.next();
    /// assert_eq!(it.cursor(), Cursor { entry: 1, offset: 0 });
    /// ```
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

/// Extends an element `[sar, dar, len)` that ended with its entry over the
/// entries from `next` on while both sides continue (coalescing). Returns the
/// new length and the cursor after what was taken.
// Out of line and by value: the common, non-coalescing stream stays small
// enough to inline into `encode_chunk` and keep its cursor in registers.
#[inline(never)]
pub(super) fn coalesce_from<T: AddressTranslate + ?Sized>(
    entries: &[Entry],
    dir: ChannelDir,
    translate: &T,
    (sar, dar, mut len): (u64, u64, u64),
    max: u64,
    mut next: Cursor,
) -> (u64, Cursor) {
    while len < max {
        let Some(n) = entries.get(next.entry) else {
            break;
        };
        let Some((ns, nd)) = resolve(n, dir, translate) else {
            break;
        };
        if sar.checked_add(len) != Some(ns) || dar.checked_add(len) != Some(nd) {
            break;
        }
        let take = n.len.min(max - len);
        len += take;
        if take < n.len {
            next.offset = take;
            break;
        }
        next.entry += 1;
    }
    (len, next)
}

impl<T: AddressTranslate + ?Sized> Iterator for Elements<'_, T> {
    type Item = PlannedElement;

    #[inline]
    fn next(&mut self) -> Option<PlannedElement> {
        let max = u64::from(self.params.limits.max_element_len);
        let start = self.cursor;
        let e = self.entries.get(start.entry)?;
        let (s, d) = resolve(e, self.params.dir, self.translate)?;
        if start.offset >= e.len {
            return None;
        }
        let left = e.len - start.offset;
        // A validated entry's ranges do not wrap; on anything else the
        // addresses are meaningless but nothing panics.
        let sar = s.wrapping_add(start.offset);
        let dar = d.wrapping_add(start.offset);
        let mut len = left.min(max);
        if len < left {
            self.cursor.offset = start.offset + len;
        } else {
            self.cursor = Cursor {
                entry: start.entry + 1,
                offset: 0,
            };
            if self.params.limits.coalesce {
                (len, self.cursor) = coalesce_from(
                    self.entries,
                    self.params.dir,
                    self.translate,
                    (sar, dar, len),
                    max,
                    self.cursor,
                );
            }
        }
        // len <= max <= u32::MAX
        let len = u32::try_from(len).ok()?;
        Some(PlannedElement {
            sar,
            dar,
            len,
            entry: start.entry,
        })
    }
}
