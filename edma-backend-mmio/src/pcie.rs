//! Where a remote eDMA/HDMA lives behind a PCIe endpoint's BARs, found the
//! way Linux's `drivers/dma/dw-edma/dw-edma-pcie.c` finds it.
//!
//! [`parse_config`] takes an image of the device's configuration space (the
//! bytes of `/sys/bus/pci/devices/<BDF>/config`), starts from the defaults
//! Linux has for the device ID, and applies the vendor-specific extended
//! capabilities (VSEC) it finds:
//!
//! * **Synopsys** (vendor 0x16c3), VSEC ID 0x6, revision 0, length 0x18:
//!   `+0x8` map format (2:0) and register BAR (10:8); `+0xc` write channels
//!   (9:0) and read channels (25:16), each capped by the defaults; `+0x10`
//!   register offset low, `+0x14` high.
//! * **AMD/Xilinx** (vendor 0x10ee), VSEC ID 0x6 with the same layout (map
//!   must be HDMA native), and VSEC ID 0x20 holding the device-memory
//!   physical offset (`+0xc` high, `+0x8` low). Without it the LL has no
//!   device address and the channels run in non-LL mode; with it, LL regions
//!   sit in BAR 2 every 2 MiB (2 KiB each), write channels first.
//!
//! ```
//! use edma_backend_mmio::pcie::{parse_config, ConfigError};
//! // A 4 KiB image of a device that is not an eDMA endpoint.
//! let mut cfg = [0u8; 4096];
//! cfg[0..4].copy_from_slice(&[0x86, 0x80, 0x34, 0x12]); // 8086:1234
//! assert_eq!(parse_config(&cfg), Err(ConfigError::UnsupportedDevice { vendor: 0x8086, device: 0x1234 }));
//! ```

use edma_core::MapFormat;

/// Synopsys' PCI vendor ID.
pub const VENDOR_SYNOPSYS: u16 = 0x16c3;
/// The Synopsys eDMA test endpoint (`PCI_DEVICE_ID_SYNOPSYS_EDDA`).
pub const DEVICE_SYNOPSYS_EDDA: u16 = 0xedda;
/// AMD/Xilinx's PCI vendor ID.
pub const VENDOR_XILINX: u16 = 0x10ee;
/// AMD/Xilinx MDB endpoint.
pub const DEVICE_XILINX_B054: u16 = 0xb054;
/// AMD/Xilinx CPM6 endpoint.
pub const DEVICE_XILINX_B00F: u16 = 0xb00f;

const EXT_CAP_START: usize = 0x100;
const EXT_CAP_ID_VNDR: u32 = 0x0b;
const VSEC_DMA_ID: u32 = 0x6;
const XILINX_VSEC_DEVMEM_ID: u32 = 0x20;
const XILINX_LL_GAP: u64 = 0x20_0000;
const XILINX_LL_SIZE: u64 = 0x800;

/// A region of a BAR.
///
/// ```
/// use edma_backend_mmio::pcie::Block;
/// let regs = Block { bar: 0, offset: 0x1000, size: 0x2000 };
/// assert_eq!(regs.offset + regs.size, 0x3000); // must fit in the BAR
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Block {
    /// BAR number (0..=5).
    pub bar: u8,
    /// Offset inside the BAR.
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
}

/// Where the engine and its LL regions are, per Linux's rules.
///
/// ```
/// use edma_backend_mmio::pcie::{parse_config, Block};
/// use edma_core::MapFormat;
/// let mut cfg = [0u8; 4096];
/// cfg[0..4].copy_from_slice(&0xedda_16c3u32.to_le_bytes()); // Synopsys test endpoint, no VSEC
/// let l = parse_config(&cfg).unwrap();
/// // Linux's defaults for that endpoint.
/// assert_eq!((l.map, l.regs, l.vsec_found), (MapFormat::EdmaUnroll, Block { bar: 0, offset: 0x1000, size: 0x2000 }, false));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdmaLayout {
    /// PCI vendor ID.
    pub vendor: u16,
    /// PCI device ID.
    pub device: u16,
    /// Register map format.
    pub map: MapFormat,
    /// The register block.
    pub regs: Block,
    /// Write channels.
    pub wr_channels: u8,
    /// Read channels.
    pub rd_channels: u8,
    /// LL region of each write channel (the first `wr_channels` are meaningful).
    pub ll_wr: [Block; 8],
    /// LL region of each read channel.
    pub ll_rd: [Block; 8],
    /// True when the LL has no device address (AMD/Xilinx without the
    /// device-memory VSEC): use non-LL channels.
    pub non_ll: bool,
    /// AMD/Xilinx: the engine-side physical address of BAR memory (what LLP
    /// must hold for an LL region at BAR offset 0).
    pub devmem_phys_off: Option<u64>,
    /// Whether a DMA VSEC was found and applied.
    pub vsec_found: bool,
}

/// Why a configuration space image cannot describe an eDMA endpoint.
///
/// ```
/// use edma_backend_mmio::pcie::{parse_config, ConfigError};
/// assert_eq!(parse_config(&[0u8; 16]), Err(ConfigError::Truncated { len: 16 }));
/// let mut cfg = [0u8; 64];
/// cfg[0..4].copy_from_slice(&0x1234_8086u32.to_le_bytes());
/// let err = parse_config(&cfg).unwrap_err();
/// assert_eq!(err.to_string(), "8086:1234 is not a known eDMA endpoint");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// Fewer than 64 bytes: not even a standard header.
    Truncated {
        /// Bytes given.
        len: usize,
    },
    /// A vendor/device pair Linux's `dw-edma-pcie` does not drive.
    UnsupportedDevice {
        /// Vendor ID.
        vendor: u16,
        /// Device ID.
        device: u16,
    },
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ConfigError::Truncated { len } => {
                write!(f, "configuration space image too short ({len} bytes)")
            }
            ConfigError::UnsupportedDevice { vendor, device } => {
                write!(f, "{vendor:04x}:{device:04x} is not a known eDMA endpoint")
            }
        }
    }
}

impl core::error::Error for ConfigError {}

fn dword(cfg: &[u8], off: usize) -> Option<u32> {
    let b = cfg.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Offset of the vendor's VSEC with `id`, walking the extended capability
/// list as `pci_find_vsec_capability` does (the device's own vendor must
/// match; malformed lists end the walk instead of looping).
fn find_vsec(cfg: &[u8], dev_vendor: u16, vendor: u16, id: u32) -> Option<usize> {
    if dev_vendor != vendor {
        return None;
    }
    let mut pos = EXT_CAP_START;
    // Each capability takes at least 4 bytes: bound the walk.
    for _ in 0..(4096 - EXT_CAP_START) / 4 {
        let hdr = dword(cfg, pos)?;
        if hdr == 0 || hdr == u32::MAX {
            return None;
        }
        if hdr & 0xffff == EXT_CAP_ID_VNDR && dword(cfg, pos + 4).is_some_and(|v| v & 0xffff == id)
        {
            return Some(pos);
        }
        let next = ((hdr >> 20) & 0xffc) as usize;
        if next < EXT_CAP_START {
            return None;
        }
        pos = next;
    }
    None
}

/// The DMA VSEC fields, when present and well-formed (revision 0, length 0x18).
struct DmaVsec {
    map: u32,
    bar: u8,
    wr: u32,
    rd: u32,
    off: u64,
}

fn dma_vsec(cfg: &[u8], dev_vendor: u16, vendor: u16) -> Option<DmaVsec> {
    let pos = find_vsec(cfg, dev_vendor, vendor, VSEC_DMA_ID)?;
    let hdr = dword(cfg, pos + 4)?;
    if (hdr >> 16) & 0xf != 0 || (hdr >> 20) & 0xfff != 0x18 {
        return None;
    }
    let a = dword(cfg, pos + 0x8)?;
    let c = dword(cfg, pos + 0xc)?;
    let lo = dword(cfg, pos + 0x10)?;
    let hi = dword(cfg, pos + 0x14)?;
    Some(DmaVsec {
        map: a & 0x7,
        bar: ((a >> 8) & 0x7) as u8,
        wr: c & 0x3ff,
        rd: (c >> 16) & 0x3ff,
        off: (u64::from(hi) << 32) | u64::from(lo),
    })
}

fn blocks(bar: u8, first: u64, gap: u64, size: u64) -> [Block; 8] {
    let mut out = [Block::default(); 8];
    for (i, b) in out.iter_mut().enumerate() {
        *b = Block {
            bar,
            offset: first + gap * i as u64,
            size,
        };
    }
    out
}

/// Parses a configuration space image (at least the 64-byte header; the
/// extended capabilities need the full 4 KiB) into an [`EdmaLayout`].
///
/// ```
/// use edma_backend_mmio::pcie::{parse_config, Block};
/// use edma_core::MapFormat;
/// let mut cfg = [0u8; 4096];
/// let mut put = |off: usize, v: u32| cfg[off..off + 4].copy_from_slice(&v.to_le_bytes());
/// put(0x00, 0xedda_16c3); // Synopsys eDMA test endpoint
/// put(0x100, 0x0001_000b); // extended capability: vendor-specific, last in the list
/// put(0x104, 0x0180_0006); // VSEC ID 6 (DMA), revision 0, length 0x18
/// put(0x108, 0x0000_0005); // map 5 (HDMA compat), registers in BAR 0
/// put(0x10c, 0x0001_0001); // 1 write channel, 1 read channel
/// put(0x110, 0x0000_3000); // register block at BAR offset 0x3000
/// let l = parse_config(&cfg).unwrap();
/// assert!(l.vsec_found);
/// assert_eq!(l.map, MapFormat::HdmaCompat);
/// assert_eq!(l.regs, Block { bar: 0, offset: 0x3000, size: 0x2000 });
/// assert_eq!((l.wr_channels, l.rd_channels), (1, 1));
/// // The test endpoint's LL regions: BAR 2, write channels from 0, read channels from 4 MiB.
/// assert_eq!(l.ll_rd[0], Block { bar: 2, offset: 0x40_0000, size: 0x800 });
/// ```
pub fn parse_config(cfg: &[u8]) -> Result<EdmaLayout, ConfigError> {
    let id = dword(cfg, 0)
        .filter(|_| cfg.len() >= 64)
        .ok_or(ConfigError::Truncated { len: cfg.len() })?;
    let (vendor, device) = (id as u16, (id >> 16) as u16);
    let regs = Block {
        bar: 0,
        offset: 0x1000,
        size: 0x2000,
    };
    let mut l = match (vendor, device) {
        (VENDOR_SYNOPSYS, DEVICE_SYNOPSYS_EDDA) => EdmaLayout {
            vendor,
            device,
            map: MapFormat::EdmaUnroll,
            regs,
            wr_channels: 2,
            rd_channels: 2,
            // Channel 0 at BAR 2 + 0, channel 1 at + 2 MiB; read channels at 4 and 6 MiB.
            ll_wr: blocks(2, 0, 0x20_0000, 0x800),
            ll_rd: blocks(2, 0x40_0000, 0x20_0000, 0x800),
            non_ll: false,
            devmem_phys_off: None,
            vsec_found: false,
        },
        (VENDOR_XILINX, DEVICE_XILINX_B054 | DEVICE_XILINX_B00F) => EdmaLayout {
            vendor,
            device,
            map: MapFormat::HdmaNative,
            regs,
            wr_channels: 8,
            rd_channels: 8,
            ll_wr: [Block::default(); 8],
            ll_rd: [Block::default(); 8],
            non_ll: true,
            devmem_phys_off: None,
            vsec_found: false,
        },
        _ => return Err(ConfigError::UnsupportedDevice { vendor, device }),
    };
    if let Some(v) = dma_vsec(cfg, vendor, VENDOR_SYNOPSYS)
        && let Some(map) = MapFormat::from_raw(v.map)
    {
        l.map = map;
        l.regs.bar = v.bar;
        l.wr_channels = l.wr_channels.min(v.wr.min(8) as u8);
        l.rd_channels = l.rd_channels.min(v.rd.min(8) as u8);
        l.regs.offset = v.off;
        l.vsec_found = true;
    }
    if vendor == VENDOR_XILINX {
        if let Some(v) = dma_vsec(cfg, vendor, VENDOR_XILINX)
            && v.map == MapFormat::HdmaNative.raw()
        {
            l.regs.bar = v.bar;
            l.wr_channels = l.wr_channels.min(v.wr.min(8) as u8);
            l.rd_channels = l.rd_channels.min(v.rd.min(8) as u8);
            l.regs.offset = v.off;
            l.vsec_found = true;
            if let Some(pos) = find_vsec(cfg, vendor, VENDOR_XILINX, XILINX_VSEC_DEVMEM_ID)
                && let (Some(lo), Some(hi)) = (dword(cfg, pos + 0x8), dword(cfg, pos + 0xc))
            {
                l.devmem_phys_off = Some((u64::from(hi) << 32) | u64::from(lo));
            }
        }
        l.non_ll = l.devmem_phys_off.is_none();
        if !l.non_ll {
            // Write channels' LL regions first, then the read channels', each
            // 2 MiB apart in BAR 2 (dw_edma_set_chan_region_offset).
            let wr = u64::from(l.wr_channels);
            l.ll_wr = blocks(2, 0, XILINX_LL_GAP, XILINX_LL_SIZE);
            l.ll_rd = blocks(2, wr * XILINX_LL_GAP, XILINX_LL_GAP, XILINX_LL_SIZE);
        }
    }
    Ok(l)
}
