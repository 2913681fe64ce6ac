//! `edma-capi`: the C ABI of the edma driver.
//!
//! C firmware, C userspace tools and kernel glue drive the same batch
//! planner, channel and ring as Rust callers through the functions of this
//! crate and the header generated from it, `edma-capi/include/edma.h`
//! (cbindgen; CI fails when regenerating it changes anything).
//!
//! * **Handles live in the caller's storage.** [`edma_controller`],
//!   [`edma_channel`] and [`edma_ring`] are opaque structs of a fixed size
//!   and alignment (`EDMA_*_SIZE`, 8-byte aligned), checked at compile time
//!   on both sides; the crate never allocates and keeps no global state.
//! * **Every call returns an [`edma_status`]**; the values an error carries
//!   (the entry index, the invalid field, free/fits of a full ring) come
//!   back in an [`edma_error`]. A null, misaligned, moved, uninitialised or
//!   released handle is refused with a status wherever that can be detected.
//! * **No panic crosses the boundary**: the static library is built with
//!   `panic = "abort"` (profile `capi`), edma-core has no panicking path,
//!   and freestanding builds get a `#[panic_handler]` that calls the
//!   embedder's `edma_panic()` (feature `panic-handler`).
//!
//! The contract (what each pointer must point to and for how long, which
//! calls may run concurrently) is in the header, above each function, and
//! in `docs/guides/c.md` with the C example and the build recipes.
//!
//! # Example (the C calls, from Rust; runs with feature `mock`)
//!
#![cfg_attr(feature = "mock", doc = "```")]
#![cfg_attr(not(feature = "mock"), doc = "```ignore")]
//! use edma_capi::*;
//! use edma_capi::mock::*;
//! let mock = edma_mock_new(EDMA_MAP_EDMA_UNROLL, EDMA_MOCK_RUN_ON_DOORBELL);
//! let mut ops = edma_reg_ops { read32: None, write32: None };
//! // SAFETY: `mock` is live until edma_mock_free, the out-pointers are valid.
//! unsafe {
//!     edma_mock_reg_ops(mock, &mut ops);
//!     let mut ctrl = edma_controller::ZEROED;
//!     assert_eq!(edma_controller_init_callbacks(&mut ctrl, EDMA_MAP_EDMA_UNROLL, EDMA_DEPLOYMENT_LOCAL, &ops, mock.cast()), edma_status::EDMA_OK);
//!     let mut ll = edma_ll::NONE;
//!     edma_mock_ll_ram(mock, EDMA_DIR_WRITE, 0, 16, &mut ll);
//!     let cfg = edma_channel_config { dir: EDMA_DIR_WRITE, index: 0, limits: edma_limits_default() };
//!     let mut ch = edma_channel::ZEROED;
//!     let mut err = edma_error::NONE;
//!     assert_eq!(edma_channel_init(&mut ch, &ctrl, &cfg, &ll, core::ptr::null(), &mut err), edma_status::EDMA_OK);
//!     edma_mock_local_write(mock, 0x1000, b"hello, host".as_ptr(), 11);
//!     let batch = [edma_entry { src: 0x1000, dst: 0x8000, len: 11 }];
//!     assert_eq!(edma_channel_submit(&mut ch, batch.as_ptr(), 1, core::ptr::null_mut(), &mut err), edma_status::EDMA_OK);
//!     let mut out = edma_outcome::NONE;
//!     assert_eq!(edma_channel_on_interrupt(&mut ch, &mut out), edma_status::EDMA_OK);
//!     assert_eq!(out.kind, EDMA_OUTCOME_COMPLETE);
//!     assert_eq!((out.completion.status, out.completion.residue), (EDMA_BATCH_DONE, 0));
//!     let mut moved = [0u8; 11];
//!     edma_mock_pci_read(mock, 0x8000, moved.as_mut_ptr(), 11);
//!     assert_eq!(&moved, b"hello, host");
//!     assert_eq!(edma_channel_release(&mut ch, &mut err), edma_status::EDMA_OK);
//!     assert_eq!(edma_channel_release(&mut ch, &mut err), edma_status::EDMA_ERR_RELEASED);
//!     assert_eq!(edma_controller_deinit(&mut ctrl), edma_status::EDMA_OK);
//!     edma_mock_free(mock);
//! }
//! ```
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
// The exported names are C names (`edma_channel`, `EDMA_OK`): the header is
// generated from them, and C callers read them as they are.
#![allow(non_camel_case_types)]
#![cfg_attr(
    not(test),
    deny(
        clippy::panic,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing
    )
)]

#[cfg(feature = "std")]
extern crate std;

mod channel;
mod controller;
mod handle;
mod io;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
mod ring;
mod types;

pub use channel::*;
pub use controller::*;
pub use handle::{
    EDMA_CHANNEL_SIZE, EDMA_CHANNEL_WORDS, EDMA_CONTROLLER_SIZE, EDMA_CONTROLLER_WORDS,
    EDMA_HANDLE_ALIGN, EDMA_RING_SIZE, EDMA_RING_WORDS,
};
pub use handle::{edma_channel, edma_controller, edma_ring};
pub use io::*;
pub use ring::*;
pub use types::*;

/// Major version of the C ABI. It changes when a change can break a
/// program compiled against an older header: a function removed or its
/// signature changed, a struct's fields changed, a handle size grown, a
/// constant's value changed. See `docs/guides/c.md` ("ABI version").
pub const EDMA_ABI_VERSION_MAJOR: u32 = 1;
/// Minor version of the C ABI: additions only (new functions, new status
/// codes, new constants) that programs built against an older header
/// never see.
pub const EDMA_ABI_VERSION_MINOR: u32 = 1;
/// `(major << 16) | minor`, as [`edma_abi_version`] returns it.
pub const EDMA_ABI_VERSION: u32 = (EDMA_ABI_VERSION_MAJOR << 16) | EDMA_ABI_VERSION_MINOR;

/// The ABI version of the library linked in, `(major << 16) | minor`.
///
/// Compare with the header's `EDMA_ABI_VERSION` at start-up: the majors
/// must be equal and the library's minor at least the header's.
///
/// ```
/// assert_eq!(edma_capi::edma_abi_version() >> 16, edma_capi::EDMA_ABI_VERSION_MAJOR);
/// ```
#[unsafe(no_mangle)]
pub extern "C" fn edma_abi_version() -> u32 {
    EDMA_ABI_VERSION
}

#[cfg(all(feature = "panic-handler", not(feature = "std"), not(test)))]
mod panic_handler {
    unsafe extern "C" {
        /// Provided by the embedder (a kernel module: `panic()`/`BUG()`;
        /// firmware: its fault handler). Must not return.
        fn edma_panic(file: *const u8, file_len: usize, line: u32) -> !;
    }

    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
        let (file, line) = info.location().map_or(("", 0), |l| (l.file(), l.line()));
        // SAFETY: `edma_panic` is the embedder's documented hook; the file
        // name is valid for `file.len()` bytes for the duration of the call.
        unsafe { edma_panic(file.as_ptr(), file.len(), line) }
    }
}
