//! The reusable part of the firmware example: [`stream::Streamer`], an
//! interrupt-driven pipeline whose interrupt handler submits the next batch.
#![no_std]

pub mod stream;
