#!/usr/bin/env node
// The trace benchmark: one exec storm (storm.sh: 2 × N one-millisecond processes, each with a unique
// argv) run with no tracer, with moat's tracer, with forkstat and with bpftrace's execsnoop.bt, in
// rounds so that noise falls on every row alike. For each: the storm's wall time, the execs seen, how
// many carry exactly the argv they ran with, how many carry someone else's, and the exit codes.
// Usage: node bench/trace/run.mjs [--quick]   (needs root; apt-get install forkstat bpftrace for those rows)
// Writes bench/trace/results/<date>[-quick].json and the trace section of docs/benchmarks.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { have, REPO_ROOT, summarize, table, toJson, writeBenchmarkSection } from '../lib/report.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const START = '<!-- trace-bench:start -->';
const END = '<!-- trace-bench:end -->';
const flags = process.argv.slice(2);
if (flags.some((f) => f !== '--quick')) fail('usage: node bench/trace/run.mjs [--quick]');
const QUICK = flags.includes('--quick');
const N = QUICK ? 1000 : 5000;
const ROUNDS = QUICK ? 1 : 3;
const EXPECTED = 2 * N;
const EXECSNOOP = '/usr/sbin/execsnoop.bt';
const TRACE_ENTRY = join(REPO_ROOT, 'packages/trace/dist/index.js');

if (process.getuid?.() !== 0)
  fail('run the trace benchmark as root (forkstat, bpftrace and SCHED_FIFO need it)');
const scratch = mkdtempSync(join(os.tmpdir(), 'moat-trace-bench-'));
const started = performance.now();
const loadStart = os.loadavg();

const tools = { none: { label: 'no tracer' } };
tools.moat = existsSync(TRACE_ENTRY)
  ? { label: 'moat (`@moat/trace` createTracer)' }
  : { label: 'moat', skipped: 'packages/trace/dist does not exist (build @moat/trace)' };
tools.forkstat = have('forkstat')
  ? { label: 'forkstat -e exec,exit', version: firstLine('forkstat', ['-V']) }
  : { label: 'forkstat', skipped: 'not installed: apt-get install forkstat' };
tools.execsnoop = bpftraceProblem()
  ? { label: 'bpftrace execsnoop.bt', skipped: bpftraceProblem() }
  : { label: 'bpftrace execsnoop.bt', version: firstLine('bpftrace', ['--version']) };
for (const tool of Object.values(tools)) tool.runs = [];

const order = Object.keys(tools).filter((name) => !tools[name].skipped);
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round so no tool always runs right after another's clean-up.
  for (const name of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
    const tag = `mb${round}${name.slice(0, 2)}${process.pid % 1000}`;
    const result = await measure(name, tag);
    tools[name].runs.push(result);
    console.log(`[round ${round + 1}] ${name}: ${JSON.stringify(result)}`);
  }
}
rmSync(scratch, { recursive: true, force: true });

const report = {
  date: new Date().toISOString(),
  quick: QUICK,
  storm: { per_command: N, expected_execs: EXPECTED, rounds: ROUNDS },
  machine: `nproc ${os.availableParallelism()} (${os.cpus()[0]?.model.trim()}), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Linux ${os.release()}, Node ${process.version}`,
  load_average_at_start: loadStart.map((x) => Math.round(x * 100) / 100),
  total_seconds: Math.round((performance.now() - started) / 1000),
  tools,
};
const resultsDir = join(BENCH_DIR, 'results');
mkdirSync(resultsDir, { recursive: true });
const resultsFile = join(resultsDir, `${report.date.slice(0, 10)}${QUICK ? '-quick' : ''}.json`);
writeFileSync(resultsFile, `${toJson(report)}\n`);
writeBenchmarkSection({
  start: START,
  end: END,
  section: render(report),
  machine: report.machine,
  tools: Object.values(tools).map((t) => t.version ?? t.label),
});
console.log(`results: ${resultsFile}; docs/benchmarks.md updated; total ${report.total_seconds} s`);

// ---- one measurement ---------------------------------------------------------------------------

async function measure(name, tag) {
  if (name === 'none' || name === 'moat') return storm(name, tag);
  const out = join(scratch, `${name}.out`);
  const fd = openSync(out, 'w');
  const [cmd, args, ready] =
    name === 'forkstat'
      ? // Line-buffered: to a file, forkstat's header could sit in its stdio buffer for a long time.
        ['stdbuf', ['-oL', 'forkstat', '-e', 'exec,exit'], /Event/]
      : ['bpftrace', [EXECSNOOP], /TIME\(ms\)/];
  const tracer = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
  await waitFor(() => ready.test(readFileSync(out, 'utf8')), `${name} to start`);
  await sleep(500);
  const result = storm('none', tag);
  await sleep(1000); // let the tool drain its last events
  const exited = new Promise((resolve) => tracer.on('exit', resolve));
  tracer.kill('SIGINT');
  await exited;
  const text = readFileSync(out, 'utf8');
  return { ...result, ...(name === 'forkstat' ? parseForkstat(text, tag) : parseExecsnoop(text, tag)) };
}

function storm(mode, tag) {
  const child = spawnSync(process.execPath, [join(BENCH_DIR, 'trace-storm.mjs'), mode, tag, String(N)], {
    encoding: 'utf8',
  });
  if (child.status !== 0) fail(`trace-storm.mjs ${mode} failed: ${child.stderr}`);
  const { status, ...result } = JSON.parse(child.stdout);
  if (status)
    Object.assign(result, {
      realtime: status.backend_stats?.realtime,
      dropped: status.backend_stats?.dropped,
    });
  return result;
}

/**
 * forkstat prints `TIME exec PID CMDLINE` and `TIME exit PID STATUS DURATION CMDLINE`; the storm is
 * everything between its bash's exec and exit. A cmdline naming storm.sh on another pid is the
 * parent's, borrowed (forkstat's fallback when /proc is already gone).
 */
function parseForkstat(text, tag) {
  const stats = { execs: 0, exact_argv: 0, wrong_argv: 0, exit_codes_right: 0 };
  let stormPid = null;
  const kinds = new Map();
  for (const line of text.split('\n')) {
    const exec = /^\S+ exec\s+(\d+)\s+(.*?)\s*$/.exec(line);
    const exit = /^\S+ exit\s+(\d+)\s+(-?\d+)\s+\S+\s+(.*?)\s*$/.exec(line);
    if (stormPid === null) {
      if (exec?.[2].includes(`storm.sh ${tag}`)) stormPid = exec[1];
      continue;
    }
    if (exit && exit[1] === stormPid) break;
    if (exec) {
      const argv = exec[2];
      const kind = /^(\/bin\/)?true\b/.test(argv) ? 'A' : /^(\/bin\/)?sh\b/.test(argv) ? 'B' : null;
      kinds.set(exec[1], kind);
      // Other processes on the machine run meanwhile: count what is the storm's or claims to be.
      if (kind === null && !argv.includes('storm.sh')) continue;
      stats.execs++;
      if (
        new RegExp(`^/bin/true ${tag}A \\d+$`).test(argv) ||
        new RegExp(`^/bin/sh -c exit 3 ${tag}B \\d+$`).test(argv)
      ) {
        stats.exact_argv++;
      } else if (argv.includes('storm.sh')) {
        stats.wrong_argv++;
      }
    } else if (exit) {
      const kind = kinds.get(exit[1]);
      if ((kind === 'A' && exit[2] === '0') || (kind === 'B' && exit[2] === '768')) stats.exit_codes_right++;
    }
  }
  return stats;
}

/** execsnoop.bt prints `TIME(ms) PID ARGS` at exec entry, arguments joined by spaces, no exit codes. */
function parseExecsnoop(text, tag) {
  const stats = { execs: 0, exact_argv: 0, wrong_argv: 0, exit_codes_right: null };
  for (const line of text.split('\n')) {
    const exec = /^\s*\d+\s+\d+\s+(.*?)\s*$/.exec(line);
    // The harness and the storm script carry the tag in their own argv: they are not storm execs.
    if (!exec || /storm\.sh|trace-storm\.mjs/.test(exec[1]) || !exec[1].includes(tag)) continue;
    stats.execs++;
    if (new RegExp(`^/bin/true ${tag}A \\d+$|^/bin/sh -c exit 3 ${tag}B \\d+$`).test(exec[1]))
      stats.exact_argv++;
  }
  return stats;
}

// ---- report ------------------------------------------------------------------------------------

function render(rep) {
  const base = summarize(rep.tools.none.runs.map((r) => r.wall_ms)).median;
  // Two decimals near 100 %, where the goals are (99.87 % must not print as 99.9 %).
  const pct = (x) => `${(100 * x).toFixed(x >= 0.99 && x < 1 ? 2 : 1)} %`;
  const range = (values, fmt) => {
    const { min, max } = summarize(values);
    return min === max ? fmt(min) : `${fmt(min)}–${fmt(max)}`;
  };
  const rows = Object.values(rep.tools).map((tool) => {
    if (tool.skipped) return [tool.label, `skipped: ${tool.skipped}`, '', '', '', '', ''];
    const walls = tool.runs.map((r) => r.wall_ms);
    const wall = summarize(walls).median;
    const traced = tool.runs[0].execs !== undefined;
    return [
      tool.label,
      `${(wall / 1000).toFixed(2)} s (${walls.map((w) => (w / 1000).toFixed(2)).join(', ')})`,
      tool === rep.tools.none
        ? '–'
        : `${wall >= base ? '+' : ''}${((100 * (wall - base)) / base).toFixed(1)} %`,
      traced
        ? range(
            tool.runs.map((r) => r.execs / EXPECTED),
            pct,
          )
        : '–',
      traced
        ? range(
            tool.runs.map((r) => r.exact_argv / EXPECTED),
            pct,
          )
        : '–',
      traced ? String(Math.max(...tool.runs.map((r) => r.wrong_argv))) : '–',
      traced && tool.runs[0].exit_codes_right !== null
        ? range(
            tool.runs.map((r) => r.exit_codes_right / EXPECTED),
            pct,
          )
        : '–',
    ];
  });
  const moat = rep.tools.moat;
  const lines = [
    START,
    '## Tracing: moat against the anchors',
    '',
    `Measured ${rep.date.slice(0, 16).replace('T', ' ')} UTC${rep.quick ? ' in quick mode' : ''}: ${rep.storm.rounds} round(s) of a storm of ` +
      `${N} \`/bin/true TAG i\` then ${N} \`/bin/sh -c 'exit 3' TAG i\` from a bash loop (${EXPECTED} execs of about a ` +
      `millisecond each, every argv unique), once per tracer per round, tracers in rotating order. Machine: ${rep.machine}. ` +
      `Load average at start ${rep.load_average_at_start.join(' ')}. The whole run took ${rep.total_seconds} s.`,
    '',
    'Reproduce (as root; `apt-get install forkstat bpftrace` for those rows; bpftrace needs tracefs mounted):',
    '',
    '```sh',
    'node bench/trace/run.mjs    # --quick: one round of 2 × 1000',
    '```',
    '',
    ...table(
      [
        'Tracer',
        'storm wall time, median (runs)',
        'overhead',
        'execs seen',
        'exact argv',
        'borrowed argv (max)',
        'exit codes right',
      ],
      'lllrrrr',
      rows,
    ),
    '',
    '"exact argv": the event carries exactly the argv the process ran with; "borrowed": it carries another ' +
      "process's (forkstat prints the parent's when /proc is already gone). Percentages are of the " +
      `${EXPECTED} storm execs; ranges are min–max over the rounds.`,
  ];
  if (!moat.skipped) {
    const wall = summarize(moat.runs.map((r) => r.wall_ms)).median;
    const overhead = (wall - base) / base;
    const minSeen = Math.min(...moat.runs.map((r) => r.execs)) / EXPECTED;
    const minExact = Math.min(...moat.runs.map((r) => r.exact_argv)) / EXPECTED;
    const ok = (x) => (x ? '✓' : '✗');
    lines.push(
      '',
      ...table(['Goal (moat)', 'measured (worst round)', ''], 'lrl', [
        ['100 % of exec events', pct(minSeen), ok(minSeen >= 1)],
        ['≥ 99.9 % exact argv', pct(minExact), ok(minExact >= 0.999)],
        ['≤ 5 % wall-time overhead (medians)', `${(100 * overhead).toFixed(1)} %`, ok(overhead <= 0.05)],
      ]),
      '',
      `moat backend: ${moat.runs[0].backend}; reader at SCHED_FIFO: ${moat.runs.map((r) => r.realtime).join(', ')}; ` +
        `lost: ${moat.runs.map((r) => r.lost).join(', ')}; dropped: ${moat.runs.map((r) => r.dropped).join(', ')}.`,
    );
  }
  lines.push(END);
  return lines.join('\n');
}

// ---- helpers -----------------------------------------------------------------------------------

function bpftraceProblem() {
  if (!have('bpftrace')) return 'not installed: apt-get install bpftrace';
  if (!existsSync(EXECSNOOP)) return `${EXECSNOOP} is missing`;
  if (!existsSync('/sys/kernel/tracing/events')) {
    spawnSync('mount', ['-t', 'tracefs', 'tracefs', '/sys/kernel/tracing']);
    if (!existsSync('/sys/kernel/tracing/events')) return 'tracefs is not mounted and could not be';
  }
  return null;
}

function firstLine(cmd, args) {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`.split('\n')[0].trim();
}

async function waitFor(condition, what) {
  for (let waited = 0; !condition(); waited += 100) {
    if (waited > 30_000) fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
