//! The dw_edma_rs provider (`linux/`) against Linux: its recordings of the
//! `conformance/` scenarios, made in a Linux 7.3 kernel in its
//! Linux-compatible mode, compared step by step with the unmodified Linux
//! 7.2 driver's (register writes in order with their values, reads Linux
//! made or listed, LL images), with the D list of `linux_oracle.rs` and the
//! provider's P1–P3; and its ring-mode recordings compared access for
//! access with the crate's own ring driven the same way. Our driver itself
//! is compared access for access in `linux_oracle.rs`. Offsets here are
//! literal numbers from the recordings and Linux's register headers, never
//! `edma_core::regs`.

#[path = "support/traces.rs"]
mod traces;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Mutex;

use edma_core::channel::{ChannelConfig, Controller};
use edma_core::desc::Element;
use edma_core::io::{LlMemory, RegisterIo};
use edma_core::{ChannelDir, MapFormat};
use traces::{Access, Space, Trace, lit};

// The deliberate differences D1–D11 are listed (with their positions) and
// checked access for access in `linux_oracle.rs`; this file compares the
// provider's recordings, with the additional P1–P3.

/// A register file of plain memory that records every access.
#[derive(Default)]
struct Plain {
    mem: Mutex<BTreeMap<usize, u32>>,
    log: Mutex<Vec<Access>>,
}

impl RegisterIo for Plain {
    fn read32(&self, offset: usize) -> u32 {
        let v = *self.mem.lock().unwrap().get(&offset).unwrap_or(&0);
        self.log.lock().unwrap().push(Access {
            write: false,
            width: 32,
            space: Space::Reg,
            off: offset as u64,
            val: u64::from(v),
        });
        v
    }
    fn write32(&self, offset: usize, value: u32) {
        self.log.lock().unwrap().push(Access {
            write: true,
            width: 32,
            space: Space::Reg,
            off: offset as u64,
            val: u64::from(value),
        });
        self.mem.lock().unwrap().insert(offset, value);
    }
}

impl Plain {
    fn poke(&self, off: usize, f: impl FnOnce(u32) -> u32) {
        let mut m = self.mem.lock().unwrap();
        let v = f(*m.get(&off).unwrap_or(&0));
        m.insert(off, v);
    }
    fn take(&self) -> Vec<Access> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

/// The LL region as bytes (zeroed like Linux's kzalloc'd region).
struct Image {
    bus: u64,
    slots: RefCell<Vec<[u8; 24]>>,
}

impl LlMemory for &Image {
    fn bus_addr(&self) -> u64 {
        self.bus
    }
    fn capacity(&self) -> usize {
        self.slots.borrow().len()
    }
    fn write(&mut self, index: usize, element: &Element) {
        self.slots.borrow_mut()[index] = element.encode();
    }
}

/// The register file preset as the recording harness preset it (CTRL of
/// the eDMA maps, the value Linux read) and the zeroed LL region.
fn rig(t: &Trace) -> (Plain, Image) {
    let regs = Plain::default();
    if let Some(v) = traces::preset_ctrl(t) {
        regs.poke(0x8, |_| v);
    }
    let image = Image {
        bus: t.ll_bus,
        slots: RefCell::new(vec![[0u8; 24]; t.slots]),
    };
    (regs, image)
}

/// Where the dw_edma_rs provider (linux/), recorded in a Linux 7.3 kernel
/// in its Linux-compatible mode, does more than the driver run above on
/// the same scenario: (id, what, why). Everything else of
/// the D list (`linux_oracle.rs`) applies to it as to the driver.
pub const PROVIDER_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "P1",
        "get: the provider claims the hardware channel when a client requests it, reading CTRL on eDMA maps",
        "Controller::claim checks that the channel exists; dw-edma has every channel set up from probe",
    ),
    (
        "P2",
        "interrupt: the provider's handler reads the pending status of both directions",
        "one handler serves the engine's shared line and routes with Controller::pending; dw-edma has one handler per direction",
    ),
    (
        "P3",
        "terminate: the provider drops the terminated descriptor, so its cookie does not complete",
        "dmaengine's terminate semantics: no callback, no completion for a terminated descriptor; dw-edma completes it when the running chunk's done interrupt arrives",
    ),
    (
        "P4",
        "remote scenarios: the provider's LL region is kernel memory, so its LL stores are not in the access log",
        "the KUnit harness gives the provider ordinary memory as the LL region; its bytes are compared as images, the stores' order and widths by the driver's oracle",
    ),
];

/// The provider's ring mode (its default) against the crate's own ring:
/// the crate's `Ring` is driven here exactly as the provider drives it —
/// the same calls at the same steps (claim and `Ring::new` when the client
/// gets the channel, `append_some` of the descriptor's entries until the
/// ring is full and one doorbell when the engine is idle, the pending masks
/// of both directions then `on_interrupt` and more appends in the handler,
/// `terminate` and `release` when the channel is released) — over a
/// plain-memory register file poked as the kernel harness poked the
/// provider's, and every step's register accesses (reads and writes, in
/// order, with their values) and the LL region must be the recording's.
fn compare_provider_ring(t: &Trace) {
    use edma_core::ring::{Notify, Ring, RingError};
    let ctx = &t.file;
    let (regs, image) = rig(t);
    let l = lit(t.map, t.dir, t.ch);
    let ctrl = Controller::new(&regs, t.map, t.deployment);
    let mut ring: Option<Ring<'_, &Image, edma_core::Identity, 256>> = None;
    let (mut appended, mut unrung) = (0usize, false);
    /// The provider's rs_feed_ring for one descriptor.
    fn feed<'c>(
        ring: &mut Ring<'c, &Image, edma_core::Identity, 256>,
        ctrl: &'c Controller<&Plain>,
        entries: &[edma_core::Entry],
        appended: &mut usize,
        unrung: &mut bool,
    ) {
        let busy = ring.queued() > 0;
        let mut any = false;
        while *appended < entries.len() {
            match ring.append_some(&entries[*appended..], Notify::End) {
                Ok(a) => {
                    *appended += a.entries;
                    any = true;
                }
                Err(RingError::Full { .. }) => break,
                Err(e) => panic!("{e}"),
            }
        }
        if any && busy {
            *unrung = true;
            return;
        }
        if any || *unrung {
            ring.submit(ctrl).unwrap();
        }
        *unrung = false;
    }
    let reg_accesses = |a: &[Access]| -> Vec<(bool, u8, u64, u64)> {
        a.iter()
            .filter(|a| a.space == Space::Reg)
            .map(|a| (a.write, a.width, a.off, a.val))
            .collect()
    };
    for step in &t.steps {
        let r = ring.as_mut();
        match step.name.as_str() {
            "probe" => {
                ctrl.channel_counts();
                ctrl.off();
            }
            "msi" => {
                let (addr, data) = t.msi.expect("msi line");
                ctrl.configure_remote_interrupt(t.dir, t.ch, addr, data);
            }
            "get" => {
                let claim = ctrl.claim(ChannelConfig::new(t.dir, t.ch)).unwrap();
                ring = Some(Ring::new(&ctrl, claim, &image).map_err(|e| e.0).unwrap());
            }
            "prep" => assert_eq!(r.unwrap().check(&t.entries).map(|_| ()), Ok(()), "{ctx}"),
            "issue" => feed(r.unwrap(), &ctrl, &t.entries, &mut appended, &mut unrung),
            "irq-done" => {
                let ring = r.unwrap();
                let bit = if t.map == MapFormat::HdmaNative {
                    1
                } else {
                    1 << t.ch
                };
                if t.kind != "terminate" {
                    // The engine ran everything appended and stopped.
                    let llp = t.ll_bus + (ring.next_index() % (t.slots as u64 - 1)) * 24;
                    regs.poke(l.llp as usize, |_| llp as u32);
                    regs.poke(l.llp as usize + 4, |_| (llp >> 32) as u32);
                    regs.poke(l.size as usize, |_| 0);
                    if t.map == MapFormat::HdmaNative {
                        regs.poke(l.status as usize, |_| 3);
                    } else {
                        regs.poke(l.status as usize, |v| v | 0x60);
                    }
                }
                regs.poke(l.int_status as usize, |v| v | bit);
                // The provider's handler: both directions' pending masks,
                // then the channel whose bit is set.
                let pending = [
                    ctrl.pending(ChannelDir::Write),
                    ctrl.pending(ChannelDir::Read),
                ];
                if pending[t.dir.index()] & (1 << t.ch) != 0 && ring.on_interrupt(&ctrl).is_some() {
                    feed(ring, &ctrl, &t.entries, &mut appended, &mut unrung);
                }
                regs.poke(l.int_status as usize, |v| v & !bit);
            }
            "terminate" => {
                let _ = r.unwrap().terminate(&ctrl);
                // The provider drops the descriptor: nothing more to append.
                appended = t.entries.len();
            }
            "release" => {
                let mut ring = ring.take().unwrap();
                let _ = ring.terminate(&ctrl);
                ring.release(&ctrl)
                    .unwrap_or_else(|_| panic!("{ctx}: release"));
            }
            "remove" => ctrl.off(),
            _ => {}
        }
        assert_eq!(
            reg_accesses(&regs.take()),
            reg_accesses(&step.accesses),
            "{ctx} step {}: register accesses (write, width, offset, value) in order",
            step.name
        );
        if !step.ll.is_empty() {
            let ours = image.slots.borrow();
            for &(slot, bytes) in &step.ll {
                assert_eq!(ours[slot], bytes, "{ctx} step {} LL slot {slot}", step.name);
            }
        }
    }
    let want = if t.kind == "terminate" { 1 } else { 0 };
    assert_eq!(t.result, want, "{ctx}: the client's result (0: complete)");
}

#[test]
// Safe code reading 77 trace files: beyond Miri's time budget for nothing
// Miri could find (edma-core has no unsafe); cargo test runs it.
#[cfg_attr(miri, ignore)]
fn provider_ring_matches_crate_ring() {
    let all = traces::provider_ring();
    assert_eq!(all.len(), 36, "every ring-mode recording");
    for t in &all {
        compare_provider_ring(t);
    }
}

#[test]
fn provider_differences_are_listed_once() {
    let mut ids: Vec<_> = PROVIDER_DIFFERENCES.iter().map(|d| d.0).collect();
    ids.dedup();
    assert_eq!(ids.len(), PROVIDER_DIFFERENCES.len());
    let readme = include_str!("../../conformance/README.md");
    for (id, what, _) in PROVIDER_DIFFERENCES {
        assert!(
            readme.contains(&format!("| {id} | {what} |")),
            "{id} in conformance/README.md"
        );
    }
}
