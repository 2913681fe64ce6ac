//! The small pieces the mutation run found untested outside doctests: the
//! `&mut T` forwarding of `LlMemory`, `SliceLl`'s slot writes, and the
//! descriptor helpers (`Element::link` keeps a caller's LLP bit set,
//! `cycle_bit`).

mod common;

use common::VecLl;
use edma_core::desc::{Control, Element};
use edma_core::io::{LlMemory, SliceLl};

/// A region that records `sync` calls.
struct Synced {
    inner: VecLl,
    syncs: usize,
}

impl LlMemory for Synced {
    fn bus_addr(&self) -> u64 {
        self.inner.bus_addr()
    }
    fn capacity(&self) -> usize {
        self.inner.capacity()
    }
    fn write(&mut self, index: usize, element: &Element) {
        self.inner.write(index, element)
    }
    fn sync(&mut self) {
        self.syncs += 1;
    }
}

fn through_ref<L: LlMemory>(mut ll: L) -> (u64, usize) {
    ll.write(2, &Element::data(Control::CB, 7, 1, 2));
    ll.sync();
    (ll.bus_addr(), ll.capacity())
}

#[test]
fn mut_ref_forwards_every_method() {
    let mut s = Synced {
        inner: VecLl::new(0x4000, 5),
        syncs: 0,
    };
    assert_eq!(through_ref(&mut s), (0x4000, 5));
    assert_eq!(s.syncs, 1);
    assert_eq!(s.inner.writes, 1);
    assert_eq!(s.inner.slots[2], Some(Element::data(Control::CB, 7, 1, 2)));
}

#[test]
fn slice_ll_writes_the_encoded_slot_and_nothing_else() {
    let mut page = [0xaau8; 24 * 3 + 5];
    let mut ll = SliceLl::new(&mut page, 0x9000);
    assert_eq!((ll.bus_addr(), ll.capacity()), (0x9000, 3));
    let el = Element::data(
        Control::CB | Control::LIE,
        0x1234,
        0x1122_3344_5566_7788,
        0x99,
    );
    ll.write(1, &el);
    ll.write(3, &el); // beyond capacity: ignored
    ll.sync();
    assert_eq!(page[..24], [0xaa; 24]);
    assert_eq!(page[24..48], el.encode());
    assert_eq!(page[48..], [0xaa; 24 + 5]);
}

#[test]
fn link_keeps_llp_and_cycle_bit_reads_cb() {
    for c in [
        Control::TCB,
        Control::TCB | Control::LLP,
        Control::CB | Control::LLP,
    ] {
        let l = Element::link(c, 0x1000);
        assert_ne!(l.control_word() & Control::LLP.bits(), 0, "{c:?}");
        assert_eq!(l.encode()[0] & 0x4, 0x4, "{c:?}");
        assert_eq!(l.cycle_bit(), c.contains(Control::CB), "{c:?}");
    }
    assert!(Element::data(Control::CB, 1, 0, 0).cycle_bit());
    assert!(!Element::data(Control::LIE, 1, 0, 0).cycle_bit());
    assert!(!Element::data(Control::empty(), 1, 0, 0).cycle_bit());
    assert!(Element::data(Control::CB | Control::LIE | Control::RIE, 1, 0, 0).cycle_bit());
}

/// Register block sizes, as literal numbers from Linux's headers: the
/// legacy window ends after LLP high (0x100 + 0x24), the unrolled map after
/// channel 7's read block (0x200 + 8 × 0x200), native HDMA after 8 × 0x200.
#[test]
fn register_block_sizes() {
    use edma_core::MapFormat;
    use edma_core::regs::map_size;
    assert_eq!(map_size(MapFormat::EdmaLegacy), 0x124);
    assert_eq!(map_size(MapFormat::EdmaUnroll), 0x1200);
    assert_eq!(map_size(MapFormat::HdmaCompat), 0x1200);
    assert_eq!(map_size(MapFormat::HdmaNative), 0x1000);
}
