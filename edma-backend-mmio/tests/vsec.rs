//! The VSEC parser on configuration-space images of both vendors, and on
//! malformed ones. Images are built byte by byte the way the devices lay
//! them out (extended capabilities from 0x100, each header: ID 15:0,
//! version 19:16, next 31:20; VSEC header at +4: ID 15:0, rev 19:16, len 31:20).

use edma_backend_mmio::pcie::{Block, ConfigError, parse_config};
use edma_core::MapFormat;

struct Image(Vec<u8>);

impl Image {
    fn new(vendor: u16, device: u16) -> Image {
        let mut v = vec![0u8; 4096];
        v[0..2].copy_from_slice(&vendor.to_le_bytes());
        v[2..4].copy_from_slice(&device.to_le_bytes());
        Image(v)
    }
    fn put(&mut self, off: usize, val: u32) -> &mut Self {
        self.0[off..off + 4].copy_from_slice(&val.to_le_bytes());
        self
    }
    /// An extended capability header at `pos` pointing at `next`.
    fn cap(&mut self, pos: usize, id: u32, next: usize) -> &mut Self {
        self.put(pos, id | (1 << 16) | ((next as u32) << 20))
    }
    /// A DMA VSEC (ID 6, rev 0, len 0x18) at `pos`.
    #[allow(clippy::too_many_arguments)]
    fn dma_vsec(
        &mut self,
        pos: usize,
        next: usize,
        map: u32,
        bar: u32,
        wr: u32,
        rd: u32,
        off: u64,
    ) -> &mut Self {
        self.cap(pos, 0x0b, next)
            .put(pos + 4, 6 | (0x18 << 20))
            .put(pos + 8, map | (bar << 8))
            .put(pos + 0xc, wr | (rd << 16))
            .put(pos + 0x10, off as u32)
            .put(pos + 0x14, (off >> 32) as u32)
    }
}

#[test]
fn synopsys_defaults_without_vsec() {
    let l = parse_config(&Image::new(0x16c3, 0xedda).0).unwrap();
    assert_eq!(l.map, MapFormat::EdmaUnroll);
    assert_eq!(
        l.regs,
        Block {
            bar: 0,
            offset: 0x1000,
            size: 0x2000
        }
    );
    assert_eq!(
        (l.wr_channels, l.rd_channels, l.vsec_found, l.non_ll),
        (2, 2, false, false)
    );
    assert_eq!(
        l.ll_wr[1],
        Block {
            bar: 2,
            offset: 0x20_0000,
            size: 0x800
        }
    );
    assert_eq!(
        l.ll_rd[0],
        Block {
            bar: 2,
            offset: 0x40_0000,
            size: 0x800
        }
    );
}

#[test]
fn synopsys_vsec_after_another_capability() {
    let mut img = Image::new(0x16c3, 0xedda);
    // AER at 0x100 -> VSEC at 0x148, HDMA native, BAR 4, 1 write + 8 read channels, regs at 0x1_0000_2000.
    img.cap(0x100, 0x01, 0x148)
        .dma_vsec(0x148, 0, 7, 4, 1, 8, 0x1_0000_2000);
    let l = parse_config(&img.0).unwrap();
    assert!(l.vsec_found);
    assert_eq!(l.map, MapFormat::HdmaNative);
    assert_eq!((l.regs.bar, l.regs.offset), (4, 0x1_0000_2000));
    // Counts are capped by the device defaults (2 + 2), as in Linux.
    assert_eq!((l.wr_channels, l.rd_channels), (1, 2));
}

#[test]
fn xilinx_with_and_without_device_memory_vsec() {
    let mut img = Image::new(0x10ee, 0xb054);
    img.dma_vsec(0x100, 0x200, 7, 0, 4, 3, 0x2000);
    // Second VSEC (ID 0x20): device-memory offset, low at +8, high at +0xc.
    img.cap(0x200, 0x0b, 0)
        .put(0x204, 0x20 | (0x10 << 20))
        .put(0x208, 0x8000_0000)
        .put(0x20c, 0x1);
    let l = parse_config(&img.0).unwrap();
    assert_eq!(
        (l.map, l.regs.offset, l.wr_channels, l.rd_channels),
        (MapFormat::HdmaNative, 0x2000, 4, 3)
    );
    assert_eq!(l.devmem_phys_off, Some(0x1_8000_0000));
    assert!(!l.non_ll);
    assert_eq!(
        l.ll_wr[3],
        Block {
            bar: 2,
            offset: 3 * 0x20_0000,
            size: 0x800
        }
    );
    assert_eq!(
        l.ll_rd[0],
        Block {
            bar: 2,
            offset: 4 * 0x20_0000,
            size: 0x800
        }
    );

    let mut img = Image::new(0x10ee, 0xb00f);
    img.dma_vsec(0x100, 0, 7, 0, 8, 8, 0x1000);
    let l = parse_config(&img.0).unwrap();
    assert!(l.non_ll, "no device-memory VSEC: non-LL mode");
    assert_eq!(l.devmem_phys_off, None);
}

#[test]
fn foreign_vendor_vsec_is_ignored() {
    // A Synopsys-ID VSEC on a Xilinx device is not looked at (vendor must match).
    let mut img = Image::new(0x10ee, 0xb054);
    img.dma_vsec(0x100, 0, 0, 3, 1, 1, 0x9000);
    let l = parse_config(&img.0).unwrap();
    // The Xilinx parse accepts only map 7: map 0 here is rejected, defaults stay.
    assert_eq!(
        (l.map, l.regs.offset, l.vsec_found),
        (MapFormat::HdmaNative, 0x1000, false)
    );
}

#[test]
fn malformed_images() {
    assert_eq!(
        parse_config(&[0u8; 10]),
        Err(ConfigError::Truncated { len: 10 })
    );
    assert_eq!(
        parse_config(&Image::new(0x1234, 0x5678).0),
        Err(ConfigError::UnsupportedDevice {
            vendor: 0x1234,
            device: 0x5678
        })
    );
    // A capability loop (0x100 -> 0x100) ends the walk: defaults.
    let mut img = Image::new(0x16c3, 0xedda);
    img.cap(0x100, 0x01, 0x100);
    assert!(!parse_config(&img.0).unwrap().vsec_found);
    // Next pointer past the image, into the standard header, or all ones.
    for next in [0x0ffc, 0x40] {
        let mut img = Image::new(0x16c3, 0xedda);
        img.cap(0x100, 0x01, next);
        assert!(!parse_config(&img.0).unwrap().vsec_found);
    }
    let mut img = Image::new(0x16c3, 0xedda);
    img.put(0x100, u32::MAX);
    assert!(!parse_config(&img.0).unwrap().vsec_found);
    // Wrong VSEC revision or length: ignored.
    let mut img = Image::new(0x16c3, 0xedda);
    img.dma_vsec(0x100, 0, 1, 0, 2, 2, 0x3000)
        .put(0x104, 6 | (1 << 16) | (0x18 << 20));
    assert!(!parse_config(&img.0).unwrap().vsec_found);
    let mut img = Image::new(0x16c3, 0xedda);
    img.dma_vsec(0x100, 0, 1, 0, 2, 2, 0x3000)
        .put(0x104, 6 | (0x14 << 20));
    assert!(!parse_config(&img.0).unwrap().vsec_found);
    // Invalid map value: ignored.
    let mut img = Image::new(0x16c3, 0xedda);
    img.dma_vsec(0x100, 0, 3, 0, 2, 2, 0x3000);
    assert_eq!(parse_config(&img.0).unwrap().map, MapFormat::EdmaUnroll);
    // Only the 256-byte legacy space (no extended capabilities): defaults.
    let img = Image::new(0x16c3, 0xedda);
    assert!(!parse_config(&img.0[..256]).unwrap().vsec_found);
    // A VSEC cut off by the end of the image: ignored, no panic.
    let mut img = Image::new(0x16c3, 0xedda);
    img.cap(0x100, 0x01, 0xff0)
        .cap(0xff0, 0x0b, 0)
        .put(0xff4, 6 | (0x18 << 20))
        .put(0xff8, 1)
        .put(0xffc, 2 | (2 << 16));
    assert!(!parse_config(&img.0).unwrap().vsec_found);
}

#[test]
fn a_long_capability_list_is_walked_to_the_vsec() {
    let mut img = Image::new(0x16c3, 0xedda);
    for k in 0..12 {
        img.cap(0x100 + 0x10 * k, 0x01 + k as u32, 0x110 + 0x10 * k);
    }
    img.dma_vsec(0x1c0, 0, 7, 1, 2, 2, 0x4000);
    let l = parse_config(&img.0).unwrap();
    assert!(l.vsec_found);
    assert_eq!(
        (l.map, l.regs.bar, l.regs.offset),
        (MapFormat::HdmaNative, 1, 0x4000)
    );
}

#[test]
fn a_next_pointer_into_the_standard_header_ends_the_walk() {
    // Below 0x100 there are no extended capabilities: a VSEC-looking
    // header at 0x40 is not followed.
    let mut img = Image::new(0x16c3, 0xedda);
    img.cap(0x100, 0x01, 0x40)
        .dma_vsec(0x40, 0, 7, 1, 2, 2, 0x4000);
    let l = parse_config(&img.0).unwrap();
    assert!(!l.vsec_found);
    assert_eq!((l.map, l.regs.offset), (MapFormat::EdmaUnroll, 0x1000));
}

#[test]
fn an_all_ones_header_ends_the_walk() {
    // Reads of a missing function return all ones: its "next" field
    // (0xffc) is not followed, even where a VSEC could be reached from it.
    let mut img = Image::new(0x16c3, 0xedda);
    img.cap(0x100, 0x01, 0x140).put(0x140, u32::MAX);
    img.cap(0xffc, 0x01, 0x200)
        .dma_vsec(0x200, 0, 7, 1, 2, 2, 0x4000);
    assert!(!parse_config(&img.0).unwrap().vsec_found);
}
