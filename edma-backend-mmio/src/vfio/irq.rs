//! Interrupts through eventfds: `VFIO_DEVICE_SET_IRQS` ties each vector
//! (MSI, MSI-X or INTx) to an eventfd; the kernel's handler counts into it.

use std::fs::File;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

use super::VfioError;
use super::sys;

/// The kind of interrupt, as VFIO indexes them for PCI devices.
///
/// ```
/// use edma_backend_mmio::vfio::IrqKind;
/// assert_eq!((IrqKind::Intx.index(), IrqKind::Msi.index(), IrqKind::Msix.index()), (0, 1, 2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqKind {
    /// The legacy line. VFIO masks it when it fires; after the device's
    /// cause is cleared, unmask it with
    /// [`VfioDevice::unmask_intx`](crate::vfio::VfioDevice::unmask_intx).
    Intx,
    /// MSI.
    Msi,
    /// MSI-X.
    Msix,
}

impl IrqKind {
    /// VFIO's interrupt index.
    pub fn index(self) -> u32 {
        match self {
            IrqKind::Intx => 0,
            IrqKind::Msi => 1,
            IrqKind::Msix => 2,
        }
    }
}

/// One interrupt vector's eventfd.
///
/// ```
/// # #[cfg(miri)] fn main() {} // eventfd is a system call Miri does not model
/// # #[cfg(not(miri))] fn main() {
/// use std::time::Duration;
/// use edma_backend_mmio::vfio::IrqEvent;
/// let ev = IrqEvent::new().unwrap();
/// assert_eq!(ev.wait(Some(Duration::from_millis(1))).unwrap(), None); // timed out
/// ev.signal(); // what the kernel does when the vector fires
/// ev.signal();
/// assert_eq!(ev.wait(None).unwrap(), Some(2)); // two interrupts since the last wait
/// # }
/// ```
#[derive(Debug)]
pub struct IrqEvent {
    fd: File,
    #[cfg(feature = "async")]
    watcher: std::sync::OnceLock<async_wait::Watcher>,
}

impl IrqEvent {
    /// A fresh (non-blocking) eventfd, not yet tied to a vector.
    pub fn new() -> Result<Self, VfioError> {
        let fd: OwnedFd = sys::eventfd().map_err(|e| VfioError::Io {
            step: "eventfd".into(),
            source: e,
        })?;
        Ok(IrqEvent {
            fd: File::from(fd),
            #[cfg(feature = "async")]
            watcher: std::sync::OnceLock::new(),
        })
    }

    pub(crate) fn raw(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Interrupts since the last call, without waiting (`None`: none).
    pub fn try_take(&self) -> Result<Option<u64>, VfioError> {
        let mut b = [0u8; 8];
        match (&self.fd).read(&mut b) {
            Ok(8) => Ok(Some(u64::from_ne_bytes(b))),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(VfioError::Io {
                step: "read of an interrupt eventfd".into(),
                source: e,
            }),
        }
    }

    /// Blocks until the vector has fired (returns how many times since the
    /// last call) or `timeout` passes (`Ok(None)`; `None` waits forever).
    pub fn wait(&self, timeout: Option<Duration>) -> Result<Option<u64>, VfioError> {
        let ms = timeout.map_or(-1, |t| i32::try_from(t.as_millis()).unwrap_or(i32::MAX));
        sys::poll_readable(&[self.fd.as_fd()], ms).map_err(|e| VfioError::Io {
            step: "poll of an interrupt eventfd".into(),
            source: e,
        })?;
        self.try_take()
    }

    /// Adds one to the counter, as the kernel does when the vector fires
    /// (for tests, and to wake a waiter on shutdown).
    pub fn signal(&self) {
        let _ = std::io::Write::write(&mut &self.fd, &1u64.to_ne_bytes());
    }

    /// Waits without blocking the thread (feature `async`), with any
    /// executor: a helper thread per `IrqEvent`, started on first use,
    /// blocks in `poll(2)` and wakes the task; it ends when the
    /// `IrqEvent` is dropped.
    ///
    /// ```
    /// # #[cfg(miri)] fn main() {}
    /// # #[cfg(not(miri))] fn main() {
    /// use core::future::Future;
    /// use std::sync::Arc;
    /// use std::task::{Context, Poll, Wake, Waker};
    /// use edma_backend_mmio::vfio::IrqEvent;
    /// struct Flag(std::sync::atomic::AtomicBool);
    /// impl Wake for Flag {
    ///     fn wake(self: Arc<Self>) { self.0.store(true, std::sync::atomic::Ordering::SeqCst) }
    /// }
    /// let ev = IrqEvent::new().unwrap();
    /// let flag = Arc::new(Flag(false.into()));
    /// let waker = Waker::from(flag.clone());
    /// let mut fut = std::pin::pin!(ev.wait_async());
    /// assert!(fut.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
    /// ev.signal();
    /// while !flag.0.load(std::sync::atomic::Ordering::SeqCst) { std::thread::yield_now() }
    /// assert!(matches!(fut.as_mut().poll(&mut Context::from_waker(&waker)), Poll::Ready(Ok(1))));
    /// # }
    /// ```
    #[cfg(feature = "async")]
    #[cfg_attr(docsrs, doc(cfg(feature = "async")))]
    pub fn wait_async(&self) -> impl core::future::Future<Output = Result<u64, VfioError>> + '_ {
        core::future::poll_fn(move |cx| {
            if let Some(n) = self.try_take()? {
                return core::task::Poll::Ready(Ok(n));
            }
            if self.watcher.get().is_none() {
                // Out of descriptors or threads: an error, not a panic.
                let _ = self.watcher.set(async_wait::Watcher::start(&self.fd)?);
            }
            if let Some(w) = self.watcher.get() {
                w.arm(cx.waker().clone());
            }
            // The watcher polls level-triggered, so a count that arrived
            // between `try_take` and `arm` still wakes us.
            core::task::Poll::Pending
        })
    }
}

#[cfg(feature = "async")]
mod async_wait {
    use std::fs::File;
    use std::os::fd::AsFd;
    use std::sync::{Arc, Condvar, Mutex, PoisonError};
    use std::task::Waker;

    use super::{VfioError, sys};

    #[derive(Debug, Default)]
    struct Shared {
        waker: Option<Waker>,
        stop: bool,
    }

    /// The helper thread of one `IrqEvent`.
    #[derive(Debug)]
    pub(super) struct Watcher {
        shared: Arc<(Mutex<Shared>, Condvar)>,
        stop_fd: File,
        thread: Option<std::thread::JoinHandle<()>>,
    }

    impl Watcher {
        pub(super) fn start(ev: &File) -> Result<Watcher, VfioError> {
            let io = |e| VfioError::Io {
                step: "the async interrupt watcher".into(),
                source: e,
            };
            let shared = Arc::new((Mutex::new(Shared::default()), Condvar::new()));
            let stop_fd = File::from(sys::eventfd().map_err(io)?);
            let (ev, stop) = (
                ev.try_clone().map_err(io)?,
                stop_fd.try_clone().map_err(io)?,
            );
            let s = shared.clone();
            let thread = std::thread::Builder::new()
                .spawn(move || {
                    loop {
                        {
                            let (m, cv) = &*s;
                            let mut g = m.lock().unwrap_or_else(PoisonError::into_inner);
                            while g.waker.is_none() && !g.stop {
                                g = cv.wait(g).unwrap_or_else(PoisonError::into_inner);
                            }
                            if g.stop {
                                return;
                            }
                        }
                        let Ok(ready) = sys::poll_readable(&[ev.as_fd(), stop.as_fd()], -1) else {
                            return;
                        };
                        if ready[1] {
                            return;
                        }
                        if ready[0] {
                            let w =
                                s.0.lock()
                                    .unwrap_or_else(PoisonError::into_inner)
                                    .waker
                                    .take();
                            if let Some(w) = w {
                                w.wake();
                            }
                        }
                    }
                })
                .map_err(io)?;
            Ok(Watcher {
                shared,
                stop_fd,
                thread: Some(thread),
            })
        }

        pub(super) fn arm(&self, waker: Waker) {
            let (m, cv) = &*self.shared;
            m.lock().unwrap_or_else(PoisonError::into_inner).waker = Some(waker);
            cv.notify_one();
        }
    }

    impl Drop for Watcher {
        fn drop(&mut self) {
            let (m, cv) = &*self.shared;
            m.lock().unwrap_or_else(PoisonError::into_inner).stop = true;
            cv.notify_one();
            let _ = std::io::Write::write(&mut &self.stop_fd, &1u64.to_ne_bytes());
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }
}
