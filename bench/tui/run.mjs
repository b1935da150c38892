#!/usr/bin/env node
// How `moat watch` keeps up with a busy agent: a live run whose exec log grows by RATE processes a second
// (a start and an end record each), shown by the real CLI in a real terminal (tmux, 120×40). Samples the
// watch process's CPU time and resident memory every second, and checks the screen caught up.
// Usage: node bench/tui/run.mjs   (needs tmux; about a minute)
// Writes bench/tui/results/<date>.json and the TUI section of docs/benchmarks.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { have, REPO_ROOT, summarize, table, toJson, writeBenchmarkSection } from '../lib/report.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const START = '<!-- tui-bench:start -->';
const END = '<!-- tui-bench:end -->';
const BIN = join(REPO_ROOT, 'apps/cli/dist/bin.js');
const LOAD_SECONDS = 15;
const RATES = [500, 2000];
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
if (!have('tmux')) fail('tmux is missing: apt-get install tmux');

const { RunStore } = await import(pathToFileURL(join(REPO_ROOT, 'packages/storage/dist/index.js')).href);
const { ExecLogWriter } = await import(pathToFileURL(join(REPO_ROOT, 'packages/trace/dist/index.js')).href);

const results = {};
for (const rate of RATES) results[rate] = await measure(rate);

const report = {
  date: new Date().toISOString(),
  machine: `nproc ${os.availableParallelism()} (${os.cpus()[0]?.model.trim()}), Linux ${os.release()}, Node ${process.version}`,
  load_seconds: LOAD_SECONDS,
  results,
};
const resultsDir = join(BENCH_DIR, 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, `${report.date.slice(0, 10)}.json`), `${toJson(report)}\n`);
const section = render(report);
writeBenchmarkSection({ start: START, end: END, section, machine: report.machine, tools: ['tmux'] });
console.log(section);

async function measure(rate) {
  const root = mkdtempSync(join(os.tmpdir(), 'moat-tui-bench-'));
  const home = join(root, 'home');
  const workspace = join(root, 'workspace');
  mkdirSync(workspace);
  const store = new RunStore(home);
  const run = await store.create({ workspace, command: ['agent'], name: 'busy' });
  await store.update(run.id, { state: 'running', pid: process.pid });
  const log = await ExecLogWriter.open(store.paths.execLogPath(run.id));
  const socket = `moat-tui-bench-${process.pid}`;
  const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(CI|GITHUB_|BUILD_)/.test(key)),
  );
  try {
    execFileSync(
      'tmux',
      [
        '-L',
        socket,
        'new-session',
        '-d',
        '-x',
        '120',
        '-y',
        '40',
        `MOAT_HOME=${home} ${process.execPath} ${BIN} watch ${run.id}`,
      ],
      { env },
    );
    const pid = Number(tmux('list-panes', '-F', '#{pane_pid}').trim());
    await sleep(1500); // started and drawn
    const samples = [];
    let seq = 0;
    let previous = [];
    const batchMs = 50;
    const perBatch = (rate * batchMs) / 1000;
    const startedAt = performance.now();
    let lastSample = { at: startedAt, cpu: cpuTicks(pid) };
    while (performance.now() - startedAt < LOAD_SECONDS * 1000) {
      const batchStart = performance.now();
      const updates = previous.map((event) => ({ kind: 'end', event: ended(event) }));
      previous = [];
      for (let i = 0; i < perBatch; i++) {
        const event = startedEvent(++seq);
        previous.push(event);
        updates.push({ kind: 'start', event });
      }
      await log.write(updates);
      if (performance.now() - lastSample.at >= 1000) {
        const now = { at: performance.now(), cpu: cpuTicks(pid) };
        samples.push({
          cpu_percent: (100 * (now.cpu - lastSample.cpu)) / TICKS / ((now.at - lastSample.at) / 1000),
          rss_bytes: rssBytes(pid),
        });
        lastSample = now;
      }
      await sleep(Math.max(0, batchMs - (performance.now() - batchStart)));
    }
    await log.write(previous.map((event) => ({ kind: 'end', event: ended(event) })));
    const written = seq;
    // Caught up: the header counts every process written as done.
    let caughtUpMs = null;
    const quietStart = performance.now();
    while (performance.now() - quietStart < 10_000) {
      if (new RegExp(`\\b${written} done\\b`).test(tmux('capture-pane', '-p'))) {
        caughtUpMs = Math.round(performance.now() - quietStart);
        break;
      }
      await sleep(100);
    }
    const rss = samples.map((s) => s.rss_bytes);
    const cpu = samples.map((s) => s.cpu_percent);
    return {
      rate,
      processes_written: written,
      cpu_percent_median: round(summarize(cpu).median),
      cpu_percent_max: round(Math.max(...cpu)),
      rss_bytes_at_5s: rss[4] ?? null,
      rss_bytes_end: rss.at(-1) ?? null,
      rss_bytes_peak: Math.max(...rss),
      caught_up_ms_after_load: caughtUpMs,
      samples,
    };
  } finally {
    await log.close();
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    rmSync(root, { recursive: true, force: true });
  }
}

function startedEvent(seq) {
  return {
    seq,
    timestamp: new Date().toISOString(),
    pid: 10_000 + (seq % 50_000),
    ppid: 9_999,
    command: seq % 3 === 0 ? 'node' : 'git',
    args: seq % 3 === 0 ? ['scripts/build.js', `--part=${seq}`] : ['status', '--porcelain', `path/${seq}`],
    argv_status: 'complete',
    working_dir: '/src/app',
    exit_code: null,
    signal: null,
    duration_ms: null,
  };
}

function ended(event) {
  return { ...event, exit_code: event.seq % 17 === 0 ? 1 : 0, duration_ms: 3 + (event.seq % 40) };
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
}

function rssBytes(pid) {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}

function render(rep) {
  const mib = (bytes) => (bytes === null ? '–' : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);
  const rows = Object.values(rep.results).map((r) => [
    `${r.rate} processes/s (${r.processes_written} in ${rep.load_seconds} s)`,
    `${r.cpu_percent_median.toFixed(1)} % (max ${r.cpu_percent_max.toFixed(1)} %)`,
    `${mib(r.rss_bytes_at_5s)} → ${mib(r.rss_bytes_end)} (peak ${mib(r.rss_bytes_peak)})`,
    r.caught_up_ms_after_load === null ? 'no (after 10 s)' : `${r.caught_up_ms_after_load} ms after the load`,
  ]);
  const busy = rep.results[2000];
  const growth = busy.rss_bytes_end - busy.rss_bytes_at_5s;
  const ok = (x) => (x ? '✓' : '✗');
  return [
    START,
    '## `moat watch`: keeping up with a busy agent',
    '',
    `Measured ${rep.date.slice(0, 16).replace('T', ' ')} UTC on ${rep.machine}: the real CLI in tmux (120×40) ` +
      `watching a live run whose exec.jsonl grows by a start and an end record per process, in batches every ` +
      `50 ms, for ${rep.load_seconds} s; CPU from /proc/<pid>/stat each second (% of one core), resident memory from ` +
      '/proc/<pid>/status.',
    '',
    '```sh',
    'node bench/tui/run.mjs',
    '```',
    '',
    ...table(['Load', 'CPU, median of 1-s samples', 'RSS at 5 s → end', 'screen caught up'], 'lrrl', rows),
    '',
    ...table(['Target (2,000 processes/s)', 'measured', ''], 'lrl', [
      [
        'at most 25 % of one core',
        `${busy.cpu_percent_median.toFixed(1)} %`,
        ok(busy.cpu_percent_median <= 25),
      ],
      [
        'bounded memory: RSS grows < 10 MiB over the last 10 s',
        `${(growth / 1024 ** 2).toFixed(1)} MiB`,
        ok(growth < 10 * 1024 ** 2),
      ],
      [
        'the screen catches up',
        busy.caught_up_ms_after_load === null ? 'no' : 'yes',
        ok(busy.caught_up_ms_after_load !== null),
      ],
    ]),
    END,
  ].join('\n');
}

function round(x) {
  return Math.round(x * 10) / 10;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
