import { describe, expect, it } from 'vitest';
import { TraceError } from './errors.js';

describe('TraceError', () => {
  it('is recognised across package copies by its marker, and keeps its cause', () => {
    const cause = new Error('EPERM');
    const error = new TraceError('unavailable', 'cannot trace', { cause });
    expect(TraceError.isInstance(error)).toBe(true);
    expect(TraceError.isInstance({ [Symbol.for('moat.trace-error')]: true })).toBe(true);
    expect(TraceError.isInstance(new Error('x'))).toBe(false);
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('moat.error')]).toBe(true);
    expect(error).toMatchObject({ name: 'TraceError', code: 'unavailable', cause });
  });
});
