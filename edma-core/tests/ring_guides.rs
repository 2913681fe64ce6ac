//! The two ring users the guides describe, as running code on the mock
//! (`docs/guides/firmware.md` and `docs/guides/linux-driver.md` quote it):
//! an MHI-style ring cache and an NVMe-endpoint-style command queue.

use std::collections::VecDeque;

use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
use edma_core::ring::{Notify, Ring};
use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};

/// MHI endpoint: the host's transfer ring (256 elements of 16 bytes) lives
/// in host memory; each time the host rings the channel doorbell with a new
/// write pointer, the endpoint copies the new elements `[rp, wp)` into its
/// local cache — one entry, or two when the range wraps. The cache is valid
/// up to an element once the ring reports the entry that carries it.
#[test]
fn mhi_ring_cache() {
    const ELEMENTS: u64 = 256;
    const HOST_RING: u64 = 0x20_0000; // host (PCI) address of the ring
    const CACHE: u64 = 0x1_0000; // local cache, same layout
    let map = MapFormat::HdmaNative;
    let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&engine, map, Deployment::Local);
    let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap();
    let mut ring: Ring<'_, _, _, 32> =
        Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Read, 0, 32)).unwrap();
    // Host writes elements and rings with its write pointer.
    let host_writes = [10u64, 40, 250, 260 % ELEMENTS, 100];
    let mut rp = 0u64;
    // (entry index, cache valid up to this write pointer once it completes)
    let mut pending: VecDeque<(u64, u64)> = VecDeque::new();
    let mut valid_to = 0u64;
    for (n, &wp) in host_writes.iter().enumerate() {
        for i in rp..if wp >= rp { wp } else { wp + ELEMENTS } {
            let e = i % ELEMENTS;
            engine.pci_write(HOST_RING + e * 16, &[n as u8 + 1; 16]);
        }
        // [rp, wp) as one or two entries (the wrap).
        let entries: Vec<Entry> = if wp >= rp {
            vec![Entry::new(
                HOST_RING + rp * 16,
                CACHE + rp * 16,
                (wp - rp) * 16,
            )]
        } else {
            vec![
                Entry::new(HOST_RING + rp * 16, CACHE + rp * 16, (ELEMENTS - rp) * 16),
                Entry::new(HOST_RING, CACHE, wp * 16),
            ]
        };
        let entries: Vec<Entry> = entries.into_iter().filter(|e| e.len > 0).collect();
        let a = ring.push(&ctrl, &entries, Notify::End).unwrap();
        pending.push_back((a.indices().end - 1, wp));
        rp = wp;
        // The engine runs part of it before the host's next doorbell.
        engine.step(ChannelDir::Read, 0, 1);
        while let Some(c) = ring.on_interrupt(&ctrl).or_else(|| Some(ring.poll(&ctrl))) {
            let Some(last) = c.last else { break };
            while pending.front().is_some_and(|&(i, _)| i <= last) {
                valid_to = pending.pop_front().unwrap().1;
            }
        }
    }
    engine.step(ChannelDir::Read, 0, 100);
    let c = ring.on_interrupt(&ctrl).expect("the stop interrupt (HDMA)");
    while pending.front().is_some_and(|&(i, _)| Some(i) <= c.last) {
        valid_to = pending.pop_front().unwrap().1;
    }
    assert!(pending.is_empty());
    assert_eq!(valid_to, 100);
    // The cache holds what the host wrote, the last write of each element.
    assert_eq!(
        engine.local_read(CACHE, 16 * ELEMENTS as usize),
        engine.pci_read(HOST_RING, 16 * ELEMENTS as usize)
    );
    assert_eq!(engine.local_read(CACHE + 2 * 16, 16), [4; 16]); // from the wrap (4th doorbell)
    assert_eq!(engine.local_read(CACHE + 252 * 16, 16), [4; 16]);
    assert_eq!(engine.local_read(CACHE + 5 * 16, 16), [5; 16]);
}

/// NVMe endpoint target: each read command's data goes from endpoint memory
/// to the host pages its PRP list names (scattered 4 KiB pages), so a
/// command is several entries; a command completes when the last of its
/// entries does, and its completion-queue entry is posted then — in
/// submission order, as the ring completes in index order.
#[test]
fn nvme_endpoint_queue() {
    let map = MapFormat::EdmaUnroll;
    let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
    let ctrl = Controller::new(&engine, map, Deployment::Local);
    let claim = ctrl
        .claim(ChannelConfig::new(ChannelDir::Write, 0))
        .unwrap();
    let mut ring: Ring<'_, _, _, 64> =
        Ring::new(&ctrl, claim, engine.ll_region(ChannelDir::Write, 0, 64)).unwrap();
    // Command c: 1 + c % 4 pages of 4 KiB from local 0x10_0000 + c * 16 KiB,
    // to host pages scattered by the PRP list (a permutation of 160 pages).
    let prp = |c: u64, p: u64| 0x10_0000 + ((c * 4 + p) * 37 % 160) * 0x1000;
    let mut in_flight: VecDeque<(u64, u64)> = VecDeque::new(); // (command, its last entry index)
    let mut posted = Vec::new();
    let mut next_cmd = 0u64;
    while posted.len() < 40 {
        // Commands arrive while the engine works: append them, as many as fit.
        while next_cmd < 40 && in_flight.len() < 8 {
            let c = next_cmd;
            let local = 0x10_0000 + c * 0x4000;
            let pages = 1 + c % 4;
            engine.local_write(local, &vec![c as u8; (pages * 4096) as usize]);
            let entries: Vec<Entry> = (0..pages)
                .map(|p| Entry::new(local + p * 4096, prp(c, p), 4096))
                .collect();
            match ring.push(&ctrl, &entries, Notify::End) {
                Ok(a) => {
                    in_flight.push_back((c, a.indices().end - 1));
                    next_cmd += 1;
                }
                Err(_) => break, // full: wait for completions
            }
        }
        engine.step(ChannelDir::Write, 0, 3);
        if let Some(done) = ring.on_interrupt(&ctrl) {
            assert!(
                done.failure.is_none(),
                "{done:?} {:?}",
                engine.last_abort(ChannelDir::Write, 0)
            );
            while in_flight
                .front()
                .is_some_and(|&(_, last)| Some(last) <= done.last)
            {
                let (c, _) = in_flight.pop_front().unwrap();
                posted.push(c); // post the CQ entry for command c
            }
        }
    }
    assert_eq!(posted, (0..40).collect::<Vec<_>>());
    for c in 0..40u64 {
        for p in 0..1 + c % 4 {
            assert_eq!(
                engine.pci_read(prp(c, p), 4096),
                vec![c as u8; 4096],
                "command {c} page {p}"
            );
        }
    }
    // The engine was fed without restarts while commands kept coming.
    let k = engine.counters().total();
    assert!(
        k.doorbells < 10,
        "{} doorbells for 40 commands",
        k.doorbells
    );
}
