//! Userspace access over a fake sysfs device directory: a configuration
//! space file and BAR "resource" files that are plain files, mapped the same
//! way `/sys/bus/pci/devices/<BDF>/resourceN` is.
#![cfg(feature = "std")]
#![cfg(not(miri))]

use std::fs;
use std::path::PathBuf;

use edma_backend_mmio::pcie::Block;
use edma_backend_mmio::userspace::{PciDevice, UserspaceError};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::desc::{Control, Element};
use edma_core::io::{LlMemory, RegisterIo};
use edma_core::plan::Entry;
use edma_core::{ChannelDir, Deployment, MapFormat};

fn fake_device(name: &str, bar0: u64, bar2: u64) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edma-sysfs-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let mut cfg = vec![0u8; 4096];
    cfg[0..4].copy_from_slice(&[0xc3, 0x16, 0xda, 0xed]); // 16c3:edda
    fs::write(dir.join("config"), &cfg).unwrap();
    fs::File::create(dir.join("resource0"))
        .unwrap()
        .set_len(bar0)
        .unwrap();
    fs::File::create(dir.join("resource2"))
        .unwrap()
        .set_len(bar2)
        .unwrap();
    dir
}

#[test]
fn registers_and_ll_land_at_their_bar_offsets() {
    let dir = fake_device("ok", 0x4000, 0x80_0000);
    let dev = PciDevice::open_dir(&dir).unwrap();
    let l = *dev.layout();
    assert_eq!(
        (l.map, l.regs),
        (
            MapFormat::EdmaUnroll,
            Block {
                bar: 0,
                offset: 0x1000,
                size: 0x2000
            }
        )
    );
    let bar0 = dev.map_bar(0).unwrap();
    let bar2 = dev.map_bar(2).unwrap();
    assert_eq!((bar0.size(), bar2.size()), (0x4000, 0x80_0000));
    {
        let regs = bar0.regs(l.regs).unwrap();
        // The file stands in for the device: CTRL reports 8 + 8 channels.
        regs.write32(0x8, 0x0008_0008);
        let ctrl = Controller::new(&regs, l.map, Deployment::Remote);
        ctrl.configure_remote_interrupt(ChannelDir::Read, 1, 0xfee0_1000, 0x42);
        assert_eq!(regs.read32(0xcc), 0xfee0_1000);
        // A batch: its LL goes into BAR 2, its registers into BAR 0 (the file
        // engine never runs, so no completion; the bytes are what we check).
        let ll = bar2.ll(l.ll_rd[1], 0x40_0000 + 0x20_0000).unwrap();
        assert_eq!(ll.capacity(), 0x800 / 24);
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).unwrap(),
            ll,
        );
        let batch = [
            Entry::new(0x1_0000_0000, 0x2000, 64),
            Entry::new(0x1_0000_1000, 0x3000, 32),
        ];
        ch.submit(&ctrl, &batch).unwrap();
    }
    drop(bar0);
    drop(bar2);
    let b0 = fs::read(dir.join("resource0")).unwrap();
    let word =
        |off: usize| u32::from_le_bytes(b0[0x1000 + off..0x1000 + off + 4].try_into().unwrap());
    assert_eq!(word(0xcc), 0xfee0_1000, "RD_DONE_IMWR low");
    assert_eq!(
        word(0xdc) >> 16,
        0x42,
        "odd channel's IMWr data in the high half"
    );
    assert_eq!(word(0x2c), 1, "read engine enabled");
    let ch1_rd = 0x200 + 0x200 + 0x100;
    assert_eq!(word(ch1_rd), 0x300, "CH_CONTROL1 = CCS | LLE");
    assert_eq!(word(ch1_rd + 0x1c), 0x60_0000, "LLP low");
    // The channel went out of scope with its batch in flight (nothing runs
    // the file): the drop's stop request (bit 31 + channel 1) is the last
    // doorbell write.
    assert_eq!(word(0x30), 0x8000_0001, "stop request for channel 1");
    let b2 = fs::read(dir.join("resource2")).unwrap();
    let slot = |i: usize| -> [u8; 24] { b2[0x60_0000 + i * 24..][..24].try_into().unwrap() };
    assert_eq!(
        Element::decode(&slot(0)),
        Element::data(Control::CB, 64, 0x1_0000_0000, 0x2000)
    );
    assert_eq!(
        Element::decode(&slot(1)),
        Element::data(
            Control::CB | Control::LIE | Control::RIE,
            32,
            0x1_0000_1000,
            0x3000
        )
    );
    assert_eq!(
        Element::decode(&slot(2)),
        Element::link(Control::TCB, 0x60_0000)
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn clear_errors() {
    match PciDevice::open("0000:ff:1f.7") {
        Err(UserspaceError::NoDevice(p)) => assert!(p.ends_with("0000:ff:1f.7")),
        other => panic!("{other:?}"),
    }
    // BAR 0 smaller than the register block (0x1000 + 0x2000).
    let dir = fake_device("small", 0x2000, 0x1000);
    let dev = PciDevice::open_dir(&dir).unwrap();
    let bar0 = dev.map_bar(0).unwrap();
    match bar0.regs(dev.layout().regs) {
        Err(
            e @ UserspaceError::BarTooSmall {
                bar: 0,
                needed: 0x3000,
                size: 0x2000,
            },
        ) => assert!(e.to_string().contains("BAR 0")),
        other => panic!("{other:?}"),
    }
    let bar2 = dev.map_bar(2).unwrap();
    assert!(matches!(
        bar2.ll(
            Block {
                bar: 2,
                offset: 4,
                size: 48
            },
            0
        ),
        Err(UserspaceError::Misaligned { offset: 4 })
    ));
    assert!(matches!(
        bar2.ll(
            Block {
                bar: 0,
                offset: 0,
                size: 48
            },
            0
        ),
        Err(UserspaceError::BarTooSmall { .. })
    ));
    // A BAR without a resource file.
    assert!(matches!(dev.map_bar(4), Err(UserspaceError::NoDevice(_))));
    // A configuration space that is not an eDMA endpoint.
    fs::write(dir.join("config"), [0u8; 8]).unwrap();
    assert!(matches!(
        PciDevice::open_dir(&dir),
        Err(UserspaceError::Config(_))
    ));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn several_ll_regions_of_one_bar_at_once() {
    let dir = fake_device("multi", 0x4000, 0x80_0000);
    let dev = PciDevice::open_dir(&dir).unwrap();
    let l = *dev.layout();
    let bar0 = dev.map_bar(0).unwrap();
    let bar2 = dev.map_bar(2).unwrap();
    let regs = bar0.regs(l.regs).unwrap();
    regs.write32(0x8, 0x0008_0008);
    let ctrl = Controller::new(&regs, l.map, Deployment::Remote);
    ctrl.configure_remote_interrupt(ChannelDir::Write, 0, 0xfee0_0000, 1);
    ctrl.configure_remote_interrupt(ChannelDir::Read, 1, 0xfee0_0000, 2);
    // One LL region per channel, both alive at once.
    let mut w = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap(),
        bar2.ll(l.ll_wr[0], 0x40_0000 + l.ll_wr[0].offset).unwrap(),
    );
    let mut r = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).unwrap(),
        bar2.ll(l.ll_rd[1], 0x40_0000 + l.ll_rd[1].offset).unwrap(),
    );
    // A third region overlapping one of them is refused, naming it.
    let overlap = Block {
        bar: 2,
        offset: l.ll_rd[1].offset + 24,
        size: 48,
    };
    assert!(matches!(
        bar2.ll(overlap, 0),
        Err(UserspaceError::Overlaps { offset }) if offset == overlap.offset
    ));
    let wb = [Entry::new(0x2000, 0x1_0000_0000, 64)];
    let rb = [Entry::new(0x1_0000_2000, 0x3000, 32)];
    w.submit(&ctrl, &wb).unwrap();
    r.submit(&ctrl, &rb).unwrap();
    drop((w, r));
    // Both regions were released with their channels.
    assert!(bar2.ll(overlap, 0).is_ok());
    drop((bar0, bar2));
    let b2 = fs::read(dir.join("resource2")).unwrap();
    let slot = |off: u64| -> [u8; 24] { b2[off as usize..][..24].try_into().unwrap() };
    assert_eq!(
        Element::decode(&slot(l.ll_wr[0].offset)),
        Element::data(
            Control::CB | Control::LIE | Control::RIE,
            64,
            0x2000,
            0x1_0000_0000
        )
    );
    assert_eq!(
        Element::decode(&slot(l.ll_rd[1].offset)),
        Element::data(
            Control::CB | Control::LIE | Control::RIE,
            32,
            0x1_0000_2000,
            0x3000
        )
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn ll_regions_may_touch_but_not_overlap_and_drops_release_their_own() {
    let dir = fake_device("edges", 0x4000, 0x1000);
    let dev = PciDevice::open_dir(&dir).unwrap();
    let bar2 = dev.map_bar(2).unwrap();
    let block = |offset: u64, size: u64| Block {
        bar: 2,
        offset,
        size,
    };
    // Ends exactly at the end of the BAR: fits.
    let last = bar2.ll(block(0x1000 - 0x60, 0x60), 0).unwrap();
    // One byte more does not.
    assert!(matches!(
        bar2.ll(block(0x1000 - 0x60, 0x61), 0),
        Err(UserspaceError::BarTooSmall {
            bar: 2,
            needed: 0x1001,
            size: 0x1000
        })
    ));
    let a = bar2.ll(block(0x100, 0x60), 0).unwrap();
    // Touching `a` on either side is not overlapping.
    let before = bar2.ll(block(0xa0, 0x60), 0).unwrap();
    let after = bar2.ll(block(0x160, 0x60), 0).unwrap();
    // One slot into `a` from either side is.
    for (o, n) in [(0x148, 0x30), (0xb8, 0x60)] {
        assert!(
            matches!(bar2.ll(block(o, n), 0), Err(UserspaceError::Overlaps { offset }) if offset == o),
            "{o:#x}+{n:#x}"
        );
    }
    // The region reads back what was written through it.
    let mut a = a;
    let el = Element::data(Control::CB | Control::LIE, 8, 0x10, 0x20);
    a.write(1, &el);
    a.sync();
    assert_eq!((a.read(1), a.read(4)), (Some(el), None));
    // Dropping `a` frees its range and no one else's.
    drop(a);
    let a2 = bar2.ll(block(0x100, 0x60), 0).unwrap();
    assert!(matches!(
        bar2.ll(block(0xa0, 0x18), 0),
        Err(UserspaceError::Overlaps { offset: 0xa0 })
    ));
    assert!(matches!(
        bar2.ll(block(0x160, 0x18), 0),
        Err(UserspaceError::Overlaps { offset: 0x160 })
    ));
    drop((a2, before, after, last));
    drop(bar2);
    fs::remove_dir_all(dir).unwrap();
}

/// An LL block whose channel was dropped on an engine that never stopped is
/// quarantined: the mapping never hands it out again.
#[test]
fn a_quarantined_ll_block_stays_reserved() {
    let dir = fake_device("quarantine", 0x4000, 0x80_0000);
    let dev = PciDevice::open_dir(&dir).unwrap();
    let l = *dev.layout();
    let bar2 = dev.map_bar(2).unwrap();
    let mut ll = bar2.ll(l.ll_wr[0], 0x8000_0000).unwrap();
    drop(ll);
    // Dropped normally: the block can be taken again.
    ll = bar2.ll(l.ll_wr[0], 0x8000_0000).unwrap();
    ll.quarantine();
    drop(ll);
    assert!(matches!(
        bar2.ll(l.ll_wr[0], 0x8000_0000),
        Err(UserspaceError::Overlaps { .. })
    ));
    // Other blocks are unaffected.
    assert!(bar2.ll(l.ll_wr[1], 0x8000_0000).is_ok());
}
