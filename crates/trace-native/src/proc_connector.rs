//! Wire format of the netlink process connector (`linux/connector.h`, `linux/cn_proc.h`).
//! Pure encode/decode; the socket lives in `linux.rs`. Netlink uses host byte order.

pub const NETLINK_CONNECTOR: i32 = 11;
pub const CN_IDX_PROC: u32 = 1;
pub const CN_VAL_PROC: u32 = 1;
pub const PROC_CN_MCAST_LISTEN: u32 = 1;
pub const PROC_CN_MCAST_IGNORE: u32 = 2;

const NLMSG_HDRLEN: usize = 16;
const CN_MSG_LEN: usize = 20;
const PROC_EVENT_HDR: usize = 16;
/// Offset of `proc_event.event_data` inside one netlink message.
const EVENT_DATA: usize = NLMSG_HDRLEN + CN_MSG_LEN + PROC_EVENT_HDR;
pub const SUBSCRIBE_LEN: usize = NLMSG_HDRLEN + CN_MSG_LEN + 4;

const NLMSG_NOOP: u16 = 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_OVERRUN: u16 = 4;

const PROC_EVENT_NONE: u32 = 0;
const PROC_EVENT_FORK: u32 = 0x1;
const PROC_EVENT_EXEC: u32 = 0x2;
const PROC_EVENT_EXIT: u32 = 0x8000_0000;

/// One decoded connector message. `seq` is the per-CPU sequence number the kernel stamps on every
/// event (`cn_msg.seq`); a gap in it per `cpu` means events were lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
  pub seq: u32,
  pub ack: u32,
  pub cpu: u32,
  pub timestamp_ns: u64,
  pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
  /// Reply to a (un)subscribe request: `err` is an errno, 0 on success.
  Ack {
    err: u32,
  },
  Fork {
    parent_tgid: u32,
    child_pid: u32,
    child_tgid: u32,
  },
  Exec {
    pid: u32,
    tgid: u32,
  },
  Exit {
    pid: u32,
    tgid: u32,
    exit_code: u32,
    parent_tgid: u32,
  },
  /// uid/gid/sid/ptrace/comm/coredump changes: counted for sequence tracking, otherwise ignored.
  Other {
    what: u32,
  },
}

/// The 40-byte request that (un)subscribes a socket: netlink header + connector header + op.
pub fn encode_subscribe(op: u32, port_id: u32, seq: u32, ack: u32) -> [u8; SUBSCRIBE_LEN] {
  let mut buf = [0u8; SUBSCRIBE_LEN];
  buf[0..4].copy_from_slice(&(SUBSCRIBE_LEN as u32).to_ne_bytes());
  buf[4..6].copy_from_slice(&NLMSG_DONE.to_ne_bytes());
  // flags (6..8) stay 0
  buf[8..12].copy_from_slice(&seq.to_ne_bytes());
  buf[12..16].copy_from_slice(&port_id.to_ne_bytes());
  buf[16..20].copy_from_slice(&CN_IDX_PROC.to_ne_bytes());
  buf[20..24].copy_from_slice(&CN_VAL_PROC.to_ne_bytes());
  buf[24..28].copy_from_slice(&seq.to_ne_bytes());
  buf[28..32].copy_from_slice(&ack.to_ne_bytes());
  buf[32..34].copy_from_slice(&4u16.to_ne_bytes());
  // cn_msg.flags (34..36) stay 0
  buf[36..40].copy_from_slice(&op.to_ne_bytes());
  buf
}

fn u16_at(buf: &[u8], at: usize) -> Option<u16> {
  Some(u16::from_ne_bytes(buf.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(buf: &[u8], at: usize) -> Option<u32> {
  Some(u32::from_ne_bytes(buf.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(buf: &[u8], at: usize) -> Option<u64> {
  Some(u64::from_ne_bytes(buf.get(at..at + 8)?.try_into().ok()?))
}

/// Decodes every proc-connector message in one datagram (a datagram may hold several netlink
/// messages). Truncated or foreign messages are skipped.
pub fn decode_datagram(buf: &[u8]) -> Vec<Message> {
  let mut out = Vec::new();
  let mut offset = 0;
  while offset + NLMSG_HDRLEN <= buf.len() {
    let Some(len) = u32_at(buf, offset).map(|l| l as usize) else {
      break;
    };
    if len < NLMSG_HDRLEN || offset + len > buf.len() {
      break;
    }
    let kind = u16_at(buf, offset + 4).unwrap_or(0);
    if !matches!(kind, NLMSG_NOOP | NLMSG_ERROR | NLMSG_OVERRUN) {
      if let Some(message) = decode_message(&buf[offset..offset + len]) {
        out.push(message);
      }
    }
    offset += (len + 3) & !3;
  }
  out
}

fn decode_message(msg: &[u8]) -> Option<Message> {
  if u32_at(msg, 16)? != CN_IDX_PROC || u32_at(msg, 20)? != CN_VAL_PROC {
    return None;
  }
  let seq = u32_at(msg, 24)?;
  let ack = u32_at(msg, 28)?;
  let base = NLMSG_HDRLEN + CN_MSG_LEN;
  let what = u32_at(msg, base)?;
  let cpu = u32_at(msg, base + 4)?;
  let timestamp_ns = u64_at(msg, base + 8)?;
  let d = EVENT_DATA;
  let event = match what {
    PROC_EVENT_NONE => Event::Ack { err: u32_at(msg, d)? },
    PROC_EVENT_FORK => Event::Fork {
      parent_tgid: u32_at(msg, d + 4)?,
      child_pid: u32_at(msg, d + 8)?,
      child_tgid: u32_at(msg, d + 12)?,
    },
    PROC_EVENT_EXEC => Event::Exec {
      pid: u32_at(msg, d)?,
      tgid: u32_at(msg, d + 4)?,
    },
    PROC_EVENT_EXIT => Event::Exit {
      pid: u32_at(msg, d)?,
      tgid: u32_at(msg, d + 4)?,
      exit_code: u32_at(msg, d + 8)?,
      // exit_signal at d + 12 is the signal sent to the parent, not the cause of death.
      // parent_pid/parent_tgid (kernel >= 4.18) follow; older kernels send a shorter event.
      parent_tgid: u32_at(msg, d + 20).unwrap_or(0),
    },
    other => Event::Other { what: other },
  };
  Some(Message {
    seq,
    ack,
    cpu,
    timestamp_ns,
    event,
  })
}

/// Tracks the kernel's per-CPU sequence numbers and reports how many events went missing.
#[derive(Debug, Default)]
pub struct SequenceTracker {
  last: std::collections::HashMap<u32, u32>,
}

impl SequenceTracker {
  /// Returns the number of events skipped on `cpu` before this one (0 when none).
  pub fn observe(&mut self, cpu: u32, seq: u32) -> u64 {
    let gap = match self.last.get(&cpu) {
      Some(&prev) => {
        let step = seq.wrapping_sub(prev);
        // A step of 0 or a huge one (reordering, counter reset) is not treated as loss.
        if (1..1 << 30).contains(&step) {
          u64::from(step - 1)
        } else {
          0
        }
      }
      None => 0,
    };
    self.last.insert(cpu, seq);
    gap
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn message(what: u32, cpu: u32, seq: u32, ts: u64, data: &[u32]) -> Vec<u8> {
    let mut payload = Vec::new();
    payload.extend_from_slice(&what.to_ne_bytes());
    payload.extend_from_slice(&cpu.to_ne_bytes());
    payload.extend_from_slice(&ts.to_ne_bytes());
    for word in data {
      payload.extend_from_slice(&word.to_ne_bytes());
    }
    let len = NLMSG_HDRLEN + CN_MSG_LEN + payload.len();
    let mut buf = Vec::new();
    buf.extend_from_slice(&(len as u32).to_ne_bytes());
    buf.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
    buf.extend_from_slice(&0u16.to_ne_bytes());
    buf.extend_from_slice(&seq.to_ne_bytes());
    buf.extend_from_slice(&0u32.to_ne_bytes());
    buf.extend_from_slice(&CN_IDX_PROC.to_ne_bytes());
    buf.extend_from_slice(&CN_VAL_PROC.to_ne_bytes());
    buf.extend_from_slice(&seq.to_ne_bytes());
    buf.extend_from_slice(&7u32.to_ne_bytes());
    buf.extend_from_slice(&(payload.len() as u16).to_ne_bytes());
    buf.extend_from_slice(&0u16.to_ne_bytes());
    buf.extend_from_slice(&payload);
    while buf.len() % 4 != 0 {
      buf.push(0);
    }
    buf
  }

  #[test]
  fn subscribe_message_layout() {
    let buf = encode_subscribe(PROC_CN_MCAST_LISTEN, 1234, 1, 99);
    assert_eq!(buf.len(), 40);
    assert_eq!(u32_at(&buf, 0), Some(40));
    assert_eq!(u16_at(&buf, 4), Some(NLMSG_DONE));
    assert_eq!(u32_at(&buf, 12), Some(1234));
    assert_eq!(u32_at(&buf, 16), Some(CN_IDX_PROC));
    assert_eq!(u32_at(&buf, 20), Some(CN_VAL_PROC));
    assert_eq!(u32_at(&buf, 28), Some(99));
    assert_eq!(u16_at(&buf, 32), Some(4));
    assert_eq!(u32_at(&buf, 36), Some(PROC_CN_MCAST_LISTEN));
  }

  #[test]
  fn decodes_fork_exec_exit_and_ack() {
    let mut datagram = message(PROC_EVENT_FORK, 1, 10, 5_000, &[100, 100, 101, 101]);
    datagram.extend(message(PROC_EVENT_EXEC, 1, 11, 6_000, &[101, 101]));
    datagram.extend(message(
      PROC_EVENT_EXIT,
      0,
      3,
      7_000,
      &[101, 101, 768, 17, 100, 100],
    ));
    datagram.extend(message(PROC_EVENT_NONE, 0, 4, 8_000, &[0]));
    let decoded = decode_datagram(&datagram);
    assert_eq!(decoded.len(), 4);
    assert_eq!(
      decoded[0].event,
      Event::Fork {
        parent_tgid: 100,
        child_pid: 101,
        child_tgid: 101
      }
    );
    assert_eq!(
      (decoded[0].cpu, decoded[0].seq, decoded[0].timestamp_ns),
      (1, 10, 5_000)
    );
    assert_eq!(decoded[1].event, Event::Exec { pid: 101, tgid: 101 });
    assert_eq!(
      decoded[2].event,
      Event::Exit {
        pid: 101,
        tgid: 101,
        exit_code: 768,
        parent_tgid: 100
      }
    );
    assert_eq!(decoded[3].event, Event::Ack { err: 0 });
    assert_eq!(decoded[3].ack, 7);
  }

  #[test]
  fn short_exit_event_of_old_kernels() {
    let decoded = decode_datagram(&message(PROC_EVENT_EXIT, 0, 1, 1, &[5, 5, 9, 17]));
    assert_eq!(
      decoded[0].event,
      Event::Exit {
        pid: 5,
        tgid: 5,
        exit_code: 9,
        parent_tgid: 0
      }
    );
  }

  #[test]
  fn skips_truncated_and_foreign_messages() {
    let full = message(PROC_EVENT_EXEC, 0, 1, 1, &[5, 5]);
    assert!(decode_datagram(&full[..30]).is_empty());
    let mut foreign = full.clone();
    foreign[16..20].copy_from_slice(&9u32.to_ne_bytes());
    assert!(decode_datagram(&foreign).is_empty());
    assert!(decode_datagram(&[]).is_empty());
  }

  #[test]
  fn unknown_events_are_kept_for_sequence_tracking() {
    let decoded = decode_datagram(&message(0x200, 0, 1, 1, &[5, 5, 0, 0, 0, 0]));
    assert_eq!(decoded[0].event, Event::Other { what: 0x200 });
  }

  #[test]
  fn sequence_gaps_per_cpu() {
    let mut tracker = SequenceTracker::default();
    assert_eq!(tracker.observe(0, 10), 0);
    assert_eq!(tracker.observe(1, 500), 0);
    assert_eq!(tracker.observe(0, 11), 0);
    assert_eq!(tracker.observe(0, 15), 3);
    assert_eq!(tracker.observe(1, 501), 0);
    assert_eq!(tracker.observe(0, 15), 0);
    assert_eq!(tracker.observe(0, u32::MAX), 0);
    assert_eq!(tracker.observe(0, 1), 1);
  }
}
