//! What can go wrong opening a VFIO device and mapping memory for it, each
//! error naming the step and the object it concerns.

use std::io;
use std::path::PathBuf;

/// Errors of the VFIO layer.
///
/// Every error is returned after everything the failed call had set up is
/// undone: no IOVA stays allocated or mapped, no file stays open.
///
/// ```
/// use edma_backend_mmio::vfio::VfioError;
/// let e = VfioError::NoInterruptRemapping { step: "VFIO_SET_IOMMU" };
/// assert!(e.to_string().contains("interrupt remapping"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum VfioError {
    /// No PCI device at this address (`/sys/bus/pci/devices/<bdf>` absent).
    NoDevice(String),
    /// The device has no IOMMU group: the kernel runs without an IOMMU (or
    /// it is off: `intel_iommu=on` / `amd_iommu=on`), so VFIO cannot
    /// isolate it.
    NoIommuGroup(String),
    /// The device is bound to another driver (or none); bind it to
    /// `vfio-pci` first (docs/guides/userspace.md).
    NotBoundToVfio {
        /// The device.
        bdf: String,
        /// Its driver now, if any.
        driver: Option<String>,
    },
    /// A device of the same IOMMU group is bound to a host driver, so the
    /// group cannot be given to userspace.
    GroupNotViable(u32),
    /// The kernel refused with EPERM because the platform has no interrupt
    /// remapping (VFIO would otherwise let the device forge interrupts).
    /// `step` names the ioctl.
    NoInterruptRemapping {
        /// The refused operation.
        step: &'static str,
    },
    /// The process may not open this file (permissions of `/dev/vfio/*`,
    /// `/dev/iommu`).
    PermissionDenied(PathBuf),
    /// The kernel has neither this VFIO path's files nor its ioctls (no
    /// `CONFIG_IOMMUFD`/`CONFIG_VFIO_DEVICE_CDEV`, or no
    /// `CONFIG_VFIO_CONTAINER`).
    PathUnavailable {
        /// What was missing.
        what: &'static str,
    },
    /// No free IOVA range of this size is left (freed ranges wait for
    /// [`DmaSpace::reclaim`](crate::vfio::DmaSpace::reclaim)).
    IovaExhausted {
        /// Bytes asked for (rounded up to pages).
        requested: u64,
        /// Largest free range.
        largest_free: u64,
        /// Bytes of dropped buffers not yet reclaimed.
        retired: u64,
    },
    /// The pinned-memory limit (`RLIMIT_MEMLOCK`) refused the mapping.
    MemlockLimit {
        /// Bytes asked for.
        requested: u64,
    },
    /// The device has no region (BAR) with this index, or it is empty.
    NoSuchRegion(u32),
    /// The region exists but cannot be memory-mapped.
    RegionNotMappable(u32),
    /// A block asked for lies outside the BAR.
    BarTooSmall {
        /// Region index.
        bar: u32,
        /// Bytes needed from the start of the BAR.
        needed: u64,
        /// The BAR's size.
        size: u64,
    },
    /// The device has no interrupt of this kind (index) or not this many.
    IrqUnavailable {
        /// VFIO interrupt index (0 INTx, 1 MSI, 2 MSI-X).
        index: u32,
        /// Vectors asked for.
        count: u32,
        /// Vectors the device has.
        available: u32,
    },
    /// The device does not support `VFIO_DEVICE_RESET`.
    ResetUnsupported,
    /// The device's configuration space does not describe an eDMA
    /// endpoint Linux's `dw-edma-pcie` would drive.
    NotEdma(crate::pcie::ConfigError),
    /// A buffer, slice or size argument was wrong (zero length, past the end).
    InvalidArgument(&'static str),
    /// Another system call failed.
    Io {
        /// The operation (an ioctl name or a path).
        step: String,
        /// The error.
        source: io::Error,
    },
}

impl core::fmt::Display for VfioError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            VfioError::NoDevice(b) => write!(f, "no PCI device {b}"),
            VfioError::NoIommuGroup(b) => write!(
                f,
                "{b} has no IOMMU group: the kernel runs without an IOMMU (enable VT-d/AMD-Vi and intel_iommu=on)"
            ),
            VfioError::NotBoundToVfio { bdf, driver } => match driver {
                Some(d) => write!(f, "{bdf} is bound to {d}, not vfio-pci"),
                None => write!(f, "{bdf} is bound to no driver; bind it to vfio-pci"),
            },
            VfioError::GroupNotViable(g) => write!(
                f,
                "IOMMU group {g} is not viable: another device in it is bound to a host driver"
            ),
            VfioError::NoInterruptRemapping { step } => write!(
                f,
                "{step}: EPERM, the platform has no interrupt remapping (enable IRQ remapping in firmware and kernel)"
            ),
            VfioError::PermissionDenied(p) => {
                write!(f, "permission denied opening {}", p.display())
            }
            VfioError::PathUnavailable { what } => write!(f, "this kernel has no {what}"),
            VfioError::IovaExhausted {
                requested,
                largest_free,
                retired,
            } => write!(
                f,
                "IOVA space exhausted: {requested} bytes asked, largest free range {largest_free}, {retired} bytes retired awaiting reclaim"
            ),
            VfioError::MemlockLimit { requested } => write!(
                f,
                "pinning {requested} bytes exceeds RLIMIT_MEMLOCK (raise it: ulimit -l, limits.conf)"
            ),
            VfioError::NoSuchRegion(i) => write!(f, "the device has no region {i}"),
            VfioError::RegionNotMappable(i) => write!(f, "region {i} cannot be mmap'd"),
            VfioError::BarTooSmall { bar, needed, size } => {
                write!(f, "BAR {bar} is {size} bytes; {needed} needed")
            }
            VfioError::IrqUnavailable {
                index,
                count,
                available,
            } => write!(
                f,
                "interrupt index {index}: {count} vectors asked, the device has {available}"
            ),
            VfioError::ResetUnsupported => write!(f, "the device does not support reset"),
            VfioError::NotEdma(e) => write!(f, "not an eDMA endpoint: {e}"),
            VfioError::InvalidArgument(w) => write!(f, "invalid argument: {w}"),
            VfioError::Io { step, source } => write!(f, "{step}: {source}"),
        }
    }
}

impl std::error::Error for VfioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VfioError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// How a failed step's errno is reported: EPERM from the two calls that
/// attach a device to an IOMMU means no interrupt remapping; ENOMEM from a
/// DMA map means the memlock limit (the kernel's accounting); EACCES on
/// open is a permission; ENOENT/ENOTTY a missing path; the rest as is.
pub(crate) fn classify(step: &'static str, len: u64, err: io::Error) -> VfioError {
    match (step, err.raw_os_error()) {
        (
            "VFIO_SET_IOMMU" | "VFIO_DEVICE_BIND_IOMMUFD" | "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
            Some(libc::EPERM),
        ) => VfioError::NoInterruptRemapping { step },
        ("VFIO_IOMMU_MAP_DMA" | "IOMMU_IOAS_MAP", Some(libc::ENOMEM)) => {
            VfioError::MemlockLimit { requested: len }
        }
        (_, Some(libc::ENOTTY)) => VfioError::PathUnavailable { what: step },
        _ => VfioError::Io {
            step: step.into(),
            source: err,
        },
    }
}

/// An error opening `path`.
pub(crate) fn open_error(path: &std::path::Path, what: &'static str, err: io::Error) -> VfioError {
    match err.kind() {
        io::ErrorKind::PermissionDenied => VfioError::PermissionDenied(path.into()),
        io::ErrorKind::NotFound => VfioError::PathUnavailable { what },
        _ => VfioError::Io {
            step: path.display().to_string(),
            source: err,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errno(e: i32) -> io::Error {
        io::Error::from_raw_os_error(e)
    }

    #[test]
    fn eperm_on_attach_means_no_interrupt_remapping() {
        for step in [
            "VFIO_SET_IOMMU",
            "VFIO_DEVICE_BIND_IOMMUFD",
            "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
        ] {
            assert!(matches!(
                classify(step, 0, errno(libc::EPERM)),
                VfioError::NoInterruptRemapping { step: s } if s == step
            ));
        }
        // EPERM elsewhere is reported as it is, with the step.
        let e = classify("VFIO_GROUP_SET_CONTAINER", 0, errno(libc::EPERM));
        assert!(
            matches!(&e, VfioError::Io { step, source } if step == "VFIO_GROUP_SET_CONTAINER" && source.raw_os_error() == Some(libc::EPERM))
        );
        assert!(e.to_string().starts_with("VFIO_GROUP_SET_CONTAINER: "));
    }

    #[test]
    fn enomem_on_map_is_the_memlock_limit() {
        assert!(matches!(
            classify("VFIO_IOMMU_MAP_DMA", 8192, errno(libc::ENOMEM)),
            VfioError::MemlockLimit { requested: 8192 }
        ));
        assert!(matches!(
            classify("IOMMU_IOAS_MAP", 4096, errno(libc::ENOMEM)),
            VfioError::MemlockLimit { requested: 4096 }
        ));
        assert!(matches!(
            classify("VFIO_IOMMU_MAP_DMA", 8192, errno(libc::EINVAL)),
            VfioError::Io { .. }
        ));
        assert!(matches!(
            classify("IOMMU_IOAS_ALLOC", 0, errno(libc::ENOTTY)),
            VfioError::PathUnavailable {
                what: "IOMMU_IOAS_ALLOC"
            }
        ));
    }

    #[test]
    fn open_errors_name_the_file() {
        let p = std::path::Path::new("/dev/vfio/12");
        assert!(matches!(
            open_error(p, "VFIO group file", io::Error::from(io::ErrorKind::PermissionDenied)),
            VfioError::PermissionDenied(q) if q == p
        ));
        assert!(matches!(
            open_error(
                p,
                "VFIO group file",
                io::Error::from(io::ErrorKind::NotFound)
            ),
            VfioError::PathUnavailable {
                what: "VFIO group file"
            }
        ));
        let msg = VfioError::NotBoundToVfio {
            bdf: "0000:00:03.0".into(),
            driver: Some("e1000e".into()),
        }
        .to_string();
        assert_eq!(msg, "0000:00:03.0 is bound to e1000e, not vfio-pci");
    }
}
