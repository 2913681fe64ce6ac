//! End to end on the mock: every map × deployment × direction, batches of
//! 1, 2, capacity, capacity + 1 and 3 × capacity + 7 entries, random sizes
//! at random offsets, every byte and every guard byte verified, counters
//! asserted.

mod common;

use common::Rng;
use edma_backend_mock::{MockConfig, MockEngine};
use edma_core::channel::{Channel, ChannelConfig, Completion, Controller};
use edma_core::io::OffsetWindow;
use edma_core::plan::{Entry, Limits};
use edma_core::{ChannelDir, Deployment, MapFormat, Status};

const GUARD: u8 = 0xa5;
/// The PCI side of every entry is given as a CPU address in this window and
/// translated to the mock's PCI space, so an untranslated address would land
/// outside PCI memory and abort.
const CPU_WINDOW: u64 = 0x40_0000_0000;

/// Slots per LL region: 8 data elements + the link.
const SLOTS: usize = 9;
const CAP: usize = SLOTS - 1;

struct Sizes {
    mem: usize,
    max_len: u64,
}

fn sizes() -> Sizes {
    if cfg!(miri) {
        Sizes {
            mem: 1 << 20,
            max_len: 512,
        }
    } else {
        Sizes {
            mem: 24 << 20,
            max_len: 256 << 10,
        }
    }
}

/// Register writes a batch costs, by map: first start + one interrupt clear
/// per chunk + one doorbell per later chunk. Constant per chunk; independent
/// of the number of entries.
fn expected_reg_writes(map: MapFormat, chunks: u64) -> u64 {
    let first = match map {
        // engine_en, int_mask, ll_err_en, control1, llp lo, llp hi, doorbell
        MapFormat::EdmaUnroll => 7,
        // + chN_pwr_en
        MapFormat::HdmaCompat => 8,
        // + a viewport select before each of the 3 channel-register writes
        MapFormat::EdmaLegacy => 10,
        // ch_en, int_setup, control1, llp lo, llp hi, cycle_sync, doorbell
        MapFormat::HdmaNative => 7,
    };
    // The first batch of a channel reads size/SAR/DAR once (5 reads, each
    // behind a viewport select on the legacy map); each done interrupt reads
    // the channel status once (+1 viewport select on legacy).
    let (snapshot, per_irq) = match map {
        MapFormat::EdmaLegacy => (5, 1),
        _ => (0, 0),
    };
    let clear = 1;
    first + snapshot + chunks * (clear + per_irq) + (chunks - 1)
}

/// One e2e case.
struct Case {
    map: MapFormat,
    dep: Deployment,
    dir: ChannelDir,
    n: usize,
    seed: u64,
    max_element_len: u32,
}

fn drive<R: edma_core::RegisterIo, L: edma_core::LlMemory, T: edma_core::AddressTranslate>(
    ch: &mut Channel<'_, '_, L, T>,
    ctrl: &Controller<R>,
) -> (Completion, u64) {
    let mut irqs = 0;
    loop {
        irqs += 1;
        if let Some(c) = ch.on_interrupt(ctrl).completion() {
            return (c, irqs);
        }
        assert!(irqs < 1_000_000, "no completion");
    }
}

fn run_case(c: &Case) {
    let sz = sizes();
    let mut rng = Rng(c.seed);
    let engine = MockEngine::new(MockConfig::new(c.map).with_memory(sz.mem, sz.mem));
    let chn = rng.range(0, 7) as u8;
    let ctrl = Controller::new(&engine, c.map, c.dep);
    if c.dep == Deployment::Remote {
        ctrl.configure_remote_interrupt(c.dir, chn, (sz.mem - 64) as u64, 0x77);
    }
    // Lay out sources and destinations with random gaps, both filling at most
    // a third of memory (LL regions sit at the top of local memory).
    let budget = (sz.mem / 3) as u64;
    let max_len = (budget / (c.n as u64 + 1)).clamp(1, sz.max_len);
    let mut entries = Vec::new();
    let (mut s, mut d) = (16u64, 16u64);
    for _ in 0..c.n {
        let len = rng.range(1, max_len);
        s += rng.range(0, 64);
        d += rng.range(0, 64);
        entries.push((s, d, len));
        s += len;
        d += len;
    }
    let (local_end, pci_end) = match c.dir {
        ChannelDir::Write => (s, d),
        ChannelDir::Read => (d, s),
    };
    assert!(local_end + 64 < budget * 2 && pci_end + 64 < (sz.mem - 64) as u64);
    // Sources random, destinations guard-filled.
    let src_data = rng.bytes(s as usize + 64);
    engine.with_memory(|local, pci| {
        let (src, dst) = match c.dir {
            ChannelDir::Write => (local, pci),
            ChannelDir::Read => (pci, local),
        };
        src[..src_data.len()].copy_from_slice(&src_data);
        dst[..d as usize + 64].fill(GUARD);
    });
    let batch: Vec<Entry> = entries
        .iter()
        .map(|&(s, d, len)| match c.dir {
            ChannelDir::Write => Entry::new(s, CPU_WINDOW + d, len),
            ChannelDir::Read => Entry::new(CPU_WINDOW + s, d, len),
        })
        .collect();
    let window = OffsetWindow {
        cpu_base: CPU_WINDOW,
        pci_base: 0,
        size: sz.mem as u64,
    };
    let limits = Limits {
        max_element_len: c.max_element_len,
        ..Limits::default()
    };
    let mut ch = Channel::new(
        ctrl.claim(ChannelConfig::new(c.dir, chn).with_limits(limits))
            .unwrap(),
        engine.ll_region(c.dir, chn, SLOTS),
    )
    .with_translation(window)
    .unwrap();
    engine.reset_counters();
    let summary = ch.submit(&ctrl, &batch).expect("valid batch");
    let (done, irqs) = drive(&mut ch, &ctrl);
    let ctx = format!(
        "{:?} {:?} {:?} n={} seed={}",
        c.map, c.dep, c.dir, c.n, c.seed
    );
    assert_eq!(done.status, Status::Done, "{ctx}");
    let total: u64 = entries.iter().map(|e| e.2).sum();
    assert_eq!((done.bytes_done, done.residue), (total, 0), "{ctx}");
    assert_eq!(summary.bytes, total);
    let chunks = summary.elements.div_ceil(CAP as u64);
    assert_eq!(summary.chunks, chunks, "{ctx}");
    assert_eq!(done.chunks, chunks, "{ctx}");
    assert_eq!(irqs, chunks, "one interrupt per chunk, {ctx}");
    // Counters: the engine's view of the same batch.
    let k = engine.counters().channel(c.dir, chn);
    let t = engine.counters().total();
    assert_eq!(k.doorbells, chunks, "{ctx}");
    assert_eq!(k.done_local, chunks, "{ctx}");
    assert_eq!(
        k.done_remote,
        if c.dep == Deployment::Remote {
            chunks
        } else {
            0
        },
        "{ctx}"
    );
    assert_eq!((k.abort_local, k.abort_remote), (0, 0), "{ctx}");
    assert_eq!(k.elements, summary.elements, "{ctx}");
    assert_eq!(k.bytes, total, "{ctx}");
    assert_eq!(t.reg_writes, expected_reg_writes(c.map, chunks), "{ctx}");
    assert_eq!(
        t.ll_slot_writes,
        summary.elements + chunks,
        "data elements + one link per chunk, {ctx}"
    );
    // Data: every byte, and every byte around them untouched.
    let dst_mem = match c.dir {
        ChannelDir::Write => engine.pci_read(0, d as usize + 64),
        ChannelDir::Read => engine.local_read(0, d as usize + 64),
    };
    let mut expect = vec![GUARD; d as usize + 64];
    for &(s, d, len) in &entries {
        expect[d as usize..(d + len) as usize]
            .copy_from_slice(&src_data[s as usize..(s + len) as usize]);
    }
    assert!(dst_mem == expect, "destination bytes differ, {ctx}");
    // Exactly one completion: a further interrupt call reports nothing and touches nothing.
    let before = engine.counters();
    assert_eq!(ch.on_interrupt(&ctrl).completion(), None);
    assert_eq!(
        engine.counters().total().reg_writes,
        before.total().reg_writes
    );
    assert!(!ch.is_busy());
}

fn matrix(n_of_cap: impl Fn(usize) -> usize, seed: u64) {
    for map in MapFormat::ALL {
        for dep in [Deployment::Local, Deployment::Remote] {
            for dir in ChannelDir::ALL {
                // Alternate between no split limit and a 64 KiB one.
                let max_element_len = if seed.is_multiple_of(2) {
                    u32::MAX
                } else {
                    64 << 10
                };
                run_case(&Case {
                    map,
                    dep,
                    dir,
                    n: n_of_cap(CAP),
                    seed: seed ^ (map.raw() as u64) << 8,
                    max_element_len,
                });
            }
        }
    }
}

#[test]
fn batch_of_1() {
    matrix(|_| 1, 1);
}

#[test]
fn batch_of_2() {
    matrix(|_| 2, 2);
}

#[test]
fn batch_of_capacity() {
    matrix(|c| c, 3);
}

#[test]
fn batch_of_capacity_plus_1() {
    matrix(|c| c + 1, 4);
}

#[test]
fn batch_of_3_capacity_plus_7() {
    matrix(|c| 3 * c + 7, 5);
}

#[test]
fn random_batches() {
    let rounds = if cfg!(miri) { 1 } else { 6 };
    let mut rng = Rng(0xed3a);
    for r in 0..rounds {
        let n = rng.range(1, 60) as usize;
        matrix(move |_| n, 100 + r);
    }
}

#[test]
fn channels_are_reusable_batch_after_batch() {
    let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaCompat));
    let ctrl = Controller::new(&engine, MapFormat::HdmaCompat, Deployment::Local);
    let mut ch = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Write, 2))
            .unwrap(),
        engine.ll_region(ChannelDir::Write, 2, 3),
    );
    engine.local_write(0, &(0..=255).collect::<Vec<u8>>());
    let batches: Vec<Vec<Entry>> = (0..4u64)
        .map(|b| {
            (0..(b + 1) * 3)
                .map(|i| Entry::new(i * 4, 0x1000 * (b + 1) + i * 4, 4))
                .collect()
        })
        .collect();
    for (b, batch) in batches.iter().enumerate() {
        ch.submit(&ctrl, batch).unwrap();
        let (c, _) = drive(&mut ch, &ctrl);
        assert!(c.is_success());
        let n = batch.len();
        assert_eq!(
            engine.pci_read(0x1000 * (b as u64 + 1), n * 4),
            (0..(n * 4) as u8).collect::<Vec<u8>>()
        );
    }
    assert_eq!(ch.batches_completed(), 4);
}

#[test]
fn non_ll_channel_runs_one_element_per_doorbell() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        engine.pci_write(0x100, &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let mut ch = Channel::non_ll(ctrl.claim(ChannelConfig::new(ChannelDir::Read, 6)).unwrap());
        let batch = [Entry::new(0x100, 0x5000, 4), Entry::new(0x104, 0x6000, 5)];
        ch.submit(&ctrl, &batch).unwrap();
        let (c, irqs) = drive(&mut ch, &ctrl);
        assert!(c.is_success(), "{map:?}");
        assert_eq!((irqs, c.chunks), (2, 2));
        assert_eq!(engine.local_read(0x5000, 4), [1, 2, 3, 4]);
        assert_eq!(engine.local_read(0x6000, 5), [5, 6, 7, 8, 9]);
        let k = engine.counters().total();
        assert_eq!(
            (k.doorbells, k.links, k.ll_slot_writes),
            (2, 0, 0),
            "{map:?}"
        );
    }
}
