//! `edma-backend-mock`: an in-memory Synopsys DesignWare eDMA / HDMA engine.
//!
//! [`MockEngine`] implements the same [`RegisterIo`] interface a real
//! register block does, for all four [`MapFormat`]s, and behaves like the
//! hardware as Linux's `drivers/dma/dw-edma/` describes it:
//!
//! * two address spaces — the engine's **local** (AXI) memory and the **PCI**
//!   side — of configurable size; a write channel copies local → PCI, a read
//!   channel PCI → local;
//! * LL mode: elements are fetched from local memory at the channel's LLP;
//!   a data element whose cycle bit (CB) differs from the consumer cycle
//!   state (CCS) stops the channel until the next doorbell; a link element
//!   jumps, toggling CCS when it has TCB; LIE/RIE raise the local done
//!   interrupt / send the done IMWr (eDMA); HDMA raises its stop interrupt
//!   when the channel stops; non-LL mode runs one block from SAR/DAR/size;
//! * engine/channel enables, doorbells with their stop requests, channel
//!   status, interrupt status/mask/clear, LL error enable, the legacy
//!   viewport, HDMA interrupt setup — with their register semantics;
//! * anything outside memory (SAR, DAR or LLP) aborts the channel with the
//!   abort status and interrupt; nothing panics;
//! * counters per channel and in total ([`Counters`]);
//! * execution either runs to the end on the doorbell
//!   ([`ExecMode::RunOnDoorbell`]) or element by element under the test's
//!   control ([`ExecMode::Manual`] and [`MockEngine::step`]);
//! * injected faults ([`Fault`]).
//!
//! See `docs/hardware.md` for each behaviour's source and what is not modelled.
//!
//! ```
//! use edma_backend_mock::{MockConfig, MockEngine};
//! use edma_core::MapFormat;
//! use edma_core::io::RegisterIo;
//! use edma_core::regs::edma_v0;
//! let e = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
//! // CTRL reports 8 write and 8 read channels by default.
//! assert_eq!(e.read32(edma_v0::CTRL), 0x0008_0008);
//! assert_eq!(e.counters().total().reg_reads, 1);
//! ```
//!
//! # Testing a driver against it
//!
//! Drive the engine through `edma-core` as you would the hardware, then
//! check the data, the counters and the failure paths:
//!
//! ```
//! use edma_backend_mock::{AbortCause, Fault, MockConfig, MockEngine};
//! use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat, Status};
//! let map = MapFormat::HdmaCompat;
//! let engine = MockEngine::new(MockConfig::new(map));
//! let ctrl = Controller::new(&engine, map, Deployment::Local);
//! let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
//! let src: Vec<u8> = (0..=255).collect();
//! engine.local_write(0x1000, &src);
//! let batch = [Entry::new(0x1000, 0x20_0000, 128), Entry::new(0x1080, 0x30_0000, 128)];
//!
//! // A write error on the PCI side in the second element, after 40 bytes.
//! engine.inject_fault(ChannelDir::Write, 0, Fault::AbortAt { element: 1, after_bytes: 40, read: false });
//! ch.submit(&ctrl, &batch).unwrap();
//! let failed = ch.on_interrupt(&ctrl).completion().unwrap();
//! assert_eq!(failed.status, Status::Aborted { entry: 1, entry_bytes_done: 40 });
//! assert_eq!(failed.residue, 88);
//! assert_eq!(engine.last_abort(ChannelDir::Write, 0), Some(AbortCause::WriteError));
//!
//! // The fault fired once; the same channel retries the batch.
//! engine.reset_counters();
//! ch.submit(&ctrl, &batch).unwrap();
//! assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
//! assert_eq!(engine.pci_read(0x20_0000, 128), src[..128]);
//! assert_eq!(engine.pci_read(0x30_0000, 128), src[128..]);
//! let c = engine.counters().channel(ChannelDir::Write, 0);
//! assert_eq!((c.doorbells, c.done_local, c.abort_local), (1, 1, 0));
//! ```

use std::sync::Mutex;
use std::vec::Vec;

use edma_core::desc::{Control, Element, SLOT_SIZE};
use edma_core::io::{LlMemory, RegisterIo};
use edma_core::regs::{ChControl1, HdmaInt, HdmaIntSetup, HwChannelStatus, edma_v0, hdma};
use edma_core::{ChannelDir, MapFormat};

/// When the engine executes.
///
/// In [`ExecMode::Manual`] a test decides how far the engine gets, so it can
/// look at the state in between:
///
/// ```
/// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
/// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative).with_mode(ExecMode::Manual));
/// engine.local_write(0x100, &[1; 8]);
/// engine.local_write(0x200, &[2; 8]);
/// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1)).unwrap(), engine.ll_region(ChannelDir::Write, 1, 4));
/// let batch = [Entry::new(0x100, 0x8000, 8), Entry::new(0x200, 0x8008, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// assert!(engine.is_running(ChannelDir::Write, 1));
/// assert_eq!(ch.on_interrupt(&ctrl).completion(), None); // nothing happened yet
/// assert_eq!(engine.step(ChannelDir::Write, 1, 1), 1);
/// assert_eq!(engine.pci_read(0x8000, 16), [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
/// assert_eq!(engine.step(ChannelDir::Write, 1, 10), 1); // only one element was left
/// assert!(!engine.is_running(ChannelDir::Write, 1));
/// assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
/// assert_eq!(engine.pci_read(0x8008, 8), [2; 8]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecMode {
    /// A doorbell runs the channel until it stops or aborts.
    RunOnDoorbell,
    /// A doorbell only starts the channel; [`MockEngine::step`] executes it.
    Manual,
}

/// Construction parameters of a [`MockEngine`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MockConfig {
    /// Register map format.
    pub map: MapFormat,
    /// Bus address of the first byte of local memory.
    pub local_base: u64,
    /// Local memory size in bytes (the LL regions live at its top).
    pub local_size: usize,
    /// Bus address of the first byte of PCI memory.
    pub pci_base: u64,
    /// PCI memory size in bytes.
    pub pci_size: usize,
    /// Write channels reported in `CTRL` (eDMA maps).
    pub wr_channels: u8,
    /// Read channels reported in `CTRL` (eDMA maps).
    pub rd_channels: u8,
    /// Bytes reserved per channel for LL regions by [`MockEngine::ll_region`].
    pub ll_bytes_per_channel: usize,
    /// Execution mode.
    pub mode: ExecMode,
}

impl MockConfig {
    /// 4 MiB of local and 4 MiB of PCI memory, both at bus address 0,
    /// 8 + 8 channels, 24 KiB of LL space per channel, run on doorbell.
    pub fn new(map: MapFormat) -> Self {
        MockConfig {
            map,
            local_base: 0,
            local_size: 4 << 20,
            pci_base: 0,
            pci_size: 4 << 20,
            wr_channels: 8,
            rd_channels: 8,
            ll_bytes_per_channel: 1024 * SLOT_SIZE,
            mode: ExecMode::RunOnDoorbell,
        }
    }

    /// The same configuration with other memory sizes.
    pub fn with_memory(mut self, local_size: usize, pci_size: usize) -> Self {
        self.local_size = local_size;
        self.pci_size = pci_size;
        self
    }

    /// The same configuration in another execution mode.
    pub fn with_mode(mut self, mode: ExecMode) -> Self {
        self.mode = mode;
        self
    }
}

/// Access and event counters.
///
/// ```
/// use edma_backend_mock::{MockConfig, MockEngine};
/// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 5)).unwrap(), engine.ll_region(ChannelDir::Read, 5, 16));
/// let batch: Vec<Entry> = (0..10).map(|i| Entry::new(i * 0x100, 0x10_0000 + i * 0x100, 0x100)).collect();
/// ch.submit(&ctrl, &batch).unwrap();
/// ch.on_interrupt(&ctrl).completion().unwrap();
/// let c = engine.counters().channel(ChannelDir::Read, 5);
/// // The link after the last element is followed too; the element it leads to
/// // has the old cycle bit, so the channel stops there.
/// assert_eq!((c.doorbells, c.done_local, c.elements, c.links), (1, 1, 10, 1));
/// assert_eq!(c.bytes, 10 * 0x100);
/// assert_eq!(engine.counters().total().ll_slot_writes, 11); // 10 data + the link
/// assert_eq!(engine.counters().channel(ChannelDir::Read, 4), Default::default());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Register reads.
    pub reg_reads: u64,
    /// Register writes.
    pub reg_writes: u64,
    /// Doorbells that started (or resumed) a channel.
    pub doorbells: u64,
    /// Doorbells ignored (engine or channel disabled, channel running).
    pub ignored_doorbells: u64,
    /// Stop requests.
    pub stop_requests: u64,
    /// LL data elements executed (to completion or abort).
    pub elements: u64,
    /// LL link elements followed.
    pub links: u64,
    /// Bytes moved.
    pub bytes: u64,
    /// Local done (eDMA) / stop (HDMA) interrupts raised.
    pub done_local: u64,
    /// Remote done / stop interrupts (IMWr) sent.
    pub done_remote: u64,
    /// Local abort interrupts raised.
    pub abort_local: u64,
    /// Remote abort interrupts (IMWr) sent.
    pub abort_remote: u64,
    /// Slots written through [`MockLl`].
    pub ll_slot_writes: u64,
}

/// Counters of every channel and the total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterSet {
    total: Counters,
    channels: [[Counters; 8]; 2],
}

impl CounterSet {
    /// Totals, including accesses to registers of no channel.
    pub fn total(&self) -> Counters {
        self.total
    }
    /// One channel's counters.
    pub fn channel(&self, dir: ChannelDir, ch: u8) -> Counters {
        self.channels[dir.index()][usize::from(ch & 7)]
    }
}

/// An injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The `element`-th data element executed from now on (0-based) aborts
    /// after moving `after_bytes` bytes (capped below its size): a read
    /// error (`read == true`) or a write error.
    AbortAt {
        /// Which element.
        element: u64,
        /// Bytes moved before the error.
        after_bytes: u32,
        /// Read error (true) or write error (false).
        read: bool,
    },
    /// The first LL fetch after `after_elements` data elements have executed
    /// (counted from now) fails, as an error on the LL read would.
    LlFetchError {
        /// Data elements that run before the failing fetch.
        after_elements: u64,
    },
}

/// A remote interrupt: an IMWr the engine wrote to PCI memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Imwr {
    /// Channel direction.
    pub dir: ChannelDir,
    /// Channel number.
    pub ch: u8,
    /// Abort (true) or done/stop (false).
    pub abort: bool,
    /// PCI address written.
    pub addr: u64,
    /// Data written.
    pub data: u32,
}

/// Why a channel last aborted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbortCause {
    /// SAR range outside its memory.
    SarOutOfRange,
    /// DAR range outside its memory.
    DarOutOfRange,
    /// LLP outside local memory, or an injected LL fetch error.
    LlFetch,
    /// Injected read error.
    ReadError,
    /// Injected write error.
    WriteError,
    /// A stop request.
    Stopped,
    /// A chain of links without any data element.
    LinkLoop,
}

#[derive(Clone, Copy, Debug, Default)]
struct Ch {
    // eDMA CH_CONTROL1 (stored bits, status excluded) / HDMA CONTROL1.
    control1: u32,
    control2: u32,
    transfer_size: u32,
    sar: u64,
    dar: u64,
    llp: u64,
    // HDMA only.
    ch_en: u32,
    int_stat: u32,
    int_setup: u32,
    msi_stop: u64,
    msi_abort: u64,
    msi_data: u32,
    // Engine state.
    status: u32,
    ccs: bool,
    running: bool,
    loaded: bool,
    faults_elements: u64,
    fault: Option<Fault>,
    last_abort: Option<AbortCause>,
}

#[derive(Debug)]
struct Inner {
    cfg: MockConfig,
    local: Vec<u8>,
    pci: Vec<u8>,
    ch: [[Ch; 8]; 2],
    engine_en: [u32; 2],
    int_status: [u32; 2],
    int_mask: [u32; 2],
    ll_err_en: [u32; 2],
    done_imwr: [u64; 2],
    abort_imwr: [u64; 2],
    imwr_data: [[u32; 4]; 2],
    pwr_en: [[u32; 8]; 2],
    viewport: u32,
    /// Plain storage for the words below 0x40 the mock gives no behaviour
    /// (arbitration weights, padding), one per 32-bit offset.
    arb: [u32; 16],
    counters: CounterSet,
    imwr_log: Vec<Imwr>,
}

/// Where a register offset lands.
enum Target {
    Global,
    Ch(ChannelDir, u8, usize),
}

/// The mock engine. All methods take `&self`; state is behind a mutex, so it
/// can be shared between threads.
#[derive(Debug)]
pub struct MockEngine {
    inner: Mutex<Inner>,
}

fn dir_of(i: usize) -> ChannelDir {
    if i == 0 {
        ChannelDir::Write
    } else {
        ChannelDir::Read
    }
}

fn lo(v: u64) -> u32 {
    v as u32
}
fn hi(v: u64) -> u32 {
    (v >> 32) as u32
}
fn set_lo(v: &mut u64, x: u32) {
    *v = (*v & !0xffff_ffff) | u64::from(x);
}
fn set_hi(v: &mut u64, x: u32) {
    *v = (*v & 0xffff_ffff) | (u64::from(x) << 32);
}

impl Inner {
    fn region(base: u64, size: usize, addr: u64, len: u64) -> Option<std::ops::Range<usize>> {
        let off = addr.checked_sub(base)?;
        let end = off.checked_add(len)?;
        if end > size as u64 {
            return None;
        }
        Some(off as usize..end as usize)
    }

    fn local_range(&self, addr: u64, len: u64) -> Option<std::ops::Range<usize>> {
        Self::region(self.cfg.local_base, self.cfg.local_size, addr, len)
    }

    fn pci_range(&self, addr: u64, len: u64) -> Option<std::ops::Range<usize>> {
        Self::region(self.cfg.pci_base, self.cfg.pci_size, addr, len)
    }

    fn edma(&self) -> bool {
        self.cfg.map.is_edma_v0()
    }

    fn decode(&self, off: usize) -> Target {
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

    fn count(&mut self, dir: ChannelDir, ch: u8, f: impl Fn(&mut Counters)) {
        f(&mut self.counters.total);
        f(&mut self.counters.channels[dir.index()][usize::from(ch & 7)]);
    }

    fn read(&mut self, off: usize) -> u32 {
        self.counters.total.reg_reads += 1;
        match self.decode(off) {
            Target::Ch(dir, ch, w) => {
                self.counters.channels[dir.index()][usize::from(ch)].reg_reads += 1;
                self.read_ch(dir, ch, w)
            }
            Target::Global => self.read_global(off),
        }
    }

    fn write(&mut self, off: usize, v: u32) {
        self.counters.total.reg_writes += 1;
        match self.decode(off) {
            Target::Ch(dir, ch, w) => {
                self.counters.channels[dir.index()][usize::from(ch)].reg_writes += 1;
                self.write_ch(dir, ch, w, v)
            }
            Target::Global => self.write_global(off, v),
        }
    }

    fn read_ch(&self, dir: ChannelDir, ch: u8, w: usize) -> u32 {
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

    fn write_ch(&mut self, dir: ChannelDir, ch: u8, w: usize, v: u32) {
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

    fn read_global(&self, off: usize) -> u32 {
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

    fn write_global(&mut self, off: usize, v: u32) {
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

    fn channel_enabled(&self, dir: ChannelDir, ch: u8) -> bool {
        let i = dir.index();
        match self.cfg.map {
            MapFormat::EdmaLegacy | MapFormat::EdmaUnroll => self.engine_en[i] & 1 != 0,
            MapFormat::HdmaCompat => {
                self.engine_en[i] & 1 != 0 && self.pwr_en[i][usize::from(ch)] & 1 != 0
            }
            MapFormat::HdmaNative => self.ch[i][usize::from(ch)].ch_en & 1 != 0,
        }
    }

    fn present(&self, dir: ChannelDir, ch: u8) -> bool {
        let n = match dir {
            ChannelDir::Write => self.cfg.wr_channels,
            ChannelDir::Read => self.cfg.rd_channels,
        };
        ch < n.min(8)
    }

    fn ll_mode(&self, dir: ChannelDir, ch: u8) -> bool {
        let c = &self.ch[dir.index()][usize::from(ch)];
        if self.edma() {
            c.control1 & ChControl1::LLE.bits() != 0
        } else {
            c.control1 & hdma::CONTROL1_LLE != 0
        }
    }

    fn doorbell(&mut self, dir: ChannelDir, ch: u8) {
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
        c.status = HwChannelStatus::Running.bits();
        if self.ll_mode(dir, ch) {
            self.fetch(dir, ch);
        } else {
            self.ch[i][usize::from(ch)].loaded = true;
        }
        if self.cfg.mode == ExecMode::RunOnDoorbell {
            self.run(dir, ch, u64::MAX);
        }
    }

    fn stop(&mut self, dir: ChannelDir, ch: u8) {
        self.count(dir, ch, |k| k.stop_requests += 1);
        let c = &self.ch[dir.index()][usize::from(ch)];
        if !c.running {
            return;
        }
        self.abort(dir, ch, AbortCause::Stopped);
    }

    /// Follows links from LLP until a data element is loaded into the
    /// channel registers, the channel stops on a cycle-bit mismatch, or an
    /// LL fetch aborts it.
    fn fetch(&mut self, dir: ChannelDir, ch: u8) {
        let i = dir.index();
        let mut links = 0u32;
        loop {
            let c = self.ch[i][usize::from(ch)];
            if matches!(c.fault, Some(Fault::LlFetchError { after_elements }) if c.faults_elements >= after_elements)
            {
                self.ch[i][usize::from(ch)].fault = None;
                return self.abort(dir, ch, AbortCause::LlFetch);
            }
            let Some(r) = self.local_range(c.llp, SLOT_SIZE as u64) else {
                return self.abort(dir, ch, AbortCause::LlFetch);
            };
            let mut slot = [0u8; SLOT_SIZE];
            slot.copy_from_slice(&self.local[r]);
            match Element::decode(&slot) {
                Element::Link { control, target } => {
                    links += 1;
                    if links > 64 {
                        return self.abort(dir, ch, AbortCause::LinkLoop);
                    }
                    self.count(dir, ch, |k| k.links += 1);
                    let c = &mut self.ch[i][usize::from(ch)];
                    if control & Control::TCB.bits() != 0 {
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
                    if (control & Control::CB.bits() != 0) != c.ccs {
                        // Not produced yet: the channel stops here until the next doorbell.
                        c.running = false;
                        c.loaded = false;
                        c.status = HwChannelStatus::Stopped.bits();
                        if !self.edma() {
                            self.raise_done(dir, ch, false, false);
                        }
                        return;
                    }
                    c.transfer_size = size;
                    c.sar = sar;
                    c.dar = dar;
                    c.loaded = true;
                    return;
                }
            }
        }
    }

    /// Executes up to `budget` data elements of a running channel.
    fn run(&mut self, dir: ChannelDir, ch: u8, budget: u64) -> u64 {
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
                let r = self.local_range(c.llp, SLOT_SIZE as u64);
                let ctl = r.map_or(0, |r| {
                    u32::from_le_bytes([
                        self.local[r.start],
                        self.local[r.start + 1],
                        self.local[r.start + 2],
                        self.local[r.start + 3],
                    ])
                });
                (ctl, c.transfer_size)
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
                self.fetch(dir, ch);
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
    fn execute(&mut self, dir: ChannelDir, ch: u8, size: u32) -> bool {
        let i = dir.index();
        let c = self.ch[i][usize::from(ch)];
        let len = u64::from(size);
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

    fn imwr(&mut self, dir: ChannelDir, ch: u8, abort: bool, addr: u64, data: u32) {
        if let Some(r) = self.pci_range(addr, 4) {
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

    fn edma_imwr_data(&self, dir: ChannelDir, ch: u8) -> u32 {
        let w = self.imwr_data[dir.index()][usize::from(ch / 2)];
        if ch % 2 == 1 { w >> 16 } else { w & 0xffff }
    }

    /// Done (eDMA, with the element's/control's LIE and RIE) or stop (HDMA,
    /// per the interrupt setup).
    fn raise_done(&mut self, dir: ChannelDir, ch: u8, lie: bool, rie: bool) {
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

    fn abort(&mut self, dir: ChannelDir, ch: u8, cause: AbortCause) {
        let i = dir.index();
        let c = &mut self.ch[i][usize::from(ch)];
        c.running = false;
        c.loaded = false;
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

    fn irq_pending(&self) -> bool {
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

/// The read-only channel-status field of eDMA `CH_CONTROL1`.
const CS_FIELD: u32 = ChControl1::CS0.bits() | ChControl1::CS1.bits();

impl MockEngine {
    /// A new engine with zeroed memory and registers at their reset values
    /// (every eDMA interrupt masked, engines and channels disabled).
    pub fn new(cfg: MockConfig) -> Self {
        let all = edma_v0::DONE_INT_MASK | edma_v0::ABORT_INT_MASK;
        let mut ch = [[Ch::default(); 8]; 2];
        for c in ch.iter_mut().flatten() {
            c.int_setup =
                (HdmaIntSetup::STOP_MASK | HdmaIntSetup::WATERMARK_MASK | HdmaIntSetup::ABORT_MASK)
                    .bits();
        }
        MockEngine {
            inner: Mutex::new(Inner {
                cfg,
                local: vec![0; cfg.local_size],
                pci: vec![0; cfg.pci_size],
                ch,
                engine_en: [0; 2],
                int_status: [0; 2],
                int_mask: [all; 2],
                ll_err_en: [0; 2],
                done_imwr: [0; 2],
                abort_imwr: [0; 2],
                imwr_data: [[0; 4]; 2],
                pwr_en: [[0; 8]; 2],
                viewport: 0,
                arb: [0; 16],
                counters: CounterSet::default(),
                imwr_log: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic in another test thread must not hide this engine's state.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The configuration.
    pub fn config(&self) -> MockConfig {
        self.lock().cfg
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> CounterSet {
        self.lock().counters
    }

    /// Resets every counter to zero.
    pub fn reset_counters(&self) {
        self.lock().counters = CounterSet::default();
    }

    /// Writes bytes into local memory. Panics if out of range (test helper).
    pub fn local_write(&self, addr: u64, data: &[u8]) {
        let mut g = self.lock();
        let r = g
            .local_range(addr, data.len() as u64)
            .expect("local_write out of range");
        g.local[r].copy_from_slice(data);
    }

    /// Reads bytes from local memory. Panics if out of range (test helper).
    pub fn local_read(&self, addr: u64, len: usize) -> Vec<u8> {
        let g = self.lock();
        let r = g
            .local_range(addr, len as u64)
            .expect("local_read out of range");
        g.local[r].to_vec()
    }

    /// Writes bytes into PCI memory. Panics if out of range (test helper).
    pub fn pci_write(&self, addr: u64, data: &[u8]) {
        let mut g = self.lock();
        let r = g
            .pci_range(addr, data.len() as u64)
            .expect("pci_write out of range");
        g.pci[r].copy_from_slice(data);
    }

    /// Reads bytes from PCI memory. Panics if out of range (test helper).
    pub fn pci_read(&self, addr: u64, len: usize) -> Vec<u8> {
        let g = self.lock();
        let r = g
            .pci_range(addr, len as u64)
            .expect("pci_read out of range");
        g.pci[r].to_vec()
    }

    /// Runs `f` over both memories (local, PCI) at once, e.g. to fill or hash them.
    pub fn with_memory<X>(&self, f: impl FnOnce(&mut [u8], &mut [u8]) -> X) -> X {
        let mut g = self.lock();
        let Inner { local, pci, .. } = &mut *g;
        f(local, pci)
    }

    /// Bus address of the LL space reserved for a channel (at the top of
    /// local memory, [`MockConfig::ll_bytes_per_channel`] each).
    ///
    /// # Panics
    ///
    /// If local memory is smaller than the 16 reserved LL spaces (a test
    /// configuration error).
    pub fn ll_base(&self, dir: ChannelDir, ch: u8) -> u64 {
        let cfg = self.config();
        let per = cfg.ll_bytes_per_channel as u64;
        let top = cfg.local_base + cfg.local_size as u64;
        let floor = top
            .checked_sub(16 * per)
            .expect("local memory smaller than the reserved LL spaces");
        floor + (dir.index() as u64 * 8 + u64::from(ch & 7)) * per
    }

    /// An LL region of `slots` slots for a channel, writing into local memory.
    /// Panics if `slots` does not fit the reserved space (test helper).
    pub fn ll_region(&self, dir: ChannelDir, ch: u8, slots: usize) -> MockLl<'_> {
        assert!(
            slots * SLOT_SIZE <= self.config().ll_bytes_per_channel,
            "LL region too large"
        );
        MockLl {
            engine: self,
            bus: self.ll_base(dir, ch),
            slots,
        }
    }

    /// Executes up to `elements` data elements of a running channel
    /// ([`ExecMode::Manual`]); returns how many ran.
    pub fn step(&self, dir: ChannelDir, ch: u8, elements: u64) -> u64 {
        self.lock().run(dir, ch & 7, elements)
    }

    /// Whether a channel is running (started and not stopped or aborted).
    pub fn is_running(&self, dir: ChannelDir, ch: u8) -> bool {
        self.lock().ch[dir.index()][usize::from(ch & 7)].running
    }

    /// Arms a fault on a channel (replacing any armed one).
    pub fn inject_fault(&self, dir: ChannelDir, ch: u8, fault: Fault) {
        let mut g = self.lock();
        let c = &mut g.ch[dir.index()][usize::from(ch & 7)];
        c.fault = Some(fault);
        c.faults_elements = 0;
    }

    /// Why the channel last aborted, if it did.
    pub fn last_abort(&self, dir: ChannelDir, ch: u8) -> Option<AbortCause> {
        self.lock().ch[dir.index()][usize::from(ch & 7)].last_abort
    }

    /// Whether the local interrupt line is asserted (an unmasked, enabled
    /// status bit is set on any channel).
    pub fn irq_pending(&self) -> bool {
        self.lock().irq_pending()
    }

    /// Every remote interrupt (IMWr) sent so far.
    pub fn imwr_log(&self) -> Vec<Imwr> {
        self.lock().imwr_log.clone()
    }

    /// Sets a channel's interrupt status bits as if the hardware had raised
    /// them without a transfer (for spurious-interrupt tests).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaLegacy, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 2)).unwrap(), engine.ll_region(ChannelDir::Write, 2, 4));
    /// engine.force_status(ChannelDir::Write, 2, true, false);
    /// assert_eq!(ctrl.pending(ChannelDir::Write), 0b100);
    /// // No batch in flight: ignored, but cleared so the line drops.
    /// assert_eq!(ch.on_interrupt(&ctrl).completion(), None);
    /// assert_eq!(ctrl.pending(ChannelDir::Write), 0);
    /// ```
    pub fn force_status(&self, dir: ChannelDir, ch: u8, done: bool, abort: bool) {
        let mut g = self.lock();
        let i = dir.index();
        let ch = ch & 7;
        if g.edma() {
            if done {
                g.int_status[i] |= edma_v0::done_bit(ch);
            }
            if abort {
                g.int_status[i] |= edma_v0::abort_bit(ch);
            }
        } else {
            let c = &mut g.ch[i][usize::from(ch)];
            if done {
                c.int_stat |= HdmaInt::STOP.bits();
            }
            if abort {
                c.int_stat |= HdmaInt::ABORT.bits();
            }
        }
    }
}

impl RegisterIo for MockEngine {
    fn read32(&self, offset: usize) -> u32 {
        self.lock().read(offset)
    }
    fn write32(&self, offset: usize, value: u32) {
        self.lock().write(offset, value)
    }
}

/// An LL region in the mock's local memory.
#[derive(Debug, Clone, Copy)]
pub struct MockLl<'e> {
    engine: &'e MockEngine,
    bus: u64,
    slots: usize,
}

impl LlMemory for MockLl<'_> {
    fn bus_addr(&self) -> u64 {
        self.bus
    }
    fn capacity(&self) -> usize {
        self.slots
    }
    fn write(&mut self, index: usize, element: &Element) {
        if index >= self.slots {
            return;
        }
        let mut g = self.engine.lock();
        if let Some(r) = g.local_range(self.bus + (index * SLOT_SIZE) as u64, SLOT_SIZE as u64) {
            g.local[r].copy_from_slice(&element.encode());
        }
        g.counters.total.ll_slot_writes += 1;
    }
}
