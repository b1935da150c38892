//! Decoding of the raw wait status the kernel reports at exit (`task->exit_code`).

/// How a process ended: exactly one of the two is set for a real exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Termination {
  pub exit_code: Option<i32>,
  pub signal: Option<i32>,
}

/// Decodes a wait status the way WIFEXITED/WEXITSTATUS/WIFSIGNALED/WTERMSIG do.
/// The proc connector's `exit_code` is this raw status (768 = `exit 3`); its `exit_signal` is the
/// signal sent to the parent (usually SIGCHLD), not the one that killed the process.
pub fn decode(status: u32) -> Termination {
  let low = status & 0x7f;
  if low == 0 {
    Termination {
      exit_code: Some(((status >> 8) & 0xff) as i32),
      signal: None,
    }
  } else if low != 0x7f {
    // Bit 0x80 is the core-dump flag; the signal number is in the low 7 bits.
    Termination {
      exit_code: None,
      signal: Some(low as i32),
    }
  } else {
    // A stopped status never ends a process; report nothing rather than guess.
    Termination {
      exit_code: None,
      signal: None,
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn normal_exits() {
    assert_eq!(
      decode(0),
      Termination {
        exit_code: Some(0),
        signal: None
      }
    );
    assert_eq!(
      decode(768),
      Termination {
        exit_code: Some(3),
        signal: None
      }
    );
    assert_eq!(
      decode(255 << 8),
      Termination {
        exit_code: Some(255),
        signal: None
      }
    );
  }

  #[test]
  fn signal_deaths() {
    assert_eq!(
      decode(9),
      Termination {
        exit_code: None,
        signal: Some(9)
      }
    );
    assert_eq!(
      decode(15),
      Termination {
        exit_code: None,
        signal: Some(15)
      }
    );
    // SIGSEGV with core dump flag.
    assert_eq!(
      decode(0x80 | 11),
      Termination {
        exit_code: None,
        signal: Some(11)
      }
    );
  }

  #[test]
  fn stopped_status_is_neither() {
    assert_eq!(
      decode((19 << 8) | 0x7f),
      Termination {
        exit_code: None,
        signal: None
      }
    );
  }
}
