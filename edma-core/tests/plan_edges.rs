//! Planner edges the mutation run found asserted only by doctests or by
//! chance in the property tests: each invalid parameter alone, the exact
//! error path next to ranges that end exactly at the top of the address
//! space, and `PlanError::entry` for every variant.

use edma_core::plan::{Entry, LimitField, Limits, PlanError, PlanParams, validate};
use edma_core::{ChannelDir, Deployment, Identity, MapFormat};

fn params(dir: ChannelDir, bits: u8) -> PlanParams {
    PlanParams::new(MapFormat::HdmaNative, dir, Deployment::Local, 4).with_limits(Limits {
        addr_bits: bits,
        ..Limits::default()
    })
}

#[test]
fn each_invalid_parameter_alone_is_refused() {
    let ok = [Entry::new(0, 0x1000, 8)];
    let p = params(ChannelDir::Write, 64);
    assert!(validate(&ok, &p, &Identity).is_ok());
    let cases = [
        PlanParams {
            chunk_elements: 0,
            ..p
        },
        p.with_limits(Limits {
            max_element_len: 0,
            ..p.limits
        }),
        p.with_limits(Limits {
            addr_bits: 0,
            ..p.limits
        }),
        p.with_limits(Limits {
            addr_bits: 65,
            ..p.limits
        }),
    ];
    let fields = [
        LimitField::ChunkElements,
        LimitField::MaxElementLen,
        LimitField::AddrBits,
        LimitField::AddrBits,
    ];
    for (i, (c, field)) in cases.iter().zip(fields).enumerate() {
        assert_eq!(
            validate(&ok, c, &Identity),
            Err(PlanError::InvalidLimits { field }),
            "case {i}"
        );
    }
}

#[test]
fn exact_error_path_accepts_ranges_ending_at_the_top() {
    for dir in ChannelDir::ALL {
        // Entry 0 ends exactly at 2^64 on both sides (valid); entry 1 is empty.
        let top = Entry::new(u64::MAX - 0xf, u64::MAX - 0xf, 0x10);
        let batch = [top, Entry::new(0, 0, 0)];
        assert_eq!(
            validate(&batch, &params(dir, 64), &Identity),
            Err(PlanError::ZeroLength { entry: 1 }),
            "{dir:?}"
        );
        // The same at a 40-bit width: ends exactly at 2^40.
        let t40 = (1u64 << 40) - 0x10;
        let batch = [Entry::new(t40, t40, 0x10), Entry::new(0, 0, 0)];
        assert_eq!(
            validate(&batch, &params(dir, 40), &Identity),
            Err(PlanError::ZeroLength { entry: 1 }),
            "{dir:?}"
        );
        // One byte more is out of range, and named.
        let batch = [Entry::new(t40, t40, 0x11)];
        assert!(matches!(
            validate(&batch, &params(dir, 40), &Identity),
            Err(PlanError::SourceOutOfRange { entry: 0 }
                | PlanError::DestinationOutOfRange { entry: 0 })
        ));
    }
}

#[test]
fn plan_error_entry_for_every_variant() {
    let with = [
        PlanError::ZeroLength { entry: 3 },
        PlanError::SourceOutOfRange { entry: 3 },
        PlanError::DestinationOutOfRange { entry: 3 },
        PlanError::NoPciAddress { entry: 3 },
        PlanError::LengthTooLarge { entry: 3 },
        PlanError::OverlapsLl { entry: 3 },
        PlanError::TotalTooLarge { entry: 3 },
        PlanError::TooManyChunks { entry: 3 },
    ];
    for e in with {
        assert_eq!(e.entry(), Some(3), "{e:?}");
        assert!(e.to_string().contains("entry 3"), "{e}");
    }
    assert_eq!(PlanError::EmptyBatch.entry(), None);
    assert_eq!(
        PlanError::InvalidLimits {
            field: LimitField::AddrBits
        }
        .entry(),
        None
    );
}

/// A batch that exactly fills `chunk_elements × max_chunks` is accepted;
/// one element more names the entry holding it (with and without
/// coalescing, with and without splitting).
#[test]
fn exactly_full_batches_fit() {
    for coalesce in [false, true] {
        for long in [false, true] {
            let p = PlanParams::new(
                MapFormat::EdmaUnroll,
                ChannelDir::Write,
                Deployment::Local,
                4,
            )
            .with_limits(Limits {
                max_chunks: 2,
                coalesce,
                max_element_len: if long { 8 } else { u32::MAX },
                ..Limits::default()
            });
            // Non-contiguous entries: one element each (8 bytes at most).
            let e = |i: u64| Entry::new(i * 0x100, 0x10_0000 + i * 0x100, 8);
            let full: Vec<Entry> = (0..8).map(e).collect();
            let s = validate(&full, &p, &Identity)
                .unwrap_or_else(|err| panic!("{coalesce} {long}: {err}"));
            assert_eq!((s.elements, s.chunks), (8, 2), "{coalesce} {long}");
            let over: Vec<Entry> = (0..9).map(e).collect();
            assert_eq!(
                validate(&over, &p, &Identity),
                Err(PlanError::TooManyChunks { entry: 8 }),
                "{coalesce} {long}"
            );
        }
    }
}

/// Coalescing merges an entry into the previous element only when **both**
/// its source and its destination continue where that element ends.
#[test]
fn coalescing_needs_both_sides_contiguous() {
    let p = PlanParams::new(
        MapFormat::HdmaNative,
        ChannelDir::Read,
        Deployment::Local,
        8,
    )
    .with_limits(Limits {
        coalesce: true,
        ..Limits::default()
    });
    let count = |b: &[Entry]| validate(b, &p, &Identity).map(|s| s.elements);
    let a = Entry::new(0x1000, 0x8000, 16);
    assert_eq!(
        count(&[a, Entry::new(0x1010, 0x8010, 16)]),
        Ok(1),
        "both continue"
    );
    assert_eq!(
        count(&[a, Entry::new(0x1010, 0x9000, 16)]),
        Ok(2),
        "source only"
    );
    assert_eq!(
        count(&[a, Entry::new(0x2000, 0x8010, 16)]),
        Ok(2),
        "destination only"
    );
    assert_eq!(
        count(&[a, Entry::new(0x2000, 0x9000, 16)]),
        Ok(2),
        "neither"
    );
}

/// Inside a coalesced run, the first element beyond the chunk limit is
/// attributed to the entry holding its first byte, also when an element
/// boundary falls exactly on an entry boundary; the element stream merges
/// the run.
#[test]
fn coalesced_runs_split_and_attribute_exactly() {
    use edma_core::plan::{Cursor, Elements};
    let p = PlanParams::new(
        MapFormat::EdmaUnroll,
        ChannelDir::Write,
        Deployment::Local,
        2,
    )
    .with_limits(Limits {
        coalesce: true,
        max_element_len: 16,
        max_chunks: 1,
        ..Limits::default()
    });
    // Three contiguous 16-byte entries: 3 elements of 16; 2 allowed.
    let run: Vec<Entry> = (0..3)
        .map(|i| Entry::new(0x100 + i * 16, 0x900 + i * 16, 16))
        .collect();
    assert_eq!(
        validate(&run, &p, &Identity),
        Err(PlanError::TooManyChunks { entry: 2 })
    );
    // Two contiguous entries under a large element limit: one element.
    let q = p.with_limits(Limits {
        max_element_len: 1 << 20,
        ..p.limits
    });
    let lens: Vec<(u32, u64, u64)> = Elements::new(&run[..2], &q, &Identity, Cursor::default())
        .map(|e| (e.len, e.sar, e.dar))
        .collect();
    assert_eq!(lens, [(32, 0x100, 0x900)]);
    assert_eq!(
        validate(&run[..2], &q, &Identity).map(|s| s.elements),
        Ok(1)
    );
}
