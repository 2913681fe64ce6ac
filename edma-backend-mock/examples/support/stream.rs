//! The demo's continuous workload: NVMe-style reads (the endpoint writes
//! each request's data to host memory: a write channel) arriving like an
//! NVMe queue at depth 1 and 32 — a closed loop, each completion lets the
//! host issue the next request — moved three ways:
//!
//! * `one-by-one`: one request per transaction (a doorbell and an interrupt
//!   each), as endpoint drivers do today;
//! * `batched`: whatever has arrived is submitted as one batch when the
//!   channel is idle (today's `Channel`, which stops between batches);
//! * `ring`: each request appended to a running ring as it arrives
//!   (`Ring::push`), the engine never stopped while work is queued;
//! * `ring-mod16`: the ring with interrupt moderation: whatever has
//!   arrived is appended at once with `Notify::Every(16)` (the stream's
//!   last request with `Notify::End`, as the policy asks of a producer
//!   that goes idle).
//!
//! The mock executes every element (every byte is verified at completion)
//! and its [`TimeModel`] charges the time: elements (fetch and data),
//! doorbell-to-start on a stopped engine, interrupt-to-handler. Driver CPU
//! time is not modeled (see `TimeModel`).

use edma_backend_mock::{ExecMode, MockConfig, MockEngine, TimeModel};
use edma_core::channel::{Channel, ChannelConfig, Controller, Outcome};
use edma_core::plan::{Entry, Limits};
use edma_core::ring::{Notify, Ring, RingError};
use edma_core::{ChannelDir, Deployment, MapFormat};

/// Buffer slots per side (a request uses slot `i % SLOTS`): more than the
/// deepest queue, so a slot is never reused while in flight.
const SLOTS: u64 = 64;
const GUARD: u8 = 0x5a;
const LL_SLOTS: usize = 4096 / 24;

/// How requests are handed to the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    OneByOne,
    Batched,
    Ring,
    RingModerated,
}

/// `k` of the moderated ring's `Notify::Every(k)`.
pub(crate) const MODERATION: u16 = 16;

impl Method {
    pub(crate) const ALL: [Method; 4] = [
        Method::OneByOne,
        Method::Batched,
        Method::Ring,
        Method::RingModerated,
    ];
    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::OneByOne => "one-by-one",
            Method::Batched => "batched",
            Method::Ring => "ring",
            Method::RingModerated => "ring-mod16",
        }
    }
}

/// One run's results.
#[derive(Clone, Debug)]
pub(crate) struct StreamRow {
    pub(crate) map: MapFormat,
    pub(crate) request_bytes: u64,
    pub(crate) queue_depth: u64,
    pub(crate) method: Method,
    pub(crate) requests: u64,
    /// Modeled bytes per ns (= GB/s): all bytes over the time until the
    /// last byte moved (the report that follows is in `report_ns_*`).
    pub(crate) gb_per_s: f64,
    /// Share of the modeled time the engine moved nothing.
    pub(crate) engine_idle: f64,
    pub(crate) doorbells: u64,
    pub(crate) irqs: u64,
    pub(crate) reg_writes_per_request: f64,
    /// Modeled time from a request's last byte moved to the interrupt
    /// handler that reports it: mean and maximum, ns.
    pub(crate) report_ns_mean: f64,
    pub(crate) report_ns_max: f64,
    pub(crate) verified: bool,
}

fn pattern(slot: u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (slot as u8).wrapping_mul(31) ^ (i as u8).wrapping_mul(7) ^ 0x11)
        .collect()
}

struct Host<'e> {
    engine: &'e MockEngine,
    size: u64,
    issued: u64,
    total: u64,
    /// Requests completed, in order (the ring and the channel complete in order).
    completed: u64,
    verified: bool,
}

impl Host<'_> {
    fn entry(&self, i: u64) -> Entry {
        let slot = i % SLOTS;
        Entry::new(
            0x10_0000 + slot * self.size,
            0x10_0000 + slot * self.size,
            self.size,
        )
    }
    /// Issues request `issued` (its destination reset to guard bytes).
    fn issue(&mut self) -> Option<u64> {
        if self.issued == self.total {
            return None;
        }
        let e = self.entry(self.issued);
        self.engine
            .pci_write(e.dst, &vec![GUARD; self.size as usize]);
        self.issued += 1;
        Some(self.issued - 1)
    }
    /// `n` more requests completed: verify their bytes.
    fn complete(&mut self, n: u64) {
        for _ in 0..n {
            let i = self.completed;
            let e = self.entry(i);
            let got = self.engine.pci_read(e.dst, self.size as usize);
            self.verified &= got == pattern(i % SLOTS, self.size as usize);
            self.completed += 1;
        }
    }
}

/// The modeled clock and the engine's position in it.
struct Clock {
    t: f64,
    model: TimeModel,
    /// When the element the engine runs now ends (None: not running).
    engine_end: Option<f64>,
    /// When the driver handles the pending interrupt.
    irq_at: Option<f64>,
    busy: f64,
    /// Length of the element in flight.
    cur: u64,
    /// When each element executed and not yet reported ended.
    finished: std::collections::VecDeque<f64>,
    /// Elements per request.
    per_request: u64,
    report_sum: f64,
    report_max: f64,
    reported: u64,
    /// When the last element executed ended.
    last_moved: f64,
}

impl Clock {
    /// `n` requests were reported now: their report latency.
    fn reported(&mut self, n: u64) {
        for _ in 0..n {
            let mut end = self.t;
            for _ in 0..self.per_request {
                end = self.finished.pop_front().unwrap_or(self.t);
            }
            let lat = self.t - end;
            self.report_sum += lat;
            self.report_max = self.report_max.max(lat);
            self.reported += 1;
        }
    }
}

impl Clock {
    /// After a driver action: if the engine was stopped and now runs (a
    /// doorbell took), it starts after the doorbell latency.
    fn kick(&mut self, engine: &MockEngine, dir: ChannelDir) {
        if self.engine_end.is_none()
            && let Some(len) = engine.loaded_size(dir, 0)
        {
            self.cur = u64::from(len);
            self.engine_end =
                Some(self.t + self.model.doorbell_to_start_ns + self.model.element_ns(self.cur));
            self.busy += self.model.element_ns(self.cur);
        }
    }
    /// The engine finishes its element: step the mock, schedule the next.
    fn step(&mut self, engine: &MockEngine, dir: ChannelDir) {
        if engine.step(dir, 0, 1) == 1 {
            self.finished.push_back(self.t);
            self.last_moved = self.t;
        }
        self.engine_end = None;
        if engine.irq_pending() && self.irq_at.is_none() {
            self.irq_at = Some(self.t + self.model.irq_to_handler_ns);
        }
        if let Some(len) = engine.loaded_size(dir, 0) {
            self.cur = u64::from(len);
            self.engine_end = Some(self.t + self.model.element_ns(self.cur));
            self.busy += self.model.element_ns(self.cur);
        }
    }
}

/// Runs `total` requests of `size` bytes at queue depth `qd` with `method`.
pub(crate) fn run(
    map: MapFormat,
    size: u64,
    qd: u64,
    total: u64,
    method: Method,
    model: TimeModel,
) -> StreamRow {
    let dir = ChannelDir::Write;
    let mem = (0x10_0000 + SLOTS * size) as usize + (1 << 20);
    let engine = MockEngine::new(
        MockConfig::new(map)
            .with_memory(mem, mem)
            .with_mode(ExecMode::Manual),
    );
    for slot in 0..SLOTS {
        engine.local_write(0x10_0000 + slot * size, &pattern(slot, size as usize));
    }
    let ctrl = Controller::new(&engine, map, Deployment::Local);
    let limits = Limits {
        max_element_len: 64 << 10,
        ..Limits::default()
    };
    let claim = ctrl
        .claim(ChannelConfig::new(dir, 0).with_limits(limits))
        .unwrap();
    let ll = engine.ll_region(dir, 0, LL_SLOTS);
    let mut host = Host {
        engine: &engine,
        size,
        issued: 0,
        total,
        completed: 0,
        verified: true,
    };
    let requests: Vec<Entry> = (0..total).map(|i| host.entry(i)).collect();
    let mut clock = Clock {
        t: 0.0,
        model,
        engine_end: None,
        irq_at: None,
        busy: 0.0,
        cur: 0,
        finished: std::collections::VecDeque::new(),
        per_request: size.div_ceil(limits.max_element_len as u64),
        report_sum: 0.0,
        report_max: 0.0,
        reported: 0,
        last_moved: 0.0,
    };
    // Arrival times of issued requests not yet handed to the driver.
    let mut arrivals: std::collections::VecDeque<f64> = std::collections::VecDeque::new();
    for _ in 0..qd {
        if host.issue().is_some() {
            arrivals.push_back(0.0);
        }
    }
    // Requests the driver holds, not yet given to the engine: [queued, arrived).
    let mut queued = 0u64;
    let mut arrived = 0u64;
    match method {
        Method::Ring | Method::RingModerated => {
            let mut ring: Ring<'_, _, _, LL_SLOTS> =
                Ring::new(&ctrl, claim, ll).map_err(|e| e.0).unwrap();
            loop {
                let next_arrival = arrivals.front().copied();
                let Some(t) = [next_arrival, clock.engine_end, clock.irq_at]
                    .into_iter()
                    .flatten()
                    .reduce(f64::min)
                else {
                    break;
                };
                clock.t = t;
                if clock.engine_end == Some(t) {
                    clock.step(&engine, dir);
                } else if clock.irq_at == Some(t) {
                    clock.irq_at = None;
                    if let Some(c) = ring.on_interrupt(&ctrl) {
                        host.complete(c.completed);
                        clock.reported(c.completed);
                        for _ in 0..c.completed {
                            if host.issue().is_some() {
                                arrivals.push_back(t);
                            }
                        }
                    }
                } else {
                    // One arrival per event; the moderated ring takes every
                    // request arriving now at once.
                    arrivals.pop_front();
                    arrived += 1;
                    while method == Method::RingModerated && arrivals.front() == Some(&t) {
                        arrivals.pop_front();
                        arrived += 1;
                    }
                }
                // Hand over what has arrived, as far as the ring has room:
                // one push per request, or (moderated) all of it at once.
                while queued < arrived {
                    let idx = queued as usize;
                    let (n, notify) = if method == Method::Ring {
                        (1, Notify::End)
                    } else {
                        let n = (arrived - queued) as usize;
                        let last = queued + n as u64 == total;
                        (
                            n,
                            if last {
                                Notify::End
                            } else {
                                Notify::Every(MODERATION)
                            },
                        )
                    };
                    match ring.push(&ctrl, &requests[idx..idx + n], notify) {
                        Ok(a) => queued += a.entries as u64,
                        Err(RingError::Full { .. }) => break,
                        Err(e) => panic!("{e}"),
                    }
                }
                clock.kick(&engine, dir);
            }
        }
        Method::OneByOne | Method::Batched => {
            let mut idle = Some(Channel::new(claim, ll));
            let mut busy: Option<Channel<'_, '_, _>> = None;
            let mut in_batch = 0u64;
            loop {
                let next_arrival = arrivals.front().copied();
                let Some(t) = [next_arrival, clock.engine_end, clock.irq_at]
                    .into_iter()
                    .flatten()
                    .reduce(f64::min)
                else {
                    break;
                };
                clock.t = t;
                if clock.engine_end == Some(t) {
                    clock.step(&engine, dir);
                } else if clock.irq_at == Some(t) {
                    clock.irq_at = None;
                    if let Some(ch) = busy.as_mut() {
                        match ch.on_interrupt(&ctrl) {
                            Outcome::Complete(c) => {
                                assert!(c.is_success());
                                host.complete(in_batch);
                                clock.reported(in_batch);
                                for _ in 0..in_batch {
                                    if host.issue().is_some() {
                                        arrivals.push_back(t);
                                    }
                                }
                                idle = busy.take().and_then(|c| c.rebind().ok());
                            }
                            Outcome::Progress | Outcome::Spurious | Outcome::NotMine => {}
                            other => panic!("{other:?}"),
                        }
                    }
                } else {
                    arrivals.pop_front();
                    arrived += 1;
                }
                if queued < arrived
                    && let Some(ch) = idle.take()
                {
                    let n = if method == Method::OneByOne {
                        1
                    } else {
                        arrived - queued
                    };
                    let batch = &requests[queued as usize..(queued + n) as usize];
                    let mut ch = ch.rebind().ok().unwrap();
                    ch.submit(&ctrl, batch).unwrap();
                    in_batch = n;
                    queued += n;
                    busy = Some(ch);
                }
                clock.kick(&engine, dir);
            }
        }
    }
    assert_eq!(
        host.completed, total,
        "{map:?} {method:?}: every request completed"
    );
    let k = engine.counters().total();
    StreamRow {
        map,
        request_bytes: size,
        queue_depth: qd,
        method,
        requests: total,
        gb_per_s: (total * size) as f64 / clock.last_moved,
        engine_idle: 1.0 - clock.busy / clock.last_moved,
        doorbells: k.doorbells,
        irqs: k.done_local,
        reg_writes_per_request: k.reg_writes as f64 / total as f64,
        report_ns_mean: clock.report_sum / clock.reported.max(1) as f64,
        report_ns_max: clock.report_max,
        verified: host.verified,
    }
}
