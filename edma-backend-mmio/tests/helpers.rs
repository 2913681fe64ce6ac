//! The small helpers of the MMIO crate: entries from `embedded-dma`
//! buffers, the configuration-space error texts, and (feature
//! `critical-section`) the interrupt-safe lock.

use edma_backend_mmio::buffers::{read_entry, write_entry};
use edma_backend_mmio::pcie::ConfigError;
use edma_core::Entry;

// The leaked buffer stands in for DMA memory that lives forever.
#[cfg_attr(miri, ignore)]
#[test]
fn entries_from_dma_buffers_carry_bus_address_and_byte_length() {
    static SRC: [u32; 16] = [7; 16];
    let src: &'static [u32; 16] = &SRC;
    let bus = |cpu: usize| cpu as u64 + 0x8000_0000;
    let e = write_entry(&src, 0x1_0000_0000, bus);
    assert_eq!(
        e,
        Entry::new(SRC.as_ptr() as u64 + 0x8000_0000, 0x1_0000_0000, 64)
    );

    let mut dst: &'static mut [u16; 5] = Box::leak(Box::new([0u16; 5]));
    let at = dst.as_ptr() as u64;
    let e = read_entry(0x2000, &mut dst, bus);
    assert_eq!(e, Entry::new(0x2000, at + 0x8000_0000, 10));
}

#[test]
fn config_errors_say_what() {
    assert_eq!(
        ConfigError::Truncated { len: 10 }.to_string(),
        "configuration space image too short (10 bytes)"
    );
    assert_eq!(
        ConfigError::UnsupportedDevice {
            vendor: 0x16c3,
            device: 0xabcd
        }
        .to_string(),
        "16c3:abcd is not a known eDMA endpoint"
    );
}

#[cfg(feature = "critical-section")]
mod cs {
    use edma_backend_mmio::CriticalSectionRawMutex;
    use std::sync::atomic::{AtomicBool, Ordering};

    type Mutex<T> = lock_api::Mutex<CriticalSectionRawMutex, T>;

    #[test]
    fn debug_names_the_lock() {
        let raw = <CriticalSectionRawMutex as lock_api::RawMutex>::INIT;
        assert_eq!(format!("{raw:?}"), "CriticalSectionRawMutex");
    }

    /// Two threads doing a non-atomic read-modify-write under the lock
    /// lose no update.
    #[test]
    fn lock_excludes_other_threads() {
        let m: Mutex<u64> = Mutex::new(0);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    for _ in 0..200 {
                        let mut g = m.lock();
                        let v = *g;
                        std::thread::yield_now();
                        *g = v + 1;
                    }
                });
            }
        });
        assert_eq!(*m.lock(), 400);
    }

    /// `try_lock` takes the lock for real: another thread gets it only
    /// after it is released.
    #[test]
    fn try_lock_holds_until_released() {
        let m: Mutex<()> = Mutex::new(());
        let released = AtomicBool::new(false);
        let g = m
            .try_lock()
            .expect("a critical section can always be entered");
        std::thread::scope(|s| {
            let t = s.spawn(|| {
                let _g = m.lock();
                released.load(Ordering::SeqCst)
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            released.store(true, Ordering::SeqCst);
            drop(g);
            assert!(t.join().unwrap(), "the other thread waited for the release");
        });
    }
}
