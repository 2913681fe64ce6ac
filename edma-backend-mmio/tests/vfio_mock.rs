//! The mock engine over a simulated `DmaSpace`: the same checks the guest
//! runs over the real iommufd and container spaces (scripts/vfio-qemu.sh).
#![cfg(all(feature = "vfio", target_os = "linux"))]
#![cfg_attr(miri, allow(unused))]
#![allow(clippy::single_range_in_vec_init)]

#[path = "support/vfio_engine.rs"]
mod vfio_engine;

use edma_backend_mmio::vfio::DmaSpace;
use edma_core::MapFormat;

#[test]
#[cfg_attr(miri, ignore = "anonymous mmap")]
fn mock_engine_over_dma_buffers() {
    for map in [
        MapFormat::EdmaUnroll,
        MapFormat::EdmaLegacy,
        MapFormat::HdmaNative,
    ] {
        let space = DmaSpace::simulated(&[0x10_0000..0x1000_0000]);
        let mut r = vfio_engine::Report::default();
        vfio_engine::run(&space, map, &mut r);
        assert_eq!(r.failed, 0, "{map:?}");
        assert_eq!(r.passed, 16, "{map:?}");
        // Everything the run allocated and dropped was unmapped; only the
        // buffers it still held at its end were, and they are gone now.
        assert_eq!(space.mapped_buffers(), 0);
    }
}

/// Entries from `embedded-dma` buffers: the IOVA comes from the space's
/// map, never from an integer the caller types; memory that is not
/// DMA-mapped gives no entry.
#[test]
#[cfg_attr(miri, ignore = "anonymous mmap")]
fn entries_from_embedded_dma_buffers() {
    use edma_backend_mmio::vfio::{host_dst_entry, host_src_entry};
    use edma_backend_mock::{MockConfig, MockEngine};
    use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment};

    let space = DmaSpace::simulated(&[0x10_0000..0x1000_0000]);
    let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    engine.set_pci_memory(Some(Box::new(vfio_engine::SpaceMemory(space.clone()))));
    let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);

    let src = space.alloc(300).unwrap();
    src.write(0, &[0x5c; 300]);
    let mut dst = space.alloc(300).unwrap();
    engine.local_write(0x3000, &[0xc5; 300]);
    let e_in = host_src_entry(&space, &src, 0x1000).unwrap();
    let e_out = host_dst_entry(&space, 0x3000, &mut dst).unwrap();
    assert_eq!((e_in.src, e_in.dst, e_in.len), (src.iova(), 0x1000, 300));
    assert_eq!((e_out.src, e_out.dst, e_out.len), (0x3000, dst.iova(), 300));

    let batch_in = [e_in];
    let mut rd = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).unwrap(),
        engine.ll_region(ChannelDir::Read, 0, 4),
    );
    rd.submit(&ctrl, &batch_in).unwrap();
    assert!(rd.on_interrupt(&ctrl).completion().unwrap().is_success());
    assert_eq!(engine.local_read(0x1000, 300), [0x5c; 300]);
    assert_eq!(engine.local_read(0x1000 + 300, 4), [0; 4]);

    let batch_out = [e_out];
    let mut wr = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0))
            .unwrap(),
        engine.ll_region(ChannelDir::Write, 0, 4),
    );
    wr.submit(&ctrl, &batch_out).unwrap();
    assert!(wr.on_interrupt(&ctrl).completion().unwrap().is_success());
    let mut got = dst.to_vec();
    assert_eq!(got, [0xc5; 300]);
    got.clear();

    // Heap memory is not in the map.
    let heap: &'static mut [u8] = Box::leak(vec![0u8; 64].into_boxed_slice());
    let mut heap = heap;
    assert!(host_dst_entry(&space, 0, &mut heap).is_none());
    assert!(host_src_entry(&space, &heap, 0).is_none());
    assert_eq!(space.faults(), 0);
}
