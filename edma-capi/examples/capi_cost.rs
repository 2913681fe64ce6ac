//! The C ABI's cost beside the Rust API's, for instruction counting under
//! callgrind (`scripts/instructions.sh --capi-check 5`).
//!
//! Usage: `capi_cost batch|ring rust|c N REPS`. Each round submits a batch
//! of N entries (`Channel::submit` / `edma_channel_submit`) or appends N
//! entries to a ring (`Ring::append` / `edma_ring_append`); the script
//! counts only that call (`--toggle-collect` on `*rust_round*` or on the
//! `edma_*` function). Both sides use the same mock engine (manual mode: a
//! doorbell only starts the channel, so the engine's work is done outside
//! the counted call), the same LL page in its local memory written by the
//! same volatile stores (`MmioLl` in RAM), and the same entries; the C
//! side reaches the registers through `edma_reg_ops` callbacks, the Rust
//! side through `&MockEngine`.

use core::ffi::c_void;

use edma_backend_mmio::{LlKind, MmioLl};
use edma_capi::mock::*;
use edma_capi::*;
use edma_core::ring::{Appended, Notify, Ring};
use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};

const SLOTS: usize = 170;

fn entries(n: u64) -> Vec<edma_entry> {
    (0..n)
        .map(|i| edma_entry {
            src: (i * 8192) % 0x20_0000 + (i * 37) % 512,
            dst: 0x10_0000 + (i * 8192) % 0x20_0000,
            len: 64 + (i * 997) % 4033,
        })
        .collect()
}

#[inline(never)]
fn rust_round_batch<L: edma_core::LlMemory>(
    ch: &mut Channel<'static, 'static, L>,
    ctrl: &'static Controller<&'static edma_backend_mock::MockEngine>,
    e: &'static [Entry],
) {
    ch.submit(ctrl, e).unwrap();
}

#[inline(never)]
fn rust_round_ring<L: edma_core::LlMemory>(
    ring: &mut Ring<'static, L, edma_core::Identity, 256>,
    e: &[Entry],
) -> Appended {
    ring.append(e, Notify::End).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("batch");
    let side = args.get(2).map(String::as_str).unwrap_or("rust");
    let n: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(64);
    let reps: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(20);
    let map = MapFormat::EdmaUnroll;
    let mock = edma_mock_new(map.raw(), EDMA_MOCK_MANUAL);
    // SAFETY: `mock` is live for the whole program (never freed).
    let m: &'static edma_mock = unsafe { &*mock };
    let dir = ChannelDir::Write;
    let mut ll = edma_ll::NONE;
    // SAFETY: a live engine, a valid out-pointer.
    assert!(unsafe { edma_mock_ll_ram(mock, EDMA_DIR_WRITE, 0, SLOTS, &mut ll) });
    let e: &'static [edma_entry] = Vec::leak(entries(n));
    // SAFETY: same layout (asserted in edma-capi).
    let re: &'static [Entry] = unsafe { core::slice::from_raw_parts(e.as_ptr().cast(), e.len()) };
    let step = |done: &mut dyn FnMut()| {
        // SAFETY: a live engine.
        unsafe { edma_mock_step(mock, EDMA_DIR_WRITE, 0, u64::MAX) };
        done();
    };
    match (what, side) {
        ("batch", "rust") | ("ring", "rust") => {
            let engine: &'static edma_backend_mock::MockEngine = m.engine();
            let ctrl: &'static Controller<_> =
                Box::leak(Box::new(Controller::new(engine, map, Deployment::Local)));
            let claim = ctrl.claim(ChannelConfig::new(dir, 0)).unwrap();
            // SAFETY: the LL page in the mock's local memory, 8-aligned,
            // `SLOTS` slots, used only through this region.
            let region = unsafe { MmioLl::new(ll.base.cast(), SLOTS, ll.bus, LlKind::Ram) };
            if what == "batch" {
                let mut ch = Channel::new(claim, region);
                for _ in 0..reps {
                    rust_round_batch(&mut ch, ctrl, re);
                    step(&mut || assert!(ch.on_interrupt(ctrl).completion().unwrap().is_success()));
                }
            } else {
                let mut ring: Ring<'static, _, _, 256> =
                    Ring::new(ctrl, claim, region).map_err(|e| e.0).unwrap();
                for _ in 0..reps {
                    let a = rust_round_ring(&mut ring, re);
                    ring.submit(ctrl).unwrap();
                    step(&mut || {
                        assert_eq!(ring.on_interrupt(ctrl).unwrap().completed, a.entries as u64)
                    });
                }
            }
        }
        (_, "c") => {
            let mut ops = edma_reg_ops {
                read32: None,
                write32: None,
            };
            let ctrl: &'static mut edma_controller = Box::leak(Box::new(edma_controller::ZEROED));
            let cfg = edma_channel_config {
                dir: EDMA_DIR_WRITE,
                index: 0,
                limits: edma_limits_default(),
            };
            let mut err = edma_error::NONE;
            // SAFETY: every pointer is valid and the storage stays put
            // (leaked boxes) for the whole program.
            unsafe {
                edma_mock_reg_ops(mock, &mut ops);
                assert_eq!(
                    edma_controller_init_callbacks(
                        ctrl,
                        map.raw(),
                        EDMA_DEPLOYMENT_LOCAL,
                        &ops,
                        mock.cast::<c_void>()
                    ),
                    edma_status::EDMA_OK
                );
                if what == "batch" {
                    let ch: &'static mut edma_channel = Box::leak(Box::new(edma_channel::ZEROED));
                    assert_eq!(
                        edma_channel_init(ch, ctrl, &cfg, &ll, core::ptr::null(), &mut err),
                        edma_status::EDMA_OK
                    );
                    for _ in 0..reps {
                        assert_eq!(
                            edma_channel_submit(
                                ch,
                                e.as_ptr(),
                                e.len(),
                                core::ptr::null_mut(),
                                &mut err
                            ),
                            edma_status::EDMA_OK
                        );
                        step(&mut || {
                            let mut o = edma_outcome::NONE;
                            edma_channel_on_interrupt(ch, &mut o);
                            assert_eq!(o.kind, EDMA_OUTCOME_COMPLETE);
                        });
                    }
                } else {
                    let ring: &'static mut edma_ring = Box::leak(Box::new(edma_ring::ZEROED));
                    assert_eq!(
                        edma_ring_init(ring, ctrl, &cfg, &ll, core::ptr::null(), &mut err),
                        edma_status::EDMA_OK
                    );
                    for _ in 0..reps {
                        let mut a = edma_appended::default();
                        assert_eq!(
                            edma_ring_append(
                                ring,
                                e.as_ptr(),
                                e.len(),
                                EDMA_NOTIFY_END,
                                &mut a,
                                &mut err
                            ),
                            edma_status::EDMA_OK
                        );
                        assert_eq!(edma_ring_submit(ring, &mut err), edma_status::EDMA_OK);
                        let ring_ptr: *mut edma_ring = ring;
                        step(&mut || {
                            let mut c = edma_ring_completed::NONE;
                            edma_ring_on_interrupt(ring_ptr, &mut c);
                            assert_eq!(c.completed, a.entries);
                        });
                    }
                }
            }
        }
        _ => panic!("usage: capi_cost batch|ring rust|c N REPS"),
    }
}
