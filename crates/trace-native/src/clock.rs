//! CLOCK_MONOTONIC (the clock of the kernel's event timestamps) and its offset to wall time.

pub fn monotonic_ns() -> u64 {
  clock_ns(libc::CLOCK_MONOTONIC)
}

fn clock_ns(clock: libc::clockid_t) -> u64 {
  let mut ts = libc::timespec {
    tv_sec: 0,
    tv_nsec: 0,
  };
  // SAFETY: clock_gettime only writes the timespec we pass.
  unsafe { libc::clock_gettime(clock, &mut ts) };
  ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Unix-epoch ns minus CLOCK_MONOTONIC ns, taken once at start.
pub fn wall_offset_ns() -> i128 {
  let before = monotonic_ns();
  let wall = clock_ns(libc::CLOCK_REALTIME);
  let after = monotonic_ns();
  i128::from(wall) - i128::from(before / 2 + after / 2)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn offset_maps_monotonic_to_wall_time() {
    let wall_ms = (i128::from(monotonic_ns()) + wall_offset_ns()) / 1_000_000;
    let system_ms = std::time::SystemTime::now()
      .duration_since(std::time::UNIX_EPOCH)
      .unwrap()
      .as_millis() as i128;
    assert!((wall_ms - system_ms).abs() < 1_000);
  }
}
