//! The async layer: a task awaits each batch's completion while an
//! "interrupt handler" (called whenever the mock asserts its line) drives
//! the channel and signals. The task is woken exactly once per completion
//! and never misses one signalled between its polls.
#![cfg(feature = "async")]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use edma_backend_mock::{ExecMode, MockConfig, MockEngine};
use edma_core::wait::CompletionSignal;
use edma_core::{
    Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat, Status,
};

struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn task_awaits_each_completion_once() {
    for map in MapFormat::ALL {
        let engine = MockEngine::new(MockConfig::new(map).with_mode(ExecMode::Manual));
        let ctrl = Controller::new(&engine, map, Deployment::Local);
        engine.local_write(0, &(0..=255u8).collect::<Vec<_>>());
        let mut ch = Channel::new(
            ctrl.claim(ChannelConfig::new(ChannelDir::Write, 3))
                .unwrap(),
            engine.ll_region(ChannelDir::Write, 3, 3),
        );
        let signal: CompletionSignal = CompletionSignal::new();
        let wakes = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        let batches: Vec<Vec<Entry>> = (0..3u64)
            .map(|b| {
                (0..(b + 2))
                    .map(|i| Entry::new(i * 16, 0x1000 * (b + 1) + i * 16, 16))
                    .collect()
            })
            .collect();
        for (k, batch) in batches.iter().enumerate() {
            ch.submit(&ctrl, batch).unwrap();
            let mut task = pin!(signal.wait());
            assert!(task.as_mut().poll(&mut cx).is_pending(), "{map:?}");
            // The engine runs chunk by chunk; the handler runs on each interrupt.
            let mut got = None;
            for _ in 0..10 {
                engine.step(ChannelDir::Write, 3, 2);
                if engine.irq_pending()
                    && let Some(c) = ch.on_interrupt(&ctrl).completion()
                {
                    signal.signal(c);
                }
                if let Poll::Ready(c) = task.as_mut().poll(&mut cx) {
                    got = Some(c);
                    break;
                }
            }
            let c = got.unwrap_or_else(|| panic!("{map:?}: batch {k} never completed"));
            assert_eq!(c.status, Status::Done);
            assert_eq!(c.bytes_done, batch.len() as u64 * 16);
            assert_eq!(
                wakes.0.load(Ordering::SeqCst),
                k + 1,
                "{map:?}: one wake per completion"
            );
            assert_eq!(
                engine.pci_read(0x1000 * (k as u64 + 1), 16 * batch.len()),
                (0..16 * batch.len() as u8).collect::<Vec<_>>()
            );
        }
        // A completion signalled before anyone waits is not lost.
        ch.submit(&ctrl, &batches[0]).unwrap();
        engine.step(ChannelDir::Write, 3, 10);
        signal.signal(ch.on_interrupt(&ctrl).completion().expect("done"));
        let task = pin!(signal.wait());
        assert!(matches!(task.poll(&mut cx), Poll::Ready(c) if c.is_success()));
        assert_eq!(signal.try_take(), None);
    }
}

fn counting_waker() -> (Arc<Count>, Waker) {
    let c = Arc::new(Count(AtomicUsize::new(0)));
    (c.clone(), Waker::from(c))
}

fn some_completion() -> edma_core::Completion {
    edma_core::Completion {
        status: Status::Done,
        bytes_done: 64,
        residue: 0,
        chunks: 1,
    }
}

/// A task polled last with another waker (moved to another executor or
/// task) is woken through that one, not the old.
#[test]
fn the_latest_waker_is_the_one_woken() {
    let signal: CompletionSignal = CompletionSignal::new();
    let (a, wa) = counting_waker();
    let (b, wb) = counting_waker();
    assert!(signal.poll_wait(&mut Context::from_waker(&wa)).is_pending());
    assert!(signal.poll_wait(&mut Context::from_waker(&wa)).is_pending());
    assert!(signal.poll_wait(&mut Context::from_waker(&wb)).is_pending());
    signal.signal(some_completion());
    assert_eq!(
        (a.0.load(Ordering::SeqCst), b.0.load(Ordering::SeqCst)),
        (0, 1)
    );
    assert_eq!(
        signal.poll_wait(&mut Context::from_waker(&wb)),
        Poll::Ready(some_completion())
    );
}

#[test]
fn try_take_takes_once_and_debug_names_the_signal() {
    let signal: CompletionSignal = CompletionSignal::default();
    assert_eq!(signal.try_take(), None);
    signal.signal(some_completion());
    assert_eq!(signal.try_take(), Some(some_completion()));
    assert_eq!(signal.try_take(), None);
    assert_eq!(format!("{signal:?}"), "CompletionSignal { .. }");
}
