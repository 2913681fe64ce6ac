//! `edma-backend-mock`: an in-memory Synopsys DesignWare eDMA / HDMA engine.
//!
//! [`MockEngine`] implements the same [`RegisterIo`] interface a real
//! register block does, for all four [`MapFormat`](edma_core::MapFormat)s, and behaves like the
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
//! * injected faults ([`Fault`]);
//! * a scheduled mode ([`ExecMode::Scheduled`]): the engine in micro-steps
//!   (fetch, act, execute) interleaved with the driver's register accesses
//!   and LL writes by a schedule the test chooses ([`Scheduler`]);
//! * a time model ([`TimeModel`]) for modeled throughput.
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

mod config;
mod counters;
mod execution;
mod fault;
mod interrupts;
mod registers;
mod schedule;
mod state;
mod time;

pub use config::{ExecMode, MockConfig};
pub use counters::{CounterSet, Counters};
pub use fault::{AbortCause, Fault, Imwr, PciMemory};
pub use schedule::{EngineView, Scheduler, YieldKind};
use state::{Ch, Inner};
pub use time::TimeModel;

use edma_core::ChannelDir;
use edma_core::desc::{Element, SLOT_SIZE};
use edma_core::io::{LlMemory, RegisterIo};
use edma_core::regs::{HdmaInt, HdmaIntSetup, edma_v0};

/// The mock engine. All methods take `&self`; state is behind a mutex, so it
/// can be shared between threads.
#[derive(Debug)]
pub struct MockEngine {
    inner: Mutex<Inner>,
}

impl MockEngine {
    /// A new engine with zeroed memory and registers at their reset values
    /// (every eDMA interrupt masked, engines and channels disabled).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaLegacy));
    /// assert!(!engine.irq_pending());
    /// assert_eq!(engine.counters().total().reg_writes, 0);
    /// ```
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
                pci_hook: None,
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
                scheduler: None,
                read_hash: 0,
                yield_seq: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic in another test thread must not hide this engine's state.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The configuration.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaCompat));
    /// assert_eq!(engine.config().map, MapFormat::HdmaCompat);
    /// ```
    pub fn config(&self) -> MockConfig {
        self.lock().cfg
    }

    /// A snapshot of the counters.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::io::RegisterIo;
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// engine.write32(0x00c, 1);
    /// let c = engine.counters().total();
    /// assert_eq!((c.reg_writes, c.reg_reads, c.doorbells), (1, 0, 0));
    /// ```
    pub fn counters(&self) -> CounterSet {
        self.lock().counters
    }

    /// Resets every counter to zero.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::io::RegisterIo;
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// engine.write32(0x00c, 1);
    /// engine.reset_counters();
    /// assert_eq!(engine.counters().total().reg_writes, 0);
    /// assert_eq!(engine.read32(0x00c) & 1, 1); // the registers keep their values
    /// ```
    pub fn reset_counters(&self) {
        self.lock().counters = CounterSet::default();
    }

    /// Writes bytes into local memory. Panics if out of range (test helper).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// engine.local_write(0x100, b"abc");
    /// assert_eq!(engine.local_read(0xff, 5), b"\0abc\0");
    /// ```
    pub fn local_write(&self, addr: u64, data: &[u8]) {
        let mut g = self.lock();
        let r = g
            .local_range(addr, data.len() as u64)
            .expect("local_write out of range");
        g.local[r].copy_from_slice(data);
    }

    /// Reads bytes from local memory. Panics if out of range (test helper).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// assert_eq!(engine.local_read(0, 4), [0; 4]);
    /// ```
    pub fn local_read(&self, addr: u64, len: usize) -> Vec<u8> {
        let g = self.lock();
        let r = g
            .local_range(addr, len as u64)
            .expect("local_read out of range");
        g.local[r].to_vec()
    }

    /// Writes bytes into PCI memory. Panics if out of range (test helper).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// engine.pci_write(0x2000, &[1, 2, 3]);
    /// assert_eq!(engine.pci_read(0x2000, 3), [1, 2, 3]);
    /// assert_eq!(engine.local_read(0x2000, 3), [0, 0, 0]); // two separate memories
    /// ```
    pub fn pci_write(&self, addr: u64, data: &[u8]) {
        let mut g = self.lock();
        let r = g
            .pci_range(addr, data.len() as u64)
            .expect("pci_write out of range");
        g.pci[r].copy_from_slice(data);
    }

    /// Reads bytes from PCI memory. Panics if out of range (test helper).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// assert_eq!(engine.pci_read(0x10, 2).len(), 2);
    /// ```
    pub fn pci_read(&self, addr: u64, len: usize) -> Vec<u8> {
        let g = self.lock();
        let r = g
            .pci_range(addr, len as u64)
            .expect("pci_read out of range");
        g.pci[r].to_vec()
    }

    /// Makes the channel ignore stop requests (`true`): it keeps running
    /// and keeps reporting so, as an engine wedged on a bus that never
    /// answers would. Counted in `stop_requests` all the same.
    ///
    /// ```
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Manual));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// engine.ignore_stop(ChannelDir::Read, 1, true);
    /// let batch = [Entry::new(0x1000, 0x100, 8)];
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).unwrap(), engine.ll_region(ChannelDir::Read, 1, 4));
    /// ch.submit(&ctrl, &batch).unwrap();
    /// assert_eq!(ch.terminate(&ctrl), edma_core::Terminate::Stopping); // it does not stop
    /// assert!(engine.is_running(ChannelDir::Read, 1));
    /// engine.ignore_stop(ChannelDir::Read, 1, false);
    /// assert!(ch.terminate(&ctrl).completion().is_some());
    /// ```
    pub fn ignore_stop(&self, dir: ChannelDir, ch: u8, ignore: bool) {
        if let Some(c) = self.lock().ch[dir.index()].get_mut(usize::from(ch)) {
            c.ignore_stop = ignore;
        }
    }

    /// Wedges the channel: from now on it reports "running" and ignores
    /// stop requests, whatever it was doing (a register file that never
    /// reports the stop). [`MockEngine::ignore_stop`]`(dir, ch, false)`
    /// lets a later stop request end it.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{ChannelDir, Controller, Deployment, MapFormat};
    /// use edma_core::regs::HwChannelStatus;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// engine.wedge(ChannelDir::Write, 5);
    /// assert_eq!(ctrl.hw_status(ChannelDir::Write, 5), HwChannelStatus::Running);
    /// ```
    pub fn wedge(&self, dir: ChannelDir, ch: u8) {
        if let Some(c) = self.lock().ch[dir.index()].get_mut(usize::from(ch)) {
            c.ignore_stop = true;
            c.running = true;
            c.status = edma_core::regs::HwChannelStatus::Running.bits();
        }
    }

    /// Whether the channel's LL region (a [`MockLl`]) was quarantined:
    /// dropped by its channel or ring while the engine still ran.
    pub fn ll_quarantined(&self, dir: ChannelDir, ch: u8) -> bool {
        self.lock().ch[dir.index()]
            .get(usize::from(ch))
            .is_some_and(|c| c.ll_quarantined)
    }

    /// Puts the engine's PCI side somewhere else: from now on every PCI-side
    /// access of a data element (the destination of a write channel, the
    /// source of a read channel) and every IMWr goes through `mem`, as it
    /// would go through the host's IOMMU, and the built-in PCI memory is
    /// not used. `None` goes back to it.
    ///
    /// What a refusal does is what the IOMMU makes of it on a real bus: a
    /// refused **read** comes back as an error completion, so the element
    /// aborts with [`AbortCause::ReadError`] and moves nothing; a refused
    /// **write** (and IMWr) is posted, so it is dropped and the engine
    /// carries on as if it had landed: only `mem` knows (as only the
    /// IOMMU's fault log does).
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use edma_backend_mock::{AbortCause, MockConfig, MockEngine, PciMemory};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// /// 4 KiB of host memory at bus address 0x10_0000; the rest faults.
    /// struct Window(Arc<Mutex<Vec<u8>>>);
    /// impl PciMemory for Window {
    ///     fn read(&self, addr: u64, buf: &mut [u8]) -> bool {
    ///         let m = self.0.lock().unwrap();
    ///         let Some(off) = addr.checked_sub(0x10_0000).map(|o| o as usize) else { return false };
    ///         let Some(src) = m.get(off..off + buf.len()) else { return false };
    ///         buf.copy_from_slice(src);
    ///         true
    ///     }
    ///     fn write(&self, addr: u64, data: &[u8]) -> bool {
    ///         let mut m = self.0.lock().unwrap();
    ///         let Some(off) = addr.checked_sub(0x10_0000).map(|o| o as usize) else { return false };
    ///         let Some(dst) = m.get_mut(off..off + data.len()) else { return false };
    ///         dst.copy_from_slice(data);
    ///         true
    ///     }
    /// }
    /// let host = Arc::new(Mutex::new(vec![0u8; 4096]));
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// engine.set_pci_memory(Some(Box::new(Window(host.clone()))));
    /// engine.local_write(0x100, b"payload!");
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// let (out, bad) = ([Entry::new(0x100, 0x10_0010, 8)], [Entry::new(0x20_0000, 0x200, 8)]);
    /// let mut wr = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4));
    /// wr.submit(&ctrl, &out).unwrap();
    /// assert!(wr.on_interrupt(&ctrl).completion().unwrap().is_success());
    /// assert_eq!(&host.lock().unwrap()[0x10..0x18], b"payload!");
    /// // A read from outside the window aborts: the IOMMU answered with an error.
    /// let mut rd = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap(), engine.ll_region(ChannelDir::Read, 0, 4));
    /// rd.submit(&ctrl, &bad).unwrap();
    /// assert!(!rd.on_interrupt(&ctrl).completion().unwrap().is_success());
    /// assert_eq!(engine.last_abort(ChannelDir::Read, 0), Some(AbortCause::ReadError));
    /// ```
    pub fn set_pci_memory(&self, mem: Option<Box<dyn PciMemory>>) {
        self.lock().pci_hook = mem;
    }

    /// Runs `f` over both memories (local, PCI) at once, e.g. to fill or hash them.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// engine.with_memory(|local, pci| {
    ///     local[..4].fill(0x11);
    ///     pci[..4].fill(0x22);
    /// });
    /// assert_eq!((engine.local_read(0, 1), engine.pci_read(0, 1)), (vec![0x11], vec![0x22]));
    /// ```
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
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{ChannelDir, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// // 16 spaces of 24 KiB at the top of the 4 MiB of local memory.
    /// assert_eq!(engine.ll_base(ChannelDir::Write, 0), (4 << 20) - 16 * 24 * 1024);
    /// assert_eq!(engine.ll_base(ChannelDir::Read, 0), (4 << 20) - 8 * 24 * 1024);
    /// ```
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
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::io::LlMemory;
    /// use edma_core::{ChannelDir, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// let ll = engine.ll_region(ChannelDir::Read, 2, 64);
    /// assert_eq!((ll.capacity(), ll.bus_addr()), (64, engine.ll_base(ChannelDir::Read, 2)));
    /// ```
    pub fn ll_region(&self, dir: ChannelDir, ch: u8, slots: usize) -> MockLl<'_> {
        assert!(
            slots * SLOT_SIZE <= self.config().ll_bytes_per_channel,
            "LL region too large"
        );
        MockLl {
            engine: self,
            bus: self.ll_base(dir, ch),
            slots,
            owner: (dir, ch),
        }
    }

    /// Executes up to `elements` data elements of a running channel
    /// ([`ExecMode::Manual`]); returns how many ran.
    ///
    /// ```
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Manual));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
    /// let batch = [Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8), Entry::new(16, 0x3000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// assert_eq!(engine.step(ChannelDir::Write, 0, 2), 2);
    /// assert!(engine.is_running(ChannelDir::Write, 0));
    /// assert_eq!(engine.step(ChannelDir::Write, 0, 10), 1); // only one was left
    /// ```
    pub fn step(&self, dir: ChannelDir, ch: u8, elements: u64) -> u64 {
        self.lock().run(dir, ch & 7, elements)
    }

    /// Installs the schedule of [`ExecMode::Scheduled`] (replacing any
    /// earlier one; `None` removes it, and the engine then moves only
    /// through [`MockEngine::tick`] and [`MockEngine::run_until_blocked`]).
    ///
    /// ```
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine, YieldKind};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Scheduled));
    /// // The engine steps whenever the driver is about to read a register.
    /// engine.set_scheduler(Some(Box::new(|v| matches!(v.kind(), YieldKind::RegRead(_)))));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// let done = loop {
    ///     if let Some(c) = ch.on_interrupt(&ctrl).completion() {
    ///         break c;
    ///     }
    /// };
    /// assert!(done.is_success());
    /// ```
    pub fn set_scheduler(&self, scheduler: Option<Scheduler>) {
        self.lock().scheduler = scheduler;
    }

    /// One micro-step of one channel in [`ExecMode::Scheduled`] (fetch,
    /// act on the fetched element, or execute the loaded one); false if
    /// the channel had nothing to do.
    ///
    /// ```
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Scheduled));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// let mut steps = 0;
    /// while engine.tick(ChannelDir::Write, 0) {
    ///     steps += 1;
    /// }
    /// assert!(steps >= 3); // fetch, load, execute, ... then stop
    /// assert!(!engine.is_running(ChannelDir::Write, 0));
    /// ```
    pub fn tick(&self, dir: ChannelDir, ch: u8) -> bool {
        self.lock().tick(dir, ch & 7)
    }

    /// Micro-steps every channel until none can move (each stopped,
    /// aborted or idle); returns the steps taken, at most `limit`.
    ///
    /// ```
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative).with_mode(ExecMode::Scheduled));
    /// let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap(), engine.ll_region(ChannelDir::Read, 0, 8));
    /// let batch = [Entry::new(0x100, 0x1000, 8), Entry::new(0x200, 0x2000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// assert!(engine.run_until_blocked(1_000) > 0);
    /// assert_eq!(engine.run_until_blocked(1_000), 0); // nothing left to do
    /// assert!(ch.on_interrupt(&ctrl).completion().unwrap().is_success());
    /// ```
    pub fn run_until_blocked(&self, limit: u64) -> u64 {
        let mut g = self.lock();
        let mut n = 0;
        while n < limit && g.can_tick() {
            g.tick_all();
            n += 1;
        }
        n
    }

    /// The hash [`EngineView::state_hash`] gives, outside a yield point.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::MapFormat;
    /// let a = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// let b = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// assert_eq!(a.state_hash(), b.state_hash());
    /// b.pci_write(0, &[1]);
    /// assert_ne!(a.state_hash(), b.state_hash());
    /// ```
    pub fn state_hash(&self) -> u64 {
        self.lock().state_hash()
    }

    /// The size of the element a running channel has loaded and not yet
    /// executed (`None` if it is not running or between elements). Not a
    /// register access: nothing is counted.
    ///
    /// ```
    /// use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll).with_mode(ExecMode::Scheduled));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
    /// let batch = [Entry::new(0, 0x1000, 48)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// assert_eq!(engine.loaded_size(ChannelDir::Write, 0), None); // started, nothing fetched yet
    /// engine.tick(ChannelDir::Write, 0); // fetch
    /// engine.tick(ChannelDir::Write, 0); // load
    /// assert_eq!(engine.loaded_size(ChannelDir::Write, 0), Some(48));
    /// ```
    pub fn loaded_size(&self, dir: ChannelDir, ch: u8) -> Option<u32> {
        let g = self.lock();
        let c = &g.ch[dir.index()][usize::from(ch & 7)];
        (c.running && c.loaded).then_some(c.transfer_size)
    }

    /// Whether a channel is running (started and not stopped or aborted).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{ChannelDir, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// assert!(!engine.is_running(ChannelDir::Read, 7));
    /// ```
    pub fn is_running(&self, dir: ChannelDir, ch: u8) -> bool {
        self.lock().ch[dir.index()][usize::from(ch & 7)].running
    }

    /// Arms a fault on a channel (replacing any armed one).
    ///
    /// ```
    /// use edma_backend_mock::{AbortCause, Fault, MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat, Status};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 1)).unwrap(), engine.ll_region(ChannelDir::Read, 1, 8));
    /// engine.inject_fault(ChannelDir::Read, 1, Fault::AbortAt { element: 0, after_bytes: 0, read: true });
    /// let batch = [Entry::new(0x100, 0x1000, 64)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// let done = ch.on_interrupt(&ctrl).completion().unwrap();
    /// assert!(matches!(done.status, Status::Aborted { entry: 0, .. }));
    /// assert_eq!(engine.last_abort(ChannelDir::Read, 1), Some(AbortCause::ReadError));
    /// ```
    pub fn inject_fault(&self, dir: ChannelDir, ch: u8, fault: Fault) {
        let mut g = self.lock();
        let c = &mut g.ch[dir.index()][usize::from(ch & 7)];
        c.fault = Some(fault);
        c.faults_elements = 0;
    }

    /// Why the channel last aborted, if it did.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{ChannelDir, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// assert_eq!(engine.last_abort(ChannelDir::Write, 0), None);
    /// ```
    pub fn last_abort(&self, dir: ChannelDir, ch: u8) -> Option<AbortCause> {
        self.lock().ch[dir.index()][usize::from(ch & 7)].last_abort
    }

    /// Whether the local interrupt line is asserted (an unmasked, enabled
    /// status bit is set on any channel).
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
    /// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 4));
    /// let batch = [Entry::new(0, 0x1000, 8)];
    /// ch.submit(&ctrl, &batch).unwrap();
    /// assert!(engine.irq_pending()); // the done interrupt is asserted
    /// let _ = ch.on_interrupt(&ctrl); // ...until the driver clears it
    /// assert!(!engine.irq_pending());
    /// ```
    pub fn irq_pending(&self) -> bool {
        self.lock().irq_pending()
    }

    /// Every remote interrupt (IMWr) sent so far.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// assert!(engine.imwr_log().is_empty()); // no remote interrupt sent yet
    /// ```
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
///
/// ```
/// use edma_backend_mock::{MockConfig, MockEngine};
/// use edma_core::desc::{Control, Element};
/// use edma_core::io::LlMemory;
/// use edma_core::{ChannelDir, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// let mut ll = engine.ll_region(ChannelDir::Write, 0, 4);
/// ll.write(0, &Element::data(Control::CB, 8, 0, 0x1000));
/// assert_eq!(engine.counters().total().ll_slot_writes, 1);
/// // The bytes are in local memory, where the engine fetches them.
/// assert_eq!(engine.local_read(ll.bus_addr(), 1), [0x01]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MockLl<'e> {
    engine: &'e MockEngine,
    bus: u64,
    slots: usize,
    /// The channel whose reserved space this is.
    owner: (ChannelDir, u8),
}

impl LlMemory for MockLl<'_> {
    fn bus_addr(&self) -> u64 {
        self.bus
    }
    fn quarantine(&mut self) {
        let (dir, ch) = self.owner;
        if let Some(c) = self.engine.lock().ch[dir.index()].get_mut(usize::from(ch)) {
            c.ll_quarantined = true;
        }
    }
    fn capacity(&self) -> usize {
        self.slots
    }
    fn write(&mut self, index: usize, element: &Element) {
        if index >= self.slots {
            return;
        }
        let mut g = self.engine.lock();
        let bus = self.bus + (index * SLOT_SIZE) as u64;
        let bytes = element.encode();
        if g.cfg.mode == ExecMode::Scheduled {
            // The body first, then the control word (with the cycle bit):
            // the engine may fetch in between.
            g.yield_point(YieldKind::SlotBody(bus));
            if let Some(r) = g.local_range(bus + 4, SLOT_SIZE as u64 - 4) {
                g.local[r].copy_from_slice(&bytes[4..]);
            }
            g.yield_point(YieldKind::SlotControl(bus));
            if let Some(r) = g.local_range(bus, 4) {
                g.local[r].copy_from_slice(&bytes[..4]);
            }
        } else if let Some(r) = g.local_range(bus, SLOT_SIZE as u64) {
            g.local[r].copy_from_slice(&bytes);
        }
        g.counters.total.ll_slot_writes += 1;
    }
    fn read(&self, index: usize) -> Option<Element> {
        if index >= self.slots {
            return None;
        }
        let g = self.engine.lock();
        let r = g.local_range(self.bus + (index * SLOT_SIZE) as u64, SLOT_SIZE as u64)?;
        let mut slot = [0u8; SLOT_SIZE];
        slot.copy_from_slice(&g.local[r]);
        Some(Element::decode(&slot))
    }
}
