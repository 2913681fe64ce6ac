//! Bytes -> decode -> encode -> decode: a fixed point, never a panic.
#![no_main]

use edma_core::desc::{Element, SLOT_SIZE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: [u8; SLOT_SIZE]| {
    let e = Element::decode(&data);
    let bytes = e.encode();
    assert_eq!(Element::decode(&bytes), e);
    match e {
        // A data element keeps every byte.
        Element::Data { .. } => assert_eq!(bytes, data),
        // A link keeps control and pointer; reserved words are zeroed.
        Element::Link { .. } => {
            assert_eq!(bytes[0..4], data[0..4]);
            assert_eq!(bytes[8..16], data[8..16]);
            assert_eq!(bytes[4..8], [0; 4]);
            assert_eq!(bytes[16..24], [0; 8]);
        }
    }
});
