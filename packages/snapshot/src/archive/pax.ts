import { microsecondsOf } from '../scan/stat-time.js';

// The tar package reads and writes PAX times through a Date, to the millisecond. Snapshots keep
// microseconds, so these read and write the decimal text of the records themselves.

/** One PAX extended header record: "<length> <key>=<value>\n", the length counting itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  return `${bytes + String(bytes + String(bytes).length).length}${body}`;
}

/** Microseconds as a PAX time: decimal seconds with six fraction digits, exact ("-1.500000"). */
export function paxTime(microseconds: number): string {
  const abs = Math.abs(microseconds);
  const fraction = String(abs % 1_000_000).padStart(6, '0');
  return `${microseconds < 0 ? '-' : ''}${Math.floor(abs / 1_000_000)}.${fraction}`;
}

/**
 * The last mtime record of PAX extended header text in whole microseconds, rounded down as a
 * restore keeps them; undefined without one or when it is not a decimal number of seconds.
 */
export function paxMtime(text: string): number | undefined {
  const records = [...text.matchAll(/^\d+ mtime=(-?)(\d+)(?:\.(\d*))?$/gm)];
  const last = records.at(-1);
  if (last === undefined) return undefined;
  const [, sign, seconds = '', fraction = ''] = last;
  const ns = BigInt(seconds) * 1_000_000_000n + BigInt(fraction.slice(0, 9).padEnd(9, '0'));
  const microseconds = microsecondsOf(sign === '-' ? -ns : ns);
  return Number.isSafeInteger(microseconds) ? microseconds : undefined;
}
