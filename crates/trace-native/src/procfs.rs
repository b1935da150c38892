//! Reading and parsing `/proc/<pid>/{cmdline,stat,cwd}`.

use std::path::Path;

pub use crate::subtree::Stat;

/// Splits the NUL-separated command line; `None` when empty (zombie, kernel thread, mid-exec).
pub fn parse_cmdline(raw: &[u8]) -> Option<Vec<String>> {
  if raw.is_empty() {
    return None;
  }
  let trimmed = raw.strip_suffix(&[0]).unwrap_or(raw);
  Some(
    trimmed
      .split(|&b| b == 0)
      .map(|arg| String::from_utf8_lossy(arg).into_owned())
      .collect(),
  )
}

/// Parses `/proc/<pid>/stat`. `comm` may contain spaces and parentheses, so it spans from the
/// first `(` to the *last* `)`.
pub fn parse_stat(raw: &str) -> Option<Stat> {
  let open = raw.find('(')?;
  let close = raw.rfind(')')?;
  if close < open {
    return None;
  }
  let pid = raw[..open].trim().parse().ok()?;
  let comm = raw[open + 1..close].to_string();
  let rest: Vec<&str> = raw[close + 1..].split_whitespace().collect();
  // rest[0] is field 3 (state); field N is rest[N - 3]. start_time is in clock ticks after boot.
  rest.first()?;
  let ppid = rest.get(1)?.parse().ok()?;
  let start_time = rest.get(19)?.parse().ok()?;
  Some(Stat {
    pid,
    comm,
    ppid,
    start_time,
  })
}

pub fn read_stat(pid: u32) -> Option<Stat> {
  parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

pub fn read_cmdline(pid: u32) -> Option<Vec<String>> {
  parse_cmdline(&std::fs::read(format!("/proc/{pid}/cmdline")).ok()?)
}

pub fn read_cwd(pid: u32) -> Option<String> {
  std::fs::read_link(format!("/proc/{pid}/cwd"))
    .ok()
    .map(|p| p.to_string_lossy().into_owned())
}

/// What one look at `/proc/<pid>` returned, read as fast as possible after an exec event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageRead {
  pub cmdline: Option<Vec<String>>,
  pub cwd: Option<String>,
  pub stat: Option<Stat>,
  /// The process exec'd again while it was read: comm before and after the cmdline differ, so the
  /// cmdline may belong to either program.
  pub torn: bool,
}

/// Reads stat, cmdline (early: it disappears first when the process exits), stat again and cwd.
pub fn read_image(pid: u32) -> ImageRead {
  let before = read_stat(pid);
  let cmdline = read_cmdline(pid);
  let stat = read_stat(pid);
  let torn = matches!((&before, &stat), (Some(b), Some(a)) if b.comm != a.comm);
  let cwd = if stat.is_some() || cmdline.is_some() {
    read_cwd(pid)
  } else {
    None
  };
  ImageRead { cmdline, cwd, stat, torn }
}

/// Every process visible in `/proc` (pid, ppid, start time, comm).
pub fn scan(proc_root: &Path) -> Vec<Stat> {
  let Ok(dir) = std::fs::read_dir(proc_root) else {
    return Vec::new();
  };
  dir
    .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
    .filter_map(|pid| {
      parse_stat(&std::fs::read_to_string(proc_root.join(pid.to_string()).join("stat")).ok()?)
    })
    .collect()
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn cmdline_split() {
    assert_eq!(
      parse_cmdline(b"/bin/true\0arg 1\0\0x\0"),
      Some(vec!["/bin/true".into(), "arg 1".into(), "".into(), "x".into()])
    );
    assert_eq!(parse_cmdline(b"sh\0"), Some(vec!["sh".into()]));
    // setproctitle-style rewrites have no trailing NUL.
    assert_eq!(
      parse_cmdline(b"nginx: worker"),
      Some(vec!["nginx: worker".into()])
    );
    assert_eq!(parse_cmdline(b""), None);
    assert_eq!(parse_cmdline(b"a\xff\0"), Some(vec!["a\u{fffd}".into()]));
  }

  #[test]
  fn stat_simple() {
    let line = "4242 (sh) S 4000 4242 4000 34816 4242 4194304 120 0 0 0 0 0 0 0 20 0 1 0 987654 2269184 200 \
                18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    let stat = parse_stat(line).unwrap();
    assert_eq!(
      stat,
      Stat {
        pid: 4242,
        comm: "sh".into(),
        ppid: 4000,
        start_time: 987654
      }
    );
  }

  #[test]
  fn stat_comm_with_spaces_and_parentheses() {
    let line = "77 (a) (b c)) Z 1 77 77 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0 18446744073709551615";
    let stat = parse_stat(line).unwrap();
    assert_eq!(stat.comm, "a) (b c)");
    assert_eq!(stat.ppid, 1);
    assert_eq!(stat.start_time, 555);
  }

  #[test]
  fn stat_garbage() {
    assert_eq!(parse_stat(""), None);
    assert_eq!(parse_stat("12 (x"), None);
    assert_eq!(parse_stat("12 (x) S"), None);
  }

  #[test]
  fn reads_own_process() {
    let pid = std::process::id();
    let image = read_image(pid);
    assert!(image.cmdline.is_some());
    assert_eq!(image.stat.as_ref().map(|s| s.pid), Some(pid));
    assert!(scan(Path::new("/proc")).iter().any(|s| s.pid == pid));
  }
}
