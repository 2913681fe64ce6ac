//! The VFIO and iommufd ioctls this layer uses, defined here from the 7.3
//! uapi headers (`include/uapi/linux/vfio.h`, `iommufd.h`), and the only
//! `unsafe` of the VFIO layer: the system calls themselves.
//!
//! Why our own set and not `vfio-bindings`/`vfio-ioctls` (rust-vmm): those
//! serve VMMs (the whole generated uapi, `vmm-sys-util`, KVM-device glue)
//! and their iommufd support follows a VMM's needs; a driver needs about
//! fifteen ioctls, and every structure below is checked against the
//! kernel's layout by a size test. Debian 12's own headers (6.1) lack
//! iommufd, so generating bindings from them would not do either.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

// _IO(';', nr): no direction or size bits, so the number is (';' << 8) | nr.
const fn io(nr: u32) -> u64 {
    ((b';' as u64) << 8) | nr as u64
}

pub(crate) const VFIO_API_VERSION: i32 = 0;
pub(crate) const VFIO_TYPE1V2_IOMMU: u64 = 3;

pub(crate) const VFIO_GET_API_VERSION: u64 = io(100);
pub(crate) const VFIO_CHECK_EXTENSION: u64 = io(101);
pub(crate) const VFIO_SET_IOMMU: u64 = io(102);
pub(crate) const VFIO_GROUP_GET_STATUS: u64 = io(103);
pub(crate) const VFIO_GROUP_SET_CONTAINER: u64 = io(104);
pub(crate) const VFIO_GROUP_GET_DEVICE_FD: u64 = io(106);
pub(crate) const VFIO_DEVICE_GET_INFO: u64 = io(107);
pub(crate) const VFIO_DEVICE_GET_REGION_INFO: u64 = io(108);
pub(crate) const VFIO_DEVICE_GET_IRQ_INFO: u64 = io(109);
pub(crate) const VFIO_DEVICE_SET_IRQS: u64 = io(110);
pub(crate) const VFIO_DEVICE_RESET: u64 = io(111);
pub(crate) const VFIO_IOMMU_GET_INFO: u64 = io(112);
pub(crate) const VFIO_IOMMU_MAP_DMA: u64 = io(113);
pub(crate) const VFIO_IOMMU_UNMAP_DMA: u64 = io(114);
pub(crate) const VFIO_DEVICE_BIND_IOMMUFD: u64 = io(118);
pub(crate) const VFIO_DEVICE_ATTACH_IOMMUFD_PT: u64 = io(119);

pub(crate) const IOMMU_IOAS_ALLOC: u64 = io(0x81);
pub(crate) const IOMMU_IOAS_IOVA_RANGES: u64 = io(0x84);
pub(crate) const IOMMU_IOAS_MAP: u64 = io(0x85);
pub(crate) const IOMMU_IOAS_UNMAP: u64 = io(0x86);

pub(crate) const VFIO_GROUP_FLAGS_VIABLE: u32 = 1;
pub(crate) const VFIO_DEVICE_FLAGS_RESET: u32 = 1;
pub(crate) const VFIO_REGION_INFO_FLAG_MMAP: u32 = 1 << 2;
pub(crate) const VFIO_IRQ_INFO_EVENTFD: u32 = 1;
pub(crate) const VFIO_IRQ_SET_DATA_NONE: u32 = 1;
pub(crate) const VFIO_IRQ_SET_DATA_EVENTFD: u32 = 1 << 2;
pub(crate) const VFIO_IRQ_SET_ACTION_UNMASK: u32 = 1 << 4;
pub(crate) const VFIO_IRQ_SET_ACTION_TRIGGER: u32 = 1 << 5;
pub(crate) const VFIO_DMA_MAP_FLAG_READ: u32 = 1;
pub(crate) const VFIO_DMA_MAP_FLAG_WRITE: u32 = 2;
pub(crate) const IOMMU_IOAS_MAP_FIXED_IOVA: u32 = 1;
pub(crate) const IOMMU_IOAS_MAP_WRITEABLE: u32 = 2;
pub(crate) const IOMMU_IOAS_MAP_READABLE: u32 = 4;

/// Region index of PCI configuration space.
pub(crate) const VFIO_PCI_CONFIG_REGION_INDEX: u32 = 7;

#[repr(C)]
#[derive(Default)]
pub(crate) struct GroupStatus {
    pub(crate) argsz: u32,
    pub(crate) flags: u32,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct DeviceInfo {
    pub(crate) argsz: u32,
    pub(crate) flags: u32,
    pub(crate) num_regions: u32,
    pub(crate) num_irqs: u32,
    pub(crate) cap_offset: u32,
    pub(crate) pad: u32,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct RegionInfo {
    pub(crate) argsz: u32,
    pub(crate) flags: u32,
    pub(crate) index: u32,
    pub(crate) cap_offset: u32,
    pub(crate) size: u64,
    pub(crate) offset: u64,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct IrqInfo {
    pub(crate) argsz: u32,
    pub(crate) flags: u32,
    pub(crate) index: u32,
    pub(crate) count: u32,
}

/// `struct vfio_irq_set` with room for eight eventfds behind it.
#[repr(C)]
#[derive(Default)]
pub(crate) struct IrqSet {
    pub(crate) argsz: u32,
    pub(crate) flags: u32,
    pub(crate) index: u32,
    pub(crate) start: u32,
    pub(crate) count: u32,
    pub(crate) fds: [i32; 8],
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct DmaMap {
    pub(crate) argsz: u32,
    pub(crate) flags: u32,
    pub(crate) vaddr: u64,
    pub(crate) iova: u64,
    pub(crate) size: u64,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct DmaUnmap {
    pub(crate) argsz: u32,
    pub(crate) flags: u32,
    pub(crate) iova: u64,
    pub(crate) size: u64,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct BindIommufd {
    pub(crate) argsz: u32,
    pub(crate) flags: u32,
    pub(crate) iommufd: i32,
    pub(crate) out_devid: u32,
    pub(crate) token_uuid_ptr: u64,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct AttachPt {
    pub(crate) argsz: u32,
    pub(crate) flags: u32,
    pub(crate) pt_id: u32,
    pub(crate) pasid: u32,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct IoasAlloc {
    pub(crate) size: u32,
    pub(crate) flags: u32,
    pub(crate) out_ioas_id: u32,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct IoasIovaRanges {
    pub(crate) size: u32,
    pub(crate) ioas_id: u32,
    pub(crate) num_iovas: u32,
    pub(crate) reserved: u32,
    pub(crate) allowed_iovas: u64,
    pub(crate) out_iova_alignment: u64,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct IoasMap {
    pub(crate) size: u32,
    pub(crate) flags: u32,
    pub(crate) ioas_id: u32,
    pub(crate) reserved: u32,
    pub(crate) user_va: u64,
    pub(crate) length: u64,
    pub(crate) iova: u64,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct IoasUnmap {
    pub(crate) size: u32,
    pub(crate) ioas_id: u32,
    pub(crate) iova: u64,
    pub(crate) length: u64,
}

/// The size field every structure above starts with.
pub(crate) const fn argsz<T>() -> u32 {
    core::mem::size_of::<T>() as u32
}

/// Marks the structures above: plain old data the kernel reads and writes.
pub(crate) trait Uapi {}
impl Uapi for GroupStatus {}
impl Uapi for DeviceInfo {}
impl Uapi for RegionInfo {}
impl Uapi for IrqInfo {}
impl Uapi for IrqSet {}
impl Uapi for DmaMap {}
impl Uapi for DmaUnmap {}
impl Uapi for BindIommufd {}
impl Uapi for AttachPt {}
impl Uapi for IoasAlloc {}
impl Uapi for IoasIovaRanges {}
impl Uapi for IoasMap {}
impl Uapi for IoasUnmap {}
impl Uapi for i32 {}

/// `ioctl(fd, req, arg)` with `arg` a structure the kernel reads and writes.
pub(crate) fn ioctl_ptr<T: Uapi>(fd: BorrowedFd<'_>, req: u64, arg: &mut T) -> io::Result<i32> {
    // SAFETY: `arg` is a live, exclusively borrowed `repr(C)` structure whose
    // layout is the one the request expects (size tests below), and its
    // `argsz`/`size` field, set by the caller, bounds what the kernel
    // touches; any pointer inside it (`allowed_iovas`, `user_va`) is
    // checked by the kernel, which fails with EFAULT rather than write
    // through a bad one.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), req as _, arg as *mut T) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// `ioctl(fd, req, words)` for a variable-size structure the kernel fills
/// (its first word carries `argsz`, set by the caller to at most the
/// slice's size in bytes).
pub(crate) fn ioctl_words(fd: BorrowedFd<'_>, req: u64, words: &mut [u64]) -> io::Result<i32> {
    debug_assert!(
        words
            .first()
            .is_some_and(|w| (*w as u32 as usize) <= words.len() * 8)
    );
    // SAFETY: `words` is a live, exclusively borrowed buffer whose size is
    // at least the `argsz` written in its first word, which bounds what the
    // kernel writes.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), req as _, words.as_mut_ptr()) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// `ioctl(fd, req, value)` for requests that take an integer or nothing.
pub(crate) fn ioctl_val(fd: BorrowedFd<'_>, req: u64, value: u64) -> io::Result<i32> {
    // SAFETY: the request takes its argument by value (no pointer), so the
    // kernel reads nothing from our memory.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), req as _, value as libc::c_ulong) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// `VFIO_GROUP_GET_DEVICE_FD` with the device name; returns the device fd.
pub(crate) fn group_get_device_fd(
    group: BorrowedFd<'_>,
    name: &std::ffi::CStr,
) -> io::Result<OwnedFd> {
    // SAFETY: `name` is a NUL-terminated string that outlives the call; the
    // kernel copies it (bounded by its own limit) and does not keep it.
    let fd = unsafe {
        libc::ioctl(
            group.as_raw_fd(),
            VFIO_GROUP_GET_DEVICE_FD as _,
            name.as_ptr(),
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: on success the ioctl returns a new descriptor we now own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A non-blocking, close-on-exec eventfd.
pub(crate) fn eventfd() -> io::Result<OwnedFd> {
    // SAFETY: no pointers; returns a new descriptor or -1.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a new descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Waits until one of `fds` is readable or `timeout_ms` passes (negative:
/// forever). Returns a readable flag per descriptor.
pub(crate) fn poll_readable(fds: &[BorrowedFd<'_>], timeout_ms: i32) -> io::Result<Vec<bool>> {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|f| libc::pollfd {
            fd: f.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    loop {
        // SAFETY: `p` is a live array of `p.len()` pollfd structures.
        let r = unsafe { libc::poll(p.as_mut_ptr(), p.len() as libc::nfds_t, timeout_ms) };
        if r >= 0 {
            return Ok(p.iter().map(|x| x.revents & libc::POLLIN != 0).collect());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// The system's page size.
pub(crate) fn page_size() -> u64 {
    // SAFETY: sysconf has no memory arguments.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 { p as u64 } else { 4096 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::size_of;

    /// Sizes from the 7.3 uapi headers (pahole of the kernel structures).
    #[test]
    fn layouts_match_the_kernel() {
        assert_eq!(size_of::<GroupStatus>(), 8);
        assert_eq!(size_of::<DeviceInfo>(), 24);
        assert_eq!(size_of::<RegionInfo>(), 32);
        assert_eq!(size_of::<IrqInfo>(), 16);
        assert_eq!(size_of::<IrqSet>(), 20 + 32);
        assert_eq!(size_of::<DmaMap>(), 32);
        assert_eq!(size_of::<DmaUnmap>(), 24);
        assert_eq!(size_of::<BindIommufd>(), 24);
        assert_eq!(size_of::<AttachPt>(), 16);
        assert_eq!(size_of::<IoasAlloc>(), 12);
        assert_eq!(size_of::<IoasIovaRanges>(), 32);
        assert_eq!(size_of::<IoasMap>(), 40);
        assert_eq!(size_of::<IoasUnmap>(), 24);
        assert_eq!(core::mem::offset_of!(RegionInfo, size), 16);
        assert_eq!(core::mem::offset_of!(BindIommufd, token_uuid_ptr), 16);
        assert_eq!(core::mem::offset_of!(IoasMap, user_va), 16);
    }

    #[test]
    fn request_numbers() {
        assert_eq!(VFIO_GET_API_VERSION, 0x3b64);
        assert_eq!(VFIO_DEVICE_SET_IRQS, 0x3b6e);
        assert_eq!(VFIO_IOMMU_MAP_DMA, 0x3b71);
        assert_eq!(VFIO_DEVICE_BIND_IOMMUFD, 0x3b76);
        assert_eq!(IOMMU_IOAS_MAP, 0x3b85);
    }

    #[test]
    fn eventfd_and_poll() {
        let fd = eventfd().unwrap();
        assert_eq!(poll_readable(&[fd.as_fd()], 0).unwrap(), [false]);
        let one = 1u64.to_ne_bytes();
        let mut f = std::fs::File::from(fd);
        std::io::Write::write_all(&mut f, &one).unwrap();
        assert_eq!(poll_readable(&[f.as_fd()], 0).unwrap(), [true]);
        assert!(page_size().is_power_of_two());
    }
    use std::os::fd::AsFd;
}
