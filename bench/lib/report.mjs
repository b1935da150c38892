// Reporting helpers shared by the benchmarks: Markdown tables and JSON laid out as Biome formats them,
// the section of docs/benchmarks.md each benchmark owns, and time formatting.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export /** A Markdown table padded as Biome's formatter pads it, so `npm run format` leaves it alone. */
function table(header, align, rows) {
  const widths = header.map((_, c) => Math.max(3, ...[header, ...rows].map((row) => row[c].length)));
  const line = (row) =>
    `| ${row.map((cell, c) => (align[c] === 'r' ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`;
  const rule = widths.map((w, c) => (align[c] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)];
}

/**
 * Replaces the section between `start` and `end` in docs/benchmarks.md (appending it the first time),
 * so each benchmark rewrites only its own numbers. `machine` and `tools` describe a new file's header.
 */
export function writeBenchmarkSection({ start, end, section, machine, tools }) {
  const file = join(REPO_ROOT, 'docs', 'benchmarks.md');
  let text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nNumbers measured by the scripts under `bench/`. Each script rewrites only its own section, ' +
      'between its markers.\n\n' +
      `Machine when this file was created: ${machine}. Tools: ${tools.join(', ')}.\n\n`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + section + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}

/**
 * JSON laid out as Biome formats it (biome.json: width 110), so `npm run format` leaves results alone:
 * objects one entry a line; arrays of primitives on one line when they fit, else numbers filled line by
 * line and anything else one a line. `used` is the width already taken on the line, `tail` what follows.
 */
export function toJson(value, indent = '', used = 0, tail = 0) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  const items = Array.isArray(value)
    ? value.map((v) => [null, v])
    : Object.entries(value).filter(([, v]) => v !== undefined);
  if (items.length === 0) return Array.isArray(value) ? '[]' : '{}';
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    const flat = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    if (used + flat.length + tail <= 110) return flat;
    if (value.every((v) => typeof v === 'number')) {
      const lines = [];
      for (const v of value.map(String)) {
        const last = lines.at(-1);
        if (last !== undefined && `${last} ${v},`.length <= 110) lines[lines.length - 1] = `${last} ${v},`;
        else lines.push(`${inner}${v},`);
      }
      lines[lines.length - 1] = lines.at(-1).slice(0, -1);
      return `[\n${lines.join('\n')}\n${indent}]`;
    }
  }
  const lines = items.map(([key, v], i) => {
    const head = `${inner}${key === null ? '' : `${JSON.stringify(key)}: `}`;
    const comma = i < items.length - 1 ? 1 : 0;
    return `${head}${toJson(v, inner, head.length, comma)}${comma ? ',' : ''}`;
  });
  return Array.isArray(value) ? `[\n${lines.join('\n')}\n${indent}]` : `{\n${lines.join('\n')}\n${indent}}`;
}

export function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export function fmtSeconds(s) {
  return s < 1 ? `${(s * 1000).toFixed(s < 0.1 ? 1 : 0)} ms` : `${s.toFixed(2)} s`;
}

export function fmtTime(t) {
  return `${fmtSeconds(t.median)} (${fmtSeconds(t.min)}–${fmtSeconds(t.max)})`;
}

/** Median, min and max of a list of seconds. */
export function summarize(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1) };
}
