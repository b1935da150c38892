#!/usr/bin/env node
// Runs one storm (storm.sh) and prints a JSON line: its wall time and, with `moat`, what moat's tracer
// (@moat/trace's createTracer, as `moat run` uses it) saw of it. run.mjs calls this for every row.
// Usage: node bench/trace/trace-storm.mjs none|moat TAG N
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../lib/report.mjs';

const [mode, tag, count] = process.argv.slice(2);
if (!['none', 'moat'].includes(mode) || !tag || !(Number(count) > 0)) {
  console.error('usage: node bench/trace/trace-storm.mjs none|moat TAG N');
  process.exit(2);
}
const n = Number(count);
const storm = join(dirname(fileURLToPath(import.meta.url)), 'storm.sh');

let created = null;
const starts = new Map();
const ends = new Map();
if (mode === 'moat') {
  const { createTracer } = await import(pathToFileURL(join(REPO_ROOT, 'packages/trace/dist/index.js')).href);
  created = await createTracer({ awaitAgent: true });
  created.tracer.subscribe((updates) => {
    for (const { kind, event } of updates) (kind === 'start' ? starts : ends).set(event.seq, event);
  });
}

const t0 = performance.now();
const child = spawn('bash', [storm, tag, String(n)], { stdio: 'ignore' });
created?.tracer.setAgent(child.pid);
await new Promise((resolve) => child.on('exit', resolve));
const wallMs = performance.now() - t0;

const result = { mode, wall_ms: Math.round(wallMs) };
if (created) {
  // Let the last batches arrive: wait until nothing new comes for 300 ms.
  for (let seen = -1; seen !== starts.size + ends.size; ) {
    seen = starts.size + ends.size;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const status = created.tracer.status();
  await created.tracer.stop();
  Object.assign(result, { backend: created.backend, ...analyze(), lost: status.lost, status });
}
process.stdout.write(`${JSON.stringify(result)}\n`);

/**
 * The storm's execs (everything the agent subtree ran but bash itself), how many carry exactly the argv
 * they ran with, how many carry someone else's (never acceptable), and how many exit codes are right.
 */
function analyze() {
  const stats = { execs: 0, exact_argv: 0, wrong_argv: 0, exit_codes_right: 0, argv_status: {} };
  for (const event of starts.values()) {
    if (event.pid === child.pid) continue; // the storm's bash itself
    const sh = event.command === 'sh';
    stats.execs++;
    stats.argv_status[event.argv_status] = (stats.argv_status[event.argv_status] ?? 0) + 1;
    const [first, second, third, fourth, ...rest] = event.args;
    const exact = sh
      ? first === '-c' && second === 'exit 3' && third === `${tag}B` && /^\d+$/.test(fourth) && !rest.length
      : first === `${tag}A` && /^\d+$/.test(second) && third === undefined;
    if (event.argv_status === 'complete') stats[exact ? 'exact_argv' : 'wrong_argv']++;
    if ((ends.get(event.seq) ?? event).exit_code === (sh ? 3 : 0)) stats.exit_codes_right++;
  }
  return stats;
}
