//! VFIO for userspace drivers (feature `vfio`, Linux): open a PCI device
//! bound to `vfio-pci`, map its BARs, give it DMA buffers at IOVAs behind
//! the IOMMU and take its interrupts through eventfds.
//!
//! * [`VfioDevice::open`] opens the device by its PCI address through
//!   **iommufd** and the VFIO device cdev (`/dev/iommu`,
//!   `/dev/vfio/devices/vfioN`) where the kernel has them, else through the
//!   legacy **container/group** (`/dev/vfio/vfio`, `/dev/vfio/<group>`,
//!   type1v2). [`VfioPath`] forces one.
//! * [`VfioDevice::map_bar`] maps a BAR through the device's region info
//!   (no sysfs `resourceN`) and returns the same [`BarMapping`] the sysfs
//!   path gives, so registers and LL regions come out of it the same way.
//! * [`VfioDevice::enable_bus_master`], [`VfioDevice::reset`].
//! * [`VfioDevice::enable_irqs`] ties MSI, MSI-X or INTx vectors to
//!   [`IrqEvent`]s (blocking [`IrqEvent::wait`]; `wait_async` with the
//!   `async` feature).
//! * [`DmaSpace::alloc`] gives [`DmaBuffer`]s: pinned, page-aligned memory
//!   mapped at an IOVA the layer allocates, unmapped on drop (see the
//!   buffer's docs for what happens to a transfer still naming it).
//!   Entries for a batch come from buffers ([`DmaSlice`],
//!   [`host_dst_entry`], [`host_src_entry`]), not from raw integers.
//! * [`ImwrWatch`]: a remote endpoint's eDMA signals completion by a
//!   memory write (IMWr); VFIO gives userspace no MSI doorbell address to
//!   aim it at, so it is aimed at a word of a DMA buffer the program
//!   watches.
//!
//! The guide is docs/guides/userspace.md; `scripts/vfio-qemu.sh` runs
//! `examples/vfio_guest.rs` in a Linux 7.3 guest with an emulated VT-d
//! IOMMU through both paths.
//!
//! ```no_run
//! use std::time::Duration;
//! use edma_backend_mmio::vfio::{IrqKind, VfioDevice};
//! fn main() -> Result<(), edma_backend_mmio::vfio::VfioError> {
//!     let dev = VfioDevice::open("0000:00:03.0")?;
//!     let bar0 = dev.map_bar(0)?;
//!     dev.enable_bus_master()?;
//!     let irqs = dev.enable_irqs(IrqKind::Msi, 1)?;
//!     let buf = dev.space().alloc(4096)?; // the device sees it at buf.iova()
//!     // ... program the device with buf.iova() through bar0 ...
//!     let fired = irqs[0].wait(Some(Duration::from_secs(1)))?;
//!     println!("{fired:?} interrupts; first bytes {:?}", &buf.to_vec()[..8]);
//!     # let _ = bar0;
//!     Ok(())
//! }
//! ```

// Windows are slices of ranges; one window is common.
#![allow(clippy::single_range_in_vec_init)]

mod dma;
mod error;
mod iova;
mod irq;
mod remote;
mod sys;

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

pub use dma::{DmaBuffer, DmaSpace};
pub use error::VfioError;
pub(crate) use error::classify;
pub use iova::{IovaAllocator, IovaMap, type1_iova_ranges};
pub use irq::{IrqEvent, IrqKind};
pub use remote::ImwrWatch;

use crate::userspace::BarMapping;
use dma::Mapper;
use edma_core::plan::Entry;

/// Which VFIO interface opens the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum VfioPath {
    /// iommufd + cdev if the kernel has them for this device, else the
    /// container/group.
    #[default]
    Auto,
    /// iommufd and the VFIO device cdev only.
    Iommufd,
    /// The legacy container and group only (type1v2 IOMMU).
    Container,
}

/// Options of [`VfioDevice::open_with`].
///
/// ```
/// use edma_backend_mmio::vfio::{VfioOptions, VfioPath};
/// // A device that can only address 28 bits (QEMU's edu):
/// let o = VfioOptions { path: VfioPath::Container, iova_window: 0x10_0000..0x1000_0000 };
/// assert_eq!(VfioOptions::default().iova_window, 0x10_0000..u64::MAX);
/// # let _ = o;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VfioOptions {
    /// The interface.
    pub path: VfioPath,
    /// Where buffers may be placed: intersected with the windows the
    /// IOMMU reports (which leave out reserved ranges such as the MSI
    /// doorbells). Narrow it for devices with fewer address bits.
    pub iova_window: core::ops::Range<u64>,
}

impl Default for VfioOptions {
    fn default() -> Self {
        VfioOptions {
            path: VfioPath::Auto,
            iova_window: 0x10_0000..u64::MAX,
        }
    }
}

/// A region (BAR, ROM, config space) as `VFIO_DEVICE_GET_REGION_INFO`
/// describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegionInfo {
    /// Region index (0–5 BARs, 6 ROM, 7 config space).
    pub index: u32,
    /// Size in bytes.
    pub size: u64,
    /// Offset of the region in the device file.
    pub offset: u64,
    /// Whether it can be mmap'd.
    pub mappable: bool,
}

/// A PCI device opened through VFIO.
///
/// Dropping it closes the device (vfio-pci then disables it and, where it
/// can, resets it) before the IOMMU mappings of its space go away with the
/// last [`DmaBuffer`].
#[derive(Debug)]
pub struct VfioDevice {
    device: File,
    space: DmaSpace,
    bdf: String,
    path: VfioPath,
    flags: u32,
    num_regions: u32,
    /// The group (container path), kept open while the device is.
    _group: Option<File>,
}

fn io_err(step: impl Into<String>) -> impl FnOnce(std::io::Error) -> VfioError {
    let step = step.into();
    move |source| VfioError::Io { step, source }
}

fn open_rw(path: &Path, what: &'static str) -> Result<File, VfioError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| error::open_error(path, what, e))
}

/// Checks the device's sysfs entries: it exists, is bound to vfio-pci and
/// has an IOMMU group; returns the group number.
pub(crate) fn check_sysfs(dev: &Path, bdf: &str) -> Result<u32, VfioError> {
    if !dev.exists() {
        return Err(VfioError::NoDevice(bdf.into()));
    }
    let driver = std::fs::read_link(dev.join("driver"))
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    if driver.as_deref() != Some("vfio-pci") {
        return Err(VfioError::NotBoundToVfio {
            bdf: bdf.into(),
            driver,
        });
    }
    let group = std::fs::read_link(dev.join("iommu_group"))
        .map_err(|_| VfioError::NoIommuGroup(bdf.into()))?;
    group
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| VfioError::NoIommuGroup(bdf.into()))
}

/// Intersects the IOMMU's windows with the caller's.
pub(crate) fn clip(
    windows: &[core::ops::Range<u64>],
    to: &core::ops::Range<u64>,
) -> Vec<core::ops::Range<u64>> {
    windows
        .iter()
        .map(|w| w.start.max(to.start)..w.end.min(to.end))
        .filter(|w| w.start < w.end)
        .collect()
}

impl VfioDevice {
    /// Opens the device at PCI address `bdf` (`"0000:01:00.0"`) with the
    /// default [`VfioOptions`].
    pub fn open(bdf: &str) -> Result<Self, VfioError> {
        Self::open_with(bdf, &VfioOptions::default())
    }

    /// Opens the device at `bdf` with `opts`. On error everything opened
    /// on the way is closed again.
    pub fn open_with(bdf: &str, opts: &VfioOptions) -> Result<Self, VfioError> {
        Self::open_in(Path::new("/sys/bus/pci/devices"), bdf, opts)
    }

    fn open_in(sysfs: &Path, bdf: &str, opts: &VfioOptions) -> Result<Self, VfioError> {
        let dev = sysfs.join(bdf);
        let group = check_sysfs(&dev, bdf)?;
        match opts.path {
            VfioPath::Iommufd => Self::open_iommufd(&dev, bdf, opts),
            VfioPath::Container => Self::open_container(group, bdf, opts),
            VfioPath::Auto => match Self::open_iommufd(&dev, bdf, opts) {
                Err(VfioError::PathUnavailable { .. }) => Self::open_container(group, bdf, opts),
                r => r,
            },
        }
    }

    fn open_iommufd(dev: &Path, bdf: &str, opts: &VfioOptions) -> Result<Self, VfioError> {
        // /sys/bus/pci/devices/<bdf>/vfio-dev/vfioN names the cdev.
        let cdev = std::fs::read_dir(dev.join("vfio-dev"))
            .ok()
            .and_then(|mut d| d.find_map(|e| e.ok()))
            .map(|e| PathBuf::from("/dev/vfio/devices").join(e.file_name()))
            .ok_or(VfioError::PathUnavailable {
                what: "VFIO device cdev (CONFIG_VFIO_DEVICE_CDEV)",
            })?;
        let iommufd = open_rw(Path::new("/dev/iommu"), "/dev/iommu (CONFIG_IOMMUFD)")?;
        let device = open_rw(&cdev, "VFIO device cdev")?;
        let mut bind = sys::BindIommufd {
            argsz: sys::argsz::<sys::BindIommufd>(),
            iommufd: std::os::fd::AsRawFd::as_raw_fd(&iommufd),
            ..Default::default()
        };
        sys::ioctl_ptr(device.as_fd(), sys::VFIO_DEVICE_BIND_IOMMUFD, &mut bind)
            .map_err(|e| classify("VFIO_DEVICE_BIND_IOMMUFD", 0, e))?;
        let mut ioas = sys::IoasAlloc {
            size: sys::argsz::<sys::IoasAlloc>(),
            ..Default::default()
        };
        sys::ioctl_ptr(iommufd.as_fd(), sys::IOMMU_IOAS_ALLOC, &mut ioas)
            .map_err(|e| classify("IOMMU_IOAS_ALLOC", 0, e))?;
        let mut attach = sys::AttachPt {
            argsz: sys::argsz::<sys::AttachPt>(),
            pt_id: ioas.out_ioas_id,
            ..Default::default()
        };
        sys::ioctl_ptr(
            device.as_fd(),
            sys::VFIO_DEVICE_ATTACH_IOMMUFD_PT,
            &mut attach,
        )
        .map_err(|e| classify("VFIO_DEVICE_ATTACH_IOMMUFD_PT", 0, e))?;
        let windows = Self::ioas_windows(&iommufd, ioas.out_ioas_id)?;
        let space = DmaSpace::new(
            Mapper::Iommufd {
                fd: iommufd,
                ioas: ioas.out_ioas_id,
            },
            &clip(&windows, &opts.iova_window),
        );
        Self::finish(device, space, bdf, VfioPath::Iommufd, None)
    }

    fn ioas_windows(iommufd: &File, ioas: u32) -> Result<Vec<core::ops::Range<u64>>, VfioError> {
        let mut ranges = [[0u64; 2]; 16];
        let mut q = sys::IoasIovaRanges {
            size: sys::argsz::<sys::IoasIovaRanges>(),
            ioas_id: ioas,
            num_iovas: ranges.len() as u32,
            allowed_iovas: ranges.as_mut_ptr() as u64,
            ..Default::default()
        };
        sys::ioctl_ptr(iommufd.as_fd(), sys::IOMMU_IOAS_IOVA_RANGES, &mut q)
            .map_err(|e| classify("IOMMU_IOAS_IOVA_RANGES", 0, e))?;
        Ok(ranges[..(q.num_iovas as usize).min(ranges.len())]
            .iter()
            .filter(|r| r[0] <= r[1])
            .map(|r| r[0]..r[1].saturating_add(1))
            .collect())
    }

    fn open_container(group: u32, bdf: &str, opts: &VfioOptions) -> Result<Self, VfioError> {
        let container = open_rw(
            Path::new("/dev/vfio/vfio"),
            "/dev/vfio/vfio (CONFIG_VFIO_CONTAINER)",
        )?;
        let v = sys::ioctl_val(container.as_fd(), sys::VFIO_GET_API_VERSION, 0)
            .map_err(|e| classify("VFIO_GET_API_VERSION", 0, e))?;
        if v != sys::VFIO_API_VERSION {
            return Err(VfioError::PathUnavailable {
                what: "VFIO API version 0",
            });
        }
        let has = sys::ioctl_val(
            container.as_fd(),
            sys::VFIO_CHECK_EXTENSION,
            sys::VFIO_TYPE1V2_IOMMU,
        )
        .map_err(|e| classify("VFIO_CHECK_EXTENSION", 0, e))?;
        if has == 0 {
            return Err(VfioError::PathUnavailable {
                what: "type1v2 IOMMU (CONFIG_VFIO_IOMMU_TYPE1)",
            });
        }
        let gpath = PathBuf::from(format!("/dev/vfio/{group}"));
        let gfile = open_rw(&gpath, "VFIO group file")?;
        let mut status = sys::GroupStatus {
            argsz: sys::argsz::<sys::GroupStatus>(),
            flags: 0,
        };
        sys::ioctl_ptr(gfile.as_fd(), sys::VFIO_GROUP_GET_STATUS, &mut status)
            .map_err(|e| classify("VFIO_GROUP_GET_STATUS", 0, e))?;
        if status.flags & sys::VFIO_GROUP_FLAGS_VIABLE == 0 {
            return Err(VfioError::GroupNotViable(group));
        }
        let mut cfd = std::os::fd::AsRawFd::as_raw_fd(&container);
        sys::ioctl_ptr(gfile.as_fd(), sys::VFIO_GROUP_SET_CONTAINER, &mut cfd)
            .map_err(|e| classify("VFIO_GROUP_SET_CONTAINER", 0, e))?;
        sys::ioctl_val(
            container.as_fd(),
            sys::VFIO_SET_IOMMU,
            sys::VFIO_TYPE1V2_IOMMU,
        )
        .map_err(|e| classify("VFIO_SET_IOMMU", 0, e))?;
        let name = CString::new(bdf)
            .map_err(|_| VfioError::InvalidArgument("a PCI address with a NUL"))?;
        let device = File::from(
            sys::group_get_device_fd(gfile.as_fd(), &name)
                .map_err(|e| classify("VFIO_GROUP_GET_DEVICE_FD", 0, e))?,
        );
        let windows = Self::type1_windows(&container)?;
        let space = DmaSpace::new(
            Mapper::Container(container),
            &clip(&windows, &opts.iova_window),
        );
        Self::finish(device, space, bdf, VfioPath::Container, Some(gfile))
    }

    fn type1_windows(container: &File) -> Result<Vec<core::ops::Range<u64>>, VfioError> {
        // Header (24 bytes) then capabilities; 4 KiB is plenty for the
        // handful of windows an IOMMU reports.
        let mut buf = vec![0u64; 512];
        buf[0] = (buf.len() * 8) as u64; // argsz (low half), flags 0
        sys::ioctl_words(container.as_fd(), sys::VFIO_IOMMU_GET_INFO, &mut buf)
            .map_err(|e| classify("VFIO_IOMMU_GET_INFO", 0, e))?;
        let raw: Vec<u8> = buf.iter().flat_map(|w| w.to_le_bytes()).collect();
        let windows = type1_iova_ranges(&raw);
        // A kernel without the capability: the whole 48-bit space less
        // the x86 MSI window (what VT-d reserves).
        Ok(if windows.is_empty() {
            vec![0..0xfee0_0000, 0xfef0_0000..1 << 48]
        } else {
            windows
        })
    }

    fn finish(
        device: File,
        space: DmaSpace,
        bdf: &str,
        path: VfioPath,
        group: Option<File>,
    ) -> Result<Self, VfioError> {
        let mut info = sys::DeviceInfo {
            argsz: sys::argsz::<sys::DeviceInfo>(),
            ..Default::default()
        };
        sys::ioctl_ptr(device.as_fd(), sys::VFIO_DEVICE_GET_INFO, &mut info)
            .map_err(|e| classify("VFIO_DEVICE_GET_INFO", 0, e))?;
        Ok(VfioDevice {
            device,
            space,
            bdf: bdf.into(),
            path,
            flags: info.flags,
            num_regions: info.num_regions,
            _group: group,
        })
    }

    /// The PCI address it was opened with.
    pub fn bdf(&self) -> &str {
        &self.bdf
    }

    /// The interface that opened it ([`VfioPath::Iommufd`] or
    /// [`VfioPath::Container`]).
    pub fn path(&self) -> VfioPath {
        self.path
    }

    /// The device's I/O address space: allocate DMA buffers here.
    pub fn space(&self) -> &DmaSpace {
        &self.space
    }

    /// Describes region `index`.
    pub fn region(&self, index: u32) -> Result<RegionInfo, VfioError> {
        if index >= self.num_regions {
            return Err(VfioError::NoSuchRegion(index));
        }
        let mut r = sys::RegionInfo {
            argsz: sys::argsz::<sys::RegionInfo>(),
            index,
            ..Default::default()
        };
        sys::ioctl_ptr(
            self.device.as_fd(),
            sys::VFIO_DEVICE_GET_REGION_INFO,
            &mut r,
        )
        .map_err(|e| classify("VFIO_DEVICE_GET_REGION_INFO", 0, e))?;
        if r.size == 0 {
            return Err(VfioError::NoSuchRegion(index));
        }
        Ok(RegionInfo {
            index,
            size: r.size,
            offset: r.offset,
            mappable: r.flags & sys::VFIO_REGION_INFO_FLAG_MMAP != 0,
        })
    }

    /// Maps BAR `bar` (0–5) through its region info. The mapping hands out
    /// register blocks and LL regions exactly like the sysfs path's
    /// ([`BarMapping::regs`], [`BarMapping::ll`]).
    pub fn map_bar(&self, bar: u8) -> Result<BarMapping, VfioError> {
        if bar > 5 {
            return Err(VfioError::NoSuchRegion(u32::from(bar)));
        }
        let r = self.region(u32::from(bar))?;
        if !r.mappable {
            return Err(VfioError::RegionNotMappable(r.index));
        }
        let len = usize::try_from(r.size).map_err(|_| VfioError::RegionNotMappable(r.index))?;
        let map = memmap2::MmapOptions::new()
            .offset(r.offset)
            .len(len)
            .map_raw(&self.device)
            .map_err(io_err(format!("mmap of BAR {bar}")))?;
        Ok(BarMapping::from_map(bar, map, r.size))
    }

    /// Reads PCI configuration space at `offset`.
    pub fn config_read(&self, offset: u64, buf: &mut [u8]) -> Result<(), VfioError> {
        let r = self.region(sys::VFIO_PCI_CONFIG_REGION_INDEX)?;
        self.device
            .read_exact_at(buf, r.offset + offset)
            .map_err(io_err("read of PCI config space"))
    }

    /// Writes PCI configuration space at `offset` (vfio-pci filters what
    /// userspace may change).
    pub fn config_write(&self, offset: u64, data: &[u8]) -> Result<(), VfioError> {
        let r = self.region(sys::VFIO_PCI_CONFIG_REGION_INDEX)?;
        self.device
            .write_all_at(data, r.offset + offset)
            .map_err(io_err("write of PCI config space"))
    }

    /// Where an eDMA endpoint's engine and LL blocks are: reads the whole
    /// configuration space through VFIO and parses it as the sysfs path
    /// does ([`crate::pcie::parse_config`]: vendor/device, the DMA VSEC).
    /// A device that is not an eDMA endpoint gives [`VfioError::NotEdma`]
    /// (QEMU's edu in the guest test does).
    pub fn edma_layout(&self) -> Result<crate::pcie::EdmaLayout, VfioError> {
        let r = self.region(sys::VFIO_PCI_CONFIG_REGION_INDEX)?;
        let mut cfg = vec![0u8; usize::try_from(r.size.min(4096)).unwrap_or(256)];
        self.config_read(0, &mut cfg)?;
        crate::pcie::parse_config(&cfg).map_err(VfioError::NotEdma)
    }

    /// Sets Memory Space and Bus Master Enable in the command register:
    /// without them the device's DMA silently does nothing. Returns the
    /// command register as written.
    pub fn enable_bus_master(&self) -> Result<u16, VfioError> {
        let mut cmd = [0u8; 2];
        self.config_read(4, &mut cmd)?;
        let v = u16::from_le_bytes(cmd) | 0x2 | 0x4;
        self.config_write(4, &v.to_le_bytes())?;
        Ok(v)
    }

    /// Resets the device (`VFIO_DEVICE_RESET`), if it supports it.
    pub fn reset(&self) -> Result<(), VfioError> {
        if self.flags & sys::VFIO_DEVICE_FLAGS_RESET == 0 {
            return Err(VfioError::ResetUnsupported);
        }
        sys::ioctl_val(self.device.as_fd(), sys::VFIO_DEVICE_RESET, 0)
            .map_err(|e| classify("VFIO_DEVICE_RESET", 0, e))?;
        Ok(())
    }

    /// Whether the device supports [`VfioDevice::reset`].
    pub fn can_reset(&self) -> bool {
        self.flags & sys::VFIO_DEVICE_FLAGS_RESET != 0
    }

    /// Number of vectors of `kind` the device has.
    pub fn irq_count(&self, kind: IrqKind) -> Result<u32, VfioError> {
        let mut i = sys::IrqInfo {
            argsz: sys::argsz::<sys::IrqInfo>(),
            index: kind.index(),
            ..Default::default()
        };
        sys::ioctl_ptr(self.device.as_fd(), sys::VFIO_DEVICE_GET_IRQ_INFO, &mut i)
            .map_err(|e| classify("VFIO_DEVICE_GET_IRQ_INFO", 0, e))?;
        Ok(if i.flags & sys::VFIO_IRQ_INFO_EVENTFD != 0 {
            i.count
        } else {
            0
        })
    }

    /// Enables `count` vectors (1–8) of `kind`, each signalling its own
    /// eventfd; vector `n` is element `n`. Replaces what was enabled
    /// before for that kind.
    pub fn enable_irqs(&self, kind: IrqKind, count: u32) -> Result<Vec<IrqEvent>, VfioError> {
        let available = self.irq_count(kind)?;
        if count == 0 || count > available || count > 8 {
            return Err(VfioError::IrqUnavailable {
                index: kind.index(),
                count,
                available,
            });
        }
        let events = (0..count)
            .map(|_| IrqEvent::new())
            .collect::<Result<Vec<_>, _>>()?;
        let mut set = sys::IrqSet {
            argsz: sys::argsz::<sys::IrqSet>() - 4 * (8 - count),
            flags: sys::VFIO_IRQ_SET_DATA_EVENTFD | sys::VFIO_IRQ_SET_ACTION_TRIGGER,
            index: kind.index(),
            start: 0,
            count,
            fds: [-1; 8],
        };
        for (slot, ev) in set.fds.iter_mut().zip(&events) {
            *slot = std::os::fd::AsRawFd::as_raw_fd(&ev.raw());
        }
        sys::ioctl_ptr(self.device.as_fd(), sys::VFIO_DEVICE_SET_IRQS, &mut set)
            .map_err(|e| classify("VFIO_DEVICE_SET_IRQS", 0, e))?;
        Ok(events)
    }

    /// Disables every vector of `kind`.
    pub fn disable_irqs(&self, kind: IrqKind) -> Result<(), VfioError> {
        self.set_irqs_none(kind.index(), sys::VFIO_IRQ_SET_ACTION_TRIGGER, 0)
    }

    /// Unmasks INTx after its cause was cleared in the device (VFIO masks
    /// the line each time it fires).
    pub fn unmask_intx(&self) -> Result<(), VfioError> {
        self.set_irqs_none(IrqKind::Intx.index(), sys::VFIO_IRQ_SET_ACTION_UNMASK, 1)
    }

    fn set_irqs_none(&self, index: u32, action: u32, count: u32) -> Result<(), VfioError> {
        let mut set = sys::IrqSet {
            argsz: sys::argsz::<sys::IrqSet>() - 32,
            flags: sys::VFIO_IRQ_SET_DATA_NONE | action,
            index,
            start: 0,
            count,
            fds: [0; 8],
        };
        sys::ioctl_ptr(self.device.as_fd(), sys::VFIO_DEVICE_SET_IRQS, &mut set)
            .map_err(|e| classify("VFIO_DEVICE_SET_IRQS", 0, e))?;
        Ok(())
    }
}

/// A byte range of a [`DmaBuffer`]: what an entry's host side is made of.
///
/// ```
/// use edma_backend_mmio::vfio::{DmaSlice, DmaSpace, host_dst_entry, host_src_entry};
/// let space = DmaSpace::simulated(&[0x10_0000..0x20_0000]);
/// let buf = space.alloc(8192).unwrap();
/// let s = DmaSlice::new(&buf, 4096..6144).unwrap();
/// assert_eq!((s.iova(), s.len()), (0x10_1000, 2048));
/// assert!(DmaSlice::new(&buf, 8000..8200).is_err()); // past the end
/// // Remote deployment: a write channel moves device memory to the host.
/// let e = s.from_device(0x8000_0000);
/// assert_eq!((e.src, e.dst, e.len), (0x8000_0000, 0x10_1000, 2048));
/// let e = s.to_device(0x9000_0000);
/// assert_eq!((e.src, e.dst, e.len), (0x10_1000, 0x9000_0000, 2048));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DmaSlice<'b> {
    buf: &'b DmaBuffer,
    offset: usize,
    len: usize,
}

impl<'b> DmaSlice<'b> {
    /// Bytes `range` of `buf` (non-empty, inside the buffer).
    pub fn new(buf: &'b DmaBuffer, range: core::ops::Range<usize>) -> Result<Self, VfioError> {
        if range.start >= range.end || range.end > buf.len() {
            return Err(VfioError::InvalidArgument("a slice outside its DMA buffer"));
        }
        Ok(DmaSlice {
            buf,
            offset: range.start,
            len: range.end - range.start,
        })
    }

    /// The whole buffer.
    pub fn all(buf: &'b DmaBuffer) -> Self {
        DmaSlice {
            buf,
            offset: 0,
            len: buf.len(),
        }
    }

    /// The IOVA of its first byte.
    pub fn iova(&self) -> u64 {
        self.buf.iova() + self.offset as u64
    }

    /// Its length.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never empty (see [`DmaSlice::new`]).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// An entry moving `len()` bytes from device-local address `local` into
    /// this slice (a **write** channel in remote deployment).
    pub fn from_device(&self, local: u64) -> Entry {
        Entry::new(local, self.iova(), self.len as u64)
    }

    /// An entry moving this slice to device-local address `local` (a
    /// **read** channel in remote deployment).
    pub fn to_device(&self, local: u64) -> Entry {
        Entry::new(self.iova(), local, self.len as u64)
    }
}

/// An entry from device-local `local` into `dst`, any `embedded-dma`
/// buffer that lies inside one DMA buffer of `space` (its IOVA is looked up
/// in the space's map); `None` if it does not.
///
/// ```
/// use edma_backend_mmio::vfio::{DmaSpace, host_dst_entry};
/// let space = DmaSpace::simulated(&[0x10_0000..0x20_0000]);
/// let mut buf = space.alloc(512).unwrap();
/// let e = host_dst_entry(&space, 0x4000, &mut buf).unwrap();
/// assert_eq!((e.src, e.dst, e.len), (0x4000, 0x10_0000, 512));
/// let mut heap: &'static mut [u8] = Box::leak(vec![0u8; 16].into_boxed_slice()); // not DMA-mapped
/// assert!(host_dst_entry(&space, 0x4000, &mut heap).is_none());
/// ```
pub fn host_dst_entry<B: embedded_dma::WriteBuffer<Word = u8>>(
    space: &DmaSpace,
    local: u64,
    dst: &mut B,
) -> Option<Entry> {
    // SAFETY: the pointer is only looked up in the map, never dereferenced.
    let (ptr, len) = unsafe { dst.write_buffer() };
    let iova = space.iova_of(ptr, len)?;
    Some(Entry::new(local, iova, len as u64))
}

/// An entry from `src`, an `embedded-dma` buffer inside one DMA buffer of
/// `space`, to device-local `local`; `None` if it is not DMA-mapped.
pub fn host_src_entry<B: embedded_dma::ReadBuffer<Word = u8>>(
    space: &DmaSpace,
    src: &B,
    local: u64,
) -> Option<Entry> {
    // SAFETY: as in `host_dst_entry`.
    let (ptr, len) = unsafe { src.read_buffer() };
    let iova = space.iova_of(ptr, len)?;
    Some(Entry::new(iova, local, len as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_device(name: &str, driver: Option<&str>, group: Option<u32>) -> PathBuf {
        let root = std::env::temp_dir().join(format!("edma-vfio-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dev = root.join("0000:00:03.0");
        std::fs::create_dir_all(&dev).unwrap();
        if let Some(d) = driver {
            let target = root.join("drivers").join(d);
            std::fs::create_dir_all(&target).unwrap();
            std::os::unix::fs::symlink(&target, dev.join("driver")).unwrap();
        }
        if let Some(g) = group {
            let target = root.join("iommu_groups").join(g.to_string());
            std::fs::create_dir_all(&target).unwrap();
            std::os::unix::fs::symlink(&target, dev.join("iommu_group")).unwrap();
        }
        root
    }

    #[test]
    fn sysfs_checks_name_what_is_wrong() {
        let root = fake_device("ok", Some("vfio-pci"), Some(7));
        assert_eq!(
            check_sysfs(&root.join("0000:00:03.0"), "0000:00:03.0").unwrap(),
            7
        );
        assert!(matches!(
            check_sysfs(&root.join("0000:00:04.0"), "0000:00:04.0"),
            Err(VfioError::NoDevice(b)) if b == "0000:00:04.0"
        ));
        let root = fake_device("e1000", Some("e1000e"), Some(7));
        assert!(matches!(
            check_sysfs(&root.join("0000:00:03.0"), "0000:00:03.0"),
            Err(VfioError::NotBoundToVfio { driver: Some(d), .. }) if d == "e1000e"
        ));
        let root = fake_device("unbound", None, Some(7));
        assert!(matches!(
            check_sysfs(&root.join("0000:00:03.0"), "0000:00:03.0"),
            Err(VfioError::NotBoundToVfio { driver: None, .. })
        ));
        let root = fake_device("nogroup", Some("vfio-pci"), None);
        assert!(matches!(
            check_sysfs(&root.join("0000:00:03.0"), "0000:00:03.0"),
            Err(VfioError::NoIommuGroup(_))
        ));
        // The same through open_in, which must fail before opening anything.
        let opts = VfioOptions::default();
        assert!(matches!(
            VfioDevice::open_in(&root, "0000:00:03.0", &opts),
            Err(VfioError::NoIommuGroup(_))
        ));
    }

    #[test]
    fn windows_are_clipped_to_the_callers() {
        let w = [0..0xfee0_0000, 0xfef0_0000..1 << 48];
        assert_eq!(
            clip(&w, &(0x10_0000..0x1000_0000)),
            [0x10_0000..0x1000_0000]
        );
        assert_eq!(
            clip(&w, &(0xfe00_0000..0xff00_0000)),
            [0xfe00_0000..0xfee0_0000, 0xfef0_0000..0xff00_0000]
        );
        assert_eq!(clip(&w, &(0xfee0_0000..0xfef0_0000)), []);
    }
}
