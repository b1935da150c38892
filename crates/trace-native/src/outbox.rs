//! Batches events towards JavaScript and bounds how many may wait there.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::event::TraceEvent;

pub const BATCH_MAX: usize = 256;
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub const BATCH_WAIT: Duration = Duration::from_millis(10);

/// Counters shared between the reader thread and `stats()`.
#[derive(Debug, Default)]
pub struct Counters {
  pub events: AtomicU64,
  pub lost: AtomicU64,
  pub dropped: AtomicU64,
  pub rescans: AtomicU64,
  pub tracked: AtomicU64,
  pub realtime: AtomicBool,
  pub receive_buffer_bytes: AtomicU64,
}

impl Counters {
  pub fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
  }
}

/// Hands one batch to JavaScript without blocking. Returns false when JavaScript is gone.
pub trait Deliver: Send {
  fn deliver(&self, batch: Vec<TraceEvent>) -> bool;
}

pub struct Outbox<D: Deliver> {
  deliver: D,
  /// Events handed to JavaScript and not yet consumed; the JS callback decrements it.
  in_flight: Arc<AtomicUsize>,
  limit: usize,
  batch: Vec<TraceEvent>,
  batch_started: Option<Instant>,
  counters: Arc<Counters>,
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
impl<D: Deliver> Outbox<D> {
  pub fn new(deliver: D, in_flight: Arc<AtomicUsize>, limit: usize, counters: Arc<Counters>) -> Outbox<D> {
    Outbox {
      deliver,
      in_flight,
      limit,
      batch: Vec::new(),
      batch_started: None,
      counters,
    }
  }

  pub fn push(&mut self, events: Vec<TraceEvent>, now: Instant) {
    if events.is_empty() {
      return;
    }
    self.batch_started.get_or_insert(now);
    self.batch.extend(events);
    if self.batch.len() >= BATCH_MAX {
      self.flush();
    }
  }

  /// When the pending batch must go out at the latest.
  pub fn deadline(&self) -> Option<Instant> {
    self.batch_started.map(|t| t + BATCH_WAIT)
  }

  pub fn flush_if_due(&mut self, now: Instant) {
    if self.deadline().is_some_and(|d| d <= now) {
      self.flush();
    }
  }

  /// Sends the batch; what does not fit under the limit is dropped and counted.
  pub fn flush(&mut self) {
    self.batch_started = None;
    if self.batch.is_empty() {
      return;
    }
    let mut batch = std::mem::take(&mut self.batch);
    let room = self.limit.saturating_sub(self.in_flight.load(Ordering::Acquire));
    if batch.len() > room {
      Counters::add(&self.counters.dropped, (batch.len() - room) as u64);
      batch.truncate(room);
    }
    if batch.is_empty() {
      return;
    }
    let n = batch.len();
    self.in_flight.fetch_add(n, Ordering::AcqRel);
    if self.deliver.deliver(batch) {
      Counters::add(&self.counters.events, n as u64);
    } else {
      self.in_flight.fetch_sub(n, Ordering::AcqRel);
      Counters::add(&self.counters.dropped, n as u64);
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::event::{Detail, Exit};
  use std::sync::Mutex;

  #[derive(Clone, Default)]
  struct Recorder(Arc<Mutex<Vec<usize>>>);

  impl Deliver for Recorder {
    fn deliver(&self, batch: Vec<TraceEvent>) -> bool {
      self.0.lock().unwrap().push(batch.len());
      true
    }
  }

  fn events(n: usize) -> Vec<TraceEvent> {
    (0..n)
      .map(|i| TraceEvent {
        pid: i as u32,
        ppid: 1,
        monotonic_ns: 0,
        detail: Detail::Exit(Exit {
          exit_code: Some(0),
          signal: None,
          synthetic: false,
        }),
      })
      .collect()
  }

  #[test]
  fn batches_by_size_and_time() {
    let recorder = Recorder::default();
    let counters = Arc::new(Counters::default());
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut outbox = Outbox::new(recorder.clone(), in_flight.clone(), 10_000, counters.clone());
    let t0 = Instant::now();
    outbox.push(events(300), t0);
    assert_eq!(*recorder.0.lock().unwrap(), vec![300]);
    outbox.push(events(5), t0);
    outbox.flush_if_due(t0 + Duration::from_millis(5));
    assert_eq!(recorder.0.lock().unwrap().len(), 1);
    outbox.flush_if_due(t0 + BATCH_WAIT);
    assert_eq!(*recorder.0.lock().unwrap(), vec![300, 5]);
    assert_eq!(counters.events.load(Ordering::Relaxed), 305);
    assert_eq!(in_flight.load(Ordering::Relaxed), 305);
  }

  #[test]
  fn drops_beyond_the_limit_until_consumed() {
    let recorder = Recorder::default();
    let counters = Arc::new(Counters::default());
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut outbox = Outbox::new(recorder.clone(), in_flight.clone(), 100, counters.clone());
    let now = Instant::now();
    outbox.push(events(80), now);
    outbox.flush();
    outbox.push(events(50), now);
    outbox.flush();
    assert_eq!(*recorder.0.lock().unwrap(), vec![80, 20]);
    assert_eq!(counters.dropped.load(Ordering::Relaxed), 30);
    outbox.push(events(5), now);
    outbox.flush();
    assert_eq!(counters.dropped.load(Ordering::Relaxed), 35);
    in_flight.fetch_sub(100, Ordering::Relaxed); // JavaScript consumed everything
    outbox.push(events(5), now);
    outbox.flush();
    assert_eq!(*recorder.0.lock().unwrap(), vec![80, 20, 5]);
    assert_eq!(counters.events.load(Ordering::Relaxed), 105);
  }
}
