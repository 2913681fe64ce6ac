//! The mock's register file, access by access, with literal offsets (from
//! Linux's `dw-edma-v0-regs.h` and `dw-hdma-v0-regs.h`, not from
//! `edma_core::regs`): what a write stores, what a read returns, which
//! bits are kept, that no two registers alias, what is counted, and where
//! the channel windows end. The driver-level tests only see the registers
//! the driver uses, in the order it uses them; these pin the rest
//! (docs/mutants.md, the mock's register shard).
// Safe code only (no unsafe below it to check): kept out of Miri's time budget.
#![cfg(not(miri))]

use edma_backend_mock::{MockConfig, MockEngine};
use edma_core::io::RegisterIo;
use edma_core::{ChannelDir, MapFormat};

const DIRS: [ChannelDir; 2] = [ChannelDir::Write, ChannelDir::Read];

/// The maps with eDMA v0 global registers.
const EDMA_MAPS: [MapFormat; 3] = [
    MapFormat::EdmaLegacy,
    MapFormat::EdmaUnroll,
    MapFormat::HdmaCompat,
];

/// The nine eDMA per-channel registers: CH_CONTROL1, CH_CONTROL2,
/// TRANSFER_SIZE, SAR lo/hi, DAR lo/hi, LLP lo/hi.
const EDMA_CH_REGS: [usize; 9] = [0x00, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c, 0x20];

/// A value distinct for every (direction, channel, register), with bits
/// set in every byte.
fn val(dir: ChannelDir, ch: u8, reg: usize) -> u32 {
    let k = (dir.index() as u32) << 12 | u32::from(ch) << 8 | reg as u32;
    (k + 1).wrapping_mul(0x9e37_79b9) ^ 0x0101_0101
}

/// What an eDMA channel register reads after `v` was written to it on an
/// idle channel: CH_CONTROL1's status field (6:5) is read-only and reads
/// 0 before any doorbell; every other register keeps all 32 bits.
fn edma_readback(reg: usize, v: u32) -> u32 {
    if reg == 0x00 { v & !0x60 } else { v }
}

/// The offset of an eDMA channel register in the unrolled map (eDMA
/// unroll and HDMA compat): 0x200 + 0x200 × channel, reads at + 0x100.
fn unroll(dir: ChannelDir, ch: u8, reg: usize) -> usize {
    0x200 + 0x200 * usize::from(ch) + 0x100 * dir.index() + reg
}

/// The offset of a native-HDMA channel register: 0x200 × channel, reads
/// at + 0x100.
fn native(dir: ChannelDir, ch: u8, reg: usize) -> usize {
    0x200 * usize::from(ch) + 0x100 * dir.index() + reg
}

/// Every channel of both directions counted exactly `writes` register
/// writes and `reads` reads.
fn assert_channel_counts(e: &MockEngine, writes: u64, reads: u64, what: &str) {
    let c = e.counters();
    for dir in DIRS {
        for ch in 0..8 {
            let k = c.channel(dir, ch);
            assert_eq!(
                (k.reg_writes, k.reg_reads),
                (writes, reads),
                "{what}: {dir:?} ch{ch}"
            );
        }
    }
}

/// Every eDMA register of every unrolled channel holds what
/// `unrolled_channel_registers_read_back_and_do_not_alias` wrote to it.
fn assert_unrolled_contents(e: &MockEngine, what: &str) {
    for dir in DIRS {
        for ch in 0..8 {
            for reg in EDMA_CH_REGS {
                assert_eq!(
                    e.read32(unroll(dir, ch, reg)),
                    edma_readback(reg, val(dir, ch, reg)),
                    "{what}: {dir:?} ch{ch} reg {reg:#x} at {:#x}",
                    unroll(dir, ch, reg)
                );
            }
        }
    }
}

#[test]
fn unrolled_channel_registers_read_back_and_do_not_alias() {
    for map in [MapFormat::EdmaUnroll, MapFormat::HdmaCompat] {
        let what = format!("{map:?}");
        let e = MockEngine::new(MockConfig::new(map));
        for dir in DIRS {
            for ch in 0..8 {
                for reg in EDMA_CH_REGS {
                    e.write32(unroll(dir, ch, reg), val(dir, ch, reg));
                }
            }
        }
        assert_eq!(e.counters().total().reg_writes, 2 * 8 * 9, "{what}");
        assert_unrolled_contents(&e, &what);
        assert_eq!(e.counters().total().reg_reads, 2 * 8 * 9, "{what}");
        assert_channel_counts(&e, 9, 9, &what);
        // Past the nine registers (0x24..0x100 of each direction) and past
        // the last channel nothing is stored, and nothing is counted for a
        // channel.
        e.reset_counters();
        for off in [
            0x224, 0x2fc, 0x324, 0x3fc, 0x1124, 0x11fc, 0x1200, 0x1204, 0x1300,
        ] {
            e.write32(off, 0xffff_ffff);
            assert_eq!(e.read32(off), 0, "{what} {off:#x}");
        }
        let t = e.counters().total();
        assert_eq!((t.reg_writes, t.reg_reads), (9, 9));
        assert_channel_counts(&e, 0, 0, &what);
        assert_unrolled_contents(&e, &format!("{what}, after writes outside the windows"));
    }
}

#[test]
fn legacy_channel_registers_go_through_the_viewport() {
    let e = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy));
    for dir in DIRS {
        for ch in 0..8 {
            // Bit 31 selects the read channels, 2:0 the channel.
            let vp = (dir.index() as u32) << 31 | u32::from(ch);
            e.write32(0xfc, vp);
            assert_eq!(e.read32(0xfc), vp, "the viewport reads back");
            for reg in EDMA_CH_REGS {
                e.write32(0x100 + reg, val(dir, ch, reg));
            }
        }
    }
    e.reset_counters();
    for dir in DIRS {
        for ch in 0..8 {
            e.write32(0xfc, (dir.index() as u32) << 31 | u32::from(ch));
            for reg in EDMA_CH_REGS {
                assert_eq!(
                    e.read32(0x100 + reg),
                    edma_readback(reg, val(dir, ch, reg)),
                    "legacy {dir:?} ch{ch} reg {reg:#x}"
                );
            }
        }
    }
    // The viewport writes are global; the reads count to the selected channel.
    let t = e.counters().total();
    assert_eq!((t.reg_writes, t.reg_reads), (16, 16 * 9));
    assert_channel_counts(&e, 0, 9, "legacy");
    // The window is 0x100..0x124: 0x124 is no channel register.
    e.write32(0xfc, 3);
    e.write32(0x124, 0xffff_ffff);
    assert_eq!(e.read32(0x124), 0);
    assert_eq!(
        e.read32(0x120),
        val(ChannelDir::Write, 3, 0x20),
        "LLP_HI unchanged"
    );
    assert_eq!(e.counters().channel(ChannelDir::Write, 3).reg_writes, 0);
    // High bits of the viewport other than 31 do not select another channel.
    e.write32(0xfc, 0x7fff_fff8 | 2);
    assert_eq!(e.read32(0x104), val(ChannelDir::Write, 2, 0x04));
    // The viewport register exists only on the legacy map.
    let u = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    u.write32(0xfc, 0x8000_0005);
    assert_eq!(u.read32(0xfc), 0);
}

#[test]
fn native_hdma_channel_registers_read_back_and_do_not_alias() {
    // Fully stored registers: LLP lo/hi, TRANSFER_SIZE, SAR lo/hi, DAR lo/hi,
    // CONTROL1, INT_SETUP, MSI stop lo/hi, MSI abort lo/hi, MSI data.
    const FULL: [usize; 14] = [
        0x10, 0x14, 0x1c, 0x20, 0x24, 0x28, 0x2c, 0x34, 0x88, 0x90, 0x94, 0xa0, 0xa4, 0xa8,
    ];
    // Not modelled (prefetch, handshake, watermark enable, function number,
    // QoS, the watermark IMWr address): written and read as 0.
    const UNMODELLED: [usize; 7] = [0x08, 0x0c, 0x30, 0x38, 0x3c, 0x98, 0x9c];
    let e = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    // Reset: every interrupt masked (INT_SETUP = stop | watermark | abort mask).
    for dir in DIRS {
        for ch in 0..8 {
            assert_eq!(e.read32(native(dir, ch, 0x88)), 0x7, "{dir:?} ch{ch}");
        }
    }
    for dir in DIRS {
        for ch in 0..8 {
            for reg in FULL.into_iter().chain(UNMODELLED) {
                e.write32(native(dir, ch, reg), val(dir, ch, reg));
            }
            // CH_EN keeps bit 0 only; CYCLE_SYNC's write sets the cycle
            // state from bit 0 (CYCLE_BIT) and reads back as both bits.
            e.write32(native(dir, ch, 0x00), 0xffff_fffe | u32::from(ch & 1));
            e.write32(native(dir, ch, 0x18), 0xffff_fffe | u32::from(ch >> 1 & 1));
        }
    }
    e.reset_counters();
    for dir in DIRS {
        for ch in 0..8 {
            for reg in FULL {
                assert_eq!(
                    e.read32(native(dir, ch, reg)),
                    val(dir, ch, reg),
                    "{dir:?} ch{ch} reg {reg:#x}"
                );
            }
            for reg in UNMODELLED {
                assert_eq!(e.read32(native(dir, ch, reg)), 0, "{dir:?} ch{ch} {reg:#x}");
            }
            assert_eq!(e.read32(native(dir, ch, 0x00)), u32::from(ch & 1));
            assert_eq!(e.read32(native(dir, ch, 0x18)), 3 * u32::from(ch >> 1 & 1));
            // CH_STAT and INT_STAT: nothing ran, nothing raised.
            assert_eq!(e.read32(native(dir, ch, 0x80)), 0);
            assert_eq!(e.read32(native(dir, ch, 0x84)), 0);
        }
    }
    let c = e.counters();
    let per = FULL.len() as u64 + UNMODELLED.len() as u64 + 4;
    assert_eq!(c.total().reg_reads, 16 * per);
    for dir in DIRS {
        for ch in 0..8 {
            assert_eq!(c.channel(dir, ch).reg_reads, per, "{dir:?} ch{ch}");
        }
    }
    // A cycle-sync write without bit 0 clears the state.
    e.write32(native(ChannelDir::Read, 3, 0x18), 2);
    assert_eq!(e.read32(native(ChannelDir::Read, 3, 0x18)), 0);
    // The map ends at 0x1000; no global register exists on native HDMA.
    e.reset_counters();
    for off in [0x1000, 0x1004, 0x1088, 0x2000] {
        e.write32(off, 0xffff_ffff);
        assert_eq!(e.read32(off), 0, "{off:#x}");
    }
    let c = e.counters();
    assert_eq!((c.total().reg_writes, c.total().reg_reads), (4, 4));
    assert_eq!(c.channel(ChannelDir::Write, 0).reg_writes, 0);
    assert_eq!(
        e.read32(native(ChannelDir::Write, 0, 0x10)),
        val(ChannelDir::Write, 0, 0x10)
    );
    assert_eq!(e.read32(0x008), 0, "no CTRL on native HDMA");
}

#[test]
fn native_hdma_int_clear_clears_only_the_written_bits() {
    let e = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    for (dir, ch) in [(ChannelDir::Write, 2), (ChannelDir::Read, 6)] {
        e.force_status(dir, ch, true, true);
        assert_eq!(e.read32(native(dir, ch, 0x84)), 0b101, "stop | abort");
        e.write32(native(dir, ch, 0x8c), 0b001);
        assert_eq!(e.read32(native(dir, ch, 0x84)), 0b100, "abort stays");
        e.write32(native(dir, ch, 0x8c), 0b100);
        assert_eq!(e.read32(native(dir, ch, 0x84)), 0);
        // INT_CLEAR itself reads as 0.
        assert_eq!(e.read32(native(dir, ch, 0x8c)), 0);
    }
    // The other channels never had a status.
    assert_eq!(e.read32(native(ChannelDir::Read, 2, 0x84)), 0);
}

/// eDMA per-direction registers: (engine enable, int status, int mask, LL
/// error enable, done IMWr lo, abort IMWr lo, IMWr data 0/1). The clears
/// and power enables have tests of their own.
const WR: [usize; 7] = [0x0c, 0x4c, 0x54, 0x90, 0x60, 0x68, 0x70];
const RD: [usize; 7] = [0x2c, 0xa0, 0xa8, 0xc4, 0xcc, 0xd4, 0xdc];

#[test]
fn edma_global_registers_keep_their_bits_per_direction() {
    for map in EDMA_MAPS {
        let e = MockEngine::new(MockConfig::new(map));
        for (d, r) in [WR, RD].into_iter().enumerate() {
            let [en, status, mask, ll_err, done, abort, data] = r;
            // Reset values: engines off, nothing raised, every interrupt masked.
            assert_eq!(e.read32(en), 0, "{map:?} {en:#x}");
            assert_eq!(e.read32(status), 0);
            assert_eq!(e.read32(mask), 0x00ff_00ff, "{map:?} {mask:#x}");
            e.write32(en, 0xffff_fffe);
            assert_eq!(e.read32(en), 0, "engine enable keeps bit 0 only");
            e.write32(en, 0xffff_ffff);
            assert_eq!(e.read32(en), 1);
            // The mask keeps the done (7:0) and abort (23:16) fields.
            e.write32(mask, 0xffff_ffff);
            assert_eq!(e.read32(mask), 0x00ff_00ff);
            e.write32(mask, 0x0f0f_0f0f);
            assert_eq!(e.read32(mask), 0x000f_000f);
            e.write32(ll_err, 0xffff_ffff);
            assert_eq!(e.read32(ll_err), 0xff, "LL error enable is 8 bits");
            // Both IMWr addresses are 64-bit pairs; the data registers are
            // four words (channels 0/1, 2/3, 4/5, 6/7).
            let tag = 0x1000_0000 * (d as u32 + 1);
            for (k, off) in [done, done + 4, abort, abort + 4].into_iter().enumerate() {
                e.write32(off, tag | 0x0a0b_0c00 | k as u32);
            }
            for k in 0..4 {
                e.write32(data + 4 * k, tag | 0x00d0_0000 | k as u32);
            }
        }
        for (d, r) in [WR, RD].into_iter().enumerate() {
            let [en, _status, mask, ll_err, done, abort, data] = r;
            let tag = 0x1000_0000 * (d as u32 + 1);
            assert_eq!(e.read32(en), 1);
            assert_eq!(e.read32(mask), 0x000f_000f);
            assert_eq!(e.read32(ll_err), 0xff);
            for (k, off) in [done, done + 4, abort, abort + 4].into_iter().enumerate() {
                assert_eq!(
                    e.read32(off),
                    tag | 0x0a0b_0c00 | k as u32,
                    "{map:?} {off:#x}"
                );
            }
            for k in 0..4 {
                assert_eq!(e.read32(data + 4 * k), tag | 0x00d0_0000 | k as u32);
            }
            // Past the four data words: not a data register.
            assert_eq!(e.read32(data + 16), 0);
        }
    }
}

#[test]
fn edma_int_clear_clears_only_the_written_bits_of_its_direction() {
    let e = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    e.force_status(ChannelDir::Write, 1, true, true);
    e.force_status(ChannelDir::Write, 6, true, false);
    e.force_status(ChannelDir::Read, 1, true, true);
    assert_eq!(e.read32(0x4c), 0x0002_0042);
    assert_eq!(e.read32(0xa0), 0x0002_0002);
    e.write32(0x58, 0x0000_0002);
    assert_eq!(
        e.read32(0x4c),
        0x0002_0040,
        "done of ch1 cleared, the rest kept"
    );
    assert_eq!(e.read32(0xa0), 0x0002_0002, "the read direction untouched");
    e.write32(0xac, 0x0002_0000);
    assert_eq!(e.read32(0xa0), 0x0000_0002);
    // The status registers are read-only.
    e.write32(0x4c, 0);
    assert_eq!(e.read32(0x4c), 0x0002_0040);
}

#[test]
fn ctrl_reports_the_configured_channel_counts() {
    for map in EDMA_MAPS {
        let mut cfg = MockConfig::new(map);
        cfg.wr_channels = 3;
        cfg.rd_channels = 5;
        let e = MockEngine::new(cfg);
        assert_eq!(e.read32(0x008), 0x0005_0003, "{map:?}");
        e.write32(0x008, 0xffff_ffff);
        assert_eq!(e.read32(0x008), 0x0005_0003, "CTRL is read-only");
    }
}

#[test]
fn power_enables_exist_on_the_unrolled_maps_only() {
    for map in [MapFormat::EdmaUnroll, MapFormat::HdmaCompat] {
        let e = MockEngine::new(MockConfig::new(map));
        for (d, base) in [(0u32, 0x128), (1, 0x168)] {
            for ch in 0..8u32 {
                // Bit 0 only; a value with bit 0 clear reads 0.
                e.write32(base + 4 * ch as usize, 0xffff_fffe | (ch + d) & 1);
            }
        }
        for (d, base) in [(0u32, 0x128), (1, 0x168)] {
            for ch in 0..8u32 {
                assert_eq!(
                    e.read32(base + 4 * ch as usize),
                    (ch + d) & 1,
                    "{map:?} {:#x}",
                    base + 4 * ch as usize
                );
            }
        }
        // One word past the eight channels is not a power enable.
        e.write32(0x148, 1);
        assert_eq!(e.read32(0x148), 0);
    }
    let e = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy));
    e.write32(0x128, 1);
    e.write32(0x16c, 1);
    assert_eq!((e.read32(0x128), e.read32(0x16c)), (0, 0));
}

#[test]
fn the_arbitration_words_below_0x40_are_plain_storage() {
    // 0x00 (data arbitration priority), 0x04, 0x18..0x28 (write weights),
    // 0x34..0x3c (read weights): stored as written.
    let plain = [0x00, 0x04, 0x18, 0x1c, 0x20, 0x24, 0x28, 0x34, 0x38, 0x3c];
    for map in EDMA_MAPS {
        let e = MockEngine::new(MockConfig::new(map));
        for (k, off) in plain.into_iter().enumerate() {
            e.write32(off, 0x5a00_0000 | k as u32);
        }
        for (k, off) in plain.into_iter().enumerate() {
            assert_eq!(e.read32(off), 0x5a00_0000 | k as u32, "{map:?} {off:#x}");
        }
        // 0x40 and above are not arbitration words.
        e.write32(0x40, 7);
        e.write32(0x44, 7);
        assert_eq!((e.read32(0x40), e.read32(0x44)), (0, 0));
        // CTRL and the engine enables are not overwritten by them.
        assert_eq!(e.read32(0x008), 0x0008_0008);
        assert_eq!((e.read32(0x0c), e.read32(0x2c)), (0, 0));
    }
}

#[test]
fn edma_doorbell_writes_count_to_the_channel_they_name() {
    for map in EDMA_MAPS {
        let e = MockEngine::new(MockConfig::new(map));
        // Engines off: doorbells are ignored, but every write is counted
        // to the channel in bits 2:0 (bit 31 is the stop request).
        e.write32(0x10, 5);
        e.write32(0x30, 0x8000_0002);
        e.write32(0x30, 0x7ff0_0002);
        let c = e.counters();
        assert_eq!(c.total().reg_writes, 3, "{map:?}");
        assert_eq!(c.channel(ChannelDir::Write, 5).reg_writes, 1);
        assert_eq!(c.channel(ChannelDir::Read, 2).reg_writes, 2);
        assert_eq!(c.channel(ChannelDir::Write, 5).ignored_doorbells, 1);
        assert_eq!(c.channel(ChannelDir::Read, 2).ignored_doorbells, 1);
        assert_eq!(c.channel(ChannelDir::Read, 2).stop_requests, 1);
        assert_eq!(c.channel(ChannelDir::Read, 0).reg_writes, 0);
    }
}

#[test]
fn native_hdma_doorbell_acts_on_its_start_and_stop_bits_only() {
    let e = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    let bell = native(ChannelDir::Read, 4, 0x04);
    // Neither START (bit 0) nor STOP (bit 1): no doorbell at all.
    e.write32(bell, 0xffff_fffc);
    let k = e.counters().channel(ChannelDir::Read, 4);
    assert_eq!(
        (k.doorbells, k.ignored_doorbells, k.stop_requests),
        (0, 0, 0)
    );
    // START on a disabled channel: a doorbell, ignored.
    e.write32(bell, 0x1);
    let k = e.counters().channel(ChannelDir::Read, 4);
    assert_eq!(
        (k.doorbells, k.ignored_doorbells, k.stop_requests),
        (0, 1, 0)
    );
    // Both bits: the mock takes the stop request.
    e.write32(bell, 0x3);
    let k = e.counters().channel(ChannelDir::Read, 4);
    assert_eq!(
        (k.doorbells, k.ignored_doorbells, k.stop_requests),
        (0, 1, 1)
    );
    assert_eq!(k.reg_writes, 3);
}

#[test]
fn edma_ccs_written_in_control1_is_the_cycle_state_the_ll_starts_with() {
    use edma_core::desc::{Control, Element};
    // A hand-built one-element LL at 0x8000 whose element has CB = 0, run
    // from registers alone (unrolled write channel 0): with CCS written 0
    // it runs; with CCS written 1 the engine stops at it.
    for (ccs, runs) in [(0u32, true), (1, false)] {
        let e = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
        e.local_write(0x1000, &[0x77; 16]);
        let el = Element::data(Control::LIE, 16, 0x1000, 0x2000);
        e.local_write(0x8000, &el.encode());
        e.write32(0x0c, 1); // write engine enable
        // CH_CONTROL1: LLE (bit 9) and CCS (bit 8) as chosen.
        e.write32(unroll(ChannelDir::Write, 0, 0x00), 1 << 9 | ccs << 8);
        e.write32(unroll(ChannelDir::Write, 0, 0x1c), 0x8000); // LLP lo
        e.write32(unroll(ChannelDir::Write, 0, 0x20), 0); // LLP hi
        e.write32(0x10, 0); // doorbell, channel 0
        let moved = e.pci_read(0x2000, 16) == [0x77; 16];
        assert_eq!(moved, runs, "CCS = {ccs}");
        assert_eq!(e.counters().channel(ChannelDir::Write, 0).doorbells, 1);
    }
}
