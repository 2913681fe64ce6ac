//! Userspace access (feature `std`): a remote eDMA endpoint driven from a
//! Linux host through sysfs, as `dw-edma-pcie` would drive it from the
//! kernel.
//!
//! [`PciDevice::open`] finds `/sys/bus/pci/devices/<BDF>`, reads its
//! configuration space and parses it with [`crate::pcie::parse_config`];
//! [`PciDevice::map_bar`] maps `resourceN`; a [`BarMapping`] hands out the
//! register block ([`BarRegs`]) and LL regions ([`crate::MmioLl`]) inside it,
//! tied to the mapping's lifetime.
//!
//! The device must be bound to no kernel driver (or to `vfio-pci`/`uio`
//! with the BAR exposed) and bus mastering enabled; mapping needs root or
//! the file's permission.
//!
//! A host reading two device buffers into host memory in one batch (remote
//! deployment: the host *reading from* the device uses a **write** channel,
//! Linux's "inverted logic"), polling for completion:
//!
//! ```no_run
//! use edma_backend_mmio::userspace::PciDevice;
//! use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let dev = PciDevice::open("0000:01:00.0")?; // reads config space, parses the DMA VSEC
//!     let l = *dev.layout();
//!     let regs_bar = dev.map_bar(l.regs.bar)?;
//!     let ll_bar = dev.map_bar(l.ll_wr[0].bar)?;
//!     let regs = regs_bar.regs(l.regs)?;
//!     let ctrl = Controller::new(&regs, l.map, Deployment::Remote);
//!     // Completion reaches the host as a memory write (here: an MSI address).
//!     ctrl.configure_remote_interrupt(ChannelDir::Write, 0, 0xfee0_0000, 0x40);
//!     // Where the engine sees the LL block: for AMD/Xilinx devmem_phys_off
//!     // plus the block's offset; for other endpoints the BAR's local address.
//!     let ll_bus = l.devmem_phys_off.unwrap_or(0) + l.ll_wr[0].offset;
//!     let ll = ll_bar.ll(l.ll_wr[0], ll_bus)?;
//!     let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), ll);
//!     // (device-local source, host bus address destination, length)
//!     let batch = [
//!         Entry::new(0x1000_0000, 0x2_3456_0000, 4096),
//!         Entry::new(0x1000_8000, 0x2_3457_0000, 512),
//!     ];
//!     ch.submit(&ctrl, &batch)?;
//!     let done = loop {
//!         if let Some(c) = ch.on_interrupt(&ctrl).completion() {
//!             break c;
//!         }
//!         std::hint::spin_loop();
//!     };
//!     println!("{:?}: {} bytes, residue {}", done.status, done.bytes_done, done.residue);
//!     Ok(())
//! }
//! ```

use std::fs::{File, OpenOptions};
use std::io;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use edma_core::io::RegisterIo;
use memmap2::{MmapOptions, MmapRaw};

use crate::pcie::{Block, ConfigError, EdmaLayout, parse_config};
use crate::{LlKind, MmioLl, MmioRegs};

/// Errors of userspace access, each naming what it concerns.
///
/// ```
/// use edma_backend_mmio::userspace::{PciDevice, UserspaceError};
/// let err = PciDevice::open("0000:ff:1f.7").unwrap_err(); // no such device here
/// assert!(matches!(err, UserspaceError::NoDevice(_)));
/// assert!(err.to_string().starts_with("no PCI device at /sys/bus/pci/devices/0000:ff:1f.7"));
/// ```
#[derive(Debug)]
pub enum UserspaceError {
    /// No such device directory (wrong BDF, or no such device).
    NoDevice(PathBuf),
    /// The process may not read or map this file (needs root or the file's permission).
    PermissionDenied(PathBuf),
    /// The BAR is smaller than the block that must be inside it.
    BarTooSmall {
        /// BAR number.
        bar: u8,
        /// Bytes needed (block end).
        needed: u64,
        /// BAR size.
        size: u64,
    },
    /// An LL block overlaps one handed out earlier from the same mapping
    /// and still alive.
    Overlaps {
        /// BAR offset of the block asked for.
        offset: u64,
    },
    /// A size or offset does not fit this host's address space (a 32-bit
    /// host and a BAR or block beyond 4 GiB).
    TooLargeForHost {
        /// The value.
        value: u64,
    },
    /// A block is not aligned as the engine's registers or LL need.
    Misaligned {
        /// BAR offset of the block.
        offset: u64,
    },
    /// The configuration space does not describe an eDMA endpoint.
    Config(ConfigError),
    /// Any other I/O error on `path`.
    Io(PathBuf, io::Error),
}

impl core::fmt::Display for UserspaceError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            UserspaceError::NoDevice(p) => write!(f, "no PCI device at {}", p.display()),
            UserspaceError::PermissionDenied(p) => write!(
                f,
                "permission denied: {} (run as root or grant access)",
                p.display()
            ),
            UserspaceError::BarTooSmall { bar, needed, size } => {
                write!(f, "BAR {bar} is {size} bytes, {needed} needed")
            }
            UserspaceError::Misaligned { offset } => {
                write!(f, "block at BAR offset {offset:#x} is misaligned")
            }
            UserspaceError::Overlaps { offset } => write!(
                f,
                "LL block at BAR offset {offset:#x} overlaps one already in use"
            ),
            UserspaceError::TooLargeForHost { value } => {
                write!(f, "{value:#x} does not fit this host's address space")
            }
            UserspaceError::Config(e) => write!(f, "{e}"),
            UserspaceError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for UserspaceError {}

fn io_err(path: &Path, e: io::Error) -> UserspaceError {
    match e.kind() {
        io::ErrorKind::PermissionDenied => UserspaceError::PermissionDenied(path.to_path_buf()),
        io::ErrorKind::NotFound => UserspaceError::NoDevice(path.to_path_buf()),
        _ => UserspaceError::Io(path.to_path_buf(), e),
    }
}

/// A PCI device in sysfs.
///
/// ```
/// # fn fake(name: &str) -> std::path::PathBuf {
/// #     let dir = std::env::temp_dir().join(format!("edma-doc-{}-{name}", std::process::id()));
/// #     let _ = std::fs::remove_dir_all(&dir);
/// #     std::fs::create_dir_all(&dir).unwrap();
/// #     let mut cfg = vec![0u8; 4096];
/// #     cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes());
/// #     std::fs::write(dir.join("config"), &cfg).unwrap();
/// #     std::fs::File::create(dir.join("resource0")).unwrap().set_len(0x4000).unwrap();
/// #     std::fs::File::create(dir.join("resource2")).unwrap().set_len(0x80_0000).unwrap();
/// #     dir
/// # }
/// # #[cfg(miri)] fn main() {} // file mappings are beyond Miri
/// # #[cfg(not(miri))] fn main() {
/// use edma_backend_mmio::userspace::PciDevice;
/// use edma_core::MapFormat;
/// // A directory laid out as /sys/bus/pci/devices/<BDF> (a fake one here).
/// let dev = PciDevice::open_dir(fake("pci")).unwrap();
/// assert_eq!((dev.layout().vendor, dev.layout().device), (0x16c3, 0xedda));
/// assert_eq!(dev.layout().map, MapFormat::EdmaUnroll);
/// # }
/// ```
#[derive(Debug)]
pub struct PciDevice {
    dir: PathBuf,
    layout: EdmaLayout,
}

impl PciDevice {
    /// Opens `/sys/bus/pci/devices/<bdf>` (for example `0000:01:00.0`).
    ///
    /// ```
    /// use edma_backend_mmio::userspace::PciDevice;
    /// match PciDevice::open("0000:ff:1f.7") {
    ///     Ok(dev) => println!("{:?}", dev.layout().map),
    ///     Err(e) => println!("{e}"), // names the path and what is wrong
    /// }
    /// ```
    pub fn open(bdf: &str) -> Result<Self, UserspaceError> {
        Self::open_dir(Path::new("/sys/bus/pci/devices").join(bdf))
    }

    /// Opens a sysfs-like device directory holding `config` and `resourceN`.
    ///
    /// ```
    /// # fn fake(name: &str) -> std::path::PathBuf {
    /// #     let dir = std::env::temp_dir().join(format!("edma-doc-{}-{name}", std::process::id()));
    /// #     let _ = std::fs::remove_dir_all(&dir);
    /// #     std::fs::create_dir_all(&dir).unwrap();
    /// #     let mut cfg = vec![0u8; 4096];
    /// #     cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes());
    /// #     std::fs::write(dir.join("config"), &cfg).unwrap();
    /// #     std::fs::File::create(dir.join("resource0")).unwrap().set_len(0x4000).unwrap();
    /// #     std::fs::File::create(dir.join("resource2")).unwrap().set_len(0x80_0000).unwrap();
    /// #     dir
    /// # }
    /// # #[cfg(miri)] fn main() {} // file mappings are beyond Miri
    /// # #[cfg(not(miri))] fn main() {
    /// use edma_backend_mmio::userspace::{PciDevice, UserspaceError};
    /// assert!(PciDevice::open_dir(fake("od")).is_ok());
    /// let missing = std::env::temp_dir().join("edma-doc-no-such-device");
    /// assert!(matches!(PciDevice::open_dir(missing), Err(UserspaceError::NoDevice(_))));
    /// # }
    /// ```
    pub fn open_dir(dir: impl Into<PathBuf>) -> Result<Self, UserspaceError> {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(UserspaceError::NoDevice(dir));
        }
        let cfg_path = dir.join("config");
        let cfg = std::fs::read(&cfg_path).map_err(|e| io_err(&cfg_path, e))?;
        let layout = parse_config(&cfg).map_err(UserspaceError::Config)?;
        Ok(PciDevice { dir, layout })
    }

    /// Where the engine and its LL regions are.
    ///
    /// ```
    /// # fn fake(name: &str) -> std::path::PathBuf {
    /// #     let dir = std::env::temp_dir().join(format!("edma-doc-{}-{name}", std::process::id()));
    /// #     let _ = std::fs::remove_dir_all(&dir);
    /// #     std::fs::create_dir_all(&dir).unwrap();
    /// #     let mut cfg = vec![0u8; 4096];
    /// #     cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes());
    /// #     std::fs::write(dir.join("config"), &cfg).unwrap();
    /// #     std::fs::File::create(dir.join("resource0")).unwrap().set_len(0x4000).unwrap();
    /// #     std::fs::File::create(dir.join("resource2")).unwrap().set_len(0x80_0000).unwrap();
    /// #     dir
    /// # }
    /// # #[cfg(miri)] fn main() {} // file mappings are beyond Miri
    /// # #[cfg(not(miri))] fn main() {
    /// use edma_backend_mmio::userspace::PciDevice;
    /// let dev = PciDevice::open_dir(fake("lay")).unwrap();
    /// let l = dev.layout();
    /// assert_eq!((l.regs.bar, l.regs.offset), (0, 0x1000));
    /// assert_eq!(l.ll_wr[0].bar, 2);
    /// # }
    /// ```
    pub fn layout(&self) -> &EdmaLayout {
        &self.layout
    }

    /// Maps BAR `bar` read-write.
    ///
    /// ```
    /// # fn fake(name: &str) -> std::path::PathBuf {
    /// #     let dir = std::env::temp_dir().join(format!("edma-doc-{}-{name}", std::process::id()));
    /// #     let _ = std::fs::remove_dir_all(&dir);
    /// #     std::fs::create_dir_all(&dir).unwrap();
    /// #     let mut cfg = vec![0u8; 4096];
    /// #     cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes());
    /// #     std::fs::write(dir.join("config"), &cfg).unwrap();
    /// #     std::fs::File::create(dir.join("resource0")).unwrap().set_len(0x4000).unwrap();
    /// #     std::fs::File::create(dir.join("resource2")).unwrap().set_len(0x80_0000).unwrap();
    /// #     dir
    /// # }
    /// # #[cfg(miri)] fn main() {} // file mappings are beyond Miri
    /// # #[cfg(not(miri))] fn main() {
    /// use edma_backend_mmio::userspace::PciDevice;
    /// let dev = PciDevice::open_dir(fake("map")).unwrap();
    /// let bar0 = dev.map_bar(0).unwrap();
    /// assert_eq!(bar0.size(), 0x4000);
    /// assert!(dev.map_bar(4).is_err()); // no resource4 file
    /// # }
    /// ```
    pub fn map_bar(&self, bar: u8) -> Result<BarMapping, UserspaceError> {
        let path = self.dir.join(format!("resource{bar}"));
        let file: File = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        let size = file.metadata().map_err(|e| io_err(&path, e))?.len();
        if size == 0 {
            return Err(UserspaceError::BarTooSmall {
                bar,
                needed: 1,
                size,
            });
        }
        let len = host_usize(size)?;
        let map = MmapOptions::new()
            .len(len)
            .map_raw(&file)
            .map_err(|e| io_err(&path, e))?;
        Ok(BarMapping {
            bar,
            map,
            size,
            lls: Mutex::new(Vec::new()),
        })
    }
}

/// `v` as a host `usize`, or an error on a 32-bit host where it does not fit.
fn host_usize(v: u64) -> Result<usize, UserspaceError> {
    usize::try_from(v).map_err(|_| UserspaceError::TooLargeForHost { value: v })
}

/// A mapped BAR.
///
/// ```
/// # fn fake(name: &str) -> std::path::PathBuf {
/// #     let dir = std::env::temp_dir().join(format!("edma-doc-{}-{name}", std::process::id()));
/// #     let _ = std::fs::remove_dir_all(&dir);
/// #     std::fs::create_dir_all(&dir).unwrap();
/// #     let mut cfg = vec![0u8; 4096];
/// #     cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes());
/// #     std::fs::write(dir.join("config"), &cfg).unwrap();
/// #     std::fs::File::create(dir.join("resource0")).unwrap().set_len(0x4000).unwrap();
/// #     std::fs::File::create(dir.join("resource2")).unwrap().set_len(0x80_0000).unwrap();
/// #     dir
/// # }
/// # #[cfg(miri)] fn main() {} // file mappings are beyond Miri
/// # #[cfg(not(miri))] fn main() {
/// use edma_backend_mmio::userspace::PciDevice;
/// use edma_core::io::RegisterIo;
/// let dev = PciDevice::open_dir(fake("bm")).unwrap();
/// let l = *dev.layout();
/// let bar0 = dev.map_bar(l.regs.bar).unwrap();
/// let regs = bar0.regs(l.regs).unwrap();
/// regs.write32(0x8, 0x0008_0008); // lands at BAR offset 0x1008
/// assert_eq!(regs.read32(0x8), 0x0008_0008);
/// # }
/// ```
#[derive(Debug)]
pub struct BarMapping {
    bar: u8,
    map: MmapRaw,
    size: u64,
    /// LL blocks handed out and alive: (offset, size).
    lls: Mutex<Vec<(u64, u64)>>,
}

impl BarMapping {
    /// A mapping of BAR `bar` made elsewhere (the VFIO layer maps the
    /// device file at the region's offset).
    #[cfg(feature = "vfio")]
    pub(crate) fn from_map(bar: u8, map: MmapRaw, size: u64) -> Self {
        BarMapping {
            bar,
            map,
            size,
            lls: Mutex::new(Vec::new()),
        }
    }

    /// BAR size in bytes.
    ///
    /// ```
    /// # fn fake(name: &str) -> std::path::PathBuf {
    /// #     let dir = std::env::temp_dir().join(format!("edma-doc-{}-{name}", std::process::id()));
    /// #     let _ = std::fs::remove_dir_all(&dir);
    /// #     std::fs::create_dir_all(&dir).unwrap();
    /// #     let mut cfg = vec![0u8; 4096];
    /// #     cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes());
    /// #     std::fs::write(dir.join("config"), &cfg).unwrap();
    /// #     std::fs::File::create(dir.join("resource0")).unwrap().set_len(0x4000).unwrap();
    /// #     std::fs::File::create(dir.join("resource2")).unwrap().set_len(0x80_0000).unwrap();
    /// #     dir
    /// # }
    /// # #[cfg(miri)] fn main() {} // file mappings are beyond Miri
    /// # #[cfg(not(miri))] fn main() {
    /// use edma_backend_mmio::userspace::PciDevice;
    /// let dev = PciDevice::open_dir(fake("sz")).unwrap();
    /// assert_eq!(dev.map_bar(2).unwrap().size(), 0x80_0000);
    /// # }
    /// ```
    pub fn size(&self) -> u64 {
        self.size
    }

    fn check(&self, block: Block, align: u64) -> Result<*mut u8, UserspaceError> {
        let end = block.offset.saturating_add(block.size);
        if block.bar != self.bar || end > self.size {
            return Err(UserspaceError::BarTooSmall {
                bar: block.bar,
                needed: end,
                size: self.size,
            });
        }
        if !block.offset.is_multiple_of(align) {
            return Err(UserspaceError::Misaligned {
                offset: block.offset,
            });
        }
        // In range: offset + size <= mapping length, which fits in usize.
        Ok(self
            .map
            .as_mut_ptr()
            .wrapping_add(host_usize(block.offset)?))
    }

    /// The register block `block` (which must be in this BAR).
    ///
    /// ```
    /// # fn fake(name: &str) -> std::path::PathBuf {
    /// #     let dir = std::env::temp_dir().join(format!("edma-doc-{}-{name}", std::process::id()));
    /// #     let _ = std::fs::remove_dir_all(&dir);
    /// #     std::fs::create_dir_all(&dir).unwrap();
    /// #     let mut cfg = vec![0u8; 4096];
    /// #     cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes());
    /// #     std::fs::write(dir.join("config"), &cfg).unwrap();
    /// #     std::fs::File::create(dir.join("resource0")).unwrap().set_len(0x4000).unwrap();
    /// #     std::fs::File::create(dir.join("resource2")).unwrap().set_len(0x80_0000).unwrap();
    /// #     dir
    /// # }
    /// # #[cfg(miri)] fn main() {} // file mappings are beyond Miri
    /// # #[cfg(not(miri))] fn main() {
    /// use edma_backend_mmio::pcie::Block;
    /// use edma_backend_mmio::userspace::{PciDevice, UserspaceError};
    /// let dev = PciDevice::open_dir(fake("rg")).unwrap();
    /// let bar0 = dev.map_bar(0).unwrap();
    /// let too_big = Block { bar: 0, offset: 0x3000, size: 0x2000 };
    /// assert!(matches!(bar0.regs(too_big), Err(UserspaceError::BarTooSmall { bar: 0, needed: 0x5000, size: 0x4000 })));
    /// # }
    /// ```
    pub fn regs(&self, block: Block) -> Result<BarRegs<'_>, UserspaceError> {
        let base = self.check(block, 4)?;
        let len = host_usize(block.size)?;
        // SAFETY: `check` proved [offset, offset + size) lies inside the
        // mapping, which lives as long as the returned value borrows `self`;
        // the mapping is page aligned and the offset 4-aligned.
        let regs = unsafe { MmioRegs::new(base, len) };
        Ok(BarRegs {
            regs,
            _map: PhantomData,
        })
    }

    /// An LL region `block` in this BAR, seen by the engine at `bus`.
    /// Several regions of one mapping can be alive at once (one per
    /// channel); a block overlapping a live one is refused.
    ///
    /// ```
    /// # fn fake(name: &str) -> std::path::PathBuf {
    /// #     let dir = std::env::temp_dir().join(format!("edma-doc-{}-{name}", std::process::id()));
    /// #     let _ = std::fs::remove_dir_all(&dir);
    /// #     std::fs::create_dir_all(&dir).unwrap();
    /// #     let mut cfg = vec![0u8; 4096];
    /// #     cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes());
    /// #     std::fs::write(dir.join("config"), &cfg).unwrap();
    /// #     std::fs::File::create(dir.join("resource0")).unwrap().set_len(0x4000).unwrap();
    /// #     std::fs::File::create(dir.join("resource2")).unwrap().set_len(0x80_0000).unwrap();
    /// #     dir
    /// # }
    /// # #[cfg(miri)] fn main() {} // file mappings are beyond Miri
    /// # #[cfg(not(miri))] fn main() {
    /// use edma_backend_mmio::userspace::{PciDevice, UserspaceError};
    /// use edma_core::io::LlMemory;
    /// let dev = PciDevice::open_dir(fake("ll")).unwrap();
    /// let l = *dev.layout();
    /// let bar2 = dev.map_bar(2).unwrap();
    /// let ll = bar2.ll(l.ll_wr[0], 0x8000_0000).unwrap();
    /// assert_eq!((ll.capacity(), ll.bus_addr()), ((l.ll_wr[0].size / 24) as usize, 0x8000_0000));
    /// // The same block twice at once would let two channels overwrite each other.
    /// assert!(matches!(bar2.ll(l.ll_wr[0], 0x8000_0000), Err(UserspaceError::Overlaps { .. })));
    /// # }
    /// ```
    pub fn ll(&self, block: Block, bus: u64) -> Result<BarLl<'_>, UserspaceError> {
        let base = self.check(block, 8)?;
        let slots = host_usize(block.size / 24)?;
        let mut lls = self
            .lls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let end = block.offset.saturating_add(block.size);
        if lls
            .iter()
            .any(|&(o, n)| block.offset < o.saturating_add(n) && o < end)
        {
            return Err(UserspaceError::Overlaps {
                offset: block.offset,
            });
        }
        lls.push((block.offset, block.size));
        // SAFETY: as in `regs`, with 8-byte alignment; no other live `BarLl`
        // of this mapping overlaps the block (checked above, removed on
        // drop), so the region is exclusively ours while the value lives.
        let ll = unsafe { MmioLl::new(base, slots, bus, LlKind::Device) };
        Ok(BarLl {
            ll,
            map: self,
            block: (block.offset, block.size),
            quarantined: false,
        })
    }
}

/// Registers inside a [`BarMapping`].
///
/// ```
/// # fn fake(name: &str) -> std::path::PathBuf {
/// #     let dir = std::env::temp_dir().join(format!("edma-doc-{}-{name}", std::process::id()));
/// #     let _ = std::fs::remove_dir_all(&dir);
/// #     std::fs::create_dir_all(&dir).unwrap();
/// #     let mut cfg = vec![0u8; 4096];
/// #     cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes());
/// #     std::fs::write(dir.join("config"), &cfg).unwrap();
/// #     std::fs::File::create(dir.join("resource0")).unwrap().set_len(0x4000).unwrap();
/// #     std::fs::File::create(dir.join("resource2")).unwrap().set_len(0x80_0000).unwrap();
/// #     dir
/// # }
/// # #[cfg(miri)] fn main() {} // file mappings are beyond Miri
/// # #[cfg(not(miri))] fn main() {
/// use edma_backend_mmio::userspace::PciDevice;
/// use edma_core::{Controller, Deployment};
/// let dev = PciDevice::open_dir(fake("br")).unwrap();
/// let l = *dev.layout();
/// let bar0 = dev.map_bar(0).unwrap();
/// let regs = bar0.regs(l.regs).unwrap();
/// let ctrl = Controller::new(&regs, l.map, Deployment::Remote);
/// assert_eq!(ctrl.channel_counts(), (0, 0)); // the fake BAR reads CTRL = 0
/// # }
/// ```
#[derive(Debug)]
pub struct BarRegs<'m> {
    regs: MmioRegs,
    _map: PhantomData<&'m BarMapping>,
}

impl RegisterIo for BarRegs<'_> {
    fn read32(&self, offset: usize) -> u32 {
        self.regs.read32(offset)
    }
    fn write32(&self, offset: usize, value: u32) {
        self.regs.write32(offset, value)
    }
}

/// An LL region inside a [`BarMapping`].
///
/// ```
/// # fn fake(name: &str) -> std::path::PathBuf {
/// #     let dir = std::env::temp_dir().join(format!("edma-doc-{}-{name}", std::process::id()));
/// #     let _ = std::fs::remove_dir_all(&dir);
/// #     std::fs::create_dir_all(&dir).unwrap();
/// #     let mut cfg = vec![0u8; 4096];
/// #     cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes());
/// #     std::fs::write(dir.join("config"), &cfg).unwrap();
/// #     std::fs::File::create(dir.join("resource0")).unwrap().set_len(0x4000).unwrap();
/// #     std::fs::File::create(dir.join("resource2")).unwrap().set_len(0x80_0000).unwrap();
/// #     dir
/// # }
/// # #[cfg(miri)] fn main() {} // file mappings are beyond Miri
/// # #[cfg(not(miri))] fn main() {
/// use edma_backend_mmio::userspace::PciDevice;
/// use edma_core::desc::{Control, Element};
/// use edma_core::io::LlMemory;
/// let dev = PciDevice::open_dir(fake("bl")).unwrap();
/// let l = *dev.layout();
/// let bar2 = dev.map_bar(2).unwrap();
/// let mut ll = bar2.ll(l.ll_rd[1], 0x10_0000).unwrap();
/// ll.write(0, &Element::data(Control::CB, 8, 0x1000, 0x2000));
/// assert_eq!(ll.read(0), Some(Element::data(Control::CB, 8, 0x1000, 0x2000)));
/// # }
/// ```
#[derive(Debug)]
pub struct BarLl<'m> {
    ll: MmioLl,
    map: &'m BarMapping,
    block: (u64, u64),
    /// The engine may still fetch from the block: it stays reserved.
    quarantined: bool,
}

impl Drop for BarLl<'_> {
    fn drop(&mut self) {
        if self.quarantined {
            // Never handed out again from this mapping.
            return;
        }
        let mut lls = self
            .map
            .lls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(i) = lls.iter().position(|b| *b == self.block) {
            lls.swap_remove(i);
        }
    }
}

impl edma_core::io::LlMemory for BarLl<'_> {
    fn bus_addr(&self) -> u64 {
        self.ll.bus_addr()
    }
    /// The block stays reserved in its mapping: [`BarMapping::ll`] refuses
    /// it (`Overlaps`) from now on.
    fn quarantine(&mut self) {
        self.quarantined = true;
    }
    fn capacity(&self) -> usize {
        self.ll.capacity()
    }
    fn write(&mut self, index: usize, element: &edma_core::desc::Element) {
        self.ll.write(index, element)
    }
    fn sync(&mut self) {
        self.ll.sync()
    }
    fn read(&self, index: usize) -> Option<edma_core::desc::Element> {
        self.ll.read(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Root bypasses file permissions, so a real EACCES cannot be provoked in
    /// CI; the classification every open/map error goes through is checked here.
    #[test]
    fn io_errors_are_classified() {
        let p = Path::new("/sys/bus/pci/devices/0000:01:00.0/resource0");
        assert!(
            matches!(io_err(p, io::Error::from(io::ErrorKind::PermissionDenied)), UserspaceError::PermissionDenied(q) if q == p)
        );
        assert!(matches!(
            io_err(p, io::Error::from(io::ErrorKind::NotFound)),
            UserspaceError::NoDevice(_)
        ));
        assert!(matches!(
            io_err(p, io::Error::from(io::ErrorKind::InvalidInput)),
            UserspaceError::Io(_, _)
        ));
        assert!(
            UserspaceError::PermissionDenied(p.into())
                .to_string()
                .contains("permission denied")
        );
    }
}
