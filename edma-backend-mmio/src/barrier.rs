//! The barriers the engine needs, per architecture, as Linux issues them.
//!
//! The engine is an **outer-shareable** observer of memory: it is not part
//! of the CPU's inner-shareable domain, so `core::sync::atomic::fence`
//! (`dmb ish` on aarch64, `fence rw,rw` on RISC-V) does not order the CPU's
//! accesses as the engine sees them. Linux's MMIO accessors use:
//!
//! | Linux | meaning | aarch64 | riscv64 | x86_64 |
//! |-------|---------|---------|---------|--------|
//! | `__iowmb()` in `writel` | earlier stores (LL, data buffers) before the register store | `dmb oshst` | `fence w,o` | compiler barrier (UC stores are ordered) |
//! | `__iormb()` in `readl` | the register/LL read completes before later accesses | `dmb oshld` | `fence i,r` | compiler barrier |
//! | `dma_wmb()` | earlier stores to memory the device reads, before later stores | `dmb oshst` | `fence w,w` (we use `fence w,o`, which also orders device output) | `sfence` here: an LL in a write-combining mapping (a BAR mapped `_wc`) needs it; a no-op cost for WB/UC |
//!
//! [`MmioRegs`](crate::MmioRegs) puts [`before_register_write`] before each
//! register store and [`after_register_read`] after each register load (the
//! `writel`/`readl` contract); [`MmioLl`](crate::MmioLl) puts
//! [`device_wmb`] between a slot's payload and its control word and in
//! `sync`, then, for an LL behind a BAR, reads slot 0 back and
//! [`after_register_read`] — so the doorbell store cannot overtake the
//! read-back. `scripts/check-barriers.sh` disassembles that path for
//! aarch64 and riscv64 and checks the instructions and their order (CI).
//!
//! Every `asm!` here is a single barrier instruction: it touches no Rust
//! memory and no registers. It is deliberately *not* marked `nomem`, so the
//! compiler also keeps memory accesses on their side of it.

/// Orders every earlier store before the register store that follows, as
/// the engine observes them (Linux `__iowmb()`).
///
/// ```
/// use edma_backend_mmio::barrier;
/// // A hand-written doorbell store, ordered after the LL stores before it
/// // (what `MmioRegs::write32` does on every write).
/// let mut ll_slot = [0u64; 3];
/// let mut doorbell = 0u32;
/// ll_slot[0] = 0x1; // the element's control word
/// barrier::before_register_write();
/// doorbell = doorbell | 1;
/// assert_eq!((ll_slot[0], doorbell), (1, 1));
/// ```
#[inline(always)]
pub fn before_register_write() {
    #[cfg(target_arch = "aarch64")]
    // SAFETY: a barrier instruction only (see the module documentation).
    unsafe {
        core::arch::asm!("dmb oshst", options(nostack, preserves_flags))
    }
    #[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
    // SAFETY: a barrier instruction only.
    unsafe {
        core::arch::asm!("fence w,o", options(nostack, preserves_flags))
    }
    #[cfg(target_arch = "arm")]
    // SAFETY: a barrier instruction only (ARMv7-M has the full-system DMB only).
    unsafe {
        core::arch::asm!("dmb sy", options(nostack, preserves_flags))
    }
    #[cfg(not(any(
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "riscv32",
        target_arch = "arm"
    )))]
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
}

/// Makes the register (or LL) read just made complete before any later
/// access (Linux `__iormb()`).
///
/// ```
/// use edma_backend_mmio::barrier;
/// let status = 0x60u32; // a register value just read
/// barrier::after_register_read(); // later loads of DMA'd data see the data the status announced
/// assert_eq!((status >> 5) & 3, 3);
/// ```
#[inline(always)]
pub fn after_register_read() {
    #[cfg(target_arch = "aarch64")]
    // SAFETY: a barrier instruction only.
    unsafe {
        core::arch::asm!("dmb oshld", options(nostack, preserves_flags))
    }
    #[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
    // SAFETY: a barrier instruction only.
    unsafe {
        core::arch::asm!("fence i,r", options(nostack, preserves_flags))
    }
    #[cfg(target_arch = "arm")]
    // SAFETY: a barrier instruction only.
    unsafe {
        core::arch::asm!("dmb sy", options(nostack, preserves_flags))
    }
    #[cfg(not(any(
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "riscv32",
        target_arch = "arm"
    )))]
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
}

/// Orders earlier stores to memory the engine reads (LL slots, data) before
/// later stores, including write-combined ones (Linux `dma_wmb()`, plus
/// `sfence` on x86_64 for LL regions in write-combining mappings).
///
/// ```
/// use edma_backend_mmio::barrier;
/// let mut slot = [0u64; 3];
/// slot[1] = 0x1000; // SAR
/// slot[2] = 0x2000; // DAR
/// barrier::device_wmb(); // the addresses before the control word
/// slot[0] = 64 << 32 | 1;
/// assert_eq!(slot[0] & 1, 1);
/// ```
#[inline(always)]
pub fn device_wmb() {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: a barrier instruction only.
    unsafe {
        core::arch::asm!("sfence", options(nostack, preserves_flags))
    }
    // Miri runs no inline assembly; a sequentially consistent fence is its
    // closest model.
    #[cfg(all(target_arch = "x86_64", miri))]
    core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
    #[cfg(not(target_arch = "x86_64"))]
    before_register_write();
}
