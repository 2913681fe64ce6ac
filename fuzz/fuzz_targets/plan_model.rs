//! The planner against its written-out rules, over the whole input space
//! (full 64-bit addresses and lengths, any limits):
//!
//! * `validate` (fast yes/no per entry, exact error out of line) returns
//!   exactly what `edma-core/tests/support/reference.rs` says — the same
//!   error naming the same entry, or the same byte, element and chunk
//!   counts — also through an `OffsetWindow`, whose one-step range check
//!   must answer as the rules' two lookups do;
//! * every chunk `encode_chunk` writes (fast path for whole entries, general
//!   path otherwise, with or without coalescing) holds exactly the element
//!   stream from the chunk's start, completion bits only on its last
//!   element, the cycle bit of its number, and the link; nothing beyond.
#![no_main]

#[path = "../../edma-core/tests/support/reference.rs"]
mod reference;

use arbitrary::Arbitrary;
use edma_core::Deployment;
use edma_core::desc::{Control, Element, SLOT_SIZE};
use edma_core::io::{AddressTranslate, OffsetWindow, SliceLl};
use edma_core::plan::{self, Cursor, Elements, Entry, Limits, PlanParams};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    params: PlanParams,
    entries: Vec<Entry>,
    translation: u8,
    window: Option<(u64, u64, u64)>,
}

const SENTINEL: u8 = 0xee;
const LL_BUS: u64 = 0x4000_0000;

fn wrap_high(a: u64) -> Option<u64> {
    Some(a.wrapping_add(1 << 63))
}

fn holey(a: u64) -> Option<u64> {
    match a {
        0x7000_0000..0x7000_0100 => None,
        0x7000_0100.. => a.checked_add(0x1000),
        _ => Some(a),
    }
}

fuzz_target!(|inp: Input| {
    let mut p: PlanParams = inp.params;
    p.chunk_elements %= 48;
    let entries = &inp.entries[..inp.entries.len().min(32)];
    let t: fn(u64) -> Option<u64> = match inp.translation % 3 {
        0 => Some,
        1 => holey,
        _ => wrap_high,
    };

    // Validation against the rules (which count elements without coalescing).
    let plain = p.with_limits(Limits {
        coalesce: false,
        ..p.limits
    });
    let got = plan::validate(entries, &plain, &t).map(|s| (s.bytes, s.elements, s.chunks));
    let want = reference::validate(entries, &plain, &t)
        .map(|(b, n)| (b, n, n.div_ceil(plain.chunk_elements as u64)));
    assert_eq!(got, want, "validate disagrees with the rules");
    if let Some((cpu_base, pci_base, size)) = inp.window {
        // OffsetWindow's one-step range check against the rules' two lookups.
        let w = OffsetWindow {
            cpu_base,
            pci_base,
            size,
        };
        let lookups = |a| w.to_pci(a);
        let got = plan::validate(entries, &plain, &w).map(|s| (s.bytes, s.elements, s.chunks));
        let want = reference::validate(entries, &plain, &lookups)
            .map(|(b, n)| (b, n, n.div_ceil(plain.chunk_elements as u64)));
        assert_eq!(
            got, want,
            "validate with an OffsetWindow disagrees with the rules"
        );
    }

    // Encoding, as planned (coalescing or not), when the plan is small.
    let Ok(summary) = plan::validate(entries, &p, &t) else {
        return;
    };
    if summary.elements > 4096 {
        return;
    }
    let slots = p.chunk_elements + 2;
    let mut mem = vec![SENTINEL; slots * SLOT_SIZE];
    let mut start = Cursor::default();
    let (mut elements, mut bytes, mut chunks) = (0u64, 0u64, 0u64);
    loop {
        mem.fill(SENTINEL);
        let info = {
            let mut ll = SliceLl::new(&mut mem, LL_BUS);
            plan::encode_chunk(entries, &p, &t, start, chunks, &mut ll, true)
        };
        let expect: Vec<_> = Elements::new(entries, &p, &t, start)
            .take(p.chunk_elements)
            .collect();
        assert_eq!(info.elements, expect.len(), "chunk {chunks}: element count");
        assert!(info.elements >= 1);
        let cycle = plan::chunk_cycle_bit(chunks);
        for (i, el) in expect.iter().enumerate() {
            let slot: [u8; SLOT_SIZE] = mem[i * SLOT_SIZE..][..SLOT_SIZE].try_into().unwrap();
            let Element::Data {
                control,
                size,
                sar,
                dar,
            } = Element::decode(&slot)
            else {
                panic!("chunk {chunks} slot {i}: not a data element");
            };
            assert_eq!(
                (size, sar, dar),
                (el.len, el.sar, el.dar),
                "chunk {chunks} slot {i}"
            );
            let c = Control::from_bits_retain(control.bits());
            let last = i + 1 == info.elements;
            let edma = p.map.is_edma_v0();
            assert_eq!(c.contains(Control::CB), cycle);
            assert_eq!(c.contains(Control::LIE), edma && last);
            assert_eq!(
                c.contains(Control::RIE),
                edma && last && p.deployment == Deployment::Remote
            );
            assert!(!c.intersects(Control::TCB | Control::LLP));
            bytes += u64::from(el.len);
        }
        let link: [u8; SLOT_SIZE] = mem[info.elements * SLOT_SIZE..][..SLOT_SIZE]
            .try_into()
            .unwrap();
        assert_eq!(Element::decode(&link), plan::link_element(cycle, LL_BUS));
        assert!(
            mem[(info.elements + 1) * SLOT_SIZE..]
                .iter()
                .all(|b| *b == SENTINEL),
            "wrote beyond the link"
        );
        elements += info.elements as u64;
        chunks += 1;
        start = info.next;
        if info.last {
            break;
        }
        assert!(chunks < summary.chunks, "more chunks than validate counted");
    }
    assert_eq!((elements, chunks), (summary.elements, summary.chunks));
    assert_eq!(bytes, summary.bytes);
});
