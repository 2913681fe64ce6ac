//! The unsafe paths over plain memory (Miri runs these).

use edma_backend_mmio::{LlKind, MmioLl, MmioRegs};
use edma_core::desc::{Control, Element, SLOT_SIZE};
use edma_core::io::{LlMemory, RegisterIo};

#[test]
fn registers_read_back_and_reject_bad_offsets() {
    let mut block = [0u32; 8];
    // SAFETY: `block` is 32 bytes, 4-aligned, and outlives `regs`; only `regs` touches it.
    let regs = unsafe { MmioRegs::new(block.as_mut_ptr().cast(), 32) };
    regs.write32(0, 1);
    regs.write32(28, 0xffee_ddcc);
    regs.write32(32, 5); // outside: ignored
    regs.write32(2, 5); // unaligned: ignored
    assert_eq!(regs.read32(28), 0xffee_ddcc);
    assert_eq!(regs.read32(32), u32::MAX);
    assert_eq!(regs.read32(usize::MAX - 1), u32::MAX);
    let _ = regs; // last use of the mapping before reading `block` directly
    assert_eq!(block, [1, 0, 0, 0, 0, 0, 0, 0xffee_ddcc]);
}

#[test]
fn ll_slots_are_byte_exact_for_both_kinds() {
    for kind in [LlKind::Device, LlKind::Ram] {
        let mut mem = [0u64; 3 * 4]; // 4 slots, 8-aligned
        // SAFETY: `mem` is 96 bytes, 8-aligned, and outlives `ll`.
        let mut ll = unsafe { MmioLl::new(mem.as_mut_ptr().cast(), 4, 0x1000, kind) };
        let els = [
            Element::data(Control::CB, 4096, 0x1234_5678_9abc, 0xfeed_0000_0000),
            Element::data(Control::CB | Control::LIE | Control::RIE, 1, 7, 8),
            Element::link(Control::TCB, 0x1000),
        ];
        for (i, e) in els.iter().enumerate() {
            ll.write(i, e);
        }
        ll.write(4, &els[0]); // beyond capacity: ignored
        ll.sync();
        assert_eq!((ll.capacity(), ll.bus_addr(), ll.kind()), (4, 0x1000, kind));
        // Read back through the mapping (what a ring's abort report uses).
        for (i, e) in els.iter().enumerate() {
            assert_eq!(ll.read(i), Some(*e));
        }
        assert_eq!(ll.read(3), Some(Element::data(Control::empty(), 0, 0, 0)));
        assert_eq!(ll.read(4), None);
        // A data element through the direct path lands like `write` would.
        ll.write_data(3, Control::CB | Control::LIE, 12, 0x40, 0x80);
        assert_eq!(
            ll.read(3),
            Some(Element::data(Control::CB | Control::LIE, 12, 0x40, 0x80))
        );
        ll.write(3, &Element::data(Control::empty(), 0, 0, 0));
        let _ = ll; // last use of the mapping before reading `mem` directly
        let bytes: Vec<u8> = mem.iter().flat_map(|w| w.to_ne_bytes()).collect();
        for (i, e) in els.iter().enumerate() {
            let slot: [u8; SLOT_SIZE] = bytes[i * SLOT_SIZE..][..SLOT_SIZE].try_into().unwrap();
            assert_eq!(slot, e.encode());
        }
        assert_eq!(&bytes[3 * SLOT_SIZE..], &[0; SLOT_SIZE]);
    }
}

#[test]
fn three_stores_per_slot_with_the_cycle_bit_last() {
    use edma_backend_mmio::{Store, slot_stores};
    let els = [
        Element::data(
            Control::CB | Control::LIE,
            0x1234,
            0xaaaa_bbbb_cccc_dddd,
            0x1111_2222_3333_4444,
        ),
        Element::link(Control::TCB | Control::CB, 0x8000_0000),
    ];
    for e in els {
        for wide in [true, false] {
            let stores: Vec<Store> = slot_stores(&e, wide).collect();
            let writes: Vec<&Store> = stores
                .iter()
                .filter(|s| !matches!(s, Store::Fence))
                .collect();
            if wide {
                assert_eq!(writes.len(), 3, "at most 3 MMIO writes per element");
            } else {
                assert_eq!(writes.len(), 4);
            }
            // The store that carries byte 0 (control word, cycle bit) is the last one,
            // and a fence separates it from every earlier store.
            let last = stores.len() - 1;
            assert!(matches!(
                stores[last],
                Store::U64 { offset: 0, .. } | Store::U32 { offset: 0, .. }
            ));
            assert_eq!(stores[last - 1], Store::Fence);
            // Replaying the stores reproduces the slot exactly.
            let mut slot = [0u8; SLOT_SIZE];
            for s in &stores {
                match *s {
                    Store::U64 { offset, value } => {
                        slot[offset..offset + 8].copy_from_slice(&value.to_le_bytes())
                    }
                    Store::U32 { offset, value } => {
                        slot[offset..offset + 4].copy_from_slice(&value.to_le_bytes())
                    }
                    Store::Fence => {}
                }
            }
            assert_eq!(slot, e.encode());
        }
    }
}

/// The cache-clean ranges `sync` hands to the hook: (offset from the
/// region's start, length) per call.
static CLEANS: std::sync::Mutex<Vec<(usize, usize)>> = std::sync::Mutex::new(Vec::new());
static BASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn record_clean(start: *const u8, len: usize) {
    let base = BASE.load(std::sync::atomic::Ordering::Relaxed);
    CLEANS.lock().unwrap().push((start as usize - base, len));
}

#[test]
fn sync_cleans_exactly_the_slots_written_since_the_last_sync() {
    let mut mem = [0u64; 3 * 8]; // 8 slots
    BASE.store(mem.as_ptr() as usize, std::sync::atomic::Ordering::Relaxed);
    // SAFETY: `mem` is 192 bytes, 8-aligned, and outlives `ll`.
    let mut ll = unsafe { MmioLl::new(mem.as_mut_ptr().cast(), 8, 0x1000, LlKind::Ram) }
        .with_cache_clean(record_clean);
    let el = Element::data(Control::CB, 8, 0x10, 0x20);
    ll.write(5, &el);
    ll.write(2, &el);
    ll.write(3, &el);
    ll.sync();
    ll.sync(); // nothing new: no clean
    ll.write(7, &el);
    ll.sync();
    ll.write(9, &el); // beyond capacity: not written, not dirty
    ll.sync();
    assert_eq!(*CLEANS.lock().unwrap(), [(2 * 24, 4 * 24), (7 * 24, 24)]);
    assert_eq!(ll.read(5), Some(el));
}

/// A region of no slots (a dangling, never dereferenced pointer) is valid:
/// `sync` must not read back slot 0 of it, whatever its kind.
#[test]
fn sync_of_an_empty_device_region_reads_nothing() {
    for kind in [LlKind::Device, LlKind::Ram] {
        let p = core::ptr::NonNull::<u64>::dangling().as_ptr().cast();
        // SAFETY: valid for 0 bytes; `ll` never dereferences it (checked here).
        let mut ll = unsafe { MmioLl::new(p, 0, 0x1000, kind) };
        ll.write(0, &Element::link(Control::TCB, 0x1000));
        ll.sync();
        assert_eq!((ll.capacity(), ll.read(0)), (0, None));
    }
}
