//! Property tests of the planner alone (no engine): order preserved, bytes
//! conserved, element and chunk limits respected, the PCI side translated
//! and the local side untouched, LIE/RIE and cycle bits exactly where the
//! hardware needs them, progress mapped back to the right entry.

mod common;
#[path = "support/reference.rs"]
mod reference;

use common::VecLl;
use edma_core::desc::{Control, Element};
use edma_core::io::{AddressTranslate, OffsetWindow};
use edma_core::plan::{self, Cursor, Elements, Entry, Limits, PlanParams, locate, validate};
use edma_core::{ChannelDir, Deployment, MapFormat};
use proptest::prelude::*;

const SHIFT: u64 = 0x1_0000_0000;

fn translate(a: u64) -> Option<u64> {
    a.checked_add(SHIFT)
}

fn arb_map() -> impl Strategy<Value = MapFormat> {
    prop::sample::select(MapFormat::ALL.to_vec())
}

fn arb_params() -> impl Strategy<Value = PlanParams> {
    (
        arb_map(),
        any::<bool>(),
        any::<bool>(),
        1usize..12,
        1u32..3000,
        any::<bool>(),
    )
        .prop_map(|(map, w, r, chunk, max, co)| {
            let dir = if w {
                ChannelDir::Write
            } else {
                ChannelDir::Read
            };
            let dep = if r {
                Deployment::Remote
            } else {
                Deployment::Local
            };
            PlanParams::new(map, dir, dep, chunk).with_limits(Limits {
                max_element_len: max,
                coalesce: co,
                ..Limits::default()
            })
        })
}

/// Entries that are often contiguous with their predecessor (to exercise coalescing).
fn arb_entries() -> impl Strategy<Value = Vec<Entry>> {
    prop::collection::vec(
        (0u64..1 << 30, 0u64..1 << 30, 1u64..9000, any::<bool>()),
        1..40,
    )
    .prop_map(|v| {
        let mut out: Vec<Entry> = Vec::new();
        for (s, d, len, cont) in v {
            match out.last() {
                Some(p) if cont => out.push(Entry::new(p.src + p.len, p.dst + p.len, len)),
                _ => out.push(Entry::new(s, d, len)),
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: common::cases(4, 256), ..ProptestConfig::default() })]

    #[test]
    fn plan_is_correct(entries in arb_entries(), p in arb_params(), tweak in (0usize..40, 0u64..3, any::<bool>())) {
        // Often an entry exactly at, just under or just over the element limit.
        let mut entries = entries;
        let (at, delta, on) = tweak;
        if on {
            let n = entries.len();
            entries[at % n].len = (u64::from(p.limits.max_element_len) - 1 + delta).max(1);
        }
        let summary = validate(&entries, &p, &translate).unwrap();
        let total: u64 = entries.iter().map(|e| e.len).sum();
        prop_assert_eq!(summary.bytes, total);

        // Walk the elements against a byte cursor over the entries.
        let mut cur = Cursor::default();
        let mut n = 0u64;
        for el in Elements::new(&entries, &p, &translate, Cursor::default()) {
            n += 1;
            prop_assert!(el.len >= 1 && el.len <= p.limits.max_element_len);
            prop_assert_eq!(el.entry, cur.entry, "order preserved");
            let mut left = u64::from(el.len);
            let mut off = 0u64;
            while left > 0 {
                let e = entries[cur.entry];
                let (local, pci) = match p.dir { ChannelDir::Write => (e.src, e.dst), ChannelDir::Read => (e.dst, e.src) };
                let (el_local, el_pci) = match p.dir { ChannelDir::Write => (el.sar, el.dar), ChannelDir::Read => (el.dar, el.sar) };
                prop_assert_eq!(el_local + off, local + cur.offset, "local side untouched");
                prop_assert_eq!(el_pci + off, pci + cur.offset + SHIFT, "PCI side translated");
                let take = left.min(e.len - cur.offset);
                if take < left {
                    prop_assert!(p.limits.coalesce, "an element spans entries only when coalescing");
                }
                left -= take;
                off += take;
                cur.offset += take;
                if cur.offset == e.len {
                    cur = Cursor { entry: cur.entry + 1, offset: 0 };
                }
            }
        }
        prop_assert_eq!(cur.entry, entries.len(), "bytes conserved");
        prop_assert_eq!(n, summary.elements);
        if !p.limits.coalesce {
            let min: u64 = entries.iter().map(|e| e.len.div_ceil(u64::from(p.limits.max_element_len))).sum();
            prop_assert_eq!(n, min, "splitting uses the fewest elements");
        }

        // Encode every chunk and check bits.
        let mut ll = VecLl::new(0xabc0_0000, p.chunk_elements + 1);
        let mut start = Cursor::default();
        let mut k = 0u64;
        let mut elements = 0u64;
        loop {
            ll.slots.iter_mut().for_each(|s| *s = None);
            let info = plan::encode_chunk(&entries, &p, &translate, start, k, &mut ll, true);
            prop_assert!(info.elements >= 1 && info.elements <= p.chunk_elements);
            let cb = k.is_multiple_of(2);
            // The slots hold exactly the stream's elements from this chunk's
            // start (encode_chunk's fast path for whole entries and its
            // general path must agree with the stream).
            let expect: Vec<_> = Elements::new(&entries, &p, &translate, start).take(info.elements).collect();
            prop_assert_eq!(expect.len(), info.elements);
            prop_assert_eq!(info.bytes, expect.iter().map(|e| u64::from(e.len)).sum::<u64>());
            for (i, el) in expect.iter().enumerate() {
                let Some(Element::Data { size, sar, dar, .. }) = ll.slots[i] else { panic!("slot {i} not data") };
                prop_assert_eq!((size, sar, dar), (el.len, el.sar, el.dar), "slot {}", i);
            }
            for i in 0..info.elements {
                let Some(Element::Data { control, .. }) = ll.slots[i] else { panic!("slot {i} not data") };
                let c = Control::from_bits_truncate(control.bits());
                prop_assert_eq!(c.contains(Control::CB), cb);
                let last = i + 1 == info.elements;
                let edma = p.map.is_edma_v0();
                prop_assert_eq!(c.contains(Control::LIE), edma && last);
                prop_assert_eq!(c.contains(Control::RIE), edma && last && p.deployment == Deployment::Remote);
            }
            let Some(Element::Link { control, target }) = ll.slots[info.elements] else { panic!("no link") };
            let c = Control::from_bits_truncate(control.bits());
            prop_assert!(c.contains(Control::TCB | Control::LLP));
            prop_assert_eq!(c.contains(Control::CB), !cb);
            prop_assert_eq!(target, 0xabc0_0000);
            prop_assert!(ll.slots[info.elements + 1..].iter().all(Option::is_none));
            elements += info.elements as u64;
            k += 1;
            start = info.next;
            if info.last { break; }
        }
        prop_assert_eq!(k, summary.chunks);
        prop_assert_eq!(elements, summary.elements);
    }

    #[test]
    fn chunk_limit_names_the_entry_of_the_first_element_beyond(entries in arb_entries(), p in arb_params(), max_chunks in 1u32..6) {
        let p = p.with_limits(Limits { max_chunks, ..p.limits });
        let allowed = p.chunk_elements * max_chunks as usize;
        let beyond = Elements::new(&entries, &p, &translate, Cursor::default()).nth(allowed).map(|e| e.entry);
        match validate(&entries, &p, &translate) {
            Ok(s) => {
                prop_assert_eq!(beyond, None);
                prop_assert!(s.chunks <= u64::from(max_chunks));
            }
            Err(e) => prop_assert_eq!(Some(e), beyond.map(|entry| plan::PlanError::TooManyChunks { entry })),
        }
    }

    #[test]
    fn locate_matches_a_linear_scan(lens in prop::collection::vec(1u64..100, 1..30), at in 0u64..4000) {
        let entries: Vec<Entry> = lens.iter().map(|&l| Entry::new(0, 0, l)).collect();
        let total: u64 = lens.iter().sum();
        let mut owner = None;
        let mut acc = 0;
        for (i, &l) in lens.iter().enumerate() {
            if at >= acc && at < acc + l { owner = Some((i, at - acc)); }
            acc += l;
        }
        prop_assert_eq!(locate(&entries, at), owner);
        prop_assert_eq!(locate(&entries, total), None);
    }

    #[test]
    fn validate_never_panics(entries in prop::collection::vec(any::<(u64, u64, u64)>(), 0..20), p in arb_params(), bits in 0u8..70, chunks in 0u32..5) {
        let entries: Vec<Entry> = entries.into_iter().map(|(s, d, l)| Entry::new(s, d, l)).collect();
        let p = p.with_limits(Limits { addr_bits: bits, max_chunks: chunks, ..p.limits });
        match validate(&entries, &p, &translate) {
            Ok(s) => prop_assert!(s.chunks <= u64::from(chunks) && s.elements >= entries.len() as u64 / 2),
            Err(e) => {
                if let Some(i) = e.entry() { prop_assert!(i < entries.len()); }
            }
        }
    }

}

proptest! {
    // Cheap cases, rare edges: many of them.
    #![proptest_config(ProptestConfig { cases: common::cases(4, 4096), ..ProptestConfig::default() })]

    /// `validate` checks each entry with a fast yes/no and looks for the
    /// exact error only when that says no; both must agree with the rules
    /// as documented, written out here independently, on inputs crowded at
    /// the edges (address width, 2^63 and 2^64, the element limit, zero
    /// lengths, translation holes, jumps and wrap-around).
    #[test]
    fn validate_matches_the_rules(
        raw in prop::collection::vec(prop_oneof![
            3 => (sane_addr(), sane_addr(), 1u64..0x3000),
            1 => (edge_addr(), sane_addr(), edge_len()),
            1 => (sane_addr(), edge_addr(), edge_len()),
            1 => (edge_addr(), edge_addr(), edge_len()),
        ], 1..6),
        p in arb_params(),
        bits in prop_oneof![3 => Just(64u8), 1 => prop::sample::select(vec![1u8, 12, 32, 40, 63])],
        split in any::<bool>(),
        max_chunks in prop_oneof![0u32..4, Just(u32::MAX)],
        which in 0u8..4,
        tweak in (0usize..6, 0u64..3, any::<bool>()),
        ll in prop_oneof![2 => Just(None), 1 => (0usize..6, 0u64..3, 1u64..200).prop_map(Some)],
    ) {
        let mut entries: Vec<Entry> = raw.into_iter().map(|(s, d, l)| Entry::new(s, d, l)).collect();
        // Lengths right at the element limit.
        let (at, delta, on) = tweak;
        if on {
            let n = entries.len();
            entries[at % n].len = u64::from(p.limits.max_element_len) - 1 + delta;
        }
        let mut p = p.with_limits(Limits { addr_bits: bits, split, coalesce: false, max_chunks, ..p.limits });
        // An LL region placed at, just before, or just after some entry's
        // local side (or none).
        if let Some((at, shift, len)) = ll {
            let e = entries[at % entries.len()];
            let local = if p.dir == ChannelDir::Write { e.src } else { e.dst };
            let bus = match shift {
                0 => local,
                1 => local.wrapping_sub(len),
                _ => local.wrapping_add(e.len),
            };
            p = p.with_ll_region(bus, len);
        }
        let t: fn(u64) -> Option<u64> = match which {
            0 => Some,
            1 => holey,
            _ => |a| Some(a.wrapping_add(1 << 63)),
        };
        let want = reference::validate(&entries, &p, &t);
        let got = if which == 3 {
            // OffsetWindow's own range check against the rules' two lookups.
            let window = |a| WINDOW.to_pci(a);
            let want = reference::validate(&entries, &p, &window);
            let got = validate(&entries, &p, &WINDOW).map(|s| (s.bytes, s.elements, s.chunks));
            prop_assert_eq!(got, want.map(|(b, n)| (b, n, n.div_ceil(p.chunk_elements as u64))));
            return Ok(());
        } else {
            validate(&entries, &p, &t).map(|s| (s.bytes, s.elements, s.chunks))
        };
        let want = want.map(|(b, n)| (b, n, n.div_ceil(p.chunk_elements as u64)));
        prop_assert_eq!(got, want);
    }
}

/// A window whose edges sit among the edge addresses: CPU `[2^32 - 0x1000,
/// 2^40)` at PCI `2^64 - 2^40 + 0x2000`, so its top end cannot be
/// reached (it would pass 2^64).
const WINDOW: OffsetWindow = OffsetWindow {
    cpu_base: (1 << 32) - 0x1000,
    pci_base: 0u64.wrapping_sub(1 << 40) + 0x2000,
    size: (1 << 40) - (1 << 32) + 0x1000,
};

proptest! {
    #![proptest_config(ProptestConfig { cases: common::cases(4, 4096), ..ProptestConfig::default() })]

    /// `OffsetWindow::to_pci_range` (one range check) answers exactly as
    /// the trait's default (two lookups and a contiguity test) for every
    /// valid range, near all of the window's edges.
    #[test]
    fn window_range_matches_the_default(
        base in edge_addr(), pci in edge_addr(), size in edge_len(),
        addr in edge_addr(), len in edge_len(),
    ) {
        // A valid range: at least a byte, not wrapping.
        let len = len.max(1);
        let addr = addr.min(u64::MAX - (len - 1));
        let w = OffsetWindow { cpu_base: base, pci_base: pci, size };
        let lookups = |a| w.to_pci(a);
        prop_assert_eq!(w.to_pci_range(addr, len), lookups.to_pci_range(addr, len));
        // Also inside the window, where the interesting answers are.
        let inside = base.wrapping_add(addr % size.max(1));
        if inside.checked_add(len - 1).is_some() {
            prop_assert_eq!(w.to_pci_range(inside, len), lookups.to_pci_range(inside, len));
        }
    }
}

fn sane_addr() -> impl Strategy<Value = u64> {
    0u64..1 << 20
}

/// Addresses crowded where the checks change their answer.
fn edge_addr() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        0u64..0x3000,
        (0u64..0x3000).prop_map(|a| (1u64 << 32) - a),
        (0u64..0x3000).prop_map(|a| (1u64 << 40).wrapping_sub(a)),
        (0u64..0x3000).prop_map(|a| u64::MAX - a),
        (0u64..0x3000).prop_map(|a| HOLE + a - 0x1800),
        (0u64..0x3000).prop_map(|a| (1u64 << 63) + a - 0x1800),
        any::<u64>(),
    ]
}

fn edge_len() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..4,
        1u64..0x3000,
        (0u64..4).prop_map(|l| u64::MAX - l),
        (0u64..0x3000).prop_map(|l| (1u64 << 63) + l - 0x1800),
        any::<u64>(),
    ]
}

const HOLE: u64 = 0x7000_0000;

/// A translation with a hole (no PCI address for `[HOLE, HOLE + 0x100)`) and
/// a jump just above it (contiguous on each side, not across).
fn holey(a: u64) -> Option<u64> {
    if (HOLE..HOLE + 0x100).contains(&a) {
        None
    } else if a >= HOLE + 0x100 {
        a.checked_add(0x1000)
    } else {
        Some(a)
    }
}
