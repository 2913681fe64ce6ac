//! Linked-list (LL) elements of the eDMA v0 and HDMA engines.
//!
//! Both engines use 24-byte slots (`EDMA_LL_SZ`) in the same little-endian
//! layout (`struct dw_edma_v0_lli` / `dw_hdma_v0_lli` and the `*_llp` link
//! variants in Linux):
//!
//! | bytes  | data element      | link element          |
//! |--------|-------------------|-----------------------|
//! | 0..4   | control           | control (with `LLP`)  |
//! | 4..8   | transfer size     | reserved              |
//! | 8..16  | SAR               | LL pointer            |
//! | 16..24 | DAR               | unused                |
//!
//! The control bits keep their positions on both engines; HDMA calls bits 3
//! and 4 `LWIE`/`RWIE` (watermark interrupts) where eDMA calls them
//! `LIE`/`RIE` (done interrupts).
//!
//! ```
//! use edma_core::desc::{Control, Element};
//! let e = Element::data(Control::CB | Control::LIE, 4096, 0x1000, 0x8000_0000);
//! let bytes = e.encode();
//! assert_eq!(&bytes[0..4], &[0x09, 0, 0, 0]);
//! assert_eq!(Element::decode(&bytes), e);
//! ```

use bitflags::bitflags;
use zerocopy::little_endian::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// Size in bytes of one LL slot.
pub const SLOT_SIZE: usize = 24;

bitflags! {
    /// Control word bits of an LL element.
    ///
    /// ```
    /// use edma_core::desc::Control;
    /// // A chunk's last data element: valid for cycle 1 and interrupt when done.
    /// let c = Control::CB | Control::LIE;
    /// assert_eq!(c.bits(), 0b1001);
    /// assert!(c.contains(Control::LIE) && !c.contains(Control::LLP));
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Control: u32 {
        /// Cycle bit: the element is valid only while it equals the
        /// channel's consumer cycle state (CCS).
        const CB = 1 << 0;
        /// Toggle cycle bit (link elements): toggle CCS when following the link.
        const TCB = 1 << 1;
        /// This slot is a link element.
        const LLP = 1 << 2;
        /// Local interrupt enable (eDMA: done interrupt after this element;
        /// HDMA: `LWIE`, local watermark interrupt).
        const LIE = 1 << 3;
        /// Remote interrupt enable (eDMA: done IMWr after this element;
        /// HDMA: `RWIE`, remote watermark IMWr).
        const RIE = 1 << 4;
    }
}

/// Byte-exact layout of a data element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub(crate) struct RawData {
    /// Control word.
    pub control: U32,
    /// Bytes to move.
    pub transfer_size: U32,
    /// Source address.
    pub sar: U64,
    /// Destination address.
    pub dar: U64,
}

/// Byte-exact layout of a link element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub(crate) struct RawLink {
    /// Control word (has [`Control::LLP`]).
    pub control: U32,
    /// Reserved, written as zero.
    pub reserved: U32,
    /// Bus address of the next element.
    pub llp: U64,
    /// Unused tail of the slot, written as zero.
    pub unused: U64,
}

const _: () = {
    assert!(core::mem::size_of::<RawData>() == SLOT_SIZE);
    assert!(core::mem::size_of::<RawLink>() == SLOT_SIZE);
};

// HDMA's data and link elements have the same layout as eDMA's.

/// The control word of a data element: any bits **except**
/// [`Control::LLP`], which would make the engine take it for a link. Only
/// [`DataControl::new`] builds one, and it clears that bit.
///
/// ```
/// use edma_core::desc::{Control, DataControl};
/// let c = DataControl::new((Control::CB | Control::LLP | Control::LIE).bits());
/// assert_eq!(c.bits(), (Control::CB | Control::LIE).bits());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct DataControl(u32);

impl DataControl {
    /// The control word `bits` with `LLP` cleared.
    ///
    /// ```
    /// use edma_core::desc::{Control, DataControl};
    /// let c = DataControl::new((Control::CB | Control::LLP).bits());
    /// assert_eq!(c.bits(), Control::CB.bits()); // a data element never carries LLP
    /// ```
    #[inline]
    pub const fn new(bits: u32) -> Self {
        DataControl(bits & !Control::LLP.bits())
    }
    /// The raw word.
    ///
    /// ```
    /// use edma_core::desc::{Control, DataControl};
    /// assert_eq!(DataControl::new(Control::LIE.bits()).bits(), 0x8);
    /// ```
    #[inline]
    pub const fn bits(self) -> u32 {
        self.0
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for DataControl {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(DataControl::new(u32::arbitrary(u)?))
    }
}

/// The control word of a link element: always has [`Control::LLP`]. Only
/// [`LinkControl::new`] builds one, and it sets that bit.
///
/// ```
/// use edma_core::desc::{Control, Element};
/// let link = Element::link(Control::TCB, 0x8000);
/// assert_eq!(link.control_word(), (Control::TCB | Control::LLP).bits());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkControl(u32);

impl LinkControl {
    /// The control word `bits` with `LLP` set.
    ///
    /// ```
    /// use edma_core::desc::{Control, LinkControl};
    /// assert_eq!(LinkControl::new(0).bits(), Control::LLP.bits());
    /// ```
    #[inline]
    pub const fn new(bits: u32) -> Self {
        LinkControl(bits | Control::LLP.bits())
    }
    /// The raw word.
    ///
    /// ```
    /// use edma_core::desc::LinkControl;
    /// assert_eq!(LinkControl::new(0x2).bits(), 0x6); // TCB | LLP
    /// ```
    #[inline]
    pub const fn bits(self) -> u32 {
        self.0
    }
}

impl Default for LinkControl {
    fn default() -> Self {
        LinkControl::new(0)
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for LinkControl {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(LinkControl::new(u32::arbitrary(u)?))
    }
}

/// A decoded LL element.
///
/// ```
/// use edma_core::desc::{Control, Element};
/// let el = Element::data(Control::CB, 4096, 0x1000, 0x9_0000_0000);
/// match el {
///     Element::Data { size, sar, dar, .. } => assert_eq!((size, sar, dar), (4096, 0x1000, 0x9_0000_0000)),
///     Element::Link { .. } => unreachable!(),
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Element {
    /// Moves `size` bytes from `sar` to `dar`.
    Data {
        /// Control bits (cannot contain [`Control::LLP`]).
        control: DataControl,
        /// Bytes to move.
        size: u32,
        /// Source address.
        sar: u64,
        /// Destination address.
        dar: u64,
    },
    /// Continues the list at `target`.
    Link {
        /// Control bits (always contain [`Control::LLP`]).
        control: LinkControl,
        /// Bus address of the next element.
        target: u64,
    },
}

impl Element {
    /// A data element (the `LLP` bit is cleared if given).
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// let el = Element::data(Control::CB | Control::LLP, 8, 0, 0);
    /// assert_eq!(el.control(), Control::CB); // LLP is cleared
    /// ```
    #[inline]
    pub fn data(control: Control, size: u32, sar: u64, dar: u64) -> Self {
        Element::Data {
            control: DataControl::new(control.bits()),
            size,
            sar,
            dar,
        }
    }

    /// A link element (the `LLP` bit is set).
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// let el = Element::link(Control::empty(), 0x3000);
    /// assert_eq!(el.encode()[..4], [0x04, 0, 0, 0]); // LLP set
    /// assert_eq!(el.encode()[8..16], 0x3000u64.to_le_bytes());
    /// ```
    #[inline]
    pub fn link(control: Control, target: u64) -> Self {
        Element::Link {
            control: LinkControl::new(control.bits()),
            target,
        }
    }

    /// The raw control word.
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// assert_eq!(Element::data(Control::CB | Control::RIE, 1, 0, 0).control_word(), 0x11);
    /// ```
    pub fn control_word(&self) -> u32 {
        match *self {
            Element::Data { control, .. } => control.bits(),
            Element::Link { control, .. } => control.bits(),
        }
    }

    /// The known control bits.
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// assert!(Element::link(Control::TCB, 0).control().contains(Control::LLP | Control::TCB));
    /// ```
    pub fn control(&self) -> Control {
        Control::from_bits_truncate(self.control_word())
    }

    /// Encodes into a 24-byte slot (little-endian).
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// let bytes = Element::data(Control::CB, 0x40, 0x1122, 0x3344).encode();
    /// assert_eq!(bytes[0..4], [1, 0, 0, 0]); // control
    /// assert_eq!(bytes[4..8], [0x40, 0, 0, 0]); // transfer size
    /// assert_eq!(bytes[8..16], 0x1122u64.to_le_bytes()); // SAR
    /// assert_eq!(bytes[16..24], 0x3344u64.to_le_bytes()); // DAR
    /// ```
    #[inline]
    pub fn encode(&self) -> [u8; SLOT_SIZE] {
        let mut out = [0u8; SLOT_SIZE];
        match *self {
            Element::Data {
                control,
                size,
                sar,
                dar,
            } => {
                let raw = RawData {
                    control: U32::new(control.bits()),
                    transfer_size: U32::new(size),
                    sar: U64::new(sar),
                    dar: U64::new(dar),
                };
                out.copy_from_slice(raw.as_bytes());
            }
            Element::Link { control, target } => {
                let raw = RawLink {
                    control: U32::new(control.bits()),
                    reserved: U32::new(0),
                    llp: U64::new(target),
                    unused: U64::new(0),
                };
                out.copy_from_slice(raw.as_bytes());
            }
        }
        out
    }

    /// Decodes a 24-byte slot: a link element when the `LLP` bit is set,
    /// otherwise a data element. Reserved words of a link are ignored, as
    /// the engine ignores them.
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// let el = Element::data(Control::CB | Control::LIE, 99, 7, 8);
    /// assert_eq!(Element::decode(&el.encode()), el);
    /// ```
    pub fn decode(bytes: &[u8; SLOT_SIZE]) -> Self {
        let data = RawData::read_from_bytes(&bytes[..]);
        let link = RawLink::read_from_bytes(&bytes[..]);
        match (data, link) {
            (Ok(d), Ok(l)) => {
                if d.control.get() & Control::LLP.bits() != 0 {
                    Element::Link {
                        control: LinkControl::new(l.control.get()),
                        target: l.llp.get(),
                    }
                } else {
                    Element::Data {
                        control: DataControl::new(d.control.get()),
                        size: d.transfer_size.get(),
                        sar: d.sar.get(),
                        dar: d.dar.get(),
                    }
                }
            }
            // Unreachable: both layouts are exactly SLOT_SIZE bytes with
            // alignment 1; kept total rather than panicking.
            _ => Element::Link {
                control: LinkControl::new(0),
                target: 0,
            },
        }
    }

    /// Whether the element's cycle bit is set.
    ///
    /// ```
    /// use edma_core::desc::{Control, Element};
    /// assert!(Element::data(Control::CB, 1, 0, 0).cycle_bit());
    /// assert!(!Element::link(Control::TCB, 0).cycle_bit());
    /// ```
    pub fn cycle_bit(&self) -> bool {
        self.control_word() & Control::CB.bits() != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_layout_matches_linux_struct() {
        let e = Element::data(
            Control::CB | Control::LIE | Control::RIE,
            0x1122_3344,
            0x0102_0304_0506_0708,
            0x1112_1314_1516_1718,
        );
        let b = e.encode();
        assert_eq!(b[0..4], [0x19, 0, 0, 0]);
        assert_eq!(b[4..8], [0x44, 0x33, 0x22, 0x11]);
        assert_eq!(b[8..16], [8, 7, 6, 5, 4, 3, 2, 1]);
        assert_eq!(b[16..24], [0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11]);
        assert_eq!(Element::decode(&b), e);
    }

    #[test]
    fn link_layout_matches_linux_struct() {
        let e = Element::link(Control::TCB | Control::CB, 0xdead_beef_0000_1000);
        let b = e.encode();
        assert_eq!(b[0..4], [0x07, 0, 0, 0]);
        assert_eq!(b[4..8], [0; 4]);
        assert_eq!(b[8..16], 0xdead_beef_0000_1000u64.to_le_bytes());
        assert_eq!(b[16..24], [0; 8]);
        assert_eq!(Element::decode(&b), e);
        assert!(e.cycle_bit());
    }

    #[test]
    fn constructors_fix_the_llp_bit() {
        assert_eq!(
            Element::data(Control::LLP | Control::CB, 1, 2, 3).control(),
            Control::CB
        );
        assert!(
            Element::link(Control::empty(), 0)
                .control()
                .contains(Control::LLP)
        );
    }
}
