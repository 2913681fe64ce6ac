//! Register decoding: every offset of the four maps, reads and writes with
//! their side effects (doorbells, clears, viewport).
#![allow(clippy::wildcard_imports)]

use edma_core::regs::{ChControl1, edma_v0, hdma};
use edma_core::{ChannelDir, MapFormat};

use crate::ExecMode;
use crate::schedule::{YieldKind, mix};
use crate::state::*;

/// The read-only channel-status field of eDMA `CH_CONTROL1`.
pub(crate) const CS_FIELD: u32 = ChControl1::CS0.bits() | ChControl1::CS1.bits();

impl Inner {
    pub(crate) fn decode(&self, off: usize) -> Target {
        match self.cfg.map {
            MapFormat::EdmaLegacy => {
                if (edma_v0::LEGACY_CH_BASE..edma_v0::LEGACY_CH_BASE + 0x24).contains(&off) {
                    let dir = if self.viewport & edma_v0::VIEWPORT_READ != 0 {
                        ChannelDir::Read
                    } else {
                        ChannelDir::Write
                    };
                    Target::Ch(
                        dir,
                        (self.viewport & 7) as u8,
                        off - edma_v0::LEGACY_CH_BASE,
                    )
                } else {
                    Target::Global
                }
            }
            MapFormat::EdmaUnroll | MapFormat::HdmaCompat => {
                if (edma_v0::UNROLL_CH_BASE..edma_v0::UNROLL_MAP_SIZE).contains(&off) {
                    let rel = off - edma_v0::UNROLL_CH_BASE;
                    let ch = (rel / edma_v0::UNROLL_CH_STRIDE) as u8;
                    let within = rel % edma_v0::UNROLL_CH_STRIDE;
                    let dir = if within >= edma_v0::UNROLL_RD_OFFSET {
                        ChannelDir::Read
                    } else {
                        ChannelDir::Write
                    };
                    let w = within % edma_v0::UNROLL_RD_OFFSET;
                    if w < 0x24 {
                        Target::Ch(dir, ch, w)
                    } else {
                        Target::Global
                    }
                } else {
                    Target::Global
                }
            }
            MapFormat::HdmaNative => {
                if off < hdma::CH_STRIDE * 8 {
                    let ch = (off / hdma::CH_STRIDE) as u8;
                    let within = off % hdma::CH_STRIDE;
                    let dir = if within >= hdma::DIR_STRIDE {
                        ChannelDir::Read
                    } else {
                        ChannelDir::Write
                    };
                    Target::Ch(dir, ch, within % hdma::DIR_STRIDE)
                } else {
                    Target::Global
                }
            }
        }
    }

    pub(crate) fn read(&mut self, off: usize) -> u32 {
        self.yield_point(YieldKind::RegRead(off));
        self.counters.total.reg_reads += 1;
        self.fetch_window_elapses();
        let v = match self.decode(off) {
            Target::Ch(dir, ch, w) => {
                self.counters.channels[dir.index()][usize::from(ch)].reg_reads += 1;
                self.read_ch(dir, ch, w)
            }
            Target::Global => self.read_global(off),
        };
        if self.cfg.mode == ExecMode::Scheduled {
            self.read_hash = mix(mix(self.read_hash, off as u64), u64::from(v));
        }
        v
    }

    /// Scheduled mode: a fetched element is acted on no later than the
    /// `fetch_window_reads`-th driver read after its fetch.
    fn fetch_window_elapses(&mut self) {
        if self.cfg.mode != ExecMode::Scheduled {
            return;
        }
        for i in 0..2 {
            for ch in 0..8u8 {
                let c = &mut self.ch[i][usize::from(ch)];
                if c.running && (c.latch.is_some() || c.need_fetch) {
                    c.latch_reads += 1;
                    if c.latch_reads >= self.cfg.fetch_window_reads {
                        let dir = dir_of(i);
                        if !c.need_fetch || self.latch(dir, ch) {
                            self.decide(dir, ch);
                        }
                    }
                }
            }
        }
    }

    pub(crate) fn write(&mut self, off: usize, v: u32) {
        self.yield_point(YieldKind::RegWrite(off));
        self.counters.total.reg_writes += 1;
        match self.decode(off) {
            Target::Ch(dir, ch, w) => {
                self.counters.channels[dir.index()][usize::from(ch)].reg_writes += 1;
                self.write_ch(dir, ch, w, v)
            }
            Target::Global => self.write_global(off, v),
        }
    }

    pub(crate) fn read_ch(&self, dir: ChannelDir, ch: u8, w: usize) -> u32 {
        let c = &self.ch[dir.index()][usize::from(ch)];
        if self.edma() {
            match w {
                edma_v0::CH_CONTROL1 => {
                    (c.control1 & !CS_FIELD) | (c.status << edma_core::regs::CH_CONTROL1_CS_SHIFT)
                }
                edma_v0::CH_CONTROL2 => c.control2,
                edma_v0::CH_TRANSFER_SIZE => c.transfer_size,
                edma_v0::CH_SAR_LO => lo(c.sar),
                edma_v0::CH_SAR_HI => hi(c.sar),
                edma_v0::CH_DAR_LO => lo(c.dar),
                edma_v0::CH_DAR_HI => hi(c.dar),
                edma_v0::CH_LLP_LO => lo(c.llp),
                edma_v0::CH_LLP_HI => hi(c.llp),
                _ => 0,
            }
        } else {
            match w {
                hdma::CH_EN => c.ch_en,
                hdma::LLP_LO => lo(c.llp),
                hdma::LLP_HI => hi(c.llp),
                hdma::CYCLE_SYNC => u32::from(c.ccs) * (hdma::CYCLE_BIT | hdma::CYCLE_STATE),
                hdma::TRANSFER_SIZE => c.transfer_size,
                hdma::SAR_LO => lo(c.sar),
                hdma::SAR_HI => hi(c.sar),
                hdma::DAR_LO => lo(c.dar),
                hdma::DAR_HI => hi(c.dar),
                hdma::CONTROL1 => c.control1,
                hdma::CH_STAT => c.status,
                hdma::INT_STAT => c.int_stat,
                hdma::INT_SETUP => c.int_setup,
                hdma::MSI_STOP_LO => lo(c.msi_stop),
                hdma::MSI_STOP_HI => hi(c.msi_stop),
                hdma::MSI_ABORT_LO => lo(c.msi_abort),
                hdma::MSI_ABORT_HI => hi(c.msi_abort),
                hdma::MSI_MSGDATA => c.msi_data,
                _ => 0,
            }
        }
    }

    pub(crate) fn write_ch(&mut self, dir: ChannelDir, ch: u8, w: usize, v: u32) {
        let edma = self.edma();
        if !edma && w == hdma::DOORBELL {
            if v & hdma::DOORBELL_STOP != 0 {
                self.stop(dir, ch);
            } else if v & hdma::DOORBELL_START != 0 {
                self.doorbell(dir, ch);
            }
            return;
        }
        let c = &mut self.ch[dir.index()][usize::from(ch)];
        if edma {
            match w {
                edma_v0::CH_CONTROL1 => {
                    c.control1 = v & !CS_FIELD;
                    // Writing CCS sets the consumer cycle state the LL starts with.
                    c.ccs = v & ChControl1::CCS.bits() != 0;
                }
                edma_v0::CH_CONTROL2 => c.control2 = v,
                edma_v0::CH_TRANSFER_SIZE => c.transfer_size = v,
                edma_v0::CH_SAR_LO => set_lo(&mut c.sar, v),
                edma_v0::CH_SAR_HI => set_hi(&mut c.sar, v),
                edma_v0::CH_DAR_LO => set_lo(&mut c.dar, v),
                edma_v0::CH_DAR_HI => set_hi(&mut c.dar, v),
                edma_v0::CH_LLP_LO => set_lo(&mut c.llp, v),
                edma_v0::CH_LLP_HI => set_hi(&mut c.llp, v),
                _ => {}
            }
        } else {
            match w {
                hdma::CH_EN => c.ch_en = v & 1,
                hdma::LLP_LO => set_lo(&mut c.llp, v),
                hdma::LLP_HI => set_hi(&mut c.llp, v),
                hdma::CYCLE_SYNC => c.ccs = v & hdma::CYCLE_BIT != 0,
                hdma::TRANSFER_SIZE => c.transfer_size = v,
                hdma::SAR_LO => set_lo(&mut c.sar, v),
                hdma::SAR_HI => set_hi(&mut c.sar, v),
                hdma::DAR_LO => set_lo(&mut c.dar, v),
                hdma::DAR_HI => set_hi(&mut c.dar, v),
                hdma::CONTROL1 => c.control1 = v,
                hdma::INT_SETUP => c.int_setup = v,
                hdma::INT_CLEAR => c.int_stat &= !v,
                hdma::MSI_STOP_LO => set_lo(&mut c.msi_stop, v),
                hdma::MSI_STOP_HI => set_hi(&mut c.msi_stop, v),
                hdma::MSI_ABORT_LO => set_lo(&mut c.msi_abort, v),
                hdma::MSI_ABORT_HI => set_hi(&mut c.msi_abort, v),
                hdma::MSI_MSGDATA => c.msi_data = v,
                _ => {}
            }
        }
    }

    pub(crate) fn read_global(&self, off: usize) -> u32 {
        if !self.edma() {
            return 0;
        }
        for i in 0..2 {
            let r = edma_v0::dir_regs(dir_of(i));
            match off {
                o if o == r.engine_en => return self.engine_en[i],
                o if o == r.int_status => return self.int_status[i],
                o if o == r.int_mask => return self.int_mask[i],
                o if o == r.ll_err_en => return self.ll_err_en[i],
                o if o == r.done_imwr_lo => return lo(self.done_imwr[i]),
                o if o == r.done_imwr_lo + 4 => return hi(self.done_imwr[i]),
                o if o == r.abort_imwr_lo => return lo(self.abort_imwr[i]),
                o if o == r.abort_imwr_lo + 4 => return hi(self.abort_imwr[i]),
                o if (r.imwr_data01..r.imwr_data01 + 16).contains(&o) => {
                    return self.imwr_data[i][(o - r.imwr_data01) / 4];
                }
                o if (r.ch0_pwr_en..r.ch0_pwr_en + 32).contains(&o) => {
                    return self.pwr_en[i][(o - r.ch0_pwr_en) / 4];
                }
                _ => {}
            }
        }
        match off {
            edma_v0::CTRL => {
                u32::from(self.cfg.wr_channels) | (u32::from(self.cfg.rd_channels) << 16)
            }
            edma_v0::VIEWPORT_SEL if self.cfg.map == MapFormat::EdmaLegacy => self.viewport,
            o if o < 0x40 => self.arb[o / 4],
            _ => 0,
        }
    }

    pub(crate) fn write_global(&mut self, off: usize, v: u32) {
        if !self.edma() {
            return;
        }
        if off == edma_v0::VIEWPORT_SEL && self.cfg.map == MapFormat::EdmaLegacy {
            self.viewport = v;
            return;
        }
        for i in 0..2 {
            let r = edma_v0::dir_regs(dir_of(i));
            match off {
                o if o == r.engine_en => self.engine_en[i] = v & 1,
                o if o == r.doorbell => {
                    let ch = (v & edma_v0::DOORBELL_CH_MASK) as u8;
                    self.counters.channels[i][usize::from(ch)].reg_writes += 1;
                    if v & edma_v0::DOORBELL_STOP != 0 {
                        self.stop(dir_of(i), ch);
                    } else {
                        self.doorbell(dir_of(i), ch);
                    }
                }
                o if o == r.int_mask => {
                    self.int_mask[i] = v & (edma_v0::DONE_INT_MASK | edma_v0::ABORT_INT_MASK)
                }
                o if o == r.int_clear => self.int_status[i] &= !v,
                o if o == r.ll_err_en => self.ll_err_en[i] = v & 0xff,
                o if o == r.done_imwr_lo => set_lo(&mut self.done_imwr[i], v),
                o if o == r.done_imwr_lo + 4 => set_hi(&mut self.done_imwr[i], v),
                o if o == r.abort_imwr_lo => set_lo(&mut self.abort_imwr[i], v),
                o if o == r.abort_imwr_lo + 4 => set_hi(&mut self.abort_imwr[i], v),
                o if (r.imwr_data01..r.imwr_data01 + 16).contains(&o) => {
                    self.imwr_data[i][(o - r.imwr_data01) / 4] = v
                }
                o if (r.ch0_pwr_en..r.ch0_pwr_en + 32).contains(&o)
                    && self.cfg.map != MapFormat::EdmaLegacy =>
                {
                    self.pwr_en[i][(o - r.ch0_pwr_en) / 4] = v & 1
                }
                o if o < 0x40 => self.arb[o / 4] = v,
                _ => {}
            }
        }
    }
}
