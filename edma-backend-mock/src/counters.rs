//! Counters of every register access, doorbell, element and interrupt.

use edma_core::ChannelDir;

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
    /// Slots written through [`MockLl`](crate::MockLl).
    pub ll_slot_writes: u64,
}

/// Counters of every channel and the total.
///
/// ```
/// use edma_backend_mock::{MockConfig, MockEngine};
/// use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 1)).unwrap(), engine.ll_region(ChannelDir::Write, 1, 8));
/// let batch = [Entry::new(0, 0x1000, 8), Entry::new(8, 0x2000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// let set = engine.counters();
/// assert_eq!(set.channel(ChannelDir::Write, 1).elements, 2);
/// assert_eq!(set.channel(ChannelDir::Write, 0).elements, 0);
/// assert_eq!(set.total().doorbells, 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterSet {
    pub(crate) total: Counters,
    pub(crate) channels: [[Counters; 8]; 2],
}

impl CounterSet {
    /// Totals, including accesses to registers of no channel.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::io::RegisterIo;
    /// use edma_core::MapFormat;
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
    /// engine.read32(0x8); // CTRL: a register of no channel, still counted in the total
    /// assert_eq!(engine.counters().total().reg_reads, 1);
    /// ```
    pub fn total(&self) -> Counters {
        self.total
    }
    /// One channel's counters.
    ///
    /// ```
    /// use edma_backend_mock::{MockConfig, MockEngine};
    /// use edma_core::io::RegisterIo;
    /// use edma_core::{regs, ChannelDir, MapFormat};
    /// let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// let sar = regs::ch_reg_offset(MapFormat::HdmaNative, ChannelDir::Read, 3, regs::ChReg::SarLo).unwrap();
    /// engine.write32(sar, 0x1000);
    /// assert_eq!(engine.counters().channel(ChannelDir::Read, 3).reg_writes, 1);
    /// ```
    pub fn channel(&self, dir: ChannelDir, ch: u8) -> Counters {
        self.channels[dir.index()][usize::from(ch & 7)]
    }
}
