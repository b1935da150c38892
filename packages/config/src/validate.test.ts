import { describe, expect, it } from 'vitest';
import { type ConfigErrorCode, ConfigError } from './errors.js';
import { parseConfig } from './parse.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;

function errorFrom(text: string): ConfigError {
  try {
    parseConfig(text, 'moat.yaml');
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected parseConfig to throw a ConfigError');
}

/** Asserts the whole message and that its location matches the error's own fields. */
function expectError(text: string, code: ConfigErrorCode, message: string): ConfigError {
  const error = errorFrom(text);
  expect(error.message).toBe(message);
  expect(error.code).toBe(code);
  const [, line, column] = /^moat\.yaml:(\d+):(\d+): /.exec(message) ?? [];
  expect({ file: error.file, line: error.line, column: error.column }).toEqual({
    file: 'moat.yaml',
    line: Number(line),
    column: Number(column),
  });
  return error;
}

describe('unknown keys', () => {
  it.each([
    [
      'a typo two levels down',
      lines('snapshots:', '  triggers:', '    idle_treshold_seconds: 5'),
      'moat.yaml:3:5: unknown key "idle_treshold_seconds" in snapshots.triggers; did you mean "idle_threshold_seconds"?',
    ],
    [
      'a typo in snapshots',
      lines('snapshots:', '  disable: true'),
      'moat.yaml:2:3: unknown key "disable" in snapshots; did you mean "disabled"?',
    ],
    [
      'a typo in tracing',
      lines('tracing:', '  disable_exe: true'),
      'moat.yaml:2:3: unknown key "disable_exe" in tracing; did you mean "disable_exec"?',
    ],
    [
      'a misspelt sub-section',
      lines('snapshots:', '  retension:', '    max_count: 3'),
      'moat.yaml:2:3: unknown key "retension" in snapshots; did you mean "retention"?',
    ],
    [
      'a typo in exclude',
      lines('snapshots:', '  exclude:', '    additonal: [tmp/]'),
      'moat.yaml:3:5: unknown key "additonal" in snapshots.exclude; did you mean "additional"?',
    ],
    [
      'a camel-case spelling',
      lines('snapshots:', '  limits:', '    maxFiles: 10'),
      'moat.yaml:3:5: unknown key "maxFiles" in snapshots.limits; did you mean "max_files"?',
    ],
    [
      'a kebab-case spelling in a flow mapping',
      'snapshots: {retention: {max-count: 3}}\n',
      'moat.yaml:1:25: unknown key "max-count" in snapshots.retention; did you mean "max_count"?',
    ],
  ])('suggests the key meant by %s', (_label, text, message) => {
    expectError(text, 'unknown_key', message);
  });

  it.each([
    [
      'snapshots.triggers',
      lines('snapshots:', '  triggers:', '    foo: 1'),
      'moat.yaml:3:5: unknown key "foo" in snapshots.triggers; known keys: disable_pre_run, disable_git_commits, disable_builds, disable_idle, idle_threshold_seconds',
    ],
    [
      'snapshots',
      lines('snapshots:', '  compression: zstd'),
      'moat.yaml:2:3: unknown key "compression" in snapshots; known keys: disabled, backend, triggers, exclude, retention, limits',
    ],
    [
      'snapshots.exclude',
      lines('snapshots:', '  exclude:', '    patterns: []'),
      'moat.yaml:3:5: unknown key "patterns" in snapshots.exclude; known keys: ignore_gitignore, additional',
    ],
    [
      'snapshots.retention',
      lines('snapshots:', '  retention:', '    keep: 3'),
      'moat.yaml:3:5: unknown key "keep" in snapshots.retention; known keys: max_count, delete_initial',
    ],
    [
      'snapshots.limits',
      lines('snapshots:', '  limits:', '    max_file_size: 1GiB'),
      'moat.yaml:3:5: unknown key "max_file_size" in snapshots.limits; known keys: max_files, max_total_bytes, max_file_bytes',
    ],
    [
      'tracing',
      lines('tracing:', '  network: true'),
      'moat.yaml:2:3: unknown key "network" in tracing; known keys: disable_exec',
    ],
  ])('lists the known keys of %s when nothing is close', (_label, text, message) => {
    expectError(text, 'unknown_key', message);
  });

  it('shows a non-string key as written', () => {
    expectError(
      lines('snapshots:', '  42: true'),
      'unknown_key',
      'moat.yaml:2:3: unknown key "42" in snapshots; known keys: disabled, backend, triggers, exclude, retention, limits',
    );
  });
});

describe('wrong types', () => {
  it.each([
    [
      'a YAML 1.1 boolean, a string in YAML 1.2',
      lines('snapshots:', '  disabled: yes'),
      'moat.yaml:2:13: snapshots.disabled must be true or false, got "yes"',
    ],
    [
      'a number for a boolean',
      lines('tracing:', '  disable_exec: 1'),
      'moat.yaml:2:17: tracing.disable_exec must be true or false, got 1',
    ],
    [
      'a quoted boolean',
      lines('snapshots:', '  triggers:', '    disable_builds: "true"'),
      'moat.yaml:3:21: snapshots.triggers.disable_builds must be true or false, got "true"',
    ],
    [
      'a word for seconds',
      lines('snapshots:', '  triggers:', '    idle_threshold_seconds: thirty'),
      'moat.yaml:3:29: snapshots.triggers.idle_threshold_seconds must be a whole number of seconds, got "thirty"',
    ],
    [
      'a fraction for a count',
      lines('snapshots:', '  retention:', '    max_count: 2.5'),
      'moat.yaml:3:16: snapshots.retention.max_count must be a whole number, got 2.5',
    ],
    [
      'infinity for a count',
      lines('snapshots:', '  limits:', '    max_files: .inf'),
      'moat.yaml:3:16: snapshots.limits.max_files must be a whole number, got .inf',
    ],
    [
      'a quoted number for a count',
      lines('snapshots:', '  limits:', '    max_files: "100"'),
      'moat.yaml:3:16: snapshots.limits.max_files must be a whole number, got "100"',
    ],
    [
      'a mapping for a list',
      lines('snapshots:', '  exclude:', '    additional:', '      logs: "*.log"'),
      'moat.yaml:4:7: snapshots.exclude.additional must be a list of patterns, got a mapping',
    ],
    [
      'a single pattern for a list',
      lines('snapshots:', '  exclude:', '    additional: "*.log"'),
      'moat.yaml:3:17: snapshots.exclude.additional must be a list of patterns, got "*.log"',
    ],
    [
      'a number in the list',
      lines('snapshots:', '  exclude:', '    additional:', '      - "*.log"', '      - 404'),
      'moat.yaml:5:9: snapshots.exclude.additional[1] must be a pattern string, got 404',
    ],
    [
      'a list in the list',
      'snapshots: {exclude: {additional: [a, [b, c]]}}\n',
      'moat.yaml:1:39: snapshots.exclude.additional[1] must be a pattern string, got a list',
    ],
    [
      'a list for a section',
      lines('snapshots:', '  triggers:', '    - disable_idle'),
      'moat.yaml:3:5: snapshots.triggers must be a mapping of settings, got a list',
    ],
    [
      'a boolean for a section',
      lines('snapshots: false'),
      'moat.yaml:1:12: snapshots must be a mapping of settings, got false',
    ],
    [
      'a string for a section',
      lines('tracing: off'),
      'moat.yaml:1:10: tracing must be a mapping of settings, got "off"',
    ],
    [
      'a misspelt backend',
      lines('snapshots:', '  backend: stor'),
      'moat.yaml:2:12: snapshots.backend must be one of auto, store, archive, btrfs, apfs, got "stor"; did you mean "store"?',
    ],
    [
      'a backend in capitals',
      lines('snapshots:', '  backend: BTRFS'),
      'moat.yaml:2:12: snapshots.backend must be one of auto, store, archive, btrfs, apfs, got "BTRFS"; did you mean "btrfs"?',
    ],
    [
      'an unknown backend',
      lines('snapshots:', '  backend: tarball'),
      'moat.yaml:2:12: snapshots.backend must be one of auto, store, archive, btrfs, apfs, got "tarball"',
    ],
    [
      'a number for a backend',
      lines('snapshots:', '  backend: 5'),
      'moat.yaml:2:12: snapshots.backend must be one of auto, store, archive, btrfs, apfs, got 5',
    ],
    [
      'a word for a byte size',
      lines('snapshots:', '  limits:', '    max_total_bytes: lots'),
      'moat.yaml:3:22: snapshots.limits.max_total_bytes must be a size in bytes such as 1048576 or "512MiB", got "lots"',
    ],
    [
      'an unknown unit',
      lines('snapshots:', '  limits:', '    max_file_bytes: 2 PiB'),
      'moat.yaml:3:21: snapshots.limits.max_file_bytes must be a size in bytes such as 1048576 or "512MiB", got "2 PiB"',
    ],
    [
      'a fractional number of bytes',
      lines('snapshots:', '  limits:', '    max_file_bytes: 1.5'),
      'moat.yaml:3:21: snapshots.limits.max_file_bytes must be a size in bytes such as 1048576 or "512MiB", got 1.5',
    ],
    [
      'a list at the top level',
      lines('- snapshots', '- tracing'),
      'moat.yaml:1:1: the top level must be a mapping of settings, got a list',
    ],
    [
      'a scalar at the top level',
      lines('hello'),
      'moat.yaml:1:1: the top level must be a mapping of settings, got "hello"',
    ],
  ])('rejects %s', (_label, text, message) => {
    expectError(text, 'type', message);
  });

  it('rejects an empty list item as null', () => {
    expectError(
      lines('snapshots:', '  exclude:', '    additional:', '      - tmp/', '      -', '      - dist/'),
      'type',
      'moat.yaml:5:8: snapshots.exclude.additional[1] must be a pattern string, got null',
    );
  });

  it('cuts long values short and keeps the message on one line', () => {
    const error = expectError(
      lines('snapshots:', `  backend: "${'x'.repeat(60)}\\nsecond line"`),
      'type',
      `moat.yaml:2:12: snapshots.backend must be one of auto, store, archive, btrfs, apfs, got "${'x'.repeat(40)}…"`,
    );
    expect(error.message).not.toContain('\n');
    expectError(
      lines('snapshots:', '  disabled: "a\\nb"'),
      'type',
      'moat.yaml:2:13: snapshots.disabled must be true or false, got "a\\nb"',
    );
  });
});

describe('out of range', () => {
  it.each([
    [
      'a zero idle threshold',
      lines('snapshots:', '  triggers:', '    idle_threshold_seconds: 0'),
      'moat.yaml:3:29: snapshots.triggers.idle_threshold_seconds must be at least 1, got 0',
    ],
    [
      'a negative idle threshold',
      lines('snapshots:', '  triggers:', '    idle_threshold_seconds: -30'),
      'moat.yaml:3:29: snapshots.triggers.idle_threshold_seconds must be at least 1, got -30',
    ],
    [
      'a negative max_count',
      lines('snapshots:', '  retention:', '    max_count: -1'),
      'moat.yaml:3:16: snapshots.retention.max_count must be at least 0, got -1',
    ],
    [
      'an unsafe max_count',
      lines('snapshots:', '  retention:', '    max_count: 12345678901234567890'),
      'moat.yaml:3:16: snapshots.retention.max_count must be at most 9007199254740991, got 12345678901234567890',
    ],
    [
      'zero max_files',
      lines('snapshots:', '  limits:', '    max_files: 0'),
      'moat.yaml:3:16: snapshots.limits.max_files must be at least 1, got 0',
    ],
    [
      'an unsafe max_files',
      lines('snapshots:', '  limits:', '    max_files: 9007199254740992'),
      'moat.yaml:3:16: snapshots.limits.max_files must be at most 9007199254740991, got 9007199254740992',
    ],
    [
      'zero max_total_bytes',
      lines('snapshots:', '  limits:', '    max_total_bytes: 0'),
      'moat.yaml:3:22: snapshots.limits.max_total_bytes must be at least 1, got 0',
    ],
    [
      'a negative max_total_bytes',
      lines('snapshots:', '  limits:', '    max_total_bytes: -1'),
      'moat.yaml:3:22: snapshots.limits.max_total_bytes must be at least 1, got -1',
    ],
    [
      'an unsafe max_total_bytes',
      lines('snapshots:', '  limits:', '    max_total_bytes: 9999999TiB'),
      'moat.yaml:3:22: snapshots.limits.max_total_bytes must be at most 9007199254740991, got "9999999TiB"',
    ],
    [
      'a max_file_bytes that rounds down to zero',
      lines('snapshots:', '  limits:', '    max_file_bytes: "0.5B"'),
      'moat.yaml:3:21: snapshots.limits.max_file_bytes must be at least 1, got "0.5B"',
    ],
    [
      'an empty pattern',
      lines('snapshots:', '  exclude:', '    additional: ["*.log", ""]'),
      'moat.yaml:3:27: snapshots.exclude.additional[1] must be a non-empty pattern, got ""',
    ],
    [
      'a blank pattern',
      lines('snapshots:', '  exclude:', '    additional:', '      - "  "'),
      'moat.yaml:4:9: snapshots.exclude.additional[0] must be a non-empty pattern, got "  "',
    ],
  ])('rejects %s', (_label, text, message) => {
    expectError(text, 'range', message);
  });
});

describe('YAML syntax', () => {
  it.each([
    [
      'an unclosed flow list',
      lines('snapshots:', '  exclude:', '    additional: [tmp/', 'tracing: {}'),
      'moat.yaml:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      'a duplicate key',
      lines('snapshots:', '  disabled: true', '  disabled: false'),
      'moat.yaml:3:3: invalid YAML: Map keys must be unique',
    ],
    [
      'a second document',
      lines('snapshots:', '  disabled: true', '---', 'tracing:', '  disable_exec: true'),
      'moat.yaml:3:1: invalid YAML: a second document starts here, but the file must hold only one',
    ],
    [
      'a tab used for indentation',
      lines('tracing:', '\tdisable_exec: true'),
      'moat.yaml:2:1: invalid YAML: Tabs are not allowed as indentation',
    ],
    [
      'an alias without an anchor',
      lines('snapshots:', '  disabled: *off'),
      'moat.yaml:2:13: invalid YAML: alias "*off" has no anchor "&off" before it',
    ],
    [
      'broken YAML in a section moat does not read',
      lines('name: "billing', 'snapshots:', '  disabled: true'),
      'moat.yaml:4:1: invalid YAML: Missing closing "quote',
    ],
  ])('reports %s', (_label, text, message) => {
    expectError(text, 'syntax', message);
  });

  it('keeps the parser error as the cause', () => {
    const error = errorFrom(lines('a: 1', 'a: 2'));
    expect(error.cause).toMatchObject({ name: 'YAMLParseError', code: 'DUPLICATE_KEY' });
  });
});

describe('which error is reported', () => {
  it('reports the first problem in document order, not in schema order', () => {
    expectError(
      lines('snapshots:', '  retention:', '    max_count: -1', '  disabled: yes'),
      'range',
      'moat.yaml:3:16: snapshots.retention.max_count must be at least 0, got -1',
    );
  });

  it('reports a syntax error before any schema error', () => {
    expectError(
      lines('snapshots:', '  disabled: yes', 'tracing:', '  disable_exec: true', '  disable_exec: false'),
      'syntax',
      'moat.yaml:5:3: invalid YAML: Map keys must be unique',
    );
  });

  it('points into the anchor when an alias brings in a bad value', () => {
    expectError(
      lines('base: &base', '  disabled: maybe', 'snapshots: *base'),
      'type',
      'moat.yaml:2:13: snapshots.disabled must be true or false, got "maybe"',
    );
  });

  it('names the file it was given', () => {
    expect(() => parseConfig('tracing: 1\n', 'ws/agent.yaml')).toThrow(
      'ws/agent.yaml:1:10: tracing must be a mapping of settings, got 1',
    );
  });
});
