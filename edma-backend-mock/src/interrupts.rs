//! Interrupts: done/stop and abort status, local lines, remote IMWr
//! messages.
#![allow(clippy::wildcard_imports)]

use edma_core::ChannelDir;
use edma_core::regs::{HdmaInt, HdmaIntSetup, HwChannelStatus, edma_v0};

use crate::state::*;
use crate::*;

impl Inner {
    pub(crate) fn imwr(&mut self, dir: ChannelDir, ch: u8, abort: bool, addr: u64, data: u32) {
        if let Some(hook) = &self.pci_hook {
            // A posted write: refused ones are simply lost.
            let _ = hook.write(addr, &data.to_le_bytes());
        } else if let Some(r) = self.pci_range(addr, 4) {
            self.pci[r].copy_from_slice(&data.to_le_bytes());
        }
        self.imwr_log.push(Imwr {
            dir,
            ch,
            abort,
            addr,
            data,
        });
    }

    pub(crate) fn edma_imwr_data(&self, dir: ChannelDir, ch: u8) -> u32 {
        let w = self.imwr_data[dir.index()][usize::from(ch / 2)];
        if ch % 2 == 1 { w >> 16 } else { w & 0xffff }
    }

    /// Done (eDMA, with the element's/control's LIE and RIE) or stop (HDMA,
    /// per the interrupt setup).
    pub(crate) fn raise_done(&mut self, dir: ChannelDir, ch: u8, lie: bool, rie: bool) {
        let i = dir.index();
        if self.edma() {
            self.int_status[i] |= edma_v0::done_bit(ch);
            if lie && self.int_mask[i] & edma_v0::done_bit(ch) == 0 {
                self.count(dir, ch, |k| k.done_local += 1);
            }
            if rie {
                self.count(dir, ch, |k| k.done_remote += 1);
                let (a, d) = (self.done_imwr[i], self.edma_imwr_data(dir, ch));
                self.imwr(dir, ch, false, a, d);
            }
        } else {
            let c = &mut self.ch[i][usize::from(ch)];
            c.int_stat |= HdmaInt::STOP.bits();
            let s = HdmaIntSetup::from_bits_retain(c.int_setup);
            let (a, d) = (c.msi_stop, c.msi_data);
            if !s.contains(HdmaIntSetup::STOP_MASK) && s.contains(HdmaIntSetup::LOCAL_STOP_EN) {
                self.count(dir, ch, |k| k.done_local += 1);
            }
            if s.contains(HdmaIntSetup::REMOTE_STOP_EN) {
                self.count(dir, ch, |k| k.done_remote += 1);
                self.imwr(dir, ch, false, a, d);
            }
        }
    }

    pub(crate) fn abort(&mut self, dir: ChannelDir, ch: u8, cause: AbortCause) {
        let i = dir.index();
        let c = &mut self.ch[i][usize::from(ch)];
        c.running = false;
        c.loaded = false;
        c.latch = None;
        c.need_fetch = false;
        c.last_abort = Some(cause);
        c.status = if cause == AbortCause::Stopped {
            HwChannelStatus::Stopped.bits()
        } else {
            HwChannelStatus::Halted.bits()
        };
        if self.edma() {
            self.int_status[i] |= edma_v0::abort_bit(ch);
            if self.int_mask[i] & edma_v0::abort_bit(ch) == 0 {
                self.count(dir, ch, |k| k.abort_local += 1);
            }
            if self.abort_imwr[i] != 0 {
                self.count(dir, ch, |k| k.abort_remote += 1);
                let (a, d) = (self.abort_imwr[i], self.edma_imwr_data(dir, ch));
                self.imwr(dir, ch, true, a, d);
            }
        } else {
            let c = &mut self.ch[i][usize::from(ch)];
            c.int_stat |= HdmaInt::ABORT.bits();
            let s = HdmaIntSetup::from_bits_retain(c.int_setup);
            let (a, d) = (c.msi_abort, c.msi_data);
            if !s.contains(HdmaIntSetup::ABORT_MASK) && s.contains(HdmaIntSetup::LOCAL_ABORT_EN) {
                self.count(dir, ch, |k| k.abort_local += 1);
            }
            if s.contains(HdmaIntSetup::REMOTE_ABORT_EN) {
                self.count(dir, ch, |k| k.abort_remote += 1);
                self.imwr(dir, ch, true, a, d);
            }
        }
    }

    pub(crate) fn irq_pending(&self) -> bool {
        if self.edma() {
            (0..2).any(|i| self.int_status[i] & !self.int_mask[i] != 0)
        } else {
            self.ch.iter().flatten().any(|c| {
                let s = HdmaIntSetup::from_bits_retain(c.int_setup);
                let st = HdmaInt::from_bits_truncate(c.int_stat);
                (st.contains(HdmaInt::STOP)
                    && !s.contains(HdmaIntSetup::STOP_MASK)
                    && s.contains(HdmaIntSetup::LOCAL_STOP_EN))
                    || (st.contains(HdmaInt::ABORT)
                        && !s.contains(HdmaIntSetup::ABORT_MASK)
                        && s.contains(HdmaIntSetup::LOCAL_ABORT_EN))
            })
        }
    }
}
