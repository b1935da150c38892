import type { BigIntStats } from 'node:fs';

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_MICROSECOND = 1000n;

/**
 * Whole microseconds of a nanosecond timestamp, rounded down as a restore keeps them (libuv sets
 * times to the microsecond). Computed from the exact nanoseconds: lstat's float `mtimeMs` is off by
 * up to a quarter microsecond at today's dates, enough to land on the wrong microsecond.
 */
export function microsecondsOf(ns: bigint): number {
  const floor = ns >= 0n ? ns / NS_PER_MICROSECOND : -((-ns + NS_PER_MICROSECOND - 1n) / NS_PER_MICROSECOND);
  return Number(floor);
}

/** The float milliseconds Node's number Stats give for this timestamp (what the stat cache stores). */
export function millisecondsOf(ns: bigint): number {
  let seconds = ns / NS_PER_SECOND;
  let nanos = ns % NS_PER_SECOND;
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += NS_PER_SECOND;
  }
  return Number(seconds) * 1e3 + Number(nanos) / 1e6;
}

/** The fields a snapshot takes from a stat, in numbers. */
export function statNumbers(stats: BigIntStats): {
  mode: number;
  size: number;
  mtimeMs: number;
  mtimeUs: number;
  ctimeMs: number;
  ino: number;
} {
  return {
    mode: Number(stats.mode) & 0o7777,
    size: Number(stats.size),
    mtimeMs: millisecondsOf(stats.mtimeNs),
    mtimeUs: microsecondsOf(stats.mtimeNs),
    ctimeMs: millisecondsOf(stats.ctimeNs),
    ino: Number(stats.ino),
  };
}
