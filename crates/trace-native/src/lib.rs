#![deny(clippy::all)]
#![cfg_attr(not(any(target_os = "linux", target_os = "macos")), allow(dead_code))]
//! Kernel-level process tracer for moat. Mechanical only: it reports exec and exit events of the
//! traced subtrees; pairing, classification and durations are done in TypeScript (@moat/trace).

#[cfg(any(target_os = "linux", target_os = "macos"))]
mod clock;
mod event;
mod outbox;
#[cfg(any(target_os = "macos", test))]
mod procargs;
#[cfg(any(target_os = "linux", target_os = "macos"))]
mod subtree;
#[cfg(any(target_os = "linux", test))]
mod wait_status;

#[cfg(target_os = "linux")]
mod exec_order;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
mod proc_connector;
#[cfg(target_os = "linux")]
mod procfs;
#[cfg(target_os = "linux")]
use linux as backend;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as backend;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use event::{Detail, TraceEvent};
use outbox::{Counters, Deliver};

const DEFAULT_QUEUE_LIMIT: u32 = 65_536;
const DEFAULT_RECEIVE_BUFFER_BYTES: u32 = 64 * 1024 * 1024;
const DEFAULT_POLL_INTERVAL_MS: u32 = 50;

#[napi(object)]
pub struct NativeTracerOptions {
  /// PIDs traced with all their descendants (the roots themselves included).
  pub roots: Vec<u32>,
  /// Max events waiting for JS before dropping; default 65536.
  pub queue_limit: Option<u32>,
  /// Try SCHED_FIFO for the reader; default true.
  pub realtime: Option<bool>,
  /// Requested socket receive buffer; default 64 MiB.
  pub receive_buffer_bytes: Option<u32>,
  /// macOS polling interval; default 50.
  pub poll_interval_ms: Option<u32>,
}

#[napi(object, object_from_js = false)]
pub struct NativeEvent {
  #[napi(ts_type = "'exec' | 'exit'")]
  pub kind: String,
  pub pid: u32,
  pub ppid: u32,
  pub monotonic_ms: f64,
  pub wall_ms: f64,
  pub argv: Option<Vec<String>>,
  #[napi(ts_type = "'complete' | 'comm_only' | 'unavailable'")]
  pub argv_status: Option<String>,
  #[napi(ts_type = "string | null")]
  pub cwd: Option<Option<String>>,
  #[napi(ts_type = "string | null")]
  pub comm: Option<Option<String>>,
  #[napi(ts_type = "number | null")]
  pub exit_code: Option<Option<i32>>,
  #[napi(ts_type = "number | null")]
  pub signal: Option<Option<i32>>,
  pub rescan: Option<bool>,
  pub synthetic: Option<bool>,
}

#[napi(object, object_from_js = false)]
pub struct NativeTracerStats {
  pub events: f64,
  pub lost: f64,
  pub dropped: f64,
  pub rescans: f64,
  pub tracked: f64,
  /// The reader actually runs at SCHED_FIFO.
  pub realtime: bool,
  /// What the kernel granted (getsockopt).
  pub receive_buffer_bytes: f64,
}

/// Settings the backends read.
pub(crate) struct Options {
  #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
  pub realtime: bool,
  #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
  pub receive_buffer_bytes: usize,
  pub queue_limit: usize,
  #[cfg_attr(not(target_os = "macos"), allow(dead_code))]
  pub poll_interval_ms: u32,
}

type EventsFn = ThreadsafeFunction<Vec<NativeEvent>, Unknown<'static>, Vec<NativeEvent>, Status, false, true>;

fn to_native(event: TraceEvent, wall_offset_ns: i128) -> NativeEvent {
  let monotonic_ms = event.monotonic_ns as f64 / 1e6;
  let wall_ms = (i128::from(event.monotonic_ns) + wall_offset_ns) as f64 / 1e6;
  let base = NativeEvent {
    kind: String::new(),
    pid: event.pid,
    ppid: event.ppid,
    monotonic_ms,
    wall_ms,
    argv: None,
    argv_status: None,
    cwd: None,
    comm: None,
    exit_code: None,
    signal: None,
    rescan: None,
    synthetic: None,
  };
  match event.detail {
    Detail::Exec(exec) => NativeEvent {
      kind: "exec".into(),
      argv: Some(exec.argv),
      argv_status: Some(exec.argv_status.as_str().into()),
      cwd: Some(exec.cwd),
      comm: Some(exec.comm),
      rescan: exec.rescan.then_some(true),
      ..base
    },
    Detail::Exit(exit) => NativeEvent {
      kind: "exit".into(),
      exit_code: Some(exit.exit_code),
      signal: Some(exit.signal),
      synthetic: exit.synthetic.then_some(true),
      ..base
    },
  }
}

struct JsDeliver {
  on_events: Arc<EventsFn>,
  wall_offset_ns: i128,
}

impl Deliver for JsDeliver {
  fn deliver(&self, batch: Vec<TraceEvent>) -> bool {
    let events = batch
      .into_iter()
      .map(|e| to_native(e, self.wall_offset_ns))
      .collect();
    self
      .on_events
      .call(events, ThreadsafeFunctionCallMode::NonBlocking)
      == Status::Ok
  }
}

#[napi]
pub struct NativeTracer {
  roots: Vec<u32>,
  options: Options,
  on_events: Arc<EventsFn>,
  in_flight: Arc<AtomicUsize>,
  counters: Arc<Counters>,
  #[cfg(any(target_os = "linux", target_os = "macos"))]
  running: Option<backend::Running>,
}

fn unsupported() -> Error {
  Error::from_reason(format!(
    "@moat/trace-native: unsupported platform {} (only Linux and macOS are supported); use the /proc or ps polling fallback",
    std::env::consts::OS
  ))
}

#[napi]
impl NativeTracer {
  #[napi(constructor)]
  pub fn new(
    options: NativeTracerOptions,
    #[napi(ts_arg_type = "(events: NativeEvent[]) => void")] on_events: Function<
      Vec<NativeEvent>,
      Unknown<'static>,
    >,
  ) -> Result<Self> {
    if !cfg!(any(target_os = "linux", target_os = "macos")) {
      return Err(unsupported());
    }
    if let Some(&bad) = options.roots.iter().find(|&&pid| pid == 0) {
      return Err(Error::from_reason(format!(
        "NativeTracer: invalid root pid {bad}"
      )));
    }
    let in_flight = Arc::new(AtomicUsize::new(0));
    let consumed = in_flight.clone();
    let on_events = on_events
      .build_threadsafe_function::<Vec<NativeEvent>>()
      .weak::<true>()
      .callee_handled::<false>()
      .build_callback(move |ctx| {
        consumed.fetch_sub(ctx.value.len(), Ordering::AcqRel);
        Ok(ctx.value)
      })?;
    let mut roots = options.roots;
    roots.dedup();
    Ok(NativeTracer {
      roots,
      options: Options {
        realtime: options.realtime.unwrap_or(true),
        receive_buffer_bytes: options
          .receive_buffer_bytes
          .unwrap_or(DEFAULT_RECEIVE_BUFFER_BYTES) as usize,
        queue_limit: options.queue_limit.unwrap_or(DEFAULT_QUEUE_LIMIT) as usize,
        poll_interval_ms: options
          .poll_interval_ms
          .unwrap_or(DEFAULT_POLL_INTERVAL_MS)
          .max(1),
      },
      on_events: Arc::new(on_events),
      in_flight,
      counters: Arc::new(Counters::default()),
      #[cfg(any(target_os = "linux", target_os = "macos"))]
      running: None,
    })
  }

  /// Starts tracing; does nothing when already running.
  #[napi]
  pub fn start(&mut self) -> Result<()> {
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    {
      if self.running.is_some() {
        return Ok(());
      }
      let deliver = JsDeliver {
        on_events: self.on_events.clone(),
        wall_offset_ns: backend::wall_offset_ns(),
      };
      let running = backend::start(
        &self.roots,
        &self.options,
        deliver,
        self.in_flight.clone(),
        self.counters.clone(),
      )
      .map_err(Error::from_reason)?;
      self.running = Some(running);
      Ok(())
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    Err(unsupported())
  }

  /// Stops tracing and joins the reader thread; does nothing when not running.
  #[napi]
  pub fn stop(&mut self) {
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    if let Some(running) = self.running.take() {
      running.stop();
    }
  }

  /// Traces another subtree (now, if running, else from the next start).
  #[napi]
  pub fn add_root(&mut self, pid: u32) -> Result<()> {
    if pid == 0 {
      return Err(Error::from_reason("NativeTracer.addRoot: invalid pid 0"));
    }
    if !self.roots.contains(&pid) {
      self.roots.push(pid);
    }
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    if let Some(running) = &self.running {
      running.add_root(pid);
    }
    Ok(())
  }

  #[napi]
  pub fn stats(&self) -> NativeTracerStats {
    let c = &self.counters;
    let get = |v: &std::sync::atomic::AtomicU64| v.load(Ordering::Relaxed) as f64;
    NativeTracerStats {
      events: get(&c.events),
      lost: get(&c.lost),
      dropped: get(&c.dropped),
      rescans: get(&c.rescans),
      tracked: get(&c.tracked),
      realtime: c.realtime.load(Ordering::Relaxed),
      receive_buffer_bytes: get(&c.receive_buffer_bytes),
    }
  }
}

impl Drop for NativeTracer {
  fn drop(&mut self) {
    self.stop();
  }
}
