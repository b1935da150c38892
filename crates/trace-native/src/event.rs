//! The tracer's own event type, independent of napi (converted to `NativeEvent` in lib.rs).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgvStatus {
  Complete,
  CommOnly,
  Unavailable,
}

impl ArgvStatus {
  pub fn as_str(self) -> &'static str {
    match self {
      ArgvStatus::Complete => "complete",
      ArgvStatus::CommOnly => "comm_only",
      ArgvStatus::Unavailable => "unavailable",
    }
  }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exec {
  pub argv: Vec<String>,
  pub argv_status: ArgvStatus,
  pub cwd: Option<String>,
  pub comm: Option<String>,
  pub rescan: bool,
}

impl Exec {
  /// What an exec event says when nothing about the new image can be trusted.
  pub fn unavailable(rescan: bool) -> Exec {
    Exec {
      argv: Vec::new(),
      argv_status: ArgvStatus::Unavailable,
      cwd: None,
      comm: None,
      rescan,
    }
  }

  /// `complete` from a non-empty cmdline, else `comm_only` (argv = [comm]), else `unavailable`.
  pub fn from_parts(
    cmdline: Option<Vec<String>>,
    comm: Option<String>,
    cwd: Option<String>,
    rescan: bool,
  ) -> Exec {
    match (cmdline, comm) {
      (Some(argv), comm) => Exec {
        argv,
        argv_status: ArgvStatus::Complete,
        cwd,
        comm,
        rescan,
      },
      (None, Some(comm)) => Exec {
        argv: vec![comm.clone()],
        argv_status: ArgvStatus::CommOnly,
        cwd,
        comm: Some(comm),
        rescan,
      },
      (None, None) => Exec {
        cwd,
        ..Exec::unavailable(rescan)
      },
    }
  }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit {
  pub exit_code: Option<i32>,
  pub signal: Option<i32>,
  pub synthetic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
  Exec(Exec),
  Exit(Exit),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
  pub pid: u32,
  pub ppid: u32,
  /// CLOCK_MONOTONIC nanoseconds (the kernel's event timestamp, or the scan time for rescans).
  pub monotonic_ns: u64,
  pub detail: Detail,
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn argv_status_from_parts() {
    let complete = Exec::from_parts(
      Some(vec!["ls".into(), "-l".into()]),
      Some("ls".into()),
      Some("/".into()),
      false,
    );
    assert_eq!(complete.argv_status, ArgvStatus::Complete);
    assert_eq!(complete.argv, vec!["ls", "-l"]);
    let comm_only = Exec::from_parts(None, Some("true".into()), None, false);
    assert_eq!(
      (comm_only.argv_status, comm_only.argv.clone()),
      (ArgvStatus::CommOnly, vec!["true".to_string()])
    );
    let none = Exec::from_parts(None, None, None, true);
    assert_eq!(
      (none.argv_status, none.argv.len(), none.rescan),
      (ArgvStatus::Unavailable, 0, true)
    );
    assert_eq!(ArgvStatus::CommOnly.as_str(), "comm_only");
  }
}
