//! Execution: doorbell, stop, LL fetch with cycle bits, elements moved
//! between the memories, injected faults.
#![allow(clippy::wildcard_imports)]

use std::vec::Vec;

use edma_core::desc::{Control, Element, SLOT_SIZE};
use edma_core::regs::{ChControl1, HdmaInt, HwChannelStatus, hdma};
use edma_core::{ChannelDir, MapFormat};

use crate::state::*;
use crate::*;

impl Inner {
    pub(crate) fn channel_enabled(&self, dir: ChannelDir, ch: u8) -> bool {
        let i = dir.index();
        match self.cfg.map {
            MapFormat::EdmaLegacy | MapFormat::EdmaUnroll => self.engine_en[i] & 1 != 0,
            MapFormat::HdmaCompat => {
                self.engine_en[i] & 1 != 0 && self.pwr_en[i][usize::from(ch)] & 1 != 0
            }
            MapFormat::HdmaNative => self.ch[i][usize::from(ch)].ch_en & 1 != 0,
        }
    }

    pub(crate) fn present(&self, dir: ChannelDir, ch: u8) -> bool {
        let n = match dir {
            ChannelDir::Write => self.cfg.wr_channels,
            ChannelDir::Read => self.cfg.rd_channels,
        };
        ch < n.min(8)
    }

    pub(crate) fn ll_mode(&self, dir: ChannelDir, ch: u8) -> bool {
        let c = &self.ch[dir.index()][usize::from(ch)];
        if self.edma() {
            c.control1 & ChControl1::LLE.bits() != 0
        } else {
            c.control1 & hdma::CONTROL1_LLE != 0
        }
    }

    pub(crate) fn doorbell(&mut self, dir: ChannelDir, ch: u8) {
        let i = dir.index();
        let c = &self.ch[i][usize::from(ch)];
        if !self.present(dir, ch) || !self.channel_enabled(dir, ch) || c.running {
            self.count(dir, ch, |k| k.ignored_doorbells += 1);
            return;
        }
        self.count(dir, ch, |k| k.doorbells += 1);
        let c = &mut self.ch[i][usize::from(ch)];
        c.running = true;
        c.loaded = false;
        c.latch = None;
        c.status = HwChannelStatus::Running.bits();
        if self.ll_mode(dir, ch) {
            if self.cfg.mode == ExecMode::Scheduled {
                let c = &mut self.ch[i][usize::from(ch)];
                c.need_fetch = true;
                c.latch_reads = 0;
            } else {
                self.fetch(dir, ch);
            }
        } else {
            self.ch[i][usize::from(ch)].loaded = true;
        }
        if self.cfg.mode == ExecMode::RunOnDoorbell {
            self.run(dir, ch, u64::MAX);
        }
    }

    pub(crate) fn stop(&mut self, dir: ChannelDir, ch: u8) {
        self.count(dir, ch, |k| k.stop_requests += 1);
        let c = &self.ch[dir.index()][usize::from(ch)];
        if !c.running || c.ignore_stop {
            return;
        }
        self.abort(dir, ch, AbortCause::Stopped);
    }

    /// Follows links from LLP until a data element is loaded into the
    /// channel registers, the channel stops on a cycle-bit mismatch, or an
    /// LL fetch aborts it: [`Inner::latch`] and [`Inner::decide`] at once.
    pub(crate) fn fetch(&mut self, dir: ChannelDir, ch: u8) {
        if self.latch(dir, ch) {
            self.decide(dir, ch);
        }
    }

    /// Reads the element at LLP (following links, toggling CCS on TCB)
    /// into the channel's latch; the channel still reports running. False
    /// if an LL fetch error aborted the channel.
    pub(crate) fn latch(&mut self, dir: ChannelDir, ch: u8) -> bool {
        let i = dir.index();
        let mut links = 0u32;
        self.ch[i][usize::from(ch)].need_fetch = false;
        loop {
            let c = self.ch[i][usize::from(ch)];
            if matches!(c.fault, Some(Fault::LlFetchError { after_elements }) if c.faults_elements >= after_elements)
            {
                self.ch[i][usize::from(ch)].fault = None;
                self.abort(dir, ch, AbortCause::LlFetch);
                return false;
            }
            let Some(r) = self.local_range(c.llp, SLOT_SIZE as u64) else {
                self.abort(dir, ch, AbortCause::LlFetch);
                return false;
            };
            let mut slot = [0u8; SLOT_SIZE];
            slot.copy_from_slice(&self.local[r]);
            match Element::decode(&slot) {
                Element::Link { control, target } => {
                    links += 1;
                    if links > 64 {
                        self.abort(dir, ch, AbortCause::LinkLoop);
                        return false;
                    }
                    self.count(dir, ch, |k| k.links += 1);
                    let c = &mut self.ch[i][usize::from(ch)];
                    if control.bits() & Control::TCB.bits() != 0 {
                        c.ccs = !c.ccs;
                    }
                    c.llp = target;
                }
                Element::Data {
                    control,
                    size,
                    sar,
                    dar,
                } => {
                    let c = &mut self.ch[i][usize::from(ch)];
                    c.latch = Some(Latched {
                        valid: (control.bits() & Control::CB.bits() != 0) == c.ccs,
                        control: control.bits(),
                        size,
                        sar,
                        dar,
                    });
                    return true;
                }
            }
        }
    }

    /// Acts on the latched element: loads it into the channel registers if
    /// its cycle bit matched, otherwise stops the channel (HDMA: with its
    /// stop interrupt) until the next doorbell.
    pub(crate) fn decide(&mut self, dir: ChannelDir, ch: u8) {
        let i = dir.index();
        let c = &mut self.ch[i][usize::from(ch)];
        let Some(l) = c.latch.take() else {
            return;
        };
        if !l.valid {
            // Not produced yet: the channel stops here until the next doorbell.
            c.running = false;
            c.loaded = false;
            c.status = HwChannelStatus::Stopped.bits();
            if !self.edma() {
                self.raise_done(dir, ch, false, false);
            }
            return;
        }
        c.transfer_size = l.size;
        c.sar = l.sar;
        c.dar = l.dar;
        c.cur_control = l.control;
        c.loaded = true;
    }

    /// One micro-step of a running channel in scheduled mode: fetch the
    /// element at LLP, act on a fetched element, or execute the loaded one.
    /// False if the channel had nothing to do.
    pub(crate) fn tick(&mut self, dir: ChannelDir, ch: u8) -> bool {
        let c = self.ch[dir.index()][usize::from(ch)];
        if !c.running {
            return false;
        }
        if c.latch.is_some() {
            self.decide(dir, ch);
        } else if c.need_fetch {
            self.latch(dir, ch);
        } else if c.loaded {
            self.run(dir, ch, 1);
        } else {
            return false;
        }
        true
    }

    /// Executes up to `budget` data elements of a running channel.
    pub(crate) fn run(&mut self, dir: ChannelDir, ch: u8, budget: u64) -> u64 {
        let i = dir.index();
        let mut done = 0;
        while done < budget {
            let c = self.ch[i][usize::from(ch)];
            if !c.running || !c.loaded {
                break;
            }
            done += 1;
            let ll = self.ll_mode(dir, ch);
            let (control, size) = if ll {
                // The control word as fetched with the element.
                (c.cur_control, c.transfer_size)
            } else {
                (c.control1, c.transfer_size)
            };
            if !self.execute(dir, ch, size) {
                break;
            }
            let lie = control & Control::LIE.bits() != 0;
            let rie = control & Control::RIE.bits() != 0;
            if ll {
                if !self.edma() && lie {
                    // HDMA LWIE: watermark status only.
                    self.ch[i][usize::from(ch)].int_stat |= HdmaInt::WATERMARK.bits();
                }
                if self.edma() && (lie || rie) {
                    self.raise_done(dir, ch, lie, rie);
                }
                let c = &mut self.ch[i][usize::from(ch)];
                c.llp = c.llp.wrapping_add(SLOT_SIZE as u64);
                c.loaded = false;
                if self.cfg.mode == ExecMode::Scheduled {
                    c.need_fetch = true;
                    c.latch_reads = 0;
                } else {
                    self.fetch(dir, ch);
                }
            } else {
                let c = &mut self.ch[i][usize::from(ch)];
                c.running = false;
                c.loaded = false;
                c.status = HwChannelStatus::Stopped.bits();
                self.raise_done(dir, ch, lie, rie);
            }
        }
        done
    }

    /// Moves the loaded element's bytes; false if it aborted.
    pub(crate) fn execute(&mut self, dir: ChannelDir, ch: u8, size: u32) -> bool {
        let i = dir.index();
        let c = self.ch[i][usize::from(ch)];
        let len = u64::from(size);
        if self.pci_hook.is_some() {
            return self.execute_through_hook(dir, ch, size);
        }
        let (src, dst) = match dir {
            ChannelDir::Write => (self.local_range(c.sar, len), self.pci_range(c.dar, len)),
            ChannelDir::Read => (self.pci_range(c.sar, len), self.local_range(c.dar, len)),
        };
        let Some(src) = src else {
            self.count(dir, ch, |k| k.elements += 1);
            self.abort(dir, ch, AbortCause::SarOutOfRange);
            return false;
        };
        let Some(dst) = dst else {
            self.count(dir, ch, |k| k.elements += 1);
            self.abort(dir, ch, AbortCause::DarOutOfRange);
            return false;
        };
        let nth = c.faults_elements;
        self.ch[i][usize::from(ch)].faults_elements += 1;
        let mut moved = size as usize;
        let mut cause = None;
        if let Some(Fault::AbortAt {
            element,
            after_bytes,
            read,
        }) = c.fault
            && element == nth
        {
            moved = (after_bytes as usize).min((size as usize).saturating_sub(1));
            cause = Some(if read {
                AbortCause::ReadError
            } else {
                AbortCause::WriteError
            });
            self.ch[i][usize::from(ch)].fault = None;
        }
        let tmp: Vec<u8> = match dir {
            ChannelDir::Write => self.local[src.start..src.start + moved].to_vec(),
            ChannelDir::Read => self.pci[src.start..src.start + moved].to_vec(),
        };
        match dir {
            ChannelDir::Write => self.pci[dst.start..dst.start + moved].copy_from_slice(&tmp),
            ChannelDir::Read => self.local[dst.start..dst.start + moved].copy_from_slice(&tmp),
        }
        let m = moved as u64;
        self.count(dir, ch, |k| {
            k.elements += 1;
            k.bytes += m;
        });
        let c = &mut self.ch[i][usize::from(ch)];
        c.sar = c.sar.wrapping_add(m);
        c.dar = c.dar.wrapping_add(m);
        c.transfer_size = size - moved as u32;
        if let Some(cause) = cause {
            self.abort(dir, ch, cause);
            return false;
        }
        true
    }

    /// `execute` with the PCI side behind a [`PciMemory`](crate::PciMemory):
    /// a refused read aborts the element with a read error and moves
    /// nothing (the completer answered UR); a refused write is dropped and
    /// the element completes (a posted write has no completion: only the
    /// IOMMU's fault log sees it). Injected faults are not applied here.
    fn execute_through_hook(&mut self, dir: ChannelDir, ch: u8, size: u32) -> bool {
        let i = dir.index();
        let c = self.ch[i][usize::from(ch)];
        let len = u64::from(size);
        let local = match dir {
            ChannelDir::Write => self.local_range(c.sar, len),
            ChannelDir::Read => self.local_range(c.dar, len),
        };
        let Some(local) = local else {
            self.count(dir, ch, |k| k.elements += 1);
            let cause = match dir {
                ChannelDir::Write => AbortCause::SarOutOfRange,
                ChannelDir::Read => AbortCause::DarOutOfRange,
            };
            self.abort(dir, ch, cause);
            return false;
        };
        let Some(hook) = self.pci_hook.as_ref() else {
            return false;
        };
        match dir {
            ChannelDir::Write => {
                // Refused or not, the engine moved on.
                let _ = hook.write(c.dar, &self.local[local]);
            }
            ChannelDir::Read => {
                let mut tmp = vec![0; size as usize];
                if !hook.read(c.sar, &mut tmp) {
                    self.count(dir, ch, |k| k.elements += 1);
                    self.abort(dir, ch, AbortCause::ReadError);
                    return false;
                }
                self.local[local].copy_from_slice(&tmp);
            }
        }
        self.count(dir, ch, |k| {
            k.elements += 1;
            k.bytes += len;
        });
        let c = &mut self.ch[i][usize::from(ch)];
        c.sar = c.sar.wrapping_add(len);
        c.dar = c.dar.wrapping_add(len);
        c.transfer_size = 0;
        true
    }
}
