//! Keeps events in kernel order while an exec's `/proc` read is being verified.
//!
//! The read after an exec event shows the process' *current* image. If the process exec'd again
//! before we read, we would attribute the later image (argv, comm, cwd) to the earlier exec. Each
//! exec read is therefore held until one of these is known:
//! - the process exited with no further exec in between: the read was of this exec's image;
//! - a later exec of the same pid arrived: if our read looks like the later image (same comm and
//!   same or empty cmdline), it cannot be trusted and the earlier exec becomes `unavailable`;
//! - `hold` passed without a later exec, and the socket queue was seen empty after that: the read
//!   is accepted (the caller passes the moment it last found the queue empty as `now`).
//!
//! Events behind a held exec wait too, so JavaScript receives them in kernel order.

use std::collections::{HashMap, VecDeque};

use crate::event::{Detail, Exec, TraceEvent};

/// What a `/proc` read showed, to compare two reads of the same pid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
  pub comm: Option<String>,
  pub cmdline: Option<Vec<String>>,
}

impl Fingerprint {
  fn is_empty(&self) -> bool {
    self.comm.is_none() && self.cmdline.is_none()
  }

  /// True when `self` (an earlier read) may have shown the image read later as `later`.
  fn may_be(&self, later: &Fingerprint) -> bool {
    later.is_empty() || (self.comm == later.comm && (self.cmdline.is_none() || self.cmdline == later.cmdline))
  }
}

struct Slot {
  event: TraceEvent,
  pending: Option<(Fingerprint, u64)>,
}

pub struct ExecOrder {
  slots: VecDeque<Slot>,
  /// Sequence number of `slots[0]`.
  base: u64,
  pending_by_pid: HashMap<u32, u64>,
  hold_ns: u64,
  max_held: usize,
}

impl ExecOrder {
  pub fn new(hold_ns: u64, max_held: usize) -> ExecOrder {
    ExecOrder {
      slots: VecDeque::new(),
      base: 0,
      pending_by_pid: HashMap::new(),
      hold_ns,
      max_held,
    }
  }

  fn slot_mut(&mut self, seq: u64) -> Option<&mut Slot> {
    let index = usize::try_from(seq.checked_sub(self.base)?).ok()?;
    self.slots.get_mut(index)
  }

  fn resolve(&mut self, pid: u32, later: Option<&Fingerprint>) {
    let Some(seq) = self.pending_by_pid.remove(&pid) else {
      return;
    };
    if let Some(slot) = self.slot_mut(seq) {
      if let Some((read, _)) = slot.pending.take() {
        if later.is_some_and(|later| read.may_be(later)) {
          slot.event.detail = Detail::Exec(Exec::unavailable(false));
        }
      }
    }
  }

  fn push_slot(&mut self, slot: Slot) -> u64 {
    self.slots.push_back(slot);
    let seq = self.base + self.slots.len() as u64 - 1;
    if self.slots.len() > self.max_held {
      if let Some(pid) = self
        .slots
        .front()
        .filter(|s| s.pending.is_some())
        .map(|s| s.event.pid)
      {
        self.resolve(pid, None);
      }
    }
    seq
  }

  /// An exec event whose `/proc` read finished at `read_end_ns` (CLOCK_MONOTONIC).
  pub fn push_exec(&mut self, event: TraceEvent, read: Fingerprint, read_end_ns: u64) {
    let pid = event.pid;
    self.resolve(pid, Some(&read));
    let seq = self.push_slot(Slot {
      event,
      pending: Some((read, read_end_ns + self.hold_ns)),
    });
    self.pending_by_pid.insert(pid, seq);
  }

  /// Any other event. An exit confirms the pid's held exec read.
  pub fn push(&mut self, event: TraceEvent) {
    if matches!(event.detail, Detail::Exit(_)) {
      self.resolve(event.pid, None);
    }
    self.push_slot(Slot { event, pending: None });
  }

  /// Events that are ready, in order, accepting held reads whose hold expired by `now_ns`.
  pub fn take_ready(&mut self, now_ns: u64) -> Vec<TraceEvent> {
    let expired: Vec<u32> = self
      .slots
      .iter()
      .filter_map(|s| {
        s.pending
          .as_ref()
          .filter(|(_, deadline)| *deadline <= now_ns)
          .map(|_| s.event.pid)
      })
      .collect();
    for pid in expired {
      self.resolve(pid, None);
    }
    let mut ready = Vec::new();
    while self.slots.front().is_some_and(|s| s.pending.is_none()) {
      if let Some(slot) = self.slots.pop_front() {
        ready.push(slot.event);
        self.base += 1;
      }
    }
    ready
  }

  /// Everything, accepting all held reads (used when stopping).
  pub fn take_all(&mut self) -> Vec<TraceEvent> {
    self.take_ready(u64::MAX)
  }

  /// When the oldest held read will be accepted.
  pub fn next_deadline(&self) -> Option<u64> {
    self
      .slots
      .iter()
      .filter_map(|s| s.pending.as_ref().map(|(_, d)| *d))
      .min()
  }

  #[cfg(test)]
  pub fn len(&self) -> usize {
    self.slots.len()
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::event::{ArgvStatus, Exit};

  fn exec(pid: u32, ts: u64, argv: &[&str], comm: &str) -> (TraceEvent, Fingerprint) {
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let cmdline = if argv.is_empty() { None } else { Some(argv.clone()) };
    let event = TraceEvent {
      pid,
      ppid: 1,
      monotonic_ns: ts,
      detail: Detail::Exec(Exec::from_parts(
        cmdline.clone(),
        Some(comm.into()),
        Some("/".into()),
        false,
      )),
    };
    (
      event,
      Fingerprint {
        comm: Some(comm.into()),
        cmdline,
      },
    )
  }

  fn exit(pid: u32, ts: u64) -> TraceEvent {
    TraceEvent {
      pid,
      ppid: 1,
      monotonic_ns: ts,
      detail: Detail::Exit(Exit {
        exit_code: Some(0),
        signal: None,
        synthetic: false,
      }),
    }
  }

  fn status(event: &TraceEvent) -> ArgvStatus {
    match &event.detail {
      Detail::Exec(e) => e.argv_status,
      Detail::Exit(_) => panic!("not an exec"),
    }
  }

  #[test]
  fn exit_confirms_and_order_is_kept() {
    let mut order = ExecOrder::new(20, 100);
    let (e1, f1) = exec(5, 1, &["sh", "-c", "x"], "sh");
    order.push_exec(e1, f1, 2);
    let (e2, f2) = exec(6, 3, &["true"], "true");
    order.push_exec(e2, f2, 4);
    order.push(exit(6, 5));
    assert!(
      order.take_ready(10).is_empty(),
      "pid 5 still held, nothing passes it"
    );
    order.push(exit(5, 11));
    let ready = order.take_ready(12);
    assert_eq!(ready.iter().map(|e| e.pid).collect::<Vec<_>>(), vec![5, 6, 6, 5]);
    assert_eq!(status(&ready[0]), ArgvStatus::Complete);
    assert_eq!(order.len(), 0);
  }

  #[test]
  fn hold_expires() {
    let mut order = ExecOrder::new(20, 100);
    let (e1, f1) = exec(5, 1, &["sleep", "9"], "sleep");
    order.push_exec(e1, f1, 2);
    assert_eq!(order.next_deadline(), Some(22));
    assert!(order.take_ready(21).is_empty());
    assert_eq!(order.take_ready(22).len(), 1);
    assert_eq!(order.next_deadline(), None);
  }

  #[test]
  fn read_showing_the_later_image_is_not_borrowed() {
    let mut order = ExecOrder::new(20, 100);
    // `sh -c 'exec env'`: we read after sh had already become env.
    let (e1, f1) = exec(5, 1, &["env"], "env");
    order.push_exec(e1, f1, 2);
    let (e2, f2) = exec(5, 3, &["env"], "env");
    order.push_exec(e2, f2, 4);
    order.push(exit(5, 5));
    let ready = order.take_ready(6);
    assert_eq!(status(&ready[0]), ArgvStatus::Unavailable);
    assert_eq!(status(&ready[1]), ArgvStatus::Complete);
  }

  #[test]
  fn comm_read_mid_exec_is_not_borrowed() {
    let mut order = ExecOrder::new(20, 100);
    // cmdline empty (new mm not set up yet) but comm already the new one.
    let (e1, f1) = exec(5, 1, &[], "env");
    order.push_exec(e1, f1, 2);
    let (e2, f2) = exec(5, 3, &["env", "-i"], "env");
    order.push_exec(e2, f2, 4);
    let ready = order.take_all();
    assert_eq!(status(&ready[0]), ArgvStatus::Unavailable);
    assert_eq!(status(&ready[1]), ArgvStatus::Complete);
  }

  #[test]
  fn read_of_the_earlier_image_is_kept() {
    let mut order = ExecOrder::new(20, 100);
    let (e1, f1) = exec(5, 1, &["sh", "-c", "exec env"], "sh");
    order.push_exec(e1, f1, 2);
    let (e2, f2) = exec(5, 3, &["env"], "env");
    order.push_exec(e2, f2, 4);
    let ready = order.take_all();
    assert_eq!(status(&ready[0]), ArgvStatus::Complete);
    assert_eq!(status(&ready[1]), ArgvStatus::Complete);
  }

  #[test]
  fn unreadable_later_exec_makes_earlier_read_unverifiable() {
    let mut order = ExecOrder::new(20, 100);
    let (e1, f1) = exec(5, 1, &["a"], "a");
    order.push_exec(e1, f1, 2);
    let (mut e2, _) = exec(5, 3, &[], "x");
    e2.detail = Detail::Exec(Exec::unavailable(false));
    order.push_exec(
      e2,
      Fingerprint {
        comm: None,
        cmdline: None,
      },
      4,
    );
    let ready = order.take_all();
    assert_eq!(status(&ready[0]), ArgvStatus::Unavailable);
  }

  #[test]
  fn bounded_hold() {
    let mut order = ExecOrder::new(1_000, 2);
    let (e1, f1) = exec(5, 1, &["a"], "a");
    order.push_exec(e1, f1, 2);
    order.push(exit(9, 3));
    order.push(exit(10, 4));
    assert_eq!(
      order.take_ready(5).len(),
      3,
      "the oldest held read was accepted to stay within bounds"
    );
  }
}
