//! Linux backend: netlink proc connector socket and its reader thread.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use crate::clock::{monotonic_ns, wall_offset_ns};
use crate::event::{Detail, Exec, Exit, TraceEvent};
use crate::exec_order::{ExecOrder, Fingerprint};
use crate::outbox::{Counters, Deliver, Outbox};
use crate::proc_connector::{self as cn, Event, Message, SequenceTracker};
use crate::subtree::Subtree;
use crate::{procfs, wait_status, Options};

/// How long an exec's `/proc` read waits for a possible later exec of the same pid.
const VERIFY_HOLD: Duration = Duration::from_millis(20);
/// Upper bound on events held behind unverified exec reads.
const MAX_HELD: usize = 8192;
/// Datagrams read per round before batches are flushed and timers looked at.
const DATAGRAMS_PER_ROUND: usize = 1024;
const ACK_TIMEOUT: Duration = Duration::from_secs(1);
const FIFO_PRIORITY: i32 = 10;

const PERMISSION_HINT: &str = "permission denied (needs CAP_NET_ADMIN on kernels before 6.6; run as root)";

fn errno_message(context: &str, err: &io::Error) -> String {
  match err.raw_os_error() {
    Some(libc::EPERM) | Some(libc::EACCES) => format!("netlink proc connector: {context}: {PERMISSION_HINT}"),
    Some(libc::EPROTONOSUPPORT) | Some(libc::EAFNOSUPPORT) => format!(
      "netlink proc connector: {context}: not supported by this kernel (needs CONFIG_CONNECTOR=y and CONFIG_PROC_EVENTS=y)"
    ),
    _ => format!("netlink proc connector: {context}: {err}"),
  }
}

fn check(rc: libc::c_int, context: &str) -> Result<libc::c_int, String> {
  if rc < 0 {
    Err(errno_message(context, &io::Error::last_os_error()))
  } else {
    Ok(rc)
  }
}

fn set_int_opt(fd: RawFd, level: libc::c_int, name: libc::c_int, value: libc::c_int) -> bool {
  // SAFETY: value outlives the call and its size is passed.
  unsafe {
    libc::setsockopt(
      fd,
      level,
      name,
      (&value as *const libc::c_int).cast(),
      std::mem::size_of::<libc::c_int>() as libc::socklen_t,
    ) == 0
  }
}

fn get_rcvbuf(fd: RawFd) -> u64 {
  let mut value: libc::c_int = 0;
  let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
  // SAFETY: value and len are valid for writes of the sizes given.
  unsafe {
    libc::getsockopt(
      fd,
      libc::SOL_SOCKET,
      libc::SO_RCVBUF,
      (&mut value as *mut libc::c_int).cast(),
      &mut len,
    )
  };
  value.max(0) as u64
}

fn netlink_addr(groups: u32) -> libc::sockaddr_nl {
  // SAFETY: sockaddr_nl is plain data; all-zero is a valid value.
  let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
  addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
  addr.nl_groups = groups;
  addr
}

/// A subscribed connector socket.
pub struct Connector {
  fd: OwnedFd,
  port_id: u32,
  pub granted_bytes: u64,
}

impl Connector {
  pub fn open(receive_buffer_bytes: usize) -> Result<Connector, String> {
    // SAFETY: plain socket(2) call; the fd is owned right away.
    let raw = check(
      unsafe {
        libc::socket(
          libc::AF_NETLINK,
          libc::SOCK_DGRAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
          cn::NETLINK_CONNECTOR,
        )
      },
      "create socket",
    )?;
    // SAFETY: raw is a fresh fd we own.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let bytes = receive_buffer_bytes.min(i32::MAX as usize / 2) as libc::c_int;
    if !set_int_opt(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, bytes) {
      set_int_opt(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_RCVBUF, bytes);
    }
    let granted_bytes = get_rcvbuf(fd.as_raw_fd());

    let addr = netlink_addr(cn::CN_IDX_PROC);
    // SAFETY: addr is a valid sockaddr_nl of the size given. Port id 0 lets the kernel pick a
    // unique one, so several tracers can live in one process.
    check(
      unsafe {
        libc::bind(
          fd.as_raw_fd(),
          (&addr as *const libc::sockaddr_nl).cast(),
          std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
      },
      "bind",
    )?;
    let mut bound = netlink_addr(0);
    let mut len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    // SAFETY: bound/len are valid for writes.
    check(
      unsafe {
        libc::getsockname(
          fd.as_raw_fd(),
          (&mut bound as *mut libc::sockaddr_nl).cast(),
          &mut len,
        )
      },
      "getsockname",
    )?;
    let connector = Connector {
      fd,
      port_id: bound.nl_pid,
      granted_bytes,
    };
    connector.subscribe()?;
    Ok(connector)
  }

  fn send_op(&self, op: u32, ack: u32) -> io::Result<()> {
    let msg = cn::encode_subscribe(op, self.port_id, 1, ack);
    let kernel = netlink_addr(0);
    // SAFETY: msg and kernel are valid for the sizes given.
    let rc = unsafe {
      libc::sendto(
        self.fd.as_raw_fd(),
        msg.as_ptr().cast(),
        msg.len(),
        0,
        (&kernel as *const libc::sockaddr_nl).cast(),
        std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
      )
    };
    if rc < 0 {
      Err(io::Error::last_os_error())
    } else {
      Ok(())
    }
  }

  /// Sends LISTEN and waits for the kernel's acknowledgement, which also proves that events will
  /// flow (the kernel silently ignores subscriptions from non-initial namespaces).
  fn subscribe(&self) -> Result<(), String> {
    let nonce = self.port_id.wrapping_mul(2_654_435_761) | 1;
    self
      .send_op(cn::PROC_CN_MCAST_LISTEN, nonce)
      .map_err(|e| errno_message("subscribe", &e))?;
    let deadline = Instant::now() + ACK_TIMEOUT;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
      let left = deadline.saturating_duration_since(Instant::now());
      if left.is_zero() {
        return Err(
          "netlink proc connector: the kernel did not acknowledge the subscription (subscriptions from outside the \
           initial user and PID namespaces, e.g. containers, are ignored; kernels before 6.6 also need CAP_NET_ADMIN): \
           run on the host as root"
            .to_string(),
        );
      }
      if !poll_readable(self.fd.as_raw_fd(), None, Some(left)).0 {
        continue;
      }
      match recv(self.fd.as_raw_fd(), &mut buf) {
        Ok(n) => {
          for message in cn::decode_datagram(&buf[..n]) {
            if let Event::Ack { err } = message.event {
              if message.ack == nonce.wrapping_add(1) {
                if err == 0 {
                  return Ok(());
                }
                return Err(errno_message(
                  "subscribe",
                  &io::Error::from_raw_os_error(err as i32),
                ));
              }
            }
          }
        }
        Err(e)
          if matches!(
            e.raw_os_error(),
            Some(libc::EAGAIN) | Some(libc::EINTR) | Some(libc::ENOBUFS)
          ) => {}
        Err(e) => return Err(errno_message("receive", &e)),
      }
    }
  }
}

impl Drop for Connector {
  fn drop(&mut self) {
    let _ = self.send_op(cn::PROC_CN_MCAST_IGNORE, 0);
  }
}

fn recv(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
  // SAFETY: buf is valid for writes of its length.
  let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT) };
  if n < 0 {
    Err(io::Error::last_os_error())
  } else {
    Ok(n as usize)
  }
}

/// Waits until `fd` (or `wake`) is readable; returns (fd readable, wake readable).
fn poll_readable(fd: RawFd, wake: Option<RawFd>, timeout: Option<Duration>) -> (bool, bool) {
  let mut fds = [
    libc::pollfd {
      fd,
      events: libc::POLLIN,
      revents: 0,
    },
    libc::pollfd {
      fd: wake.unwrap_or(-1),
      events: libc::POLLIN,
      revents: 0,
    },
  ];
  let timeout_ms = timeout.map_or(-1, |t| {
    t.as_micros().div_ceil(1000).min(i32::MAX as u128) as libc::c_int
  });
  // SAFETY: fds is a valid array of two pollfd; a negative fd is ignored by poll.
  let rc = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout_ms) };
  if rc <= 0 {
    return (false, false);
  }
  (fds[0].revents != 0, fds[1].revents != 0)
}

/// Shared between the JS-facing handle and the reader thread.
struct Control {
  stop: AtomicBool,
  new_roots: Mutex<Vec<u32>>,
  wake: OwnedFd,
}

impl Control {
  fn wake(&self) {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a valid u64 to our eventfd.
    unsafe { libc::write(self.wake.as_raw_fd(), (&one as *const u64).cast(), 8) };
  }

  fn drain_wake(&self) {
    let mut value: u64 = 0;
    // SAFETY: reads 8 bytes into a valid u64 from our non-blocking eventfd.
    unsafe { libc::read(self.wake.as_raw_fd(), (&mut value as *mut u64).cast(), 8) };
  }
}

pub struct Running {
  control: Arc<Control>,
  thread: Option<JoinHandle<()>>,
}

impl Running {
  pub fn add_root(&self, pid: u32) {
    self
      .control
      .new_roots
      .lock()
      .unwrap_or_else(|e| e.into_inner())
      .push(pid);
    self.control.wake();
  }

  pub fn stop(mut self) {
    self.control.stop.store(true, Ordering::Release);
    self.control.wake();
    if let Some(thread) = self.thread.take() {
      let _ = thread.join();
    }
  }
}

/// Subscribes (errors are returned to the caller of `start`) and starts the reader thread.
pub fn start<D: Deliver + 'static>(
  roots: &[u32],
  options: &Options,
  deliver: D,
  in_flight: Arc<AtomicUsize>,
  counters: Arc<Counters>,
) -> Result<Running, String> {
  let connector = Connector::open(options.receive_buffer_bytes)?;
  counters
    .receive_buffer_bytes
    .store(connector.granted_bytes, Ordering::Relaxed);
  counters.realtime.store(false, Ordering::Relaxed);
  // SAFETY: plain eventfd(2) call; the fd is owned right away.
  let wake_fd = check(
    unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) },
    "eventfd",
  )?;
  // SAFETY: wake_fd is a fresh fd we own.
  let wake = unsafe { OwnedFd::from_raw_fd(wake_fd) };
  let control = Arc::new(Control {
    stop: AtomicBool::new(false),
    new_roots: Mutex::new(roots.to_vec()),
    wake,
  });
  let mut reader = Reader {
    connector,
    control: control.clone(),
    subtree: Subtree::default(),
    order: ExecOrder::new(VERIFY_HOLD.as_nanos() as u64, MAX_HELD),
    outbox: Outbox::new(deliver, in_flight, options.queue_limit, counters.clone()),
    sequence: SequenceTracker::default(),
    counters,
    realtime: options.realtime,
    need_rescan: false,
    empty_at_ns: 0,
  };
  // Seed the subtrees before returning, so processes spawned after start() are not found by the scan.
  reader.take_new_roots();
  reader
    .counters
    .tracked
    .store(reader.subtree.len() as u64, Ordering::Relaxed);
  let thread = std::thread::Builder::new()
    .name("moat-trace".into())
    .spawn(move || reader.run())
    .map_err(|e| format!("netlink proc connector: cannot start the reader thread: {e}"))?;
  Ok(Running {
    control,
    thread: Some(thread),
  })
}

struct Reader<D: Deliver> {
  connector: Connector,
  control: Arc<Control>,
  subtree: Subtree,
  order: ExecOrder,
  outbox: Outbox<D>,
  sequence: SequenceTracker,
  counters: Arc<Counters>,
  realtime: bool,
  need_rescan: bool,
  /// A moment at which the socket queue was seen empty: every event sent before it has been handled.
  empty_at_ns: u64,
}

impl<D: Deliver> Reader<D> {
  fn run(mut self) {
    if self.realtime {
      let param = libc::sched_param {
        sched_priority: FIFO_PRIORITY,
      };
      // SAFETY: pid 0 = the calling thread; param is valid. Refusal (EPERM) is reported in stats.
      let ok = unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &param) } == 0;
      self.counters.realtime.store(ok, Ordering::Relaxed);
    }
    let fd = self.connector.fd.as_raw_fd();
    let wake = self.control.wake.as_raw_fd();
    let mut buf = vec![0u8; 64 * 1024];
    while !self.control.stop.load(Ordering::Acquire) {
      let (_, woken) = poll_readable(fd, Some(wake), self.poll_timeout());
      if woken {
        self.control.drain_wake();
        self.take_new_roots();
      }
      // Read even after a timeout: finding the queue empty is what lets held exec reads expire
      // (a later exec of the same pid could otherwise still be waiting in the queue).
      let drained = self.read_socket(fd, &mut buf);
      // Rescan only once the queue is empty, so queued exit events are not mistaken for vanishing.
      if drained && self.need_rescan {
        self.need_rescan = false;
        Counters::add(&self.counters.rescans, 1);
        self.rescan();
      }
      self.deliver_ready();
    }
    let rest = self.order.take_all();
    self.outbox.push(rest, Instant::now());
    self.outbox.flush();
  }

  fn poll_timeout(&self) -> Option<Duration> {
    let now = Instant::now();
    let verify = self
      .order
      .next_deadline()
      .map(|d| Duration::from_nanos(d.saturating_sub(monotonic_ns())));
    let batch = self.outbox.deadline().map(|d| d.saturating_duration_since(now));
    match (verify, batch) {
      (Some(a), Some(b)) => Some(a.min(b)),
      (a, b) => a.or(b),
    }
  }

  fn deliver_ready(&mut self) {
    let ready = self.order.take_ready(self.empty_at_ns);
    let now = Instant::now();
    self.outbox.push(ready, now);
    self.outbox.flush_if_due(now);
    self
      .counters
      .tracked
      .store(self.subtree.len() as u64, Ordering::Relaxed);
  }

  fn take_new_roots(&mut self) {
    let roots = std::mem::take(&mut *self.control.new_roots.lock().unwrap_or_else(|e| e.into_inner()));
    if roots.is_empty() {
      return;
    }
    for pid in roots {
      self.subtree.add_root(pid);
    }
    self.rescan();
  }

  /// Reads up to a round of datagrams; returns true when the socket queue is empty.
  fn read_socket(&mut self, fd: RawFd, buf: &mut [u8]) -> bool {
    for _ in 0..DATAGRAMS_PER_ROUND {
      let before_recv = monotonic_ns();
      match recv(fd, buf) {
        Ok(n) => {
          for message in cn::decode_datagram(&buf[..n]) {
            self.handle(message);
          }
        }
        Err(e) => match e.raw_os_error() {
          Some(libc::EAGAIN) => {
            self.empty_at_ns = before_recv;
            return true;
          }
          Some(libc::EINTR) => {}
          Some(libc::ENOBUFS) => {
            // The kernel dropped events for us; how many shows up as a sequence gap.
            Counters::add(&self.counters.lost, 1);
            self.need_rescan = true;
          }
          _ => return true,
        },
      }
    }
    false
  }

  fn handle(&mut self, message: Message) {
    // Old kernels send acks with cpu = -1 outside the per-CPU sequence.
    if message.cpu != u32::MAX {
      let gap = self.sequence.observe(message.cpu, message.seq);
      if gap > 0 {
        Counters::add(&self.counters.lost, gap);
        self.need_rescan = true;
      }
    }
    match message.event {
      Event::Fork {
        parent_tgid,
        child_pid,
        child_tgid,
      } => {
        self.subtree.on_fork(parent_tgid, child_pid, child_tgid);
      }
      Event::Exec { tgid, .. } => self.on_exec(tgid, message.timestamp_ns),
      Event::Exit {
        pid,
        tgid,
        exit_code,
        parent_tgid,
      } if pid == tgid => {
        if let Some(tracked) = self.subtree.on_exit(pid) {
          let end = wait_status::decode(exit_code);
          self.order.push(TraceEvent {
            pid,
            ppid: if parent_tgid != 0 {
              parent_tgid
            } else {
              tracked.ppid
            },
            monotonic_ns: message.timestamp_ns,
            detail: Detail::Exit(Exit {
              exit_code: end.exit_code,
              signal: end.signal,
              synthetic: false,
            }),
          });
        }
      }
      _ => {}
    }
  }

  fn on_exec(&mut self, pid: u32, timestamp_ns: u64) {
    let Some(tracked) = self.subtree.get(pid) else {
      return;
    };
    if !self.subtree.exec_is_new(pid, timestamp_ns) {
      return;
    }
    let read = procfs::read_image(pid);
    let read_end = monotonic_ns();
    // A start time other than the one we knew means the pid now belongs to another process; a torn
    // read mixes this exec's image with the next one's. Either way nothing read can be trusted.
    let reused = matches!((&read.stat, tracked.start_time), (Some(s), Some(t)) if s.start_time != t);
    let (exec, fingerprint) = if reused || read.torn {
      (
        Exec::unavailable(false),
        Fingerprint {
          comm: None,
          cmdline: None,
        },
      )
    } else {
      if let Some(stat) = &read.stat {
        self.subtree.set_start_time(pid, stat.start_time);
      }
      let comm = read.stat.as_ref().map(|s| s.comm.clone());
      let fingerprint = Fingerprint {
        comm: comm.clone(),
        cmdline: read.cmdline.clone(),
      };
      (Exec::from_parts(read.cmdline, comm, read.cwd, false), fingerprint)
    };
    // A process being reaped shows ppid 0 in /proc; the parent seen at fork is then the answer.
    let ppid = read
      .stat
      .as_ref()
      .filter(|s| !reused && s.ppid != 0)
      .map_or(tracked.ppid, |s| s.ppid);
    self.order.push_exec(
      TraceEvent {
        pid,
        ppid,
        monotonic_ns: timestamp_ns,
        detail: Detail::Exec(exec),
      },
      fingerprint,
      read_end,
    );
  }

  /// Reconciles the tracked set with `/proc`: new descendants become `rescan` execs, tracked pids
  /// that disappeared without an exit event become `synthetic` exits.
  fn rescan(&mut self) {
    let now = monotonic_ns();
    let changes = self.subtree.reconcile(&procfs::scan(Path::new("/proc")), now);
    for (pid, ppid) in changes.vanished {
      self.order.push(TraceEvent {
        pid,
        ppid,
        monotonic_ns: now,
        detail: Detail::Exit(Exit {
          exit_code: None,
          signal: None,
          synthetic: true,
        }),
      });
    }
    for stat in changes.found {
      let cmdline = procfs::read_cmdline(stat.pid);
      let cwd = procfs::read_cwd(stat.pid);
      let exec = Exec::from_parts(cmdline, Some(stat.comm.clone()), cwd, true);
      self.order.push(TraceEvent {
        pid: stat.pid,
        ppid: stat.ppid,
        monotonic_ns: now,
        detail: Detail::Exec(exec),
      });
    }
  }
}
