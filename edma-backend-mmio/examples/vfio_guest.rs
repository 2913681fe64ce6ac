//! The VFIO layer against a real kernel and a real (emulated) IOMMU: run by
//! `scripts/vfio-qemu.sh` inside a Linux 7.3 guest with VT-d and QEMU's
//! `edu` device bound to vfio-pci. Not useful elsewhere.
//!
//!     vfio_guest <bdf> iommufd|container [--unprivileged | --expect-no-ir]
//!
//! edu (QEMU `hw/misc/edu.c`): BAR0 0x00 identification 0x010000ed, 0x24
//! interrupt status, 0x64 interrupt acknowledge, 0x80 DMA source, 0x88 DMA
//! destination, 0x90 DMA count, 0x98 DMA command (bit 0 start, bit 1
//! edu→RAM, bit 2 interrupt when done); its DMA buffer is at device address
//! 0x40000 (4 KiB), addresses are 28-bit. The engine side (a mock eDMA
//! whose PCI memory is this space's buffers) runs over the same space.
#![allow(missing_docs, clippy::single_range_in_vec_init)]

#[path = "../tests/support/vfio_engine.rs"]
mod vfio_engine;

use std::time::{Duration, Instant};

use edma_backend_mmio::pcie::Block;
use edma_backend_mmio::userspace::BarRegs;
use edma_backend_mmio::vfio::{
    DmaBuffer, DmaSpace, IrqEvent, IrqKind, VfioDevice, VfioError, VfioOptions, VfioPath,
};
use edma_core::MapFormat;
use edma_core::io::RegisterIo;
use vfio_engine::Report;

const EDU_BUF: u64 = 0x40000;
const LEN: usize = 2048;

fn edu_dma(regs: &BarRegs<'_>, src: u64, dst: u64, len: usize, to_ram: bool) {
    regs.write32(0x80, src as u32);
    regs.write32(0x84, (src >> 32) as u32);
    regs.write32(0x88, dst as u32);
    regs.write32(0x8c, (dst >> 32) as u32);
    regs.write32(0x90, len as u32);
    regs.write32(0x94, 0);
    regs.write32(0x98, 1 | if to_ram { 2 } else { 0 } | 4);
}

/// Waits for the DMA's interrupt and acknowledges it in edu.
fn edu_wait(regs: &BarRegs<'_>, ev: &IrqEvent) -> bool {
    let fired = matches!(ev.wait(Some(Duration::from_secs(5))), Ok(Some(n)) if n >= 1);
    let busy_clear = {
        let t = Instant::now();
        while regs.read32(0x98) & 1 != 0 && t.elapsed() < Duration::from_secs(2) {}
        regs.read32(0x98) & 1 == 0
    };
    let status = regs.read32(0x24);
    regs.write32(0x64, status);
    fired && busy_clear && status & 0x100 != 0
}

fn pattern(seed: u8, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(13).wrapping_add(seed))
        .collect()
}

fn block_on<F: core::future::Future>(f: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park_timeout(Duration::from_secs(1));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bdf = args.get(1).cloned().unwrap_or_default();
    let path = match args.get(2).map(String::as_str) {
        Some("iommufd") => VfioPath::Iommufd,
        Some("container") => VfioPath::Container,
        _ => {
            eprintln!("usage: vfio_guest <bdf> iommufd|container [--unprivileged]");
            std::process::exit(2);
        }
    };
    let unprivileged = args.iter().any(|a| a == "--unprivileged");
    let tag = format!(
        "{}{}",
        args[2],
        if unprivileged { " (uid 1000)" } else { "" }
    );
    let mut r = Report::default();

    // Errors that name what is wrong, before anything is opened.
    let e = VfioDevice::open("0000:00:1f.7").unwrap_err();
    r.check(
        &format!("{tag}: a missing device is NoDevice ({e})"),
        matches!(e, VfioError::NoDevice(_)),
    );
    let e = VfioDevice::open("0000:00:00.0").unwrap_err();
    r.check(
        &format!("{tag}: the host bridge (not bound to vfio-pci) is NotBoundToVfio ({e})"),
        matches!(e, VfioError::NotBoundToVfio { .. }),
    );

    let opts = VfioOptions {
        path,
        iova_window: 0x10_0000..0x1000_0000,
    }; // edu: 28-bit
    if args.iter().any(|a| a == "--expect-no-ir") {
        // Booted with intremap=off: the kernel must refuse, and we must say why.
        let e = VfioDevice::open_with(&bdf, &opts).unwrap_err();
        r.check(
            &format!("{tag}: without interrupt remapping: {e}"),
            matches!(e, VfioError::NoInterruptRemapping { .. }),
        );
        finish(&format!("{tag} (no interrupt remapping)"), &r);
    }
    let dev = match VfioDevice::open_with(&bdf, &opts) {
        Ok(d) => d,
        Err(e) => {
            r.check(&format!("{tag}: open {bdf}: {e}"), false);
            finish(&tag, &r);
        }
    };
    r.check(
        &format!("{tag}: opened {bdf} through {:?}", dev.path()),
        dev.path() == path && dev.space().kind() == args[2],
    );

    // BAR0 through region info, edu's identification register.
    let bar0_info = dev.region(0).expect("region 0");
    let bar0 = dev.map_bar(0).expect("map BAR0");
    let regs = bar0
        .regs(Block {
            bar: 0,
            offset: 0,
            size: bar0_info.size,
        })
        .expect("BAR0 regs");
    let id = regs.read32(0);
    r.check(
        &format!(
            "{tag}: BAR0 ({} bytes, mmap'd by region info) reads edu's ID {id:#010x}",
            bar0_info.size
        ),
        id == 0x0100_00ed,
    );
    let too_big = bar0.regs(Block {
        bar: 0,
        offset: 0,
        size: bar0_info.size + 4096,
    });
    r.check(
        &format!("{tag}: a block past BAR0's end is refused"),
        too_big.is_err(),
    );
    let e = dev.edma_layout().unwrap_err();
    r.check(
        &format!("{tag}: config space read through VFIO, parsed: {e}"),
        matches!(e, VfioError::NotEdma(_)) && e.to_string().contains("1234"),
    );
    let cmd = dev.enable_bus_master().expect("bus master");
    let mut c = [0u8; 2];
    dev.config_read(4, &mut c).unwrap();
    r.check(
        &format!(
            "{tag}: bus mastering on (command {:#06x})",
            u16::from_le_bytes(c)
        ),
        u16::from_le_bytes(c) & 0x6 == 0x6 && cmd & 0x6 == 0x6,
    );
    r.check(
        &format!("{tag}: edu has no reset, and reset() says so"),
        !dev.can_reset() && matches!(dev.reset(), Err(VfioError::ResetUnsupported)),
    );

    let space = dev.space().clone();
    let msi = dev.enable_irqs(IrqKind::Msi, 1).expect("MSI");
    r.check(
        &format!("{tag}: MSI vector tied to an eventfd"),
        msi.len() == 1,
    );
    let e = dev.enable_irqs(IrqKind::Msi, 2).unwrap_err();
    r.check(
        &format!("{tag}: two MSI vectors refused ({e})"),
        matches!(
            e,
            VfioError::IrqUnavailable {
                index: 1,
                count: 2,
                available: 1
            }
        ),
    );

    // RAM → edu → RAM through the IOMMU, with guard bytes, MSI each way.
    let src = space.alloc(LEN).expect("src buffer");
    let data = pattern(5, LEN);
    src.write(0, &data);
    let dst = space.alloc(LEN + 64).expect("dst buffer");
    dst.write(0, &[0xa5; LEN + 64]);
    r.check(
        &format!(
            "{tag}: buffers at IOVAs {:#x} and {:#x} inside the window",
            src.iova(),
            dst.iova()
        ),
        src.iova() >= 0x10_0000
            && dst.iova() + (LEN as u64 + 64) <= 0x1000_0000
            && src.iova() % 4096 == 0,
    );
    edu_dma(&regs, src.iova(), EDU_BUF, LEN, false);
    r.check(
        &format!("{tag}: DMA RAM→edu done, MSI through the eventfd"),
        edu_wait(&regs, &msi[0]),
    );
    edu_dma(&regs, EDU_BUF, dst.iova() + 32, LEN, true);
    r.check(
        &format!("{tag}: DMA edu→RAM done, MSI through the eventfd"),
        edu_wait(&regs, &msi[0]),
    );
    let got = dst.to_vec();
    r.check(
        &format!("{tag}: {LEN} bytes round-tripped through the IOMMU, byte for byte"),
        got[32..32 + LEN] == data[..],
    );
    r.check(
        &format!("{tag}: guard bytes around the destination intact"),
        got[..32].iter().all(|&b| b == 0xa5) && got[32 + LEN..].iter().all(|&b| b == 0xa5),
    );

    // Blocked: a DMA to an IOVA never mapped, and to one unmapped by a drop.
    let live: Vec<(&DmaBuffer, Vec<u8>)> = vec![(&src, src.to_vec()), (&dst, dst.to_vec())];
    edu_dma(&regs, EDU_BUF, 0x0f00_0000, LEN, true);
    let irq = edu_wait(&regs, &msi[0]);
    r.check(
        &format!("{tag}: edu→never-mapped IOVA: blocked, mapped bytes unchanged"),
        irq && live.iter().all(|(b, v)| b.to_vec() == *v),
    );
    let doomed = space.alloc(LEN).expect("doomed buffer");
    doomed.write(0, &[0x11; LEN]);
    let doomed_iova = doomed.iova();
    drop(doomed);
    edu_dma(&regs, EDU_BUF, doomed_iova, LEN, true);
    let irq = edu_wait(&regs, &msi[0]);
    r.check(&format!("{tag}: edu→IOVA of a dropped buffer ({doomed_iova:#x}): blocked, mapped bytes unchanged"), irq && live.iter().all(|(b, v)| b.to_vec() == *v));
    // The read direction: edu's buffer keeps what it had.
    edu_dma(&regs, doomed_iova, EDU_BUF, LEN, false);
    let irq = edu_wait(&regs, &msi[0]);
    let check = space.alloc(LEN).expect("check buffer");
    edu_dma(&regs, EDU_BUF, check.iova(), LEN, true);
    let irq2 = edu_wait(&regs, &msi[0]);
    // The IOMMU refuses the read; QEMU's device model then sees zeros (a
    // real device gets an error completion). Either way the freed buffer's
    // bytes (0x11) never reach the device.
    let seen = check.to_vec();
    r.check(
        &format!("{tag}: RAM(unmapped)→edu read blocked: the device did not get the dropped buffer's bytes (it got {:02x?}…)", &seen[..4]),
        irq && irq2 && seen != vec![0x11; LEN],
    );
    r.check(
        &format!("{tag}: the dropped buffer's IOVA is retired, not reused"),
        space
            .alloc(LEN)
            .map(|b| b.iova() != doomed_iova)
            .unwrap_or(false),
    );

    // Async wait (executor-agnostic) on the same vector.
    edu_dma(&regs, src.iova(), EDU_BUF, LEN, false);
    let n = block_on(msi[0].wait_async());
    let status = regs.read32(0x24);
    regs.write32(0x64, status);
    r.check(
        &format!("{tag}: MSI through wait_async"),
        matches!(n, Ok(1)),
    );

    // INTx: MSI off, the line through an eventfd, unmasked after each ack.
    dev.disable_irqs(IrqKind::Msi).expect("MSI off");
    drop(msi);
    let intx = dev.enable_irqs(IrqKind::Intx, 1).expect("INTx");
    let mut intx_ok = true;
    for round in 0..2 {
        edu_dma(&regs, src.iova(), EDU_BUF, LEN, false);
        intx_ok &= edu_wait(&regs, &intx[0]);
        dev.unmask_intx().expect("unmask");
        let _ = round;
    }
    r.check(
        &format!("{tag}: INTx through the eventfd, twice (masked by VFIO, unmasked after the ack)"),
        intx_ok,
    );
    dev.disable_irqs(IrqKind::Intx).expect("INTx off");

    // IOVA space and memlock limits: clear errors, nothing left mapped.
    let mapped = space.mapped_buffers();
    let e = space.alloc(512 << 20).unwrap_err();
    r.check(
        &format!("{tag}: 512 MiB in a 255 MiB window: {e}"),
        matches!(e, VfioError::IovaExhausted { .. }) && space.mapped_buffers() == mapped,
    );
    if unprivileged {
        let e = space.alloc(4 << 20).unwrap_err();
        r.check(
            &format!("{tag}: 4 MiB over RLIMIT_MEMLOCK: {e}"),
            matches!(e, VfioError::MemlockLimit { .. }) && space.mapped_buffers() == mapped,
        );
    }

    // The engine side: a mock eDMA/HDMA whose PCI memory is this space.
    for map in [
        MapFormat::EdmaUnroll,
        MapFormat::EdmaLegacy,
        MapFormat::HdmaNative,
    ] {
        vfio_engine::run(&space, map, &mut r);
    }
    drop(live);
    drop((src, dst, check));
    drop(bar0);
    r.check(
        &format!("{tag}: every buffer unmapped at the end"),
        space.mapped_buffers() == 0,
    );
    let _: &DmaSpace = &space;
    finish(&tag, &r);
}

fn finish(tag: &str, r: &Report) -> ! {
    println!("vfio_guest {tag}: {} passed, {} failed", r.passed, r.failed);
    std::process::exit(if r.failed == 0 { 0 } else { 1 });
}
