//! Which processes belong to the traced subtrees. Pure bookkeeping: fed by fork/exit events and
//! by `/proc` scans, it never reads anything itself.

use std::collections::{HashMap, HashSet};

/// One process as a scan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
  pub pid: u32,
  pub comm: String,
  pub ppid: u32,
  /// With the pid it identifies a process across pid reuse (Linux: clock ticks after boot).
  pub start_time: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracked {
  pub ppid: u32,
  /// Known when the process was seen in a scan or at exec; guards against pid reuse.
  pub start_time: Option<u64>,
  /// When a scan found (and reported) it: exec events from before then are already covered.
  pub found_by_scan_ns: Option<u64>,
}

/// Result of reconciling the tracked set with a `/proc` scan.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ScanChanges {
  /// Newly tracked processes, parents before children.
  pub found: Vec<Stat>,
  /// Tracked pids that no longer exist (or were reused): (pid, last known ppid).
  pub vanished: Vec<(u32, u32)>,
}

#[derive(Debug, Default)]
pub struct Subtree {
  roots: HashSet<u32>,
  tracked: HashMap<u32, Tracked>,
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
impl Subtree {
  pub fn add_root(&mut self, pid: u32) {
    self.roots.insert(pid);
  }

  pub fn len(&self) -> usize {
    self.tracked.len()
  }

  pub fn get(&self, pid: u32) -> Option<Tracked> {
    self.tracked.get(&pid).copied()
  }

  pub fn set_start_time(&mut self, pid: u32, start_time: u64) {
    if let Some(entry) = self.tracked.get_mut(&pid) {
      entry.start_time = Some(start_time);
    }
  }

  /// Whether an exec event at `timestamp_ns` is new information: false when a scan that started
  /// after it already reported the process. Either way later execs are reported again.
  pub fn exec_is_new(&mut self, pid: u32, timestamp_ns: u64) -> bool {
    match self.tracked.get_mut(&pid) {
      Some(entry) => !matches!(entry.found_by_scan_ns.take(), Some(scan_ns) if timestamp_ns < scan_ns),
      None => false,
    }
  }

  /// A fork of a tracked process tracks the child. Thread creation (pid != tgid) is ignored.
  pub fn on_fork(&mut self, parent_tgid: u32, child_pid: u32, child_tgid: u32) -> bool {
    if child_pid != child_tgid || !self.tracked.contains_key(&parent_tgid) {
      return false;
    }
    self.tracked.insert(
      child_tgid,
      Tracked {
        ppid: parent_tgid,
        start_time: None,
        found_by_scan_ns: None,
      },
    );
    true
  }

  /// Stops tracking an exited process; returns what was known about it.
  pub fn on_exit(&mut self, pid: u32) -> Option<Tracked> {
    self.roots.remove(&pid);
    self.tracked.remove(&pid)
  }

  /// Reconciles with a full `/proc` scan: every descendant of a root or of a tracked process is
  /// tracked; tracked pids missing from the scan (or present with another start time) vanished.
  /// `scan_ns` is when the scan started (CLOCK_MONOTONIC).
  pub fn reconcile(&mut self, scan: &[Stat], scan_ns: u64) -> ScanChanges {
    let mut changes = ScanChanges::default();
    let by_pid: HashMap<u32, &Stat> = scan.iter().map(|s| (s.pid, s)).collect();

    let mut gone: Vec<u32> = self
      .tracked
      .iter()
      .filter(|(pid, t)| match by_pid.get(pid) {
        None => true,
        Some(s) => t.start_time.is_some_and(|st| st != s.start_time),
      })
      .map(|(pid, _)| *pid)
      .collect();
    gone.sort_unstable();
    for pid in gone {
      if let Some(t) = self.tracked.remove(&pid) {
        changes.vanished.push((pid, t.ppid));
      }
    }
    self.roots.retain(|pid| by_pid.contains_key(pid));
    for (pid, entry) in self.tracked.iter_mut() {
      if entry.start_time.is_none() {
        entry.start_time = by_pid.get(pid).map(|s| s.start_time);
      }
    }

    let mut children: HashMap<u32, Vec<&Stat>> = HashMap::new();
    for stat in scan {
      children.entry(stat.ppid).or_default().push(stat);
    }
    let mut queue: Vec<u32> = Vec::new();
    let mut roots: Vec<u32> = self.roots.iter().copied().collect();
    roots.sort_unstable();
    for pid in roots {
      if let std::collections::hash_map::Entry::Vacant(slot) = self.tracked.entry(pid) {
        let stat = by_pid[&pid];
        slot.insert(Tracked {
          ppid: stat.ppid,
          start_time: Some(stat.start_time),
          found_by_scan_ns: Some(scan_ns),
        });
        changes.found.push(stat.clone());
      }
    }
    let mut tracked_now: Vec<u32> = self.tracked.keys().copied().collect();
    tracked_now.sort_unstable();
    queue.extend(tracked_now);
    while let Some(pid) = queue.pop() {
      for child in children.get(&pid).map(Vec::as_slice).unwrap_or_default() {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.tracked.entry(child.pid) {
          slot.insert(Tracked {
            ppid: child.ppid,
            start_time: Some(child.start_time),
            found_by_scan_ns: Some(scan_ns),
          });
          changes.found.push((*child).clone());
          queue.push(child.pid);
        }
      }
    }
    changes
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn stat(pid: u32, ppid: u32, start_time: u64) -> Stat {
    Stat {
      pid,
      comm: format!("p{pid}"),
      ppid,
      start_time,
    }
  }

  #[test]
  fn seeds_existing_descendants_parents_first() {
    let mut tree = Subtree::default();
    tree.add_root(10);
    let scan = vec![
      stat(1, 0, 1),
      stat(12, 11, 5),
      stat(10, 1, 3),
      stat(11, 10, 4),
      stat(20, 1, 6),
    ];
    let changes = tree.reconcile(&scan, 0);
    let found: Vec<u32> = changes.found.iter().map(|s| s.pid).collect();
    assert_eq!(found, vec![10, 11, 12]);
    assert!(changes.vanished.is_empty());
    assert_eq!(tree.len(), 3);
    assert_eq!(
      tree.get(12),
      Some(Tracked {
        ppid: 11,
        start_time: Some(5),
        found_by_scan_ns: Some(0)
      })
    );
    assert_eq!(tree.get(20), None);
  }

  #[test]
  fn forks_extend_and_threads_do_not() {
    let mut tree = Subtree::default();
    tree.add_root(10);
    tree.reconcile(&[stat(10, 1, 3)], 0);
    assert!(tree.on_fork(10, 11, 11));
    assert!(!tree.on_fork(10, 12, 10), "a thread of 10");
    assert!(!tree.on_fork(99, 13, 13), "untracked parent");
    assert!(tree.on_fork(11, 14, 14));
    assert_eq!(tree.get(14).map(|t| t.ppid), Some(11));
    assert_eq!(tree.len(), 3);
    assert_eq!(tree.on_exit(11).map(|t| t.ppid), Some(10));
    assert_eq!(tree.on_exit(11), None);
    assert_eq!(tree.len(), 2);
  }

  #[test]
  fn rescan_finds_missed_and_drops_vanished() {
    let mut tree = Subtree::default();
    tree.add_root(10);
    tree.reconcile(&[stat(10, 1, 3)], 0);
    tree.on_fork(10, 11, 11);
    tree.on_fork(10, 12, 12);
    // 11 vanished without an exit event; 13 (child of 12) was forked while events were lost;
    // 14 was reparented to init after its parent died but is still tracked by pid.
    tree.on_fork(12, 14, 14);
    let changes = tree.reconcile(
      &[stat(10, 1, 3), stat(12, 10, 7), stat(13, 12, 8), stat(14, 1, 9)],
      0,
    );
    assert_eq!(changes.found.iter().map(|s| s.pid).collect::<Vec<_>>(), vec![13]);
    assert_eq!(changes.vanished, vec![(11, 10)]);
    assert_eq!(tree.len(), 4);
  }

  #[test]
  fn pid_reuse_is_a_vanish_not_a_continuation() {
    let mut tree = Subtree::default();
    tree.add_root(10);
    tree.reconcile(&[stat(10, 1, 3), stat(11, 10, 4)], 0);
    // pid 11 now belongs to an unrelated process started later.
    let changes = tree.reconcile(&[stat(10, 1, 3), stat(11, 500, 99)], 0);
    assert_eq!(changes.vanished, vec![(11, 10)]);
    assert!(changes.found.is_empty());
    assert_eq!(tree.get(11), None);
  }

  #[test]
  fn exec_already_reported_by_a_scan_is_not_new() {
    let mut tree = Subtree::default();
    tree.add_root(10);
    tree.reconcile(&[stat(10, 1, 3), stat(11, 10, 4)], 1_000);
    assert!(!tree.exec_is_new(11, 900), "the scan saw the image of this exec");
    assert!(
      tree.exec_is_new(11, 950),
      "only the first exec after a scan is checked"
    );
    tree.reconcile(&[stat(10, 1, 3), stat(11, 10, 4), stat(12, 11, 5)], 2_000);
    assert!(tree.exec_is_new(12, 2_500));
    assert!(
      !tree.exec_is_new(10, 1),
      "the root was reported by the first scan"
    );
    assert!(!tree.exec_is_new(99, 1), "untracked");
  }

  #[test]
  fn exited_root_is_forgotten() {
    let mut tree = Subtree::default();
    tree.add_root(10);
    tree.reconcile(&[stat(10, 1, 3)], 0);
    tree.on_exit(10);
    let changes = tree.reconcile(&[stat(10, 1, 50)], 0);
    assert!(changes.found.is_empty(), "a reused root pid is not traced again");
  }
}
