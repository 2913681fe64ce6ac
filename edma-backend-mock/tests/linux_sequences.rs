//! The mock checked independently of edma-core's planner and channel driver.
//!
//! Every test here programs the mock with the register sequences Linux's
//! `drivers/dma/dw-edma/` issues, written out by hand from these facts:
//!
//! * eDMA v0 first start (`dw_edma_v0_core_start(first = true)`): write the
//!   LL (data elements with CB of the chunk, LIE on the last, RIE too when
//!   the engine is remote; a link element with TCB and the inverse CB back to
//!   the region start); `engine_en = 1`; on HDMA compat `chN_pwr_en = 1`;
//!   `int_mask &= ~(done|abort bit)`; `linked_list_err_en |= bit`;
//!   `ch_control1 = CCS | LLE`; `llp.lsb`, `llp.msb`; doorbell = channel id.
//! * eDMA v0 next chunk: write the LL with the toggled CB; doorbell only.
//! * eDMA v0 interrupt: read `int_status`, for each done bit write it to
//!   `int_clear`; same for abort bits (16 + id).
//! * HDMA native first start (`dw_hdma_v0_core_ll_start`): LL without
//!   LIE/RIE; `ch_en = 1`; `int_setup`: clear stop/abort masks, set local
//!   stop/abort enables (remote ones too when remote); `control1 = LLE`;
//!   `llp`; `cycle_sync = CCS | CB`; doorbell = START.
//! * HDMA interrupt: read the channel's `int_stat`; write STOP / ABORT to
//!   `int_clear`.
//! * Legacy map: every channel register access is preceded by a viewport
//!   select (channel id, bit 31 for read).
//! * Remote interrupts (`ch_config`): done/abort IMWr address and per-channel
//!   data (eDMA: 16 bits per channel in `chXY_imwr_data`; HDMA: `msi_*`).

use edma_backend_mock::{AbortCause, ExecMode, MockConfig, MockEngine};
use edma_core::desc::{Control, Element, SLOT_SIZE};
use edma_core::io::RegisterIo;
use edma_core::regs::{ChReg, HdmaInt, HdmaIntSetup, ch_reg_offset, edma_v0, hdma, viewport_value};
use edma_core::{ChannelDir, MapFormat};

const GUARD: u8 = 0x5a;

struct Rig {
    e: MockEngine,
    map: MapFormat,
    dir: ChannelDir,
    ch: u8,
    remote: bool,
}

impl Rig {
    fn new(map: MapFormat, dir: ChannelDir, ch: u8, remote: bool) -> Rig {
        Rig {
            e: MockEngine::new(MockConfig::new(map)),
            map,
            dir,
            ch,
            remote,
        }
    }

    fn ch_w(&self, reg: ChReg, v: u32) {
        if self.map == MapFormat::EdmaLegacy {
            self.e
                .write32(edma_v0::VIEWPORT_SEL, viewport_value(self.dir, self.ch));
        }
        self.e
            .write32(ch_reg_offset(self.map, self.dir, self.ch, reg).unwrap(), v);
    }

    fn ch_r(&self, reg: ChReg) -> u32 {
        if self.map == MapFormat::EdmaLegacy {
            self.e
                .write32(edma_v0::VIEWPORT_SEL, viewport_value(self.dir, self.ch));
        }
        self.e
            .read32(ch_reg_offset(self.map, self.dir, self.ch, reg).unwrap())
    }

    fn ll_base(&self) -> u64 {
        self.e.ll_base(self.dir, self.ch)
    }

    /// Linux's write_chunk: elements then the link, cycle bit `cb`.
    fn write_chunk(&self, elems: &[(u64, u64, u32)], cb: bool) {
        let base = self.ll_base();
        let edma = self.map.is_edma_v0();
        for (i, &(sar, dar, size)) in elems.iter().enumerate() {
            let mut c = if cb { Control::CB } else { Control::empty() };
            if edma && i + 1 == elems.len() {
                c |= Control::LIE;
                if self.remote {
                    c |= Control::RIE;
                }
            }
            self.e.local_write(
                base + (i * SLOT_SIZE) as u64,
                &Element::data(c, size, sar, dar).encode(),
            );
        }
        let mut l = Control::TCB;
        if !cb {
            l |= Control::CB;
        }
        self.e.local_write(
            base + (elems.len() * SLOT_SIZE) as u64,
            &Element::link(l, base).encode(),
        );
    }

    fn first_start(&self) {
        let llp = self.ll_base();
        if self.map.is_edma_v0() {
            let r = edma_v0::dir_regs(self.dir);
            self.e.write32(r.engine_en, 1);
            if self.map == MapFormat::HdmaCompat {
                self.e.write32(r.ch0_pwr_en + 4 * usize::from(self.ch), 1);
            }
            let m = self.e.read32(r.int_mask);
            self.e.write32(
                r.int_mask,
                m & !(edma_v0::done_bit(self.ch) | edma_v0::abort_bit(self.ch)),
            );
            let l = self.e.read32(r.ll_err_en);
            self.e.write32(r.ll_err_en, l | edma_v0::done_bit(self.ch));
            self.ch_w(ChReg::Control1, (1 << 8) | (1 << 9));
            self.ch_w(ChReg::LlpLo, llp as u32);
            self.ch_w(ChReg::LlpHi, (llp >> 32) as u32);
        } else {
            self.ch_w(ChReg::ChEn, 1);
            let mut s = HdmaIntSetup::from_bits_retain(self.ch_r(ChReg::IntSetup));
            s -= HdmaIntSetup::STOP_MASK | HdmaIntSetup::ABORT_MASK;
            s |= HdmaIntSetup::LOCAL_STOP_EN | HdmaIntSetup::LOCAL_ABORT_EN;
            if self.remote {
                s |= HdmaIntSetup::REMOTE_STOP_EN | HdmaIntSetup::REMOTE_ABORT_EN;
            }
            self.ch_w(ChReg::IntSetup, s.bits());
            self.ch_w(ChReg::Control1, hdma::CONTROL1_LLE);
            self.ch_w(ChReg::LlpLo, llp as u32);
            self.ch_w(ChReg::LlpHi, (llp >> 32) as u32);
            self.ch_w(ChReg::CycleSync, hdma::CYCLE_STATE | hdma::CYCLE_BIT);
        }
        self.doorbell();
    }

    fn doorbell(&self) {
        if self.map.is_edma_v0() {
            self.e
                .write32(edma_v0::dir_regs(self.dir).doorbell, u32::from(self.ch));
        } else {
            self.ch_w(ChReg::Doorbell, hdma::DOORBELL_START);
        }
    }

    /// Linux's handle_int for this channel: returns (done, abort) seen and cleared.
    fn handle_int(&self) -> (bool, bool) {
        if self.map.is_edma_v0() {
            let r = edma_v0::dir_regs(self.dir);
            let s = self.e.read32(r.int_status);
            let done = s & edma_v0::done_bit(self.ch) != 0;
            let abort = s & edma_v0::abort_bit(self.ch) != 0;
            if done {
                self.e.write32(r.int_clear, edma_v0::done_bit(self.ch));
            }
            if abort {
                self.e.write32(r.int_clear, edma_v0::abort_bit(self.ch));
            }
            (done, abort)
        } else {
            let s = HdmaInt::from_bits_truncate(self.ch_r(ChReg::IntStat));
            if s.contains(HdmaInt::STOP) {
                self.ch_w(ChReg::IntClear, HdmaInt::STOP.bits());
            }
            if s.contains(HdmaInt::ABORT) {
                self.ch_w(ChReg::IntClear, HdmaInt::ABORT.bits());
            }
            (s.contains(HdmaInt::STOP), s.contains(HdmaInt::ABORT))
        }
    }

    fn ch_config(&self, addr: u64, data: u16) {
        if self.map.is_edma_v0() {
            let r = edma_v0::dir_regs(self.dir);
            self.e.write32(r.done_imwr_lo, addr as u32);
            self.e.write32(r.done_imwr_lo + 4, (addr >> 32) as u32);
            self.e.write32(r.abort_imwr_lo, addr as u32);
            self.e.write32(r.abort_imwr_lo + 4, (addr >> 32) as u32);
            let off = r.imwr_data01 + 4 * usize::from(self.ch / 2);
            let mut v = self.e.read32(off);
            if self.ch % 2 == 1 {
                v = (v & 0xffff) | (u32::from(data) << 16);
            } else {
                v = (v & 0xffff_0000) | u32::from(data);
            }
            self.e.write32(off, v);
        } else {
            self.ch_w(ChReg::MsiStopLo, addr as u32);
            self.ch_w(ChReg::MsiStopHi, (addr >> 32) as u32);
            self.ch_w(ChReg::MsiAbortLo, addr as u32);
            self.ch_w(ChReg::MsiAbortHi, (addr >> 32) as u32);
            self.ch_w(ChReg::MsiMsgData, u32::from(data));
        }
    }

    /// (source memory writer, destination reader) by direction.
    fn fill_src(&self, addr: u64, data: &[u8]) {
        match self.dir {
            ChannelDir::Write => self.e.local_write(addr, data),
            ChannelDir::Read => self.e.pci_write(addr, data),
        }
    }
    fn fill_dst(&self, addr: u64, data: &[u8]) {
        match self.dir {
            ChannelDir::Write => self.e.pci_write(addr, data),
            ChannelDir::Read => self.e.local_write(addr, data),
        }
    }
    fn read_dst(&self, addr: u64, len: usize) -> Vec<u8> {
        match self.dir {
            ChannelDir::Write => self.e.pci_read(addr, len),
            ChannelDir::Read => self.e.local_read(addr, len),
        }
    }
}

fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// Two chunks of three elements each, Linux style, with every byte and guard
/// verified and every counter checked.
fn two_chunks(map: MapFormat, dir: ChannelDir, ch: u8, remote: bool) {
    let r = Rig::new(map, dir, ch, remote);
    if remote {
        r.ch_config(0x30_0000, 0x40 + u16::from(ch));
    }
    let sizes = [100usize, 1, 4096, 333, 7, 2048];
    let mut elems = vec![];
    for (i, &n) in sizes.iter().enumerate() {
        let src = 0x1000 + (i as u64) * 0x2000;
        let dst = 0x10_0000 + (i as u64) * 0x2000;
        r.fill_src(src, &pattern(i as u8, n));
        // Guards around each destination.
        r.fill_dst(dst - 16, &[GUARD; 16]);
        r.fill_dst(dst, &vec![0u8; n]);
        r.fill_dst(dst + n as u64, &[GUARD; 16]);
        elems.push((src, dst, n as u32));
    }
    r.write_chunk(&elems[..3], true);
    r.first_start();
    let c = r.e.counters().channel(dir, ch);
    assert_eq!(c.doorbells, 1);
    assert_eq!(c.elements, 3);
    assert_eq!(
        c.done_local, 1,
        "one local done/stop interrupt for the chunk"
    );
    assert_eq!(c.done_remote, u64::from(remote));
    assert!(r.e.irq_pending());
    assert_eq!(r.handle_int(), (true, false));
    assert!(!r.e.irq_pending(), "clear deasserts the line");
    // Second chunk: toggled cycle bit, doorbell only.
    r.write_chunk(&elems[3..], false);
    r.doorbell();
    let c = r.e.counters().channel(dir, ch);
    assert_eq!(c.doorbells, 2);
    assert_eq!(c.elements, 6);
    assert_eq!(c.links, 2);
    assert_eq!(c.bytes, sizes.iter().sum::<usize>() as u64);
    assert_eq!(c.done_local, 2);
    assert_eq!(r.handle_int(), (true, false));
    for (i, &(_, dst, n)) in elems.iter().enumerate() {
        let got = r.read_dst(dst - 16, n as usize + 32);
        assert_eq!(&got[..16], &[GUARD; 16], "guard before element {i}");
        assert_eq!(
            &got[16..16 + n as usize],
            &pattern(i as u8, n as usize)[..],
            "data of element {i}"
        );
        assert_eq!(
            &got[16 + n as usize..],
            &[GUARD; 16],
            "guard after element {i}"
        );
    }
    if remote {
        let log = r.e.imwr_log();
        assert_eq!(log.len(), 2);
        assert!(
            log.iter()
                .all(|m| m.addr == 0x30_0000 && m.data == 0x40 + u32::from(ch) && !m.abort)
        );
        assert_eq!(
            r.e.pci_read(0x30_0000, 4),
            (0x40 + u32::from(ch)).to_le_bytes()
        );
    } else {
        assert!(r.e.imwr_log().is_empty());
    }
    // No other channel saw anything.
    for d in ChannelDir::ALL {
        for o in 0..8 {
            if (d, o) != (dir, ch) {
                let c = r.e.counters().channel(d, o);
                assert_eq!((c.doorbells, c.elements, c.done_local), (0, 0, 0));
            }
        }
    }
}

macro_rules! matrix {
    ($($name:ident: $map:expr;)*) => {$(
        mod $name {
            use super::*;
            #[test] fn write_local() { two_chunks($map, ChannelDir::Write, 0, false) }
            #[test] fn read_local() { two_chunks($map, ChannelDir::Read, 3, false) }
            #[test] fn write_remote() { two_chunks($map, ChannelDir::Write, 5, true) }
            #[test] fn read_remote() { two_chunks($map, ChannelDir::Read, 7, true) }
        }
    )*};
}

matrix! {
    edma_legacy: MapFormat::EdmaLegacy;
    edma_unroll: MapFormat::EdmaUnroll;
    hdma_compat: MapFormat::HdmaCompat;
    hdma_native: MapFormat::HdmaNative;
}

#[test]
fn legacy_viewport_routes_channel_registers() {
    let e = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy));
    for (dir, ch, v) in [
        (ChannelDir::Write, 2, 0x1111),
        (ChannelDir::Read, 2, 0x2222),
        (ChannelDir::Read, 6, 0x3333),
    ] {
        e.write32(edma_v0::VIEWPORT_SEL, viewport_value(dir, ch));
        e.write32(edma_v0::LEGACY_CH_BASE + edma_v0::CH_SAR_LO, v);
    }
    for (dir, ch, v) in [
        (ChannelDir::Write, 2, 0x1111),
        (ChannelDir::Read, 2, 0x2222),
        (ChannelDir::Read, 6, 0x3333),
        (ChannelDir::Write, 6, 0),
    ] {
        e.write32(edma_v0::VIEWPORT_SEL, viewport_value(dir, ch));
        assert_eq!(e.read32(edma_v0::LEGACY_CH_BASE + edma_v0::CH_SAR_LO), v);
    }
    assert_eq!(e.counters().channel(ChannelDir::Read, 2).reg_writes, 1);
    assert_eq!(e.counters().channel(ChannelDir::Read, 6).reg_reads, 1);
}

#[test]
fn doorbell_ignored_without_engine_or_power_enable() {
    for map in MapFormat::ALL {
        let r = Rig::new(map, ChannelDir::Write, 1, false);
        r.e.local_write(0x1000, &[1; 8]);
        r.write_chunk(&[(0x1000, 0x2000, 8)], true);
        // Program everything but the enables.
        r.ch_w(ChReg::Control1, if map.is_edma_v0() { 0x300 } else { 1 });
        let llp = r.ll_base();
        r.ch_w(ChReg::LlpLo, llp as u32);
        r.ch_w(ChReg::LlpHi, (llp >> 32) as u32);
        if !map.is_edma_v0() {
            r.ch_w(ChReg::CycleSync, 3);
        }
        r.doorbell();
        let c = r.e.counters().channel(ChannelDir::Write, 1);
        assert_eq!(
            (c.doorbells, c.ignored_doorbells, c.elements),
            (0, 1, 0),
            "{map:?}"
        );
        assert_eq!(r.e.pci_read(0x2000, 8), [0; 8]);
        if map == MapFormat::HdmaCompat {
            // Engine enabled but channel not powered: still ignored.
            r.e.write32(edma_v0::WR_ENGINE_EN, 1);
            r.doorbell();
            assert_eq!(
                r.e.counters()
                    .channel(ChannelDir::Write, 1)
                    .ignored_doorbells,
                2
            );
        }
    }
}

#[test]
fn masked_interrupt_sets_status_but_not_the_line() {
    let r = Rig::new(MapFormat::EdmaUnroll, ChannelDir::Write, 0, false);
    r.e.local_write(0x1000, &[9; 4]);
    r.write_chunk(&[(0x1000, 0x2000, 4)], true);
    let er = edma_v0::dir_regs(ChannelDir::Write);
    r.e.write32(er.engine_en, 1);
    r.ch_w(ChReg::Control1, 0x300);
    r.ch_w(ChReg::LlpLo, r.ll_base() as u32);
    r.ch_w(ChReg::LlpHi, 0);
    r.doorbell();
    assert_eq!(r.e.read32(er.int_status), edma_v0::done_bit(0));
    assert!(!r.e.irq_pending());
    assert_eq!(r.e.counters().total().done_local, 0);
    assert_eq!(r.e.pci_read(0x2000, 4), [9; 4]);
}

#[test]
fn cycle_bit_mismatch_stops_until_next_doorbell() {
    for map in MapFormat::ALL {
        let r = Rig::new(map, ChannelDir::Read, 2, false);
        r.e.pci_write(0x100, &[7; 16]);
        // Chunk written with CB = 0 while the first start sets CCS = 1.
        r.write_chunk(&[(0x100, 0x8000, 16)], false);
        r.first_start();
        assert_eq!(
            r.e.counters().channel(ChannelDir::Read, 2).elements,
            0,
            "{map:?}"
        );
        assert_eq!(r.e.local_read(0x8000, 16), [0; 16]);
        // Status: stopped (3).
        let st = if map.is_edma_v0() {
            (r.ch_r(ChReg::Control1) >> 5) & 3
        } else {
            r.ch_r(ChReg::ChStat) & 3
        };
        assert_eq!(st, 3, "{map:?}");
        // Now produce it with the right cycle bit and ring again.
        r.write_chunk(&[(0x100, 0x8000, 16)], true);
        r.doorbell();
        assert_eq!(r.e.local_read(0x8000, 16), [7; 16], "{map:?}");
    }
}

#[test]
fn out_of_range_addresses_abort_with_status_and_interrupt() {
    for map in MapFormat::ALL {
        for (sar, dar, cause) in [
            (0x1_0000_0000u64, 0x100u64, AbortCause::SarOutOfRange),
            (0x100, 0x7fff_ffff_0000, AbortCause::DarOutOfRange),
            (0x3f_fff0, 0x100, AbortCause::SarOutOfRange), // straddles the end of local memory
        ] {
            let r = Rig::new(map, ChannelDir::Write, 4, false);
            r.write_chunk(&[(sar, dar, 0x20)], true);
            r.first_start();
            assert_eq!(r.e.last_abort(ChannelDir::Write, 4), Some(cause), "{map:?}");
            assert_eq!(r.handle_int(), (false, true), "{map:?}");
            let c = r.e.counters().channel(ChannelDir::Write, 4);
            assert_eq!((c.abort_local, c.bytes, c.done_local), (1, 0, 0), "{map:?}");
            let st = if map.is_edma_v0() {
                (r.ch_r(ChReg::Control1) >> 5) & 3
            } else {
                r.ch_r(ChReg::ChStat) & 3
            };
            assert_eq!(st, 2, "halted");
        }
        // LLP outside local memory.
        let r = Rig::new(map, ChannelDir::Read, 0, false);
        if map.is_edma_v0() {
            let er = edma_v0::dir_regs(ChannelDir::Read);
            r.e.write32(er.engine_en, 1);
            r.e.write32(er.ch0_pwr_en, 1);
            r.e.write32(er.int_mask, 0);
            r.ch_w(ChReg::Control1, 0x300);
        } else {
            r.ch_w(ChReg::ChEn, 1);
            r.ch_w(
                ChReg::IntSetup,
                (HdmaIntSetup::LOCAL_ABORT_EN | HdmaIntSetup::LOCAL_STOP_EN).bits(),
            );
            r.ch_w(ChReg::Control1, 1);
            r.ch_w(ChReg::CycleSync, 3);
        }
        r.ch_w(ChReg::LlpLo, 0xffff_0000);
        r.ch_w(ChReg::LlpHi, 0x1);
        r.doorbell();
        assert_eq!(
            r.e.last_abort(ChannelDir::Read, 0),
            Some(AbortCause::LlFetch),
            "{map:?}"
        );
        assert_eq!(r.e.counters().total().abort_local, 1, "{map:?}");
    }
}

#[test]
fn stop_request_halts_a_running_channel_in_manual_mode() {
    for map in MapFormat::ALL {
        let cfg = MockConfig::new(map).with_mode(ExecMode::Manual);
        let r = Rig {
            e: MockEngine::new(cfg),
            map,
            dir: ChannelDir::Write,
            ch: 1,
            remote: false,
        };
        r.e.local_write(0x1000, &pattern(1, 64));
        let elems: Vec<_> = (0..4)
            .map(|i| (0x1000 + i * 16, 0x9000 + i * 16, 16u32))
            .collect();
        r.write_chunk(&elems, true);
        r.first_start();
        assert!(r.e.is_running(ChannelDir::Write, 1));
        assert_eq!(r.e.step(ChannelDir::Write, 1, 2), 2);
        // Registers show the next element, loaded whole.
        let llp = u64::from(r.ch_r(ChReg::LlpLo)) | (u64::from(r.ch_r(ChReg::LlpHi)) << 32);
        assert_eq!(llp, r.ll_base() + 2 * SLOT_SIZE as u64);
        assert_eq!(r.ch_r(ChReg::TransferSize), 16);
        if map.is_edma_v0() {
            r.e.write32(edma_v0::WR_DOORBELL, edma_v0::DOORBELL_STOP | 1);
        } else {
            r.ch_w(ChReg::Doorbell, hdma::DOORBELL_STOP);
        }
        assert!(!r.e.is_running(ChannelDir::Write, 1));
        assert_eq!(r.e.step(ChannelDir::Write, 1, 10), 0);
        assert_eq!(r.handle_int(), (false, true), "{map:?}");
        assert_eq!(r.e.pci_read(0x9000, 32), pattern(1, 64)[..32].to_vec());
        assert_eq!(r.e.pci_read(0x9020, 32), vec![0; 32]);
        assert_eq!(r.e.counters().total().stop_requests, 1);
    }
}

#[test]
fn non_ll_single_block() {
    for map in MapFormat::ALL {
        let r = Rig::new(map, ChannelDir::Read, 0, false);
        r.e.pci_write(0x4000, &pattern(3, 300));
        if map.is_edma_v0() {
            let er = edma_v0::dir_regs(ChannelDir::Read);
            r.e.write32(er.engine_en, 1);
            if map == MapFormat::HdmaCompat {
                r.e.write32(er.ch0_pwr_en, 1);
            }
            r.e.write32(er.int_mask, 0);
            r.ch_w(ChReg::Control1, 1 << 3); // LIE, LLE clear
        } else {
            r.ch_w(ChReg::ChEn, 1);
            r.ch_w(
                ChReg::IntSetup,
                (HdmaIntSetup::LOCAL_ABORT_EN | HdmaIntSetup::LOCAL_STOP_EN).bits(),
            );
            r.ch_w(ChReg::Control1, 0);
        }
        r.ch_w(ChReg::TransferSize, 300);
        r.ch_w(ChReg::SarLo, 0x4000);
        r.ch_w(ChReg::SarHi, 0);
        r.ch_w(ChReg::DarLo, 0x2_0000);
        r.ch_w(ChReg::DarHi, 0);
        r.doorbell();
        assert_eq!(r.e.local_read(0x2_0000, 300), pattern(3, 300), "{map:?}");
        assert_eq!(r.handle_int(), (true, false), "{map:?}");
        let c = r.e.counters().total();
        assert_eq!(
            (c.elements, c.bytes, c.done_local, c.links),
            (1, 300, 1, 0),
            "{map:?}"
        );
    }
}
