//! IOVA bookkeeping, free of system calls so that it is tested on any host:
//! the allocator that places DMA buffers in the device's I/O address space,
//! the map from IOVAs back to the process's memory, and the parser of the
//! type1 IOMMU's IOVA-range capability.

use std::collections::BTreeMap;
use std::ops::Range;

use super::VfioError;

/// Places buffers in the IOVA windows the IOMMU allows, page-granular,
/// first fit, lowest address first.
///
/// A freed range is **retired**, not reused: a transfer still naming it
/// would otherwise land in the next buffer placed there. Retired ranges
/// become free again only when the owner calls [`IovaAllocator::reclaim`]
/// at a point where no transfer is in flight (see
/// [`DmaSpace::reclaim`](crate::vfio::DmaSpace::reclaim)).
///
/// ```
/// use edma_backend_mmio::vfio::IovaAllocator;
/// let mut a = IovaAllocator::new(&[0x10_0000..0x20_0000], 4096);
/// let x = a.alloc(100).unwrap(); // one page
/// let y = a.alloc(8192).unwrap();
/// assert_eq!((x, y), (0x10_0000, 0x10_1000));
/// a.retire(x, 100);
/// assert_eq!(a.alloc(4096).unwrap(), 0x10_3000); // x's page is not reused yet
/// assert_eq!(a.reclaim(), 4096);
/// assert_eq!(a.alloc(4096).unwrap(), 0x10_0000);
/// ```
#[derive(Clone, Debug)]
pub struct IovaAllocator {
    page: u64,
    /// Free ranges, sorted, disjoint, not adjacent.
    free: Vec<Range<u64>>,
    /// Freed ranges waiting for `reclaim`.
    retired: Vec<Range<u64>>,
}

impl IovaAllocator {
    /// An allocator over `windows` (half-open, any order; each is shrunk to
    /// whole pages, and empty ones are dropped). `page` must be a power of
    /// two; anything else is taken as 4096.
    pub fn new(windows: &[Range<u64>], page: u64) -> Self {
        let page = if page.is_power_of_two() { page } else { 4096 };
        let mut a = IovaAllocator {
            page,
            free: Vec::new(),
            retired: Vec::new(),
        };
        for w in windows {
            let start = w.start.checked_add(page - 1).map(|s| s & !(page - 1));
            let end = w.end & !(page - 1);
            if let Some(start) = start
                && start < end
            {
                a.insert_free(start..end);
            }
        }
        a
    }

    /// The page size ranges are rounded to.
    pub fn page(&self) -> u64 {
        self.page
    }

    fn round(&self, len: u64) -> Option<u64> {
        len.checked_add(self.page - 1).map(|l| l & !(self.page - 1))
    }

    /// Allocates `len` bytes (rounded up to pages) and returns the IOVA.
    ///
    /// ```
    /// use edma_backend_mmio::vfio::{IovaAllocator, VfioError};
    /// let mut a = IovaAllocator::new(&[0x1000..0x3000], 4096);
    /// assert!(matches!(a.alloc(0x3000), Err(VfioError::IovaExhausted { requested: 0x3000, largest_free: 0x2000, retired: 0 })));
    /// assert!(matches!(a.alloc(0), Err(VfioError::InvalidArgument(_))));
    /// ```
    pub fn alloc(&mut self, len: u64) -> Result<u64, VfioError> {
        if len == 0 {
            return Err(VfioError::InvalidArgument("a DMA buffer of zero bytes"));
        }
        let need = self.round(len).unwrap_or(u64::MAX);
        let Some(i) = self.free.iter().position(|r| r.end - r.start >= need) else {
            return Err(VfioError::IovaExhausted {
                requested: need,
                largest_free: self.largest_free(),
                retired: self.retired_bytes(),
            });
        };
        let at = self.free[i].start;
        self.free[i].start += need;
        if self.free[i].is_empty() {
            self.free.remove(i);
        }
        Ok(at)
    }

    /// Gives back `[iova, iova + len)` (as allocated): retired until
    /// [`IovaAllocator::reclaim`].
    pub fn retire(&mut self, iova: u64, len: u64) {
        if let Some(need) = self.round(len)
            && need > 0
        {
            self.retired.push(iova..iova.saturating_add(need));
        }
    }

    /// Gives back a range that was allocated but never used by a device
    /// (its mapping failed): free at once.
    pub fn release(&mut self, iova: u64, len: u64) {
        if let Some(need) = self.round(len)
            && need > 0
        {
            self.insert_free(iova..iova.saturating_add(need));
        }
    }

    /// Makes every retired range free again; returns the bytes reclaimed.
    pub fn reclaim(&mut self) -> u64 {
        let bytes = self.retired_bytes();
        for r in core::mem::take(&mut self.retired) {
            self.insert_free(r);
        }
        bytes
    }

    /// Free bytes (not counting retired ones).
    pub fn free_bytes(&self) -> u64 {
        self.free.iter().map(|r| r.end - r.start).sum()
    }

    /// Bytes retired and not yet reclaimed.
    pub fn retired_bytes(&self) -> u64 {
        self.retired.iter().map(|r| r.end - r.start).sum()
    }

    /// The largest free range in bytes.
    pub fn largest_free(&self) -> u64 {
        self.free.iter().map(|r| r.end - r.start).max().unwrap_or(0)
    }

    fn insert_free(&mut self, r: Range<u64>) {
        let i = self.free.partition_point(|f| f.start < r.start);
        self.free.insert(i, r);
        // Merge with the neighbours (and anything overlapping).
        let mut j = i.saturating_sub(1);
        while j + 1 < self.free.len() {
            if self.free[j].end >= self.free[j + 1].start {
                self.free[j].end = self.free[j].end.max(self.free[j + 1].end);
                self.free.remove(j + 1);
            } else if j > i {
                break;
            } else {
                j += 1;
            }
        }
    }
}

/// IOVA → process memory, for every mapped buffer of a
/// [`DmaSpace`](crate::vfio::DmaSpace): what the IOMMU would resolve.
///
/// ```
/// use edma_backend_mmio::vfio::IovaMap;
/// let mut m = IovaMap::default();
/// m.insert(0x10_0000, 0x7f00_0000_0000, 8192);
/// assert_eq!(m.resolve(0x10_1000, 16), Some(0x7f00_0000_1000));
/// assert_eq!(m.resolve(0x10_1ff8, 16), None); // runs past the mapping
/// assert_eq!(m.iova_of(0x7f00_0000_0010, 4), Some(0x10_0010));
/// m.remove(0x10_0000);
/// assert_eq!(m.resolve(0x10_1000, 16), None);
/// ```
#[derive(Clone, Debug, Default)]
pub struct IovaMap {
    /// iova → (process address, length).
    by_iova: BTreeMap<u64, (usize, u64)>,
}

impl IovaMap {
    /// Records `[iova, iova + len)` as mapping `[va, va + len)`.
    pub fn insert(&mut self, iova: u64, va: usize, len: u64) {
        self.by_iova.insert(iova, (va, len));
    }

    /// Forgets the mapping starting at `iova`.
    pub fn remove(&mut self, iova: u64) -> Option<(usize, u64)> {
        self.by_iova.remove(&iova)
    }

    /// The process address of `[iova, iova + len)` if one mapping covers
    /// all of it (`len` 0 is refused).
    pub fn resolve(&self, iova: u64, len: u64) -> Option<usize> {
        let (&start, &(va, n)) = self.by_iova.range(..=iova).next_back()?;
        let off = iova - start;
        let end = off.checked_add(len)?;
        if len == 0 || end > n {
            return None;
        }
        va.checked_add(usize::try_from(off).ok()?)
    }

    /// The IOVA of process memory `[va, va + len)` if one mapping covers it.
    pub fn iova_of(&self, va: usize, len: usize) -> Option<u64> {
        self.by_iova.iter().find_map(|(&iova, &(base, n))| {
            let off = va.checked_sub(base)? as u64;
            (len > 0 && off.checked_add(len as u64)? <= n).then_some(iova + off)
        })
    }

    /// Number of mappings.
    pub fn len(&self) -> usize {
        self.by_iova.len()
    }

    /// Whether nothing is mapped.
    pub fn is_empty(&self) -> bool {
        self.by_iova.is_empty()
    }
}

/// The IOVA windows in a `VFIO_IOMMU_GET_INFO` answer (type1): walks the
/// capability chain from `cap_offset` and returns the ranges of the
/// IOVA-range capability (id 1) as half-open ranges. A malformed chain
/// (offsets out of the buffer, loops) ends the walk; nothing panics.
///
/// ```
/// use edma_backend_mmio::vfio::type1_iova_ranges;
/// let mut info = vec![0u8; 24 + 16 + 16];
/// info[16..20].copy_from_slice(&24u32.to_le_bytes()); // cap_offset
/// info[24..26].copy_from_slice(&1u16.to_le_bytes()); // id: IOVA range
/// info[32..36].copy_from_slice(&1u32.to_le_bytes()); // nr_iovas
/// info[40..48].copy_from_slice(&0u64.to_le_bytes());
/// info[48..56].copy_from_slice(&0xfedf_ffffu64.to_le_bytes()); // inclusive end
/// assert_eq!(type1_iova_ranges(&info), [0..0xfee0_0000]);
/// ```
pub fn type1_iova_ranges(info: &[u8]) -> Vec<Range<u64>> {
    let u32_at = |o: usize| -> Option<u32> {
        Some(u32::from_le_bytes(info.get(o..o + 4)?.try_into().ok()?))
    };
    let u64_at = |o: usize| -> Option<u64> {
        Some(u64::from_le_bytes(info.get(o..o + 8)?.try_into().ok()?))
    };
    let mut out = Vec::new();
    let mut at = u32_at(16).unwrap_or(0) as usize;
    let mut hops = 0;
    while at != 0 && hops < 64 {
        hops += 1;
        let Some(hdr) = u32_at(at) else { break };
        let (id, next) = (hdr & 0xffff, u32_at(at + 4).unwrap_or(0) as usize);
        if id == 1 {
            let n = u32_at(at + 8).unwrap_or(0) as usize;
            for k in 0..n.min(4096) {
                let o = at + 16 + 16 * k;
                let (Some(s), Some(e)) = (u64_at(o), u64_at(o + 8)) else {
                    break;
                };
                if s <= e {
                    out.push(s..e.saturating_add(1));
                }
            }
        }
        if next <= at {
            break;
        }
        at = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_page_rounded_and_merged() {
        let a = IovaAllocator::new(
            &[0x2800..0x9100, 0x9000..0xc000, 0x20_0000..0x20_0fff],
            4096,
        );
        // 0x2800 rounds up to 0x3000; 0x9100 rounds down to 0x9000 and meets the next window;
        // the last window holds no whole page.
        assert_eq!(a.free, [0x3000..0xc000]);
        assert_eq!(a.free_bytes(), 0x9000);
        // A window at the top of the address space does not overflow.
        let top = IovaAllocator::new(&[u64::MAX - 0x2fff..u64::MAX], 4096);
        assert_eq!(top.free, [u64::MAX - 0x2fff..u64::MAX - 0xfff]);
        assert_eq!(IovaAllocator::new(&[0..0x2000], 3).page(), 4096);
    }

    #[test]
    fn first_fit_skips_a_window_too_small() {
        let mut a = IovaAllocator::new(&[0x1000..0x2000, 0x10_0000..0x10_4000], 4096);
        assert_eq!(a.alloc(0x2000).unwrap(), 0x10_0000);
        assert_eq!(a.alloc(1).unwrap(), 0x1000);
        assert_eq!(a.alloc(0x2000).unwrap(), 0x10_2000);
        let e = a.alloc(1).unwrap_err();
        assert!(matches!(
            e,
            VfioError::IovaExhausted {
                requested: 4096,
                largest_free: 0,
                retired: 0
            }
        ));
        assert!(matches!(
            a.alloc(u64::MAX),
            Err(VfioError::IovaExhausted {
                requested: u64::MAX,
                ..
            })
        ));
    }

    #[test]
    fn retired_ranges_come_back_only_on_reclaim_and_coalesce() {
        let mut a = IovaAllocator::new(&[0..0x4000], 4096);
        let r: Vec<u64> = (0..4).map(|_| a.alloc(4096).unwrap()).collect();
        assert_eq!(r, [0, 0x1000, 0x2000, 0x3000]);
        a.retire(0x1000, 4096);
        a.retire(0x2000, 10);
        a.retire(0x0, 0); // nothing
        assert!(matches!(
            a.alloc(4096),
            Err(VfioError::IovaExhausted {
                retired: 0x2000,
                ..
            })
        ));
        assert_eq!(a.retired_bytes(), 0x2000);
        assert_eq!(a.reclaim(), 0x2000);
        assert_eq!(a.free, [0x1000..0x3000]);
        assert_eq!(a.alloc(0x2000).unwrap(), 0x1000);
        a.retire(0, 4096);
        a.retire(0x3000, 4096);
        a.retire(0x1000, 0x2000);
        a.reclaim();
        assert_eq!(a.free, [0..0x4000]);
    }

    #[test]
    fn resolve_needs_one_mapping_to_cover_the_whole_access() {
        let mut m = IovaMap::default();
        m.insert(0x1000, 0x50_0000, 0x1000);
        m.insert(0x2000, 0x90_0000, 0x1000);
        assert_eq!(m.resolve(0x1000, 0x1000), Some(0x50_0000));
        assert_eq!(m.resolve(0x1fff, 1), Some(0x50_0fff));
        // Adjacent in IOVA space but not in memory: no single mapping.
        assert_eq!(m.resolve(0x1fff, 2), None);
        assert_eq!(m.resolve(0xfff, 1), None);
        assert_eq!(m.resolve(0x1000, 0), None);
        assert_eq!(m.resolve(0x2000, u64::MAX), None);
        assert_eq!(m.iova_of(0x90_0ffc, 4), Some(0x2ffc));
        assert_eq!(m.iova_of(0x90_0ffc, 5), None);
        assert_eq!(m.iova_of(0x4f_ffff, 1), None);
        assert_eq!((m.len(), m.is_empty()), (2, false));
        assert_eq!(m.remove(0x1000), Some((0x50_0000, 0x1000)));
        assert_eq!(m.resolve(0x1000, 1), None);
    }

    #[test]
    fn type1_capability_chain() {
        // Header (24 bytes), an unrelated capability, then the IOVA ranges.
        let mut info = vec![0u8; 24 + 8 + 16 + 32];
        let put32 =
            |b: &mut Vec<u8>, o: usize, v: u32| b[o..o + 4].copy_from_slice(&v.to_le_bytes());
        let put64 =
            |b: &mut Vec<u8>, o: usize, v: u64| b[o..o + 8].copy_from_slice(&v.to_le_bytes());
        put32(&mut info, 16, 24);
        put32(&mut info, 24, 2); // id 2 (migration), version 0
        put32(&mut info, 28, 32); // next
        put32(&mut info, 32, 1); // id 1
        put32(&mut info, 40, 2); // two ranges
        put64(&mut info, 48, 0);
        put64(&mut info, 56, 0xfedf_ffff);
        put64(&mut info, 64, 0xfef0_0000);
        put64(&mut info, 72, 0xff_ffff_ffff);
        assert_eq!(
            type1_iova_ranges(&info),
            [0..0xfee0_0000, 0xfef0_0000..0x100_0000_0000]
        );
        // A truncated buffer, a loop and no capability at all end quietly.
        assert_eq!(type1_iova_ranges(&info[..60]), []);
        put32(&mut info, 28, 24);
        assert_eq!(type1_iova_ranges(&info), []);
        assert_eq!(type1_iova_ranges(&[0u8; 8]), []);
    }
}
