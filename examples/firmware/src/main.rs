//! Endpoint firmware driving its own (local) eDMA: `no_std`, no allocator,
//! registers and LL through `edma-backend-mmio`. The interrupt-driven
//! variant (the handler submits the next batch) is the library's `stream::Streamer`,
//! tested against the mock in `tests/irq_submit.rs`.
//!
//! Built for bare-metal targets in CI:
//! `cargo build -p edma-firmware-example --target thumbv7em-none-eabihf`.
//! On a hosted target the same `drive` function runs against plain memory
//! standing in for the register block (nothing executes the LL there; it
//! shows the calls and that they stay allocation-free).
#![cfg_attr(target_os = "none", no_std, no_main)]

use edma_backend_mmio::{LlKind, MmioLl, MmioRegs};
use edma_core::channel::{Channel, ChannelConfig, Controller};
use edma_core::desc::Element;
use edma_core::io::{LlMemory, RegisterIo};
use edma_core::plan::Entry;
use edma_core::{ChannelDir, Deployment, MapFormat};

/// Reads a wrapping MHI ring (tail then head) from host memory into one
/// local buffer with a single doorbell, then waits for its completion.
///
/// # Safety
///
/// `regs` must map the engine's register block (`regs_len` bytes) and `ll`
/// an 8-aligned LL region of `ll_slots` slots that the engine sees at
/// `ll_bus`; both exclusively ours for the duration.
pub unsafe fn drive(
    regs: *mut u8,
    regs_len: usize,
    ll: *mut u8,
    ll_slots: usize,
    ll_bus: u64,
    spin_limit: u32,
) -> Option<u64> {
    // SAFETY: forwarded from this function's contract.
    let regs = unsafe { MmioRegs::new(regs, regs_len) };
    // SAFETY: forwarded from this function's contract.
    let ll = unsafe { MmioLl::new(ll, ll_slots, ll_bus, LlKind::Ram) };
    // Host ring of 256 x 16-byte elements at PCI 0x8_0000_0000: read
    // elements 250..256 and 0..4 into local 0x2000_0000. (Declared before
    // the channel: a channel dropped mid-batch stops the engine, and the
    // batch must outlive that.)
    let ring = 0x8_0000_0000u64;
    let batch = [
        Entry::new(ring + 250 * 16, 0x2000_0000, 96),
        Entry::new(ring, 0x2000_0060, 64),
    ];
    let ctrl = Controller::new(regs, MapFormat::EdmaUnroll, Deployment::Local);
    let mut ch = Channel::new(
        ctrl.claim(ChannelConfig::new(ChannelDir::Read, 0)).ok()?,
        ll,
    );
    ch.submit(&ctrl, &batch).ok()?;
    // Poll instead of taking the interrupt, for the example.
    for _ in 0..spin_limit {
        if let Some(done) = ch.on_interrupt(&ctrl).completion() {
            return Some(done.residue);
        }
    }
    None
}

/// The LL-write + doorbell path on its own, for `scripts/check-barriers.sh`,
/// which disassembles this symbol for aarch64 and riscv64 and checks the
/// barriers: the slot's control word after its payload, the LL ordered (and,
/// behind a BAR, read back and completed) before the doorbell store.
#[inline(never)]
#[unsafe(no_mangle)]
pub fn edma_probe_ll_doorbell(regs: &MmioRegs, ll: &mut MmioLl, element: &Element) {
    ll.write(0, element);
    ll.sync();
    // The eDMA v0 write doorbell, channel 0.
    regs.write32(0x10, 0);
}

#[cfg(target_os = "none")]
/// The firmware entry point the SoC start-up code jumps to.
#[unsafe(no_mangle)]
pub extern "C" fn firmware_main() -> ! {
    // Keep the barrier probe in the image.
    core::hint::black_box(edma_probe_ll_doorbell as fn(&MmioRegs, &mut MmioLl, &Element));
    // Example addresses of an endpoint SoC: DBI + 0x80000 for the unrolled
    // eDMA, LL in on-chip RAM.
    // SAFETY: on the example SoC these windows are the eDMA registers and
    // reserved RAM, owned by this firmware.
    let _ = unsafe {
        drive(
            0x5008_0000 as *mut u8,
            0x1200,
            0x2100_0000 as *mut u8,
            64,
            0x2100_0000,
            1_000_000,
        )
    };
    loop {}
}

#[cfg(target_os = "none")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

#[cfg(not(target_os = "none"))]
fn main() {
    let mut regs = vec![0u32; 0x1200 / 4];
    let mut ll = vec![0u64; 64 * 3];
    // SAFETY: both buffers outlive the call, are aligned and are ours.
    let r = unsafe {
        drive(
            regs.as_mut_ptr().cast(),
            0x1200,
            ll.as_mut_ptr().cast(),
            64,
            0x2100_0000,
            10,
        )
    };
    // Plain memory never raises an interrupt: no completion.
    let ch0_rd = (0x200 + 0x100) / 4;
    println!(
        "read engine enable = {}, CH_CONTROL1 = {:#x}, LLP = {:#x}, completion = {r:?}",
        regs[0x2c / 4],
        regs[ch0_rd],
        regs[ch0_rd + 0x1c / 4]
    );
}
