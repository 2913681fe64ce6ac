//! The engine's state: per-channel registers and execution state, shared
//! registers, memories; address decoding helpers.
#![allow(clippy::wildcard_imports)]

use std::vec::Vec;

use edma_core::ChannelDir;

use crate::*;

#[derive(Clone, Copy, Debug, Default, Hash)]
pub(crate) struct Ch {
    // eDMA CH_CONTROL1 (stored bits, status excluded) / HDMA CONTROL1.
    pub(crate) control1: u32,
    pub(crate) control2: u32,
    pub(crate) transfer_size: u32,
    pub(crate) sar: u64,
    pub(crate) dar: u64,
    pub(crate) llp: u64,
    // HDMA only.
    pub(crate) ch_en: u32,
    pub(crate) int_stat: u32,
    pub(crate) int_setup: u32,
    pub(crate) msi_stop: u64,
    pub(crate) msi_abort: u64,
    pub(crate) msi_data: u32,
    // Engine state.
    pub(crate) status: u32,
    pub(crate) ccs: bool,
    pub(crate) running: bool,
    pub(crate) loaded: bool,
    /// The element fetched at LLP and not yet acted on (scheduled mode:
    /// between the fetch and the load-or-stop decision).
    pub(crate) latch: Option<Latched>,
    /// Scheduled mode: the next micro-step fetches at LLP.
    pub(crate) need_fetch: bool,
    /// Driver register reads since the channel finished an element (or
    /// was started) without having acted on the next one.
    pub(crate) latch_reads: u32,
    /// Control word of the loaded element, as fetched.
    pub(crate) cur_control: u32,
    pub(crate) faults_elements: u64,
    /// A stuck channel: stop requests are counted and ignored.
    pub(crate) ignore_stop: bool,
    /// Its LL region was quarantined (`LlMemory::quarantine`).
    pub(crate) ll_quarantined: bool,
    pub(crate) fault: Option<Fault>,
    pub(crate) last_abort: Option<AbortCause>,
}

/// A data element as the engine fetched it.
#[derive(Clone, Copy, Debug, Default, Hash)]
pub(crate) struct Latched {
    pub(crate) valid: bool,
    pub(crate) control: u32,
    pub(crate) size: u32,
    pub(crate) sar: u64,
    pub(crate) dar: u64,
}

pub(crate) struct Inner {
    pub(crate) cfg: MockConfig,
    pub(crate) local: Vec<u8>,
    pub(crate) pci: Vec<u8>,
    /// PCI-side memory outside the mock ([`crate::MockEngine::set_pci_memory`]).
    pub(crate) pci_hook: Option<Box<dyn crate::PciMemory>>,
    pub(crate) ch: [[Ch; 8]; 2],
    pub(crate) engine_en: [u32; 2],
    pub(crate) int_status: [u32; 2],
    pub(crate) int_mask: [u32; 2],
    pub(crate) ll_err_en: [u32; 2],
    pub(crate) done_imwr: [u64; 2],
    pub(crate) abort_imwr: [u64; 2],
    pub(crate) imwr_data: [[u32; 4]; 2],
    pub(crate) pwr_en: [[u32; 8]; 2],
    pub(crate) viewport: u32,
    /// Plain storage for the words below 0x40 the mock gives no behaviour
    /// (arbitration weights, padding), one per 32-bit offset.
    pub(crate) arb: [u32; 16],
    pub(crate) counters: CounterSet,
    pub(crate) imwr_log: Vec<Imwr>,
    /// Scheduled mode: called at every yield point.
    pub(crate) scheduler: Option<Scheduler>,
    /// Hash of every value register reads returned, in order.
    pub(crate) read_hash: u64,
    /// Yield points reached (scheduled mode).
    pub(crate) yield_seq: u64,
}

impl core::fmt::Debug for Inner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Inner")
            .field("cfg", &self.cfg)
            .field("ch", &self.ch)
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

/// Where a register offset lands.
pub(crate) enum Target {
    Global,
    Ch(ChannelDir, u8, usize),
}

pub(crate) fn dir_of(i: usize) -> ChannelDir {
    if i == 0 {
        ChannelDir::Write
    } else {
        ChannelDir::Read
    }
}

pub(crate) fn lo(v: u64) -> u32 {
    v as u32
}
pub(crate) fn hi(v: u64) -> u32 {
    (v >> 32) as u32
}
pub(crate) fn set_lo(v: &mut u64, x: u32) {
    *v = (*v & !0xffff_ffff) | u64::from(x);
}
pub(crate) fn set_hi(v: &mut u64, x: u32) {
    *v = (*v & 0xffff_ffff) | (u64::from(x) << 32);
}

impl Inner {
    pub(crate) fn region(
        base: u64,
        size: usize,
        addr: u64,
        len: u64,
    ) -> Option<std::ops::Range<usize>> {
        let off = addr.checked_sub(base)?;
        let end = off.checked_add(len)?;
        if end > size as u64 {
            return None;
        }
        Some(off as usize..end as usize)
    }

    pub(crate) fn local_range(&self, addr: u64, len: u64) -> Option<std::ops::Range<usize>> {
        Self::region(self.cfg.local_base, self.cfg.local_size, addr, len)
    }

    pub(crate) fn pci_range(&self, addr: u64, len: u64) -> Option<std::ops::Range<usize>> {
        Self::region(self.cfg.pci_base, self.cfg.pci_size, addr, len)
    }

    pub(crate) fn edma(&self) -> bool {
        self.cfg.map.is_edma_v0()
    }

    pub(crate) fn count(&mut self, dir: ChannelDir, ch: u8, f: impl Fn(&mut Counters)) {
        f(&mut self.counters.total);
        f(&mut self.counters.channels[dir.index()][usize::from(ch & 7)]);
    }
}
