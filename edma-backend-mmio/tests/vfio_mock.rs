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
