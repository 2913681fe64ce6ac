//! Typed register maps of the DesignWare eDMA v0 and HDMA engines.
//!
//! Source of every offset and bit: Linux `drivers/dma/dw-edma/dw-edma-v0-regs.h`,
//! `dw-hdma-v0-regs.h`, and the programming code in `dw-edma-v0-core.c` /
//! `dw-hdma-v0-core.c` (Linux 7.2). Each map is written down twice: as named
//! offset constants (used by the driver and the mock) and as a `#[repr(C)]`
//! layout struct transcribed field by field from the header, including its
//! padding. `const` assertions check that both agree, so a typo in either
//! fails the build.
//!
//! The per-channel registers are reached through [`ch_reg_offset`], which
//! hides the difference between the maps:
//!
//! ```
//! use edma_core::{ChannelDir, MapFormat};
//! use edma_core::regs::{ch_reg_offset, ChReg};
//! // Unrolled eDMA: read channel 2's LLP low word.
//! assert_eq!(ch_reg_offset(MapFormat::EdmaUnroll, ChannelDir::Read, 2, ChReg::LlpLo), Some(0x200 + 2 * 0x200 + 0x100 + 0x1c));
//! // Legacy eDMA: every channel shares the window at 0x100 (viewport selects it).
//! assert_eq!(ch_reg_offset(MapFormat::EdmaLegacy, ChannelDir::Write, 5, ChReg::LlpLo), Some(0x11c));
//! // HDMA native: channel 1, read direction, doorbell.
//! assert_eq!(ch_reg_offset(MapFormat::HdmaNative, ChannelDir::Read, 1, ChReg::Doorbell), Some(0x304));
//! // The eDMA maps have no per-channel doorbell.
//! assert_eq!(ch_reg_offset(MapFormat::EdmaUnroll, ChannelDir::Read, 1, ChReg::Doorbell), None);
//! ```

use core::mem::{offset_of, size_of};

use bitflags::bitflags;

use crate::{ChannelDir, MapFormat};

/// eDMA v0 register map (legacy, unrolled and HDMA-compat layouts).
pub mod edma_v0 {
    use super::{offset_of, size_of};
    use crate::ChannelDir;

    /// Arbitration priority of the data path (not used by the driver).
    pub const CTRL_DATA_ARB_PRIOR: usize = 0x000;
    /// Read-only: number of write channels in bits 3:0, read channels in 19:16.
    pub const CTRL: usize = 0x008;
    /// Write engine enable: bit 0 turns the write engine on.
    pub const WR_ENGINE_EN: usize = 0x00c;
    /// Write doorbell: channel number in bits 2:0; bit 31 requests a stop.
    pub const WR_DOORBELL: usize = 0x010;
    /// Write channel arbitration weights (64-bit, low word).
    pub const WR_CH_ARB_WEIGHT_LO: usize = 0x018;
    /// Read engine enable: bit 0 turns the read engine on.
    pub const RD_ENGINE_EN: usize = 0x02c;
    /// Read doorbell: channel number in bits 2:0; bit 31 requests a stop.
    pub const RD_DOORBELL: usize = 0x030;
    /// Read channel arbitration weights (64-bit, low word).
    pub const RD_CH_ARB_WEIGHT_LO: usize = 0x038;
    /// Write interrupt status: done bits 7:0, abort bits 23:16 (one per channel).
    pub const WR_INT_STATUS: usize = 0x04c;
    /// Write interrupt mask: a set bit masks that channel's done/abort interrupt.
    pub const WR_INT_MASK: usize = 0x054;
    /// Write interrupt clear: writing a 1 clears that status bit.
    pub const WR_INT_CLEAR: usize = 0x058;
    /// Write error status.
    pub const WR_ERR_STATUS: usize = 0x05c;
    /// PCI address of the done IMWr (remote interrupt) of write channels, low word.
    pub const WR_DONE_IMWR_LO: usize = 0x060;
    /// PCI address of the done IMWr of write channels, high word.
    pub const WR_DONE_IMWR_HI: usize = 0x064;
    /// PCI address of the abort IMWr of write channels, low word.
    pub const WR_ABORT_IMWR_LO: usize = 0x068;
    /// PCI address of the abort IMWr of write channels, high word.
    pub const WR_ABORT_IMWR_HI: usize = 0x06c;
    /// IMWr data of write channels 0/1 (even channel in bits 15:0, odd in 31:16);
    /// channels 2/3, 4/5 and 6/7 follow at +4, +8, +0xc.
    pub const WR_CH01_IMWR_DATA: usize = 0x070;
    /// Linked-list error enable of write channels: one bit per channel.
    pub const WR_LINKED_LIST_ERR_EN: usize = 0x090;
    /// Read interrupt status: done bits 7:0, abort bits 23:16.
    pub const RD_INT_STATUS: usize = 0x0a0;
    /// Read interrupt mask.
    pub const RD_INT_MASK: usize = 0x0a8;
    /// Read interrupt clear.
    pub const RD_INT_CLEAR: usize = 0x0ac;
    /// Read error status (64-bit, low word).
    pub const RD_ERR_STATUS_LO: usize = 0x0b4;
    /// Linked-list error enable of read channels.
    pub const RD_LINKED_LIST_ERR_EN: usize = 0x0c4;
    /// PCI address of the done IMWr of read channels, low word.
    pub const RD_DONE_IMWR_LO: usize = 0x0cc;
    /// PCI address of the done IMWr of read channels, high word.
    pub const RD_DONE_IMWR_HI: usize = 0x0d0;
    /// PCI address of the abort IMWr of read channels, low word.
    pub const RD_ABORT_IMWR_LO: usize = 0x0d4;
    /// PCI address of the abort IMWr of read channels, high word.
    pub const RD_ABORT_IMWR_HI: usize = 0x0d8;
    /// IMWr data of read channels 0/1.
    pub const RD_CH01_IMWR_DATA: usize = 0x0dc;
    /// Legacy map: selects the channel shown in the window at
    /// [`LEGACY_CH_BASE`]; bits 2:0 channel, bit 31 set for the read direction.
    ///
    /// The Linux header's comment says 0xf8, but its packed struct (with
    /// `padding_13[4]` after the IMWr data at 0xe8) places the field at 0xfc,
    /// which is also where the DBI viewport sits (0xa6c - 0x970). The struct
    /// is what the driver compiles, so 0xfc it is.
    pub const VIEWPORT_SEL: usize = 0x0fc;
    /// Legacy map: base of the shared per-channel window.
    pub const LEGACY_CH_BASE: usize = 0x100;
    /// Unrolled map: first write-channel power enable (HDMA compat); channel
    /// `n` is at `+4 * n`.
    pub const WR_CH0_PWR_EN: usize = 0x128;
    /// Unrolled map: first read-channel power enable (HDMA compat).
    pub const RD_CH0_PWR_EN: usize = 0x168;
    /// Unrolled map: base of channel 0's write registers.
    pub const UNROLL_CH_BASE: usize = 0x200;
    /// Unrolled map: distance between two channels.
    pub const UNROLL_CH_STRIDE: usize = 0x200;
    /// Unrolled map: offset of the read registers inside a channel's window.
    pub const UNROLL_RD_OFFSET: usize = 0x100;
    /// Size of the whole unrolled register block.
    pub const UNROLL_MAP_SIZE: usize = 0x1200;

    /// Per-channel: control 1 (see [`super::ChControl1`]).
    pub const CH_CONTROL1: usize = 0x00;
    /// Per-channel: control 2.
    pub const CH_CONTROL2: usize = 0x04;
    /// Per-channel: transfer size (non-LL mode; in LL mode it shows the bytes
    /// left of the element in progress).
    pub const CH_TRANSFER_SIZE: usize = 0x08;
    /// Per-channel: SAR low word.
    pub const CH_SAR_LO: usize = 0x0c;
    /// Per-channel: SAR high word.
    pub const CH_SAR_HI: usize = 0x10;
    /// Per-channel: DAR low word.
    pub const CH_DAR_LO: usize = 0x14;
    /// Per-channel: DAR high word.
    pub const CH_DAR_HI: usize = 0x18;
    /// Per-channel: LL pointer low word (not 64-bit aligned: use two 32-bit accesses).
    pub const CH_LLP_LO: usize = 0x1c;
    /// Per-channel: LL pointer high word.
    pub const CH_LLP_HI: usize = 0x20;

    /// Done bits of `*_INT_STATUS` / `*_INT_MASK` / `*_INT_CLEAR`.
    pub const DONE_INT_MASK: u32 = 0x0000_00ff;
    /// Abort bits of `*_INT_STATUS` / `*_INT_MASK` / `*_INT_CLEAR`.
    pub const ABORT_INT_MASK: u32 = 0x00ff_0000;
    /// Doorbell: channel number field.
    pub const DOORBELL_CH_MASK: u32 = 0x7;
    /// Doorbell: stop request.
    pub const DOORBELL_STOP: u32 = 1 << 31;
    /// Viewport: read-direction select bit.
    pub const VIEWPORT_READ: u32 = 1 << 31;
    /// `CTRL`: write channel count field.
    pub const CTRL_WR_CH_COUNT_MASK: u32 = 0x0000_000f;
    /// `CTRL`: read channel count field (bits 19:16).
    pub const CTRL_RD_CH_COUNT_SHIFT: u32 = 16;

    /// The done bit of channel `ch` in the interrupt registers.
    ///
    /// ```
    /// use edma_core::regs::edma_v0::{done_bit, DONE_INT_MASK};
    /// assert_eq!(done_bit(3), 0x8);
    /// assert_eq!((0..8).map(done_bit).fold(0, |a, b| a | b), DONE_INT_MASK);
    /// ```
    pub const fn done_bit(ch: u8) -> u32 {
        1 << (ch & 7)
    }
    /// The abort bit of channel `ch` in the interrupt registers.
    ///
    /// ```
    /// use edma_core::regs::edma_v0::{abort_bit, ABORT_INT_MASK};
    /// assert_eq!(abort_bit(0), 1 << 16);
    /// assert_eq!((0..8).map(abort_bit).fold(0, |a, b| a | b), ABORT_INT_MASK);
    /// ```
    pub const fn abort_bit(ch: u8) -> u32 {
        1 << (16 + (ch & 7) as u32)
    }

    /// Global registers that exist once per direction.
    ///
    /// ```
    /// use edma_core::regs::edma_v0::dir_regs;
    /// use edma_core::ChannelDir;
    /// let rd = dir_regs(ChannelDir::Read);
    /// assert_eq!((rd.doorbell, rd.int_status, rd.int_clear), (0x030, 0x0a0, 0x0ac));
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct DirRegs {
        /// Engine enable.
        pub engine_en: usize,
        /// Doorbell.
        pub doorbell: usize,
        /// Interrupt status.
        pub int_status: usize,
        /// Interrupt mask.
        pub int_mask: usize,
        /// Interrupt clear.
        pub int_clear: usize,
        /// Linked-list error enable.
        pub ll_err_en: usize,
        /// Done IMWr address, low word.
        pub done_imwr_lo: usize,
        /// Abort IMWr address, low word.
        pub abort_imwr_lo: usize,
        /// IMWr data of channels 0/1.
        pub imwr_data01: usize,
        /// Power enable of channel 0 (HDMA compat only).
        pub ch0_pwr_en: usize,
    }

    /// The per-direction global registers.
    ///
    /// ```
    /// use edma_core::regs::edma_v0::dir_regs;
    /// use edma_core::ChannelDir;
    /// let wr = dir_regs(ChannelDir::Write);
    /// assert_eq!((wr.engine_en, wr.doorbell, wr.int_mask, wr.ll_err_en), (0x00c, 0x010, 0x054, 0x090));
    /// ```
    pub const fn dir_regs(dir: ChannelDir) -> DirRegs {
        match dir {
            ChannelDir::Write => DirRegs {
                engine_en: WR_ENGINE_EN,
                doorbell: WR_DOORBELL,
                int_status: WR_INT_STATUS,
                int_mask: WR_INT_MASK,
                int_clear: WR_INT_CLEAR,
                ll_err_en: WR_LINKED_LIST_ERR_EN,
                done_imwr_lo: WR_DONE_IMWR_LO,
                abort_imwr_lo: WR_ABORT_IMWR_LO,
                imwr_data01: WR_CH01_IMWR_DATA,
                ch0_pwr_en: WR_CH0_PWR_EN,
            },
            ChannelDir::Read => DirRegs {
                engine_en: RD_ENGINE_EN,
                doorbell: RD_DOORBELL,
                int_status: RD_INT_STATUS,
                int_mask: RD_INT_MASK,
                int_clear: RD_INT_CLEAR,
                ll_err_en: RD_LINKED_LIST_ERR_EN,
                done_imwr_lo: RD_DONE_IMWR_LO,
                abort_imwr_lo: RD_ABORT_IMWR_LO,
                imwr_data01: RD_CH01_IMWR_DATA,
                ch0_pwr_en: RD_CH0_PWR_EN,
            },
        }
    }

    /// Layout of one direction's per-channel registers, as in
    /// `struct dw_edma_v0_ch_regs` (packed, 0x24 bytes).
    #[repr(C)]
    #[allow(dead_code)]
    pub(crate) struct ChRegsLayout {
        ch_control1: u32,
        ch_control2: u32,
        transfer_size: u32,
        sar_lo: u32,
        sar_hi: u32,
        dar_lo: u32,
        dar_hi: u32,
        llp_lo: u32,
        llp_hi: u32,
    }

    /// Layout of one unrolled channel (`struct dw_edma_v0_ch`).
    #[repr(C)]
    #[allow(dead_code)]
    pub(crate) struct UnrollChLayout {
        wr: ChRegsLayout,
        pad1: [u32; 55],
        rd: ChRegsLayout,
        pad2: [u32; 55],
    }

    /// Layout of the global part of the map (`struct dw_edma_v0_regs`, with
    /// each 64-bit union written as two 32-bit words) followed by the unrolled
    /// channel area (`struct dw_edma_v0_unroll`).
    #[repr(C)]
    #[allow(dead_code)]
    pub(crate) struct UnrollLayout {
        ctrl_data_arb_prior: u32,
        pad1: u32,
        ctrl: u32,
        wr_engine_en: u32,
        wr_doorbell: u32,
        pad2: u32,
        wr_ch_arb_weight: [u32; 2],
        pad3: [u32; 3],
        rd_engine_en: u32,
        rd_doorbell: u32,
        pad4: u32,
        rd_ch_arb_weight: [u32; 2],
        pad5: [u32; 3],
        wr_int_status: u32,
        pad6: u32,
        wr_int_mask: u32,
        wr_int_clear: u32,
        wr_err_status: u32,
        wr_done_imwr: [u32; 2],
        wr_abort_imwr: [u32; 2],
        wr_ch_imwr_data: [u32; 4],
        pad7: [u32; 4],
        wr_linked_list_err_en: u32,
        pad8: [u32; 3],
        rd_int_status: u32,
        pad9: u32,
        rd_int_mask: u32,
        rd_int_clear: u32,
        pad10: u32,
        rd_err_status: [u32; 2],
        pad11: [u32; 2],
        rd_linked_list_err_en: u32,
        pad12: u32,
        rd_done_imwr: [u32; 2],
        rd_abort_imwr: [u32; 2],
        rd_ch_imwr_data: [u32; 4],
        pad13: [u32; 4],
        // --- `type` union starts here (0xfc): unrolled variant ---
        viewport_or_pad: u32,
        wr_engine_chgroup: u32,
        rd_engine_chgroup: u32,
        wr_engine_hshake_cnt: [u32; 2],
        pad14: [u32; 2],
        rd_engine_hshake_cnt: [u32; 2],
        pad15: [u32; 2],
        wr_ch_pwr_en: [u32; 8],
        pad16: [u32; 8],
        rd_ch_pwr_en: [u32; 8],
        pad17: [u32; 30],
        ch: [UnrollChLayout; 8],
    }

    const _: () = {
        assert!(size_of::<ChRegsLayout>() == 0x24);
        assert!(offset_of!(ChRegsLayout, ch_control1) == CH_CONTROL1);
        assert!(offset_of!(ChRegsLayout, ch_control2) == CH_CONTROL2);
        assert!(offset_of!(ChRegsLayout, transfer_size) == CH_TRANSFER_SIZE);
        assert!(offset_of!(ChRegsLayout, sar_lo) == CH_SAR_LO);
        assert!(offset_of!(ChRegsLayout, sar_hi) == CH_SAR_HI);
        assert!(offset_of!(ChRegsLayout, dar_lo) == CH_DAR_LO);
        assert!(offset_of!(ChRegsLayout, dar_hi) == CH_DAR_HI);
        assert!(offset_of!(ChRegsLayout, llp_lo) == CH_LLP_LO);
        assert!(offset_of!(ChRegsLayout, llp_hi) == CH_LLP_HI);
        assert!(size_of::<UnrollChLayout>() == UNROLL_CH_STRIDE);
        assert!(offset_of!(UnrollChLayout, rd) == UNROLL_RD_OFFSET);
        assert!(offset_of!(UnrollLayout, ctrl) == CTRL);
        assert!(offset_of!(UnrollLayout, ctrl_data_arb_prior) == CTRL_DATA_ARB_PRIOR);
        assert!(offset_of!(UnrollLayout, wr_engine_en) == WR_ENGINE_EN);
        assert!(offset_of!(UnrollLayout, wr_doorbell) == WR_DOORBELL);
        assert!(offset_of!(UnrollLayout, wr_ch_arb_weight) == WR_CH_ARB_WEIGHT_LO);
        assert!(offset_of!(UnrollLayout, rd_engine_en) == RD_ENGINE_EN);
        assert!(offset_of!(UnrollLayout, rd_doorbell) == RD_DOORBELL);
        assert!(offset_of!(UnrollLayout, rd_ch_arb_weight) == RD_CH_ARB_WEIGHT_LO);
        assert!(offset_of!(UnrollLayout, wr_int_status) == WR_INT_STATUS);
        assert!(offset_of!(UnrollLayout, wr_int_mask) == WR_INT_MASK);
        assert!(offset_of!(UnrollLayout, wr_int_clear) == WR_INT_CLEAR);
        assert!(offset_of!(UnrollLayout, wr_err_status) == WR_ERR_STATUS);
        assert!(offset_of!(UnrollLayout, wr_done_imwr) == WR_DONE_IMWR_LO);
        assert!(offset_of!(UnrollLayout, wr_abort_imwr) == WR_ABORT_IMWR_LO);
        assert!(offset_of!(UnrollLayout, wr_ch_imwr_data) == WR_CH01_IMWR_DATA);
        assert!(offset_of!(UnrollLayout, wr_linked_list_err_en) == WR_LINKED_LIST_ERR_EN);
        assert!(offset_of!(UnrollLayout, rd_int_status) == RD_INT_STATUS);
        assert!(offset_of!(UnrollLayout, rd_int_mask) == RD_INT_MASK);
        assert!(offset_of!(UnrollLayout, rd_int_clear) == RD_INT_CLEAR);
        assert!(offset_of!(UnrollLayout, rd_err_status) == RD_ERR_STATUS_LO);
        assert!(offset_of!(UnrollLayout, rd_linked_list_err_en) == RD_LINKED_LIST_ERR_EN);
        assert!(offset_of!(UnrollLayout, rd_done_imwr) == RD_DONE_IMWR_LO);
        assert!(offset_of!(UnrollLayout, rd_abort_imwr) == RD_ABORT_IMWR_LO);
        assert!(offset_of!(UnrollLayout, rd_ch_imwr_data) == RD_CH01_IMWR_DATA);
        assert!(offset_of!(UnrollLayout, viewport_or_pad) == VIEWPORT_SEL);
        assert!(offset_of!(UnrollLayout, wr_engine_chgroup) == LEGACY_CH_BASE);
        assert!(offset_of!(UnrollLayout, wr_ch_pwr_en) == WR_CH0_PWR_EN);
        assert!(offset_of!(UnrollLayout, rd_ch_pwr_en) == RD_CH0_PWR_EN);
        assert!(offset_of!(UnrollLayout, ch) == UNROLL_CH_BASE);
        assert!(size_of::<UnrollLayout>() == UNROLL_MAP_SIZE);
        assert!(RD_DONE_IMWR_HI == RD_DONE_IMWR_LO + 4 && WR_DONE_IMWR_HI == WR_DONE_IMWR_LO + 4);
        assert!(
            RD_ABORT_IMWR_HI == RD_ABORT_IMWR_LO + 4 && WR_ABORT_IMWR_HI == WR_ABORT_IMWR_LO + 4
        );
    };
}

/// Native HDMA register map: one 0x100-byte block per channel and direction.
pub mod hdma {
    use super::{offset_of, size_of};

    /// Channel enable: bit 0.
    pub const CH_EN: usize = 0x00;
    /// Doorbell: bit 0 starts the channel, bit 1 requests a stop.
    pub const DOORBELL: usize = 0x04;
    /// Prefetch control.
    pub const PREFETCH: usize = 0x08;
    /// Handshake control.
    pub const HANDSHAKE: usize = 0x0c;
    /// LL pointer, low word.
    pub const LLP_LO: usize = 0x10;
    /// LL pointer, high word.
    pub const LLP_HI: usize = 0x14;
    /// Consumer cycle state: bit 0 cycle bit, bit 1 cycle state.
    pub const CYCLE_SYNC: usize = 0x18;
    /// Transfer size (non-LL mode; bytes left of the current element in LL mode).
    pub const TRANSFER_SIZE: usize = 0x1c;
    /// SAR low word.
    pub const SAR_LO: usize = 0x20;
    /// SAR high word.
    pub const SAR_HI: usize = 0x24;
    /// DAR low word.
    pub const DAR_LO: usize = 0x28;
    /// DAR high word.
    pub const DAR_HI: usize = 0x2c;
    /// Watermark enable.
    pub const WATERMARK_EN: usize = 0x30;
    /// Control 1: bit 0 enables LL mode.
    pub const CONTROL1: usize = 0x34;
    /// PCI function number.
    pub const FUNC_NUM: usize = 0x38;
    /// Quality of service.
    pub const QOS: usize = 0x3c;
    /// Channel status: bits 1:0 (1 running, 2 halted, 3 stopped).
    pub const CH_STAT: usize = 0x80;
    /// Interrupt status (see [`super::HdmaInt`]).
    pub const INT_STAT: usize = 0x84;
    /// Interrupt setup: masks and local/remote enables (see [`super::HdmaIntSetup`]).
    pub const INT_SETUP: usize = 0x88;
    /// Interrupt clear.
    pub const INT_CLEAR: usize = 0x8c;
    /// Stop IMWr address, low word.
    pub const MSI_STOP_LO: usize = 0x90;
    /// Stop IMWr address, high word.
    pub const MSI_STOP_HI: usize = 0x94;
    /// Watermark IMWr address, low word.
    pub const MSI_WATERMARK_LO: usize = 0x98;
    /// Abort IMWr address, low word.
    pub const MSI_ABORT_LO: usize = 0xa0;
    /// Abort IMWr address, high word.
    pub const MSI_ABORT_HI: usize = 0xa4;
    /// IMWr data.
    pub const MSI_MSGDATA: usize = 0xa8;
    /// Size of one direction's block.
    pub const DIR_STRIDE: usize = 0x100;
    /// Size of one channel (write block then read block).
    pub const CH_STRIDE: usize = 0x200;
    /// Size of the whole map (8 channels).
    pub const MAP_SIZE: usize = 0x1000;

    /// Doorbell: start.
    pub const DOORBELL_START: u32 = 1 << 0;
    /// Doorbell: stop request.
    pub const DOORBELL_STOP: u32 = 1 << 1;
    /// `CH_EN`: enable.
    pub const CH_EN_ENABLE: u32 = 1 << 0;
    /// `CONTROL1`: linked-list enable.
    pub const CONTROL1_LLE: u32 = 1 << 0;
    /// `CYCLE_SYNC`: consumer cycle bit.
    pub const CYCLE_BIT: u32 = 1 << 0;
    /// `CYCLE_SYNC`: consumer cycle state.
    pub const CYCLE_STATE: u32 = 1 << 1;

    /// Layout of `struct dw_hdma_v0_ch_regs`.
    #[repr(C)]
    #[allow(dead_code)]
    pub(crate) struct DirRegsLayout {
        ch_en: u32,
        doorbell: u32,
        prefetch: u32,
        handshake: u32,
        llp: [u32; 2],
        cycle_sync: u32,
        transfer_size: u32,
        sar: [u32; 2],
        dar: [u32; 2],
        watermark_en: u32,
        control1: u32,
        func_num: u32,
        qos: u32,
        pad1: [u32; 16],
        ch_stat: u32,
        int_stat: u32,
        int_setup: u32,
        int_clear: u32,
        msi_stop: [u32; 2],
        msi_watermark: [u32; 2],
        msi_abort: [u32; 2],
        msi_msgdata: u32,
        pad2: [u32; 21],
    }

    const _: () = {
        assert!(size_of::<DirRegsLayout>() == DIR_STRIDE);
        assert!(offset_of!(DirRegsLayout, ch_en) == CH_EN);
        assert!(offset_of!(DirRegsLayout, doorbell) == DOORBELL);
        assert!(offset_of!(DirRegsLayout, prefetch) == PREFETCH);
        assert!(offset_of!(DirRegsLayout, handshake) == HANDSHAKE);
        assert!(offset_of!(DirRegsLayout, llp) == LLP_LO);
        assert!(offset_of!(DirRegsLayout, cycle_sync) == CYCLE_SYNC);
        assert!(offset_of!(DirRegsLayout, transfer_size) == TRANSFER_SIZE);
        assert!(offset_of!(DirRegsLayout, sar) == SAR_LO);
        assert!(offset_of!(DirRegsLayout, dar) == DAR_LO);
        assert!(offset_of!(DirRegsLayout, watermark_en) == WATERMARK_EN);
        assert!(offset_of!(DirRegsLayout, control1) == CONTROL1);
        assert!(offset_of!(DirRegsLayout, func_num) == FUNC_NUM);
        assert!(offset_of!(DirRegsLayout, qos) == QOS);
        assert!(offset_of!(DirRegsLayout, ch_stat) == CH_STAT);
        assert!(offset_of!(DirRegsLayout, int_stat) == INT_STAT);
        assert!(offset_of!(DirRegsLayout, int_setup) == INT_SETUP);
        assert!(offset_of!(DirRegsLayout, int_clear) == INT_CLEAR);
        assert!(offset_of!(DirRegsLayout, msi_stop) == MSI_STOP_LO);
        assert!(offset_of!(DirRegsLayout, msi_watermark) == MSI_WATERMARK_LO);
        assert!(offset_of!(DirRegsLayout, msi_abort) == MSI_ABORT_LO);
        assert!(offset_of!(DirRegsLayout, msi_msgdata) == MSI_MSGDATA);
        assert!(LLP_HI == LLP_LO + 4 && SAR_HI == SAR_LO + 4 && DAR_HI == DAR_LO + 4);
        assert!(MSI_STOP_HI == MSI_STOP_LO + 4 && MSI_ABORT_HI == MSI_ABORT_LO + 4);
        assert!(CH_STRIDE * 8 == MAP_SIZE);
    };
}

bitflags! {
    /// eDMA v0 `CH_CONTROL1` bits (per channel).
    ///
    /// ```
    /// use edma_core::regs::ChControl1;
    /// // What an LL-mode first start writes: consumer cycle 1, linked list enabled.
    /// assert_eq!((ChControl1::CCS | ChControl1::LLE).bits(), 0x300);
    /// // The channel status field (bits 6:5) of a read value: 3 = stopped.
    /// let read = ChControl1::from_bits_retain(0x360);
    /// assert_eq!((read.bits() >> 5) & 3, 3);
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct ChControl1: u32 {
        /// Cycle bit (non-LL mode).
        const CB = 1 << 0;
        /// Toggle cycle bit.
        const TCB = 1 << 1;
        /// Load link pointer.
        const LLP = 1 << 2;
        /// Local interrupt enable (non-LL mode: raise done at the end).
        const LIE = 1 << 3;
        /// Remote interrupt enable (non-LL mode: send the done IMWr at the end).
        const RIE = 1 << 4;
        /// Channel status, low bit (field 6:5, read-only).
        const CS0 = 1 << 5;
        /// Channel status, high bit.
        const CS1 = 1 << 6;
        /// Consumer cycle state: writing it sets the state the LL starts with.
        const CCS = 1 << 8;
        /// Linked-list enable.
        const LLE = 1 << 9;
    }
}

/// Shift of the channel-status field in eDMA `CH_CONTROL1`.
pub const CH_CONTROL1_CS_SHIFT: u32 = 5;

bitflags! {
    /// Native HDMA `INT_STAT` / `INT_CLEAR` bits.
    ///
    /// ```
    /// use edma_core::regs::HdmaInt;
    /// let st = HdmaInt::from_bits_truncate(0x5);
    /// assert!(st.contains(HdmaInt::STOP | HdmaInt::ABORT));
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct HdmaInt: u32 {
        /// The channel stopped (end of LL or of the non-LL block).
        const STOP = 1 << 0;
        /// An element with LWIE/RWIE completed (watermark).
        const WATERMARK = 1 << 1;
        /// The channel aborted on an error.
        const ABORT = 1 << 2;
    }
}

bitflags! {
    /// Native HDMA `INT_SETUP` bits.
    ///
    /// ```
    /// use edma_core::regs::HdmaIntSetup;
    /// // Local engine: stop and abort unmasked, local interrupts enabled.
    /// let local = HdmaIntSetup::LOCAL_STOP_EN | HdmaIntSetup::LOCAL_ABORT_EN;
    /// assert_eq!(local.bits(), 0x50);
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct HdmaIntSetup: u32 {
        /// Masks the stop interrupt.
        const STOP_MASK = 1 << 0;
        /// Masks the watermark interrupt.
        const WATERMARK_MASK = 1 << 1;
        /// Masks the abort interrupt.
        const ABORT_MASK = 1 << 2;
        /// Sends the stop IMWr to the remote side.
        const REMOTE_STOP_EN = 1 << 3;
        /// Raises the local stop interrupt.
        const LOCAL_STOP_EN = 1 << 4;
        /// Sends the abort IMWr to the remote side.
        const REMOTE_ABORT_EN = 1 << 5;
        /// Raises the local abort interrupt.
        const LOCAL_ABORT_EN = 1 << 6;
    }
}

/// Channel status as reported by eDMA `CH_CONTROL1[6:5]` or HDMA `CH_STAT[1:0]`.
///
/// ```
/// use edma_core::regs::HwChannelStatus;
/// assert_eq!(HwChannelStatus::from_bits(0x7), HwChannelStatus::Stopped); // only bits 1:0
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HwChannelStatus {
    /// 0: reserved / never started.
    Reserved,
    /// 1: running.
    Running,
    /// 2: halted (after an abort).
    Halted,
    /// 3: stopped (end of the LL or of a stop request).
    Stopped,
}

impl HwChannelStatus {
    /// Decodes the 2-bit status field.
    ///
    /// ```
    /// use edma_core::regs::HwChannelStatus;
    /// assert_eq!(HwChannelStatus::from_bits(2), HwChannelStatus::Halted);
    /// ```
    pub const fn from_bits(bits: u32) -> Self {
        match bits & 3 {
            1 => HwChannelStatus::Running,
            2 => HwChannelStatus::Halted,
            3 => HwChannelStatus::Stopped,
            _ => HwChannelStatus::Reserved,
        }
    }

    /// Encodes the 2-bit status field.
    ///
    /// ```
    /// use edma_core::regs::HwChannelStatus;
    /// assert_eq!(HwChannelStatus::Running.bits(), 1);
    /// ```
    pub const fn bits(self) -> u32 {
        match self {
            HwChannelStatus::Reserved => 0,
            HwChannelStatus::Running => 1,
            HwChannelStatus::Halted => 2,
            HwChannelStatus::Stopped => 3,
        }
    }
}

/// A per-channel register, named independently of the map format.
///
/// ```
/// use edma_core::regs::{ch_reg_offset, ChReg};
/// use edma_core::{ChannelDir, MapFormat};
/// // LLP low of HDMA write channel 1: block 1 (0x200) + 0x10.
/// assert_eq!(ch_reg_offset(MapFormat::HdmaNative, ChannelDir::Write, 1, ChReg::LlpLo), Some(0x210));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChReg {
    /// eDMA `CH_CONTROL1`; HDMA `CONTROL1`.
    Control1,
    /// Transfer size.
    TransferSize,
    /// SAR low word.
    SarLo,
    /// SAR high word.
    SarHi,
    /// DAR low word.
    DarLo,
    /// DAR high word.
    DarHi,
    /// LL pointer low word.
    LlpLo,
    /// LL pointer high word.
    LlpHi,
    /// HDMA only: channel enable.
    ChEn,
    /// HDMA only: doorbell.
    Doorbell,
    /// HDMA only: consumer cycle state.
    CycleSync,
    /// HDMA only: channel status.
    ChStat,
    /// HDMA only: interrupt status.
    IntStat,
    /// HDMA only: interrupt setup.
    IntSetup,
    /// HDMA only: interrupt clear.
    IntClear,
    /// HDMA only: stop IMWr address, low word.
    MsiStopLo,
    /// HDMA only: stop IMWr address, high word.
    MsiStopHi,
    /// HDMA only: abort IMWr address, low word.
    MsiAbortLo,
    /// HDMA only: abort IMWr address, high word.
    MsiAbortHi,
    /// HDMA only: IMWr data.
    MsiMsgData,
}

/// Byte offset of a per-channel register, or `None` when the map has no such
/// register or `ch` is out of range (>= 8).
///
/// For [`MapFormat::EdmaLegacy`] the offset is inside the shared window; the
/// caller must select the channel with [`edma_v0::VIEWPORT_SEL`] first (the
/// [`crate::channel::Controller`] does that under its lock).
///
/// ```
/// use edma_core::regs::{ch_reg_offset, ChReg};
/// use edma_core::{ChannelDir, MapFormat};
/// // Unrolled eDMA: channel windows of 0x200 from 0x200, reads 0x100 in.
/// assert_eq!(ch_reg_offset(MapFormat::EdmaUnroll, ChannelDir::Write, 0, ChReg::SarLo), Some(0x20c));
/// assert_eq!(ch_reg_offset(MapFormat::EdmaUnroll, ChannelDir::Read, 1, ChReg::SarLo), Some(0x50c));
/// assert_eq!(ch_reg_offset(MapFormat::EdmaUnroll, ChannelDir::Read, 1, ChReg::ChStat), None);
/// assert_eq!(ch_reg_offset(MapFormat::HdmaNative, ChannelDir::Write, 8, ChReg::SarLo), None);
/// ```
pub const fn ch_reg_offset(map: MapFormat, dir: ChannelDir, ch: u8, reg: ChReg) -> Option<usize> {
    if ch >= crate::MAX_CHANNELS {
        return None;
    }
    match map {
        MapFormat::EdmaLegacy | MapFormat::EdmaUnroll | MapFormat::HdmaCompat => {
            let within = match reg {
                ChReg::Control1 => edma_v0::CH_CONTROL1,
                ChReg::TransferSize => edma_v0::CH_TRANSFER_SIZE,
                ChReg::SarLo => edma_v0::CH_SAR_LO,
                ChReg::SarHi => edma_v0::CH_SAR_HI,
                ChReg::DarLo => edma_v0::CH_DAR_LO,
                ChReg::DarHi => edma_v0::CH_DAR_HI,
                ChReg::LlpLo => edma_v0::CH_LLP_LO,
                ChReg::LlpHi => edma_v0::CH_LLP_HI,
                _ => return None,
            };
            let base = if matches!(map, MapFormat::EdmaLegacy) {
                edma_v0::LEGACY_CH_BASE
            } else {
                let dir_off = match dir {
                    ChannelDir::Write => 0,
                    ChannelDir::Read => edma_v0::UNROLL_RD_OFFSET,
                };
                edma_v0::UNROLL_CH_BASE + ch as usize * edma_v0::UNROLL_CH_STRIDE + dir_off
            };
            Some(base + within)
        }
        MapFormat::HdmaNative => {
            let within = match reg {
                ChReg::Control1 => hdma::CONTROL1,
                ChReg::TransferSize => hdma::TRANSFER_SIZE,
                ChReg::SarLo => hdma::SAR_LO,
                ChReg::SarHi => hdma::SAR_HI,
                ChReg::DarLo => hdma::DAR_LO,
                ChReg::DarHi => hdma::DAR_HI,
                ChReg::LlpLo => hdma::LLP_LO,
                ChReg::LlpHi => hdma::LLP_HI,
                ChReg::ChEn => hdma::CH_EN,
                ChReg::Doorbell => hdma::DOORBELL,
                ChReg::CycleSync => hdma::CYCLE_SYNC,
                ChReg::ChStat => hdma::CH_STAT,
                ChReg::IntStat => hdma::INT_STAT,
                ChReg::IntSetup => hdma::INT_SETUP,
                ChReg::IntClear => hdma::INT_CLEAR,
                ChReg::MsiStopLo => hdma::MSI_STOP_LO,
                ChReg::MsiStopHi => hdma::MSI_STOP_HI,
                ChReg::MsiAbortLo => hdma::MSI_ABORT_LO,
                ChReg::MsiAbortHi => hdma::MSI_ABORT_HI,
                ChReg::MsiMsgData => hdma::MSI_MSGDATA,
            };
            let dir_off = match dir {
                ChannelDir::Write => 0,
                ChannelDir::Read => hdma::DIR_STRIDE,
            };
            Some(ch as usize * hdma::CH_STRIDE + dir_off + within)
        }
    }
}

/// The viewport-select value that shows channel `ch` of `dir` in the legacy window.
///
/// ```
/// use edma_core::regs::viewport_value;
/// use edma_core::ChannelDir;
/// assert_eq!(viewport_value(ChannelDir::Write, 5), 5);
/// assert_eq!(viewport_value(ChannelDir::Read, 5), 0x8000_0005);
/// ```
pub const fn viewport_value(dir: ChannelDir, ch: u8) -> u32 {
    let v = (ch as u32) & edma_v0::DOORBELL_CH_MASK;
    match dir {
        ChannelDir::Write => v,
        ChannelDir::Read => v | edma_v0::VIEWPORT_READ,
    }
}

/// Size in bytes of the register block of a map.
///
/// ```
/// use edma_core::{regs::map_size, MapFormat};
/// assert_eq!(map_size(MapFormat::HdmaNative), 0x1000);
/// ```
pub const fn map_size(map: MapFormat) -> usize {
    match map {
        MapFormat::EdmaLegacy => edma_v0::LEGACY_CH_BASE + 0x24,
        MapFormat::EdmaUnroll | MapFormat::HdmaCompat => edma_v0::UNROLL_MAP_SIZE,
        MapFormat::HdmaNative => hdma::MAP_SIZE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unroll_channel_windows_do_not_overlap_and_fit() {
        let mut seen = [false; 0x1200 / 4];
        for ch in 0..8 {
            for dir in ChannelDir::ALL {
                for reg in [
                    ChReg::Control1,
                    ChReg::TransferSize,
                    ChReg::SarLo,
                    ChReg::SarHi,
                    ChReg::DarLo,
                    ChReg::DarHi,
                    ChReg::LlpLo,
                    ChReg::LlpHi,
                ] {
                    let off = ch_reg_offset(MapFormat::EdmaUnroll, dir, ch, reg).unwrap();
                    assert!(off < map_size(MapFormat::EdmaUnroll));
                    assert!(off >= edma_v0::UNROLL_CH_BASE);
                    assert!(!seen[off / 4], "offset {off:#x} reused");
                    seen[off / 4] = true;
                }
            }
        }
    }

    #[test]
    fn hdma_native_offsets_follow_linux_layout() {
        // ch 3, read: 3 * 0x200 + 0x100; LLP low at 0x10, int_setup at 0x88.
        assert_eq!(
            ch_reg_offset(MapFormat::HdmaNative, ChannelDir::Read, 3, ChReg::LlpLo),
            Some(0x710)
        );
        assert_eq!(
            ch_reg_offset(MapFormat::HdmaNative, ChannelDir::Write, 7, ChReg::IntSetup),
            Some(0xe88)
        );
        assert_eq!(
            ch_reg_offset(MapFormat::HdmaNative, ChannelDir::Write, 8, ChReg::IntSetup),
            None
        );
    }

    #[test]
    fn legacy_window_is_shared_and_viewport_encodes_direction() {
        let a = ch_reg_offset(MapFormat::EdmaLegacy, ChannelDir::Write, 0, ChReg::SarLo);
        let b = ch_reg_offset(MapFormat::EdmaLegacy, ChannelDir::Read, 7, ChReg::SarLo);
        assert_eq!(a, b);
        assert_eq!(a, Some(0x10c));
        assert_eq!(viewport_value(ChannelDir::Read, 5), 0x8000_0005);
        assert_eq!(viewport_value(ChannelDir::Write, 5), 5);
    }

    #[test]
    fn int_bits_and_status_decode() {
        assert_eq!(edma_v0::done_bit(3), 0x8);
        assert_eq!(edma_v0::abort_bit(3), 0x8_0000);
        assert_eq!(
            edma_v0::abort_bit(7) & edma_v0::ABORT_INT_MASK,
            edma_v0::abort_bit(7)
        );
        for s in [
            HwChannelStatus::Reserved,
            HwChannelStatus::Running,
            HwChannelStatus::Halted,
            HwChannelStatus::Stopped,
        ] {
            assert_eq!(HwChannelStatus::from_bits(s.bits()), s);
        }
        assert_eq!(ChControl1::CCS.bits() | ChControl1::LLE.bits(), 0x300);
        assert_eq!(HdmaIntSetup::LOCAL_ABORT_EN.bits(), 0x40);
    }

    #[test]
    fn map_format_raw_round_trip() {
        for m in MapFormat::ALL {
            assert_eq!(MapFormat::from_raw(m.raw()), Some(m));
        }
        for v in [2, 3, 4, 6, 8, u32::MAX] {
            assert_eq!(MapFormat::from_raw(v), None);
        }
    }
}
