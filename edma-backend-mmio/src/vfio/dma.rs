//! DMA buffers at IOVAs: the I/O address space of a device ([`DmaSpace`])
//! and the buffers mapped into it ([`DmaBuffer`]).

use std::fs::File;
use std::os::fd::AsFd;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use memmap2::MmapMut;

use super::iova::{IovaAllocator, IovaMap};
use super::sys;
use super::{VfioError, classify};

/// Who maps IOVAs for a [`DmaSpace`].
#[derive(Debug)]
pub(crate) enum Mapper {
    /// The legacy type1 container (`/dev/vfio/vfio`).
    Container(File),
    /// An iommufd IOAS (`/dev/iommu`).
    Iommufd {
        /// The iommufd.
        fd: File,
        /// The IOAS the device is attached to.
        ioas: u32,
    },
    /// No IOMMU: bookkeeping only (tests, the mock engine).
    Simulated,
}

#[derive(Debug)]
struct State {
    alloc: IovaAllocator,
    map: IovaMap,
    /// Accesses through `read_iova`/`write_iova` refused.
    faults: u64,
}

#[derive(Debug)]
struct Inner {
    mapper: Mapper,
    state: Mutex<State>,
}

/// A device's I/O address space: allocates IOVAs, maps buffers there and
/// knows what each IOVA resolves to.
///
/// Obtained from [`VfioDevice::space`](crate::vfio::VfioDevice::space), or
/// made without any IOMMU by [`DmaSpace::simulated`] for tests. Cheap to
/// clone (shared); every [`DmaBuffer`] keeps its space alive.
///
/// ```
/// use edma_backend_mmio::vfio::DmaSpace;
/// let space = DmaSpace::simulated(&[0x10_0000..0x20_0000]);
/// let buf = space.alloc(100).unwrap();
/// assert_eq!((buf.iova(), buf.len()), (0x10_0000, 100));
/// buf.write(0, b"hello");
/// let mut got = [0; 5];
/// assert!(space.read_iova(0x10_0000, &mut got));
/// assert_eq!(&got, b"hello");
/// drop(buf);
/// assert!(!space.read_iova(0x10_0000, &mut got)); // unmapped with the buffer
/// ```
#[derive(Clone, Debug)]
pub struct DmaSpace {
    inner: Arc<Inner>,
}

impl DmaSpace {
    pub(crate) fn new(mapper: Mapper, windows: &[core::ops::Range<u64>]) -> Self {
        DmaSpace {
            inner: Arc::new(Inner {
                mapper,
                state: Mutex::new(State {
                    alloc: IovaAllocator::new(windows, sys::page_size()),
                    map: IovaMap::default(),
                    faults: 0,
                }),
            }),
        }
    }

    /// A space with no IOMMU behind it: IOVAs are allocated in `windows`
    /// and resolved by [`DmaSpace::read_iova`]/[`DmaSpace::write_iova`],
    /// nothing is pinned or mapped in hardware. For tests and for the mock
    /// engine (the tests' `PciMemory` adapter for `edma-backend-mock`).
    pub fn simulated(windows: &[core::ops::Range<u64>]) -> Self {
        Self::new(Mapper::Simulated, windows)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Which kind of mapping backs this space: `"iommufd"`, `"container"`
    /// or `"simulated"`.
    pub fn kind(&self) -> &'static str {
        match self.inner.mapper {
            Mapper::Container(_) => "container",
            Mapper::Iommufd { .. } => "iommufd",
            Mapper::Simulated => "simulated",
        }
    }

    /// A zeroed buffer of `len` bytes: page-aligned memory, mapped for the
    /// device (read and write) at an IOVA this space allocates, pinned by
    /// the kernel while mapped. On error nothing stays allocated or mapped.
    ///
    /// ```
    /// use edma_backend_mmio::vfio::{DmaSpace, VfioError};
    /// let space = DmaSpace::simulated(&[0x1000..0x3000]);
    /// let a = space.alloc(8192).unwrap();
    /// assert!(matches!(space.alloc(1), Err(VfioError::IovaExhausted { .. })));
    /// drop(a);
    /// assert_eq!(space.reclaim(), 8192);
    /// assert!(space.alloc(1).is_ok());
    /// ```
    pub fn alloc(&self, len: usize) -> Result<DmaBuffer, VfioError> {
        if len == 0 {
            return Err(VfioError::InvalidArgument("a DMA buffer of zero bytes"));
        }
        let mut st = self.state();
        let page = st.alloc.page();
        let mapped = (len as u64).div_ceil(page) * page;
        // IOVA space first: a request that cannot fit fails before any
        // memory is touched.
        let iova = st.alloc.alloc(mapped)?;
        let mem = match MmapMut::map_anon(mapped as usize) {
            Ok(m) => m,
            Err(e) => {
                st.alloc.release(iova, mapped);
                return Err(VfioError::Io {
                    step: "mmap of a DMA buffer".into(),
                    source: e,
                });
            }
        };
        let va = mem.as_ptr() as u64;
        if let Err(e) = self.map_dma(va, iova, mapped) {
            // Never mapped: the range can be reused at once.
            st.alloc.release(iova, mapped);
            return Err(e);
        }
        st.map.insert(iova, mem.as_ptr() as usize, mapped);
        drop(st);
        Ok(DmaBuffer {
            space: self.clone(),
            mem: Some(mem),
            iova,
            len,
            mapped,
        })
    }

    fn map_dma(&self, va: u64, iova: u64, len: u64) -> Result<(), VfioError> {
        match &self.inner.mapper {
            Mapper::Container(c) => {
                let mut m = sys::DmaMap {
                    argsz: sys::argsz::<sys::DmaMap>(),
                    flags: sys::VFIO_DMA_MAP_FLAG_READ | sys::VFIO_DMA_MAP_FLAG_WRITE,
                    vaddr: va,
                    iova,
                    size: len,
                };
                sys::ioctl_ptr(c.as_fd(), sys::VFIO_IOMMU_MAP_DMA, &mut m)
                    .map_err(|e| classify("VFIO_IOMMU_MAP_DMA", len, e))?;
            }
            Mapper::Iommufd { fd, ioas } => {
                let mut m = sys::IoasMap {
                    size: sys::argsz::<sys::IoasMap>(),
                    flags: sys::IOMMU_IOAS_MAP_FIXED_IOVA
                        | sys::IOMMU_IOAS_MAP_READABLE
                        | sys::IOMMU_IOAS_MAP_WRITEABLE,
                    ioas_id: *ioas,
                    reserved: 0,
                    user_va: va,
                    length: len,
                    iova,
                };
                sys::ioctl_ptr(fd.as_fd(), sys::IOMMU_IOAS_MAP, &mut m)
                    .map_err(|e| classify("IOMMU_IOAS_MAP", len, e))?;
            }
            Mapper::Simulated => {}
        }
        Ok(())
    }

    fn unmap_dma(&self, iova: u64, len: u64) -> Result<(), VfioError> {
        match &self.inner.mapper {
            Mapper::Container(c) => {
                let mut u = sys::DmaUnmap {
                    argsz: sys::argsz::<sys::DmaUnmap>(),
                    flags: 0,
                    iova,
                    size: len,
                };
                sys::ioctl_ptr(c.as_fd(), sys::VFIO_IOMMU_UNMAP_DMA, &mut u)
                    .map_err(|e| classify("VFIO_IOMMU_UNMAP_DMA", len, e))?;
            }
            Mapper::Iommufd { fd, ioas } => {
                let mut u = sys::IoasUnmap {
                    size: sys::argsz::<sys::IoasUnmap>(),
                    ioas_id: *ioas,
                    iova,
                    length: len,
                };
                sys::ioctl_ptr(fd.as_fd(), sys::IOMMU_IOAS_UNMAP, &mut u)
                    .map_err(|e| classify("IOMMU_IOAS_UNMAP", len, e))?;
            }
            Mapper::Simulated => {}
        }
        Ok(())
    }

    /// Makes the IOVAs of dropped buffers available again. Call it only at
    /// a point where no transfer that named a dropped buffer can still be
    /// running (after its channel completed, was terminated, or the device
    /// was reset); until then a late access to such an IOVA faults in the
    /// IOMMU instead of landing in a newer buffer. Returns the bytes
    /// reclaimed.
    pub fn reclaim(&self) -> u64 {
        self.state().alloc.reclaim()
    }

    /// Free IOVA bytes (not counting retired ones).
    pub fn free_bytes(&self) -> u64 {
        self.state().alloc.free_bytes()
    }

    /// Buffers currently mapped.
    pub fn mapped_buffers(&self) -> usize {
        self.state().map.len()
    }

    /// The IOVA of process memory `[ptr, ptr + len)` if it lies inside one
    /// buffer of this space (used to turn `embedded-dma` buffers into
    /// entries).
    pub fn iova_of(&self, ptr: *const u8, len: usize) -> Option<u64> {
        self.state().map.iova_of(ptr as usize, len)
    }

    /// What a device read of `buf.len()` bytes at `iova` would see: copies
    /// them into `buf` if one mapped buffer covers the range, else counts a
    /// fault and returns `false` (`buf` untouched). This is the IOMMU's
    /// view; the mock engine's PCI side is built on it.
    pub fn read_iova(&self, iova: u64, buf: &mut [u8]) -> bool {
        let mut st = self.state();
        match st.map.resolve(iova, buf.len() as u64) {
            Some(va) => {
                // SAFETY: `resolve` found `[va, va + len)` inside a buffer
                // that is mapped and alive: a buffer is removed from the
                // map under this lock before its memory is freed, and we
                // hold the lock. Every CPU access to buffer memory through
                // this module also holds it, so nothing races this copy.
                unsafe {
                    core::ptr::copy_nonoverlapping(va as *const u8, buf.as_mut_ptr(), buf.len())
                };
                true
            }
            None => {
                st.faults += 1;
                false
            }
        }
    }

    /// What a device write of `data` at `iova` would do: stores it if one
    /// mapped buffer covers the range, else counts a fault, writes nothing
    /// and returns `false`.
    pub fn write_iova(&self, iova: u64, data: &[u8]) -> bool {
        let mut st = self.state();
        match st.map.resolve(iova, data.len() as u64) {
            Some(va) => {
                // SAFETY: as in `read_iova`; the buffer memory is writable
                // (an anonymous read-write mapping).
                unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), va as *mut u8, data.len()) };
                true
            }
            None => {
                st.faults += 1;
                false
            }
        }
    }

    /// Accesses refused by [`DmaSpace::read_iova`] / [`DmaSpace::write_iova`]
    /// so far (a real IOMMU reports its faults in the kernel log).
    pub fn faults(&self) -> u64 {
        self.state().faults
    }
}

/// A DMA buffer: zeroed, page-aligned process memory mapped for the device
/// at [`DmaBuffer::iova`].
///
/// # Lifetime against transfers
///
/// Dropping a buffer first removes its IOVA from the IOMMU, then frees the
/// memory, so a transfer still naming it can no longer reach it: its
/// accesses fault in the IOMMU (reads come back as errors, writes are
/// dropped) and never touch memory the process reuses. The IOVA itself is
/// **retired**, not reused, until [`DmaSpace::reclaim`], so such a late
/// transfer cannot land in a newer buffer either. That is the layer's
/// answer to "a buffer dropped while a transfer is in flight": it is safe
/// for the process, and the transfer fails; keep buffers alive until their
/// completion to get the data.
///
/// CPU access goes through [`DmaBuffer::read`], [`DmaBuffer::write`] and
/// [`DmaBuffer::to_vec`] (copies, never references into memory the device
/// may be writing). For `embedded-dma` users the buffer implements
/// [`ReadBuffer`](embedded_dma::ReadBuffer) and
/// [`WriteBuffer`](embedded_dma::WriteBuffer) (words of `u8`); see
/// [`host_dst_entry`](crate::vfio::host_dst_entry).
#[derive(Debug)]
pub struct DmaBuffer {
    space: DmaSpace,
    mem: Option<MmapMut>,
    iova: u64,
    len: usize,
    mapped: u64,
}

impl DmaBuffer {
    /// The bus address the device uses for byte 0.
    pub fn iova(&self) -> u64 {
        self.iova
    }

    /// Length in bytes (as asked; the mapping is rounded up to pages).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer is empty (never: zero-byte buffers are refused).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The space the buffer is mapped in.
    pub fn space(&self) -> &DmaSpace {
        &self.space
    }

    fn ptr(&self) -> *mut u8 {
        self.mem
            .as_ref()
            .map_or(core::ptr::null_mut(), |m| m.as_ptr().cast_mut())
    }

    fn range(&self, offset: usize, len: usize) -> Option<()> {
        (offset.checked_add(len)? <= self.len).then_some(())
    }

    /// Copies `data` into the buffer at `offset`.
    ///
    /// # Panics
    ///
    /// If `offset + data.len()` exceeds [`DmaBuffer::len`].
    pub fn write(&self, offset: usize, data: &[u8]) {
        self.range(offset, data.len())
            .expect("DmaBuffer::write past the end");
        let _g = self.space.state();
        // SAFETY: in range (checked above) of a live read-write mapping we
        // own; the space lock serialises this copy with `read_iova`/
        // `write_iova` (the mock device); a real device's accesses are
        // outside the program and only race on the bytes' values.
        unsafe {
            core::ptr::copy_nonoverlapping(data.as_ptr(), self.ptr().add(offset), data.len())
        };
    }

    /// Copies bytes from `offset` into `out`.
    ///
    /// # Panics
    ///
    /// If `offset + out.len()` exceeds [`DmaBuffer::len`].
    pub fn read(&self, offset: usize, out: &mut [u8]) {
        self.range(offset, out.len())
            .expect("DmaBuffer::read past the end");
        let _g = self.space.state();
        // SAFETY: as in `write`.
        unsafe {
            core::ptr::copy_nonoverlapping(self.ptr().add(offset), out.as_mut_ptr(), out.len())
        };
    }

    /// The whole buffer, copied.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0; self.len];
        self.read(0, &mut v);
        v
    }

    /// Atomically replaces the aligned 32-bit word at `offset` with `value`
    /// and returns the old one (for words a device writes, such as an IMWr
    /// target: nothing the device writes between the read and the clear is
    /// lost).
    ///
    /// # Panics
    ///
    /// If `offset` is not 4-aligned or the word is past the end.
    pub fn swap_u32(&self, offset: usize, value: u32) -> u32 {
        assert!(offset.is_multiple_of(4), "DmaBuffer::swap_u32 misaligned");
        self.range(offset, 4)
            .expect("DmaBuffer::swap_u32 past the end");
        let _g = self.space.state();
        // SAFETY: the word is in range, 4-aligned (the buffer is page
        // aligned), in a live mapping we own, and only ever accessed by
        // this program under the space lock (held) or by the device.
        let w = unsafe { core::sync::atomic::AtomicU32::from_ptr(self.ptr().add(offset).cast()) };
        u32::from_le(w.swap(value.to_le(), core::sync::atomic::Ordering::AcqRel))
    }
}

impl Drop for DmaBuffer {
    fn drop(&mut self) {
        let mut st = self.space.state();
        st.map.remove(self.iova);
        match self.space.unmap_dma(self.iova, self.mapped) {
            Ok(()) => st.alloc.retire(self.iova, self.mapped),
            // The device may still reach the memory: never give it back,
            // never reuse the IOVA (neither free nor retired).
            Err(_) => core::mem::forget(self.mem.take()),
        }
    }
}

// SAFETY: the pointer is that of an anonymous mapping owned by the buffer:
// it stays valid and unmoved while the buffer lives (moving a `DmaBuffer`
// does not move the mapping), and `len` bytes are readable.
unsafe impl embedded_dma::ReadBuffer for DmaBuffer {
    type Word = u8;
    unsafe fn read_buffer(&self) -> (*const u8, usize) {
        (self.ptr(), self.len)
    }
}

// SAFETY: as for `ReadBuffer`; the mapping is writable.
unsafe impl embedded_dma::WriteBuffer for DmaBuffer {
    type Word = u8;
    unsafe fn write_buffer(&mut self) -> (*mut u8, usize) {
        (self.ptr(), self.len)
    }
}
