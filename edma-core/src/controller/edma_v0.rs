//! eDMA v0 programming: the legacy map (one channel window behind the
//! viewport select), the unrolled map, and HDMA in compatibility mode (the
//! unrolled map plus per-channel power enables). Sequences follow Linux's
//! `dw-edma-v0-core.c`; the recordings in `conformance/` check them.

use lock_api::RawMutex;

use super::Controller;
use crate::io::RegisterIo;
use crate::regs::{self, ChControl1, ChReg, HwChannelStatus, edma_v0};
use crate::{ChannelDir, Deployment, MAX_CHANNELS, MapFormat};

/// Selects the legacy map's channel window (caller holds the lock).
pub(crate) fn select_viewport<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) {
    c.raw()
        .write32(edma_v0::VIEWPORT_SEL, regs::viewport_value(dir, ch));
}

/// (write, read) channels from `CTRL`, each capped at 8.
pub(crate) fn channel_counts<R: RegisterIo, M: RawMutex>(c: &Controller<R, M>) -> (u8, u8) {
    let v = c.raw().read32(edma_v0::CTRL);
    let wr = (v & edma_v0::CTRL_WR_CH_COUNT_MASK) as u8;
    let rd = ((v >> edma_v0::CTRL_RD_CH_COUNT_SHIFT) & 0xf) as u8;
    (wr.min(MAX_CHANNELS), rd.min(MAX_CHANNELS))
}

pub(crate) fn pending<R: RegisterIo, M: RawMutex>(c: &Controller<R, M>, dir: ChannelDir) -> u8 {
    let s = c.raw().read32(edma_v0::dir_regs(dir).int_status);
    ((s & edma_v0::DONE_INT_MASK) | ((s & edma_v0::ABORT_INT_MASK) >> 16)) as u8
}

/// Done and abort IMWr addresses (shared by the direction's channels) and
/// the channel's 16-bit data (two channels per register).
pub(crate) fn configure_remote_interrupt<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
    addr: u64,
    data: u16,
) {
    let (lo, hi) = (addr as u32, (addr >> 32) as u32);
    let r = edma_v0::dir_regs(dir);
    let regs = c.raw();
    regs.write32(r.done_imwr_lo, lo);
    regs.write32(r.done_imwr_lo + 4, hi);
    regs.write32(r.abort_imwr_lo, lo);
    regs.write32(r.abort_imwr_lo + 4, hi);
    let off = r.imwr_data01 + usize::from(ch / 2) * 4;
    let shift = if ch % 2 == 1 { 16 } else { 0 };
    c.rmw(off, |v| {
        (v & !(0xffff << shift)) | (u32::from(data) << shift)
    });
}

/// Masks and clears every interrupt and disables both engines, each
/// register for both directions before the next (Linux's order).
pub(crate) fn off<R: RegisterIo, M: RawMutex>(c: &Controller<R, M>) {
    let all = edma_v0::DONE_INT_MASK | edma_v0::ABORT_INT_MASK;
    let [w, r] = ChannelDir::ALL.map(edma_v0::dir_regs);
    c.locked(|| {
        for (off, v) in [
            (w.int_mask, all),
            (r.int_mask, all),
            (w.int_clear, all),
            (r.int_clear, all),
            (w.engine_en, 0),
            (r.engine_en, 0),
        ] {
            c.raw().write32(off, v);
        }
    });
}

pub(crate) fn hw_status<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) -> HwChannelStatus {
    HwChannelStatus::from_bits(c.ch_read(dir, ch, ChReg::Control1) >> regs::CH_CONTROL1_CS_SHIFT)
}

pub(crate) fn doorbell<R: RegisterIo, M: RawMutex>(c: &Controller<R, M>, dir: ChannelDir, ch: u8) {
    c.raw().write32(
        edma_v0::dir_regs(dir).doorbell,
        u32::from(ch) & edma_v0::DOORBELL_CH_MASK,
    );
}

pub(crate) fn stop_request<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) {
    c.raw().write32(
        edma_v0::dir_regs(dir).doorbell,
        edma_v0::DOORBELL_STOP | (u32::from(ch) & edma_v0::DOORBELL_CH_MASK),
    );
}

/// Engine enable (and channel power on HDMA compat), done/abort unmask, LL
/// error enable.
pub(crate) fn enable_channel<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) {
    let r = edma_v0::dir_regs(dir);
    let regs = c.raw();
    regs.write32(r.engine_en, 1);
    if c.map() == MapFormat::HdmaCompat {
        regs.write32(r.ch0_pwr_en + usize::from(ch) * 4, 1);
    }
    c.locked(|| {
        let m = regs.read32(r.int_mask);
        regs.write32(
            r.int_mask,
            m & !(edma_v0::done_bit(ch) | edma_v0::abort_bit(ch)),
        );
        let e = regs.read32(r.ll_err_en);
        regs.write32(r.ll_err_en, e | edma_v0::done_bit(ch));
    });
}

/// Control (consumer cycle state + LL enable), then LLP.
pub(crate) fn start_ll<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
    llp: u64,
) {
    c.ch_write(
        dir,
        ch,
        ChReg::Control1,
        (ChControl1::CCS | ChControl1::LLE).bits(),
    );
    c.write64(dir, ch, ChReg::LlpLo, ChReg::LlpHi, llp);
}

/// Non-LL mode, before the element registers: control with the
/// completion interrupts.
pub(crate) fn block_control<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) {
    let mut ctl = ChControl1::LIE;
    if c.deployment() == Deployment::Remote {
        ctl |= ChControl1::RIE;
    }
    c.ch_write(dir, ch, ChReg::Control1, ctl.bits());
}

pub(crate) fn int_status<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
) -> (bool, bool) {
    let s = c.raw().read32(edma_v0::dir_regs(dir).int_status);
    (
        s & edma_v0::done_bit(ch) != 0,
        s & edma_v0::abort_bit(ch) != 0,
    )
}

pub(crate) fn int_clear<R: RegisterIo, M: RawMutex>(
    c: &Controller<R, M>,
    dir: ChannelDir,
    ch: u8,
    done: bool,
    abort: bool,
) {
    let mut v = 0;
    if done {
        v |= edma_v0::done_bit(ch);
    }
    if abort {
        v |= edma_v0::abort_bit(ch);
    }
    c.raw().write32(edma_v0::dir_regs(dir).int_clear, v);
}
