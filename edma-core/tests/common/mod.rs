//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use edma_core::desc::Element;
use edma_core::io::LlMemory;

/// SplitMix64: a small deterministic generator, so failures reproduce from the seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in lo..=hi.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// An LL region in a plain vector, recording every write.
pub struct VecLl {
    pub bus: u64,
    pub slots: Vec<Option<Element>>,
    pub writes: usize,
}

impl VecLl {
    pub fn new(bus: u64, capacity: usize) -> Self {
        VecLl {
            bus,
            slots: vec![None; capacity],
            writes: 0,
        }
    }
}

impl LlMemory for VecLl {
    fn bus_addr(&self) -> u64 {
        self.bus
    }
    fn capacity(&self) -> usize {
        self.slots.len()
    }
    fn write(&mut self, index: usize, element: &Element) {
        self.writes += 1;
        self.slots[index] = Some(*element);
    }
}

/// Proptest cases: `normal`, `miri` under Miri, or `$EDMA_TEST_CASES` when
/// set (the mutation run uses a small number to keep each mutant fast).
pub fn cases(miri: u32, normal: u32) -> u32 {
    if cfg!(miri) {
        return miri;
    }
    std::env::var("EDMA_TEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(normal)
}
