import { describe, expect, it } from 'vitest';
import { basename, commandParts } from './argv.js';
import { commandLine, failed, succeeded } from './exec-event.js';
import { ended } from '../test-support/events.js';

describe('commandParts', () => {
  it('takes the basename of argv[0] and the rest as args', () => {
    expect(commandParts(['/usr/bin/git', 'commit', '-m', 'a b'], 'complete', 'git')).toEqual({
      command: 'git',
      args: ['commit', '-m', 'a b'],
      argv_status: 'complete',
    });
  });

  it('gives an empty array, never null, for a command without arguments', () => {
    expect(commandParts(['ls'], 'complete', 'ls').args).toEqual([]);
  });

  it('falls back to comm with no arguments, never to another command line', () => {
    expect(commandParts(undefined, 'comm_only', 'true')).toEqual({
      command: 'true',
      args: [],
      argv_status: 'comm_only',
    });
    expect(commandParts([], 'complete', 'sh')).toEqual({ command: 'sh', args: [], argv_status: 'comm_only' });
  });

  it('says unavailable when neither argv nor comm is known', () => {
    expect(commandParts(undefined, 'unavailable', null)).toEqual({
      command: '',
      args: [],
      argv_status: 'unavailable',
    });
  });

  it('basename handles trailing slashes and bare names', () => {
    expect(basename('/a/b/')).toBe('b');
    expect(basename('tsc')).toBe('tsc');
  });
});

describe('event helpers', () => {
  it('quotes arguments that need it in a command line', () => {
    expect(commandLine({ command: 'git', args: ['commit', '-m', "it's done"] })).toBe(
      `git commit -m 'it'\\''s done'`,
    );
    expect(commandLine({ command: 'echo', args: [''] })).toBe(`echo ''`);
  });

  it('tells success from failure; a running or replaced process is neither', () => {
    expect(succeeded(ended('true'))).toBe(true);
    expect(failed(ended('false', 1))).toBe(true);
    expect(failed(ended('sleep', null, { signal: 9 }))).toBe(true);
    const replaced = ended('sh', null);
    expect(succeeded(replaced) || failed(replaced)).toBe(false);
  });
});
