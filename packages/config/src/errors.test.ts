import { describe, expect, it } from 'vitest';
import { ConfigError, createWarning } from './errors.js';

describe('ConfigError', () => {
  it('puts the location in front of the message and keeps each part', () => {
    const error = new ConfigError({
      code: 'range',
      message: 'too small',
      file: 'moat.yaml',
      line: 4,
      column: 27,
    });
    expect(error.message).toBe('moat.yaml:4:27: too small');
    expect(error).toMatchObject({
      name: 'ConfigError',
      code: 'range',
      file: 'moat.yaml',
      line: 4,
      column: 27,
    });
    expect(error).toBeInstanceOf(Error);
  });

  it('leaves out the parts of the location it does not have', () => {
    expect(new ConfigError({ code: 'io', message: 'cannot read', file: 'moat.yaml' }).message).toBe(
      'moat.yaml: cannot read',
    );
    const unplaced = new ConfigError({ code: 'io', message: 'workspace directory /x does not exist' });
    expect(unplaced.message).toBe('workspace directory /x does not exist');
    expect(unplaced).toMatchObject({ file: undefined, line: undefined, column: undefined });
  });

  it('keeps the cause it wraps, and adds none when there is none', () => {
    const cause = new Error('EACCES');
    expect(new ConfigError({ code: 'io', message: 'x', cause }).cause).toBe(cause);
    expect('cause' in new ConfigError({ code: 'io', message: 'x' })).toBe(false);
  });

  it('carries the markers other moat packages and the CLI look for', () => {
    const error = new ConfigError({ code: 'type', message: 'x' }) as unknown as Record<symbol, unknown>;
    expect(error[Symbol.for('moat.error')]).toBe(true);
    expect(error[Symbol.for('moat.config-error')]).toBe(true);
  });

  it('recognises an error from another copy of the package by its marker', () => {
    const fromOtherCopy = Object.assign(new Error('moat.yaml:1:1: x'), {
      [Symbol.for('moat.config-error')]: true,
    });
    expect(ConfigError.isInstance(fromOtherCopy)).toBe(true);
    expect(ConfigError.isInstance(new ConfigError({ code: 'syntax', message: 'x' }))).toBe(true);
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['another moat error', Object.assign(new Error('x'), { [Symbol.for('moat.error')]: true })],
    ['null', null],
    ['a string', 'moat.yaml:1:1: x'],
    ['a marker that is not true', { [Symbol.for('moat.config-error')]: 'yes' }],
  ])('does not mistake %s for a ConfigError', (_label, value) => {
    expect(ConfigError.isInstance(value)).toBe(false);
  });
});

describe('createWarning', () => {
  it('formats its text like an error message', () => {
    expect(createWarning({ file: 'moat.yaml', line: 1, column: 1 }, 'look here')).toEqual({
      file: 'moat.yaml',
      line: 1,
      column: 1,
      message: 'look here',
      text: 'moat.yaml:1:1: look here',
    });
    expect(createWarning({ file: 'agent.yaml' }, 'ignored').text).toBe('agent.yaml: ignored');
  });
});
