import { randomBytes } from 'node:crypto';

const SUFFIX = /^[0-9a-f]{12}$/;

/** `<prefix>_` followed by 12 lowercase hex digits (48 random bits), e.g. `run_0a1b2c3d4e5f`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export function newRunId(): string {
  return newId('run');
}

/** Whether `value` is exactly `<prefix>_` followed by 12 lowercase hex digits. */
export function isId(value: unknown, prefix: string): value is string {
  return (
    typeof value === 'string' && value.startsWith(`${prefix}_`) && SUFFIX.test(value.slice(prefix.length + 1))
  );
}
