//! Native HDMA programming: one 256-byte register block per channel and
//! direction, a stop interrupt per channel, and the consumer cycle state in
//! its own register. Sequences follow Linux's `dw-hdma-v0-core.c`; the
//! recordings in `conformance/` check them.

use lock_api::RawMutex;

use super::Controller;
use crate::io::RegisterIo;
use crate::regs::{ChReg, HdmaInt, HdmaIntSetup, HwChannelStatus, hdma};
use crate::{ChannelDir, Deployment, MAX_CHANNELS};

pub(crate) fn pending<R: RegisterIo, M: RawMutex>(c: &Controller<R, M>, dir: ChannelDir) -> u8 {
    let mut m = 0u8;
    for ch in 0..MAX_CHANNELS {
        let s = HdmaInt::from_bits_truncate(c.ch_read(dir, ch, ChReg::IntStat));
        if s.intersects(HdmaInt::STOP | HdmaInt::ABORT) {
            m |= 1 << ch;
        }
    }
    m
}

/// Stop and abort MSI addresses and the message data, all per channel.
pub(crate) fn configure_remote_interrupt<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
    addr: u64,
    data: u16,
) {
    let (lo, hi) = (addr as u32, (addr >> 32) as u32);
    c.ch_write(dir, ch, ChReg::MsiStopLo, lo);
    c.ch_write(dir, ch, ChReg::MsiStopHi, hi);
    c.ch_write(dir, ch, ChReg::MsiAbortLo, lo);
    c.ch_write(dir, ch, ChReg::MsiAbortHi, hi);
    c.ch_write(dir, ch, ChReg::MsiMsgData, u32::from(data));
}

/// Per channel: mask, clear, disable — each for both directions before the
/// next (Linux's order).
pub(crate) fn off<R: RegisterIo, M: RawMutex>(c: &Controller<R, M>) {
    let m = (HdmaInt::STOP | HdmaInt::ABORT).bits();
    for ch in 0..MAX_CHANNELS {
        for (reg, v) in [(ChReg::IntSetup, m), (ChReg::IntClear, m), (ChReg::ChEn, 0)] {
            for dir in ChannelDir::ALL {
                c.ch_write(dir, ch, reg, v);
            }
        }
    }
}

pub(crate) fn hw_status<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) -> HwChannelStatus {
    HwChannelStatus::from_bits(c.ch_read(dir, ch, ChReg::ChStat))
}

pub(crate) fn doorbell<R: RegisterIo, M: RawMutex>(c: &Controller<R, M>, dir: ChannelDir, ch: u8) {
    c.ch_write(dir, ch, ChReg::Doorbell, hdma::DOORBELL_START);
}

pub(crate) fn stop_request<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) {
    c.ch_write(dir, ch, ChReg::Doorbell, hdma::DOORBELL_STOP);
}

/// Channel enable; stop/abort unmasked and enabled locally (and remotely
/// in remote deployment).
pub(crate) fn enable_channel<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) {
    c.ch_write(dir, ch, ChReg::ChEn, hdma::CH_EN_ENABLE);
    interrupt_setup(c, dir, ch);
}

/// Unmasks the channel's stop and abort interrupts and enables them
/// locally (and remotely in remote deployment), read-modify-write.
fn interrupt_setup<R: RegisterIo, M: RawMutex>(c: &Controller<R, M>, dir: ChannelDir, ch: u8) {
    let mut s = HdmaIntSetup::from_bits_retain(c.ch_read(dir, ch, ChReg::IntSetup));
    s -= HdmaIntSetup::STOP_MASK | HdmaIntSetup::ABORT_MASK;
    s |= HdmaIntSetup::LOCAL_STOP_EN | HdmaIntSetup::LOCAL_ABORT_EN;
    if c.deployment() == Deployment::Remote {
        s |= HdmaIntSetup::REMOTE_STOP_EN | HdmaIntSetup::REMOTE_ABORT_EN;
    }
    c.ch_write(dir, ch, ChReg::IntSetup, s.bits());
}

/// LL enable, LLP, then the consumer cycle state (CCS = CB = 1).
pub(crate) fn start_ll<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
    llp: u64,
) {
    c.ch_write(dir, ch, ChReg::Control1, hdma::CONTROL1_LLE);
    c.write64(dir, ch, ChReg::LlpLo, ChReg::LlpHi, llp);
    c.ch_write(
        dir,
        ch,
        ChReg::CycleSync,
        hdma::CYCLE_STATE | hdma::CYCLE_BIT,
    );
}

/// Non-LL mode, first element: the channel enabled (before the element
/// registers, as Linux does).
pub(crate) fn enable_block<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) {
    c.ch_write(dir, ch, ChReg::ChEn, hdma::CH_EN_ENABLE);
}

/// Non-LL mode, after the element registers of the first element (Linux's
/// order): the interrupt setup, then LL disabled in control1
/// (read-modify-write). HDMA has no per-element interrupt bit in non-LL
/// mode: the stop interrupt signals the element's end.
pub(crate) fn block_control<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
    first: bool,
) {
    if first {
        interrupt_setup(c, dir, ch);
        let v = c.ch_read(dir, ch, ChReg::Control1);
        c.ch_write(dir, ch, ChReg::Control1, v & !hdma::CONTROL1_LLE);
    }
}

pub(crate) fn int_status<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) -> (bool, bool) {
    let s = HdmaInt::from_bits_truncate(c.ch_read(dir, ch, ChReg::IntStat));
    (s.contains(HdmaInt::STOP), s.contains(HdmaInt::ABORT))
}

pub(crate) fn int_clear<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
    done: bool,
    abort: bool,
) {
    let mut v = HdmaInt::empty();
    if done {
        v |= HdmaInt::STOP;
    }
    if abort {
        v |= HdmaInt::ABORT;
    }
    c.ch_write(dir, ch, ChReg::IntClear, v.bits());
}
