//! A simple time model of the engine and its surroundings, for modeled
//! throughput (the demo's continuous workload). The mock itself runs in no
//! time; a simulation that steps it charges these costs to a clock.
//!
//! Four parameters, each an assumption stated here (none is fitted to a
//! measurement):
//!
//! | parameter | default | basis |
//! |---|---|---|
//! | [`TimeModel::bytes_per_ns`] | 3.2 | PCIe Gen3 x4 (the RK3588 of the upstream measurement): 3.94 GB/s raw, about 80 % left after TLP headers and flow control |
//! | [`TimeModel::element_fetch_ns`] | 100 | the engine reads one 24-byte element from local memory before moving its data: one memory round trip |
//! | [`TimeModel::doorbell_to_start_ns`] | 500 | a posted doorbell write reaching the engine, which then fetches LLP's element: a few bus round trips |
//! | [`TimeModel::irq_to_handler_ns`] | 5000 | MSI or local interrupt to the driver's handler running (Linux: hard IRQ, then the dmaengine tasklet): microseconds |
//!
//! What it leaves out: driver CPU time (instructions and register accesses
//! — the instruction counts in `docs/results.md` are the measurement of
//! that), contention with other channels and traffic, read-request
//! latency on the PCI side (reads from host memory wait a round trip per
//! request), the host's own latency, and anything that overlaps the fetch
//! of the next element with the current transfer.
//!
//! ```
//! use edma_backend_mock::TimeModel;
//! let t = TimeModel::default();
//! // A 4 KiB element: the fetch plus 4096 / 3.2 ns on the link.
//! assert_eq!(t.element_ns(4096), 100.0 + 1280.0);
//! ```

/// Costs charged to a modeled clock, in nanoseconds. See the module
/// documentation for where each default comes from.
///
/// ```
/// use edma_backend_mock::TimeModel;
/// // A faster link: 8 bytes per ns.
/// let t = TimeModel { bytes_per_ns: 8.0, ..TimeModel::default() };
/// assert_eq!(t.element_ns(4096), 100.0 + 512.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeModel {
    /// Data moved per nanosecond while an element runs.
    pub bytes_per_ns: f64,
    /// Fetching one LL element.
    pub element_fetch_ns: f64,
    /// From the doorbell write to the engine starting on a stopped channel.
    pub doorbell_to_start_ns: f64,
    /// From the engine raising an interrupt to the driver handling it.
    pub irq_to_handler_ns: f64,
}

impl Default for TimeModel {
    fn default() -> Self {
        TimeModel {
            bytes_per_ns: 3.2,
            element_fetch_ns: 100.0,
            doorbell_to_start_ns: 500.0,
            irq_to_handler_ns: 5000.0,
        }
    }
}

impl TimeModel {
    /// The time one element of `bytes` bytes takes: its fetch and its data.
    ///
    /// ```
    /// use edma_backend_mock::TimeModel;
    /// let t = TimeModel::default();
    /// // 32 elements of 128 bytes cost more than one of 4 KiB: 32 fetches.
    /// assert!(32.0 * t.element_ns(128) > t.element_ns(4096));
    /// ```
    pub fn element_ns(&self, bytes: u64) -> f64 {
        self.element_fetch_ns + bytes as f64 / self.bytes_per_ns
    }
}
