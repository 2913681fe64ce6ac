//! Completion interrupts of a **remote** endpoint's eDMA under VFIO.
//!
//! In remote deployment the engine tells the host that a channel finished
//! by a memory write (IMWr) to the address programmed in its IMWr
//! registers. The kernel aims it at an MSI doorbell; VFIO gives userspace
//! no such address (the MSI vectors it exposes belong to the endpoint's own
//! MSI capability, programmed by the kernel). So the program aims the
//! IMWr at a word of one of its own DMA buffers and watches that word:
//! [`ImwrWatch`]. The write is posted behind the channel's data writes, so
//! when the word changes the data before it has landed (PCIe ordering of
//! posted writes).
//!
//! Cost: the program polls memory (no syscall, no interrupt). Latency is
//! the poll interval; [`ImwrWatch::wait`] spins for a bounded number of
//! rounds and then sleeps between looks.

use std::time::{Duration, Instant};

use edma_core::io::RegisterIo;
use edma_core::{ChannelDir, Controller, MapFormat};

use super::{DmaBuffer, DmaSpace, VfioError};

/// A page of host memory the engine's IMWr messages land in: one 32-bit
/// word per channel for HDMA (whose IMWr address is per channel), one per
/// direction for eDMA (one address per direction; the data word tells
/// channels apart, and [`ImwrWatch::take`] returns it).
///
/// ```
/// use edma_backend_mmio::vfio::{DmaSpace, ImwrWatch};
/// use edma_core::{ChannelDir, MapFormat};
/// let space = DmaSpace::simulated(&[0x10_0000..0x20_0000]);
/// let watch = ImwrWatch::new(&space, MapFormat::HdmaNative).unwrap();
/// let at = watch.address(ChannelDir::Read, 3);
/// assert_eq!(at, 0x10_0000 + (8 + 3) * 4);
/// assert_eq!(watch.take(ChannelDir::Read, 3), None);
/// space.write_iova(at, &0xed03u32.to_le_bytes()); // what the engine's IMWr does
/// assert_eq!(watch.take(ChannelDir::Read, 3), Some(0xed03));
/// assert_eq!(watch.take(ChannelDir::Read, 3), None); // taken
/// ```
#[derive(Debug)]
pub struct ImwrWatch {
    buf: DmaBuffer,
    per_channel: bool,
}

/// The IMWr data the watch programs: never 0 (0 is "nothing arrived"),
/// and carries the channel number.
pub(crate) fn data_for(ch: u8) -> u16 {
    0xed00 | u16::from(ch & 7)
}

impl ImwrWatch {
    /// A watch page in `space` for an engine of register map `map`.
    pub fn new(space: &DmaSpace, map: MapFormat) -> Result<Self, VfioError> {
        Ok(ImwrWatch {
            buf: space.alloc(64)?,
            per_channel: matches!(map, MapFormat::HdmaNative),
        })
    }

    fn slot(&self, dir: ChannelDir, ch: u8) -> usize {
        let ch = if self.per_channel {
            usize::from(ch & 7)
        } else {
            0
        };
        (dir.index() * 8 + ch) * 4
    }

    /// The IOVA the channel's IMWr must target.
    pub fn address(&self, dir: ChannelDir, ch: u8) -> u64 {
        self.buf.iova() + self.slot(dir, ch) as u64
    }

    /// Programs the channel's IMWr (done and abort) to land in this watch
    /// ([`Controller::configure_remote_interrupt`]). Call it for every
    /// channel before its first batch.
    pub fn configure<R: RegisterIo, M: lock_api::RawMutex>(
        &self,
        ctrl: &Controller<R, M>,
        dir: ChannelDir,
        ch: u8,
    ) {
        ctrl.configure_remote_interrupt(dir, ch, self.address(dir, ch), data_for(ch));
    }

    /// The word of `(dir, ch)` if an IMWr landed since the last take, and
    /// clears it (atomically: an IMWr arriving meanwhile is not lost). For
    /// eDMA maps every channel of a direction shares one word, and the
    /// value names the last channel that wrote (`0xed00 | ch`): handle all
    /// of that direction's channels.
    pub fn take(&self, dir: ChannelDir, ch: u8) -> Option<u32> {
        match self.buf.swap_u32(self.slot(dir, ch), 0) {
            0 => None,
            v => Some(v),
        }
    }

    /// Waits until any word is set or `timeout` passes; returns the words
    /// that were set (as `(direction, channel-slot, value)`), each taken.
    /// Spins 1 000 looks, then sleeps 50 µs between looks.
    pub fn wait(&self, timeout: Duration) -> Vec<(ChannelDir, u8, u32)> {
        let start = Instant::now();
        let mut looks = 0u32;
        loop {
            let mut got = Vec::new();
            for dir in ChannelDir::ALL {
                let n = if self.per_channel { 8 } else { 1 };
                for ch in 0..n {
                    if let Some(v) = self.take(dir, ch) {
                        got.push((dir, ch, v));
                    }
                }
            }
            if !got.is_empty() || start.elapsed() >= timeout {
                return got;
            }
            looks = looks.saturating_add(1);
            if looks < 1000 {
                std::hint::spin_loop();
            } else {
                std::thread::sleep(Duration::from_micros(50));
            }
        }
    }
}
