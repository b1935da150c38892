//! macOS backend: polls the process table (libproc) every `poll_interval_ms` and reads argv with
//! `sysctl(KERN_PROCARGS2)`. Processes shorter than the interval are missed; exits are inferred
//! (exit code unknown). Built and tested on Linux only as far as `cargo check` goes: see README.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use crate::clock::{monotonic_ns, wall_offset_ns};
use crate::event::{Detail, Exec, Exit, TraceEvent};
use crate::outbox::{Counters, Deliver, Outbox};
use crate::procargs::parse_procargs2;
use crate::subtree::{Stat, Subtree};
use crate::Options;

enum Command {
  AddRoot(u32),
  Stop,
}

pub struct Running {
  commands: Sender<Command>,
  thread: Option<JoinHandle<()>>,
}

impl Running {
  pub fn add_root(&self, pid: u32) {
    let _ = self.commands.send(Command::AddRoot(pid));
  }

  pub fn stop(mut self) {
    let _ = self.commands.send(Command::Stop);
    if let Some(thread) = self.thread.take() {
      let _ = thread.join();
    }
  }
}

fn c_string(chars: &[libc::c_char]) -> String {
  let bytes: Vec<u8> = chars.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
  String::from_utf8_lossy(&bytes).into_owned()
}

fn bsd_info(pid: i32) -> Option<Stat> {
  // SAFETY: proc_bsdinfo is plain data; proc_pidinfo writes at most the size we pass.
  let mut info: libc::proc_bsdinfo = unsafe { std::mem::zeroed() };
  let size = std::mem::size_of::<libc::proc_bsdinfo>() as libc::c_int;
  let n = unsafe {
    libc::proc_pidinfo(
      pid,
      libc::PROC_PIDTBSDINFO,
      0,
      (&mut info as *mut libc::proc_bsdinfo).cast(),
      size,
    )
  };
  (n == size).then(|| Stat {
    pid: info.pbi_pid,
    comm: c_string(&info.pbi_comm),
    ppid: info.pbi_ppid,
    start_time: info.pbi_start_tvsec * 1_000_000 + info.pbi_start_tvusec,
  })
}

fn scan() -> Vec<Stat> {
  // SAFETY: a null buffer asks for the number of pids.
  let count = unsafe { libc::proc_listallpids(std::ptr::null_mut(), 0) };
  if count <= 0 {
    return Vec::new();
  }
  let mut pids = vec![0i32; count as usize + 64];
  let bytes = (pids.len() * std::mem::size_of::<i32>()) as libc::c_int;
  // SAFETY: pids is valid for `bytes` bytes of writes.
  let n = unsafe { libc::proc_listallpids(pids.as_mut_ptr().cast(), bytes) };
  pids.truncate(n.max(0) as usize);
  pids
    .into_iter()
    .filter(|&pid| pid > 0)
    .filter_map(bsd_info)
    .collect()
}

fn argv(pid: u32) -> Option<Vec<String>> {
  let mut mib = [libc::CTL_KERN, libc::KERN_PROCARGS2, pid as libc::c_int];
  let mut size: libc::size_t = 0;
  // SAFETY: size query with a null buffer, then a read into a buffer of that size.
  unsafe {
    if libc::sysctl(
      mib.as_mut_ptr(),
      3,
      std::ptr::null_mut(),
      &mut size,
      std::ptr::null_mut(),
      0,
    ) != 0
    {
      return None;
    }
    let mut buf = vec![0u8; size];
    if libc::sysctl(
      mib.as_mut_ptr(),
      3,
      buf.as_mut_ptr().cast(),
      &mut size,
      std::ptr::null_mut(),
      0,
    ) != 0
    {
      return None;
    }
    buf.truncate(size);
    parse_procargs2(&buf)
  }
}

fn cwd(pid: u32) -> Option<String> {
  // SAFETY: proc_vnodepathinfo is plain data; proc_pidinfo writes at most the size we pass.
  let mut info: libc::proc_vnodepathinfo = unsafe { std::mem::zeroed() };
  let size = std::mem::size_of::<libc::proc_vnodepathinfo>() as libc::c_int;
  let n = unsafe {
    libc::proc_pidinfo(
      pid as i32,
      libc::PROC_PIDVNODEPATHINFO,
      0,
      (&mut info as *mut libc::proc_vnodepathinfo).cast(),
      size,
    )
  };
  let path: Vec<libc::c_char> = info.pvi_cdir.vip_path.iter().flatten().copied().collect();
  (n == size).then(|| c_string(&path)).filter(|p| !p.is_empty())
}

pub fn start<D: Deliver + 'static>(
  roots: &[u32],
  options: &Options,
  deliver: D,
  in_flight: Arc<AtomicUsize>,
  counters: Arc<Counters>,
) -> Result<Running, String> {
  counters.realtime.store(false, Ordering::Relaxed);
  counters.receive_buffer_bytes.store(0, Ordering::Relaxed);
  let (commands, inbox) = channel();
  let mut subtree = Subtree::default();
  for &pid in roots {
    subtree.add_root(pid);
  }
  let interval = Duration::from_millis(u64::from(options.poll_interval_ms));
  let mut outbox = Outbox::new(deliver, in_flight, options.queue_limit, counters.clone());
  let thread = std::thread::Builder::new()
    .name("moat-trace".into())
    .spawn(move || {
      let mut comms: HashMap<u32, String> = HashMap::new();
      loop {
        poll_once(&mut subtree, &mut comms, &mut outbox);
        counters.tracked.store(subtree.len() as u64, Ordering::Relaxed);
        match inbox.recv_timeout(interval) {
          Ok(Command::AddRoot(pid)) => subtree.add_root(pid),
          Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => break,
          Err(RecvTimeoutError::Timeout) => {}
        }
      }
      outbox.flush();
    })
    .map_err(|e| format!("process polling: cannot start the polling thread: {e}"))?;
  Ok(Running {
    commands,
    thread: Some(thread),
  })
}

/// One poll: new subtree processes (and pure execs seen as a comm change) become exec events
/// flagged `rescan`; vanished ones become `synthetic` exits.
fn poll_once<D: Deliver>(subtree: &mut Subtree, comms: &mut HashMap<u32, String>, outbox: &mut Outbox<D>) {
  let now = monotonic_ns();
  let processes = scan();
  let changes = subtree.reconcile(&processes, now);
  let mut events = Vec::new();
  for (pid, ppid) in changes.vanished {
    comms.remove(&pid);
    let exit = Exit {
      exit_code: None,
      signal: None,
      synthetic: true,
    };
    events.push(TraceEvent {
      pid,
      ppid,
      monotonic_ns: now,
      detail: Detail::Exit(exit),
    });
  }
  let found: Vec<u32> = changes.found.iter().map(|s| s.pid).collect();
  let exec_in_place: Vec<Stat> = processes
    .into_iter()
    .filter(|s| !found.contains(&s.pid) && subtree.get(s.pid).is_some() && comms.get(&s.pid) != Some(&s.comm))
    .collect();
  for stat in changes.found.into_iter().chain(exec_in_place) {
    comms.insert(stat.pid, stat.comm.clone());
    let exec = Exec::from_parts(argv(stat.pid), Some(stat.comm), cwd(stat.pid), true);
    events.push(TraceEvent {
      pid: stat.pid,
      ppid: stat.ppid,
      monotonic_ns: now,
      detail: Detail::Exec(exec),
    });
  }
  outbox.push(events, Instant::now());
  outbox.flush();
}
