import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse.js';
import { defaultConfig, type MoatConfig } from './schema.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;

function configFrom(text: string): MoatConfig {
  const loaded = parseConfig(text, 'moat.yaml');
  expect(loaded.warnings).toEqual([]);
  return loaded.config;
}

describe('parseConfig defaults', () => {
  it.each([
    ['an empty file', ''],
    ['a file of comments', lines('# moat settings', '   # none yet')],
    ['an empty document marker', lines('---')],
    ['empty sections', lines('snapshots:', 'tracing:')],
    ['explicitly null sections', lines('snapshots: ~', 'tracing: null')],
    ['empty sub-sections', lines('snapshots:', '  triggers:', '  exclude:', '  retention:', '  limits:')],
    ['settings with no value', lines('snapshots:', '  disabled:', '  exclude:', '    additional:')],
  ])('gives the defaults for %s', (_label, text) => {
    expect(configFrom(text)).toEqual(defaultConfig());
  });

  it('reports the file name it was given and no warnings', () => {
    expect(parseConfig('', 'sub/moat.yaml')).toEqual({
      config: defaultConfig(),
      file: 'sub/moat.yaml',
      warnings: [],
    });
  });
});

describe('parseConfig settings', () => {
  it('reads every key set away from its default', () => {
    const text = lines(
      'snapshots:',
      '  disabled: true',
      '  backend: archive',
      '  triggers:',
      '    disable_pre_run: true',
      '    disable_git_commits: true',
      '    disable_builds: true',
      '    disable_idle: true',
      '    idle_threshold_seconds: 90',
      '  exclude:',
      '    ignore_gitignore: true',
      '    additional:',
      '      - node_modules/',
      '      - "*.log"',
      '      - "!keep.log"',
      '  retention:',
      '    max_count: 3',
      '    delete_initial: true',
      '  limits:',
      '    max_files: 5000',
      '    max_total_bytes: 512MiB',
      '    max_file_bytes: 1048576',
      'tracing:',
      '  disable_exec: true',
    );
    expect(configFrom(text)).toEqual({
      snapshots: {
        disabled: true,
        backend: 'archive',
        triggers: {
          disable_pre_run: true,
          disable_git_commits: true,
          disable_builds: true,
          disable_idle: true,
          idle_threshold_seconds: 90,
        },
        exclude: { ignore_gitignore: true, additional: ['node_modules/', '*.log', '!keep.log'] },
        retention: { max_count: 3, delete_initial: true },
        limits: { max_files: 5000, max_total_bytes: 536_870_912, max_file_bytes: 1_048_576 },
      },
      tracing: { disable_exec: true },
    });
  });

  it.each(['auto', 'store', 'archive', 'btrfs', 'apfs'] as const)('accepts backend %s', (backend) => {
    expect(configFrom(lines('snapshots:', `  backend: ${backend}`)).snapshots.backend).toBe(backend);
  });

  it('keeps the defaults of keys left out next to keys that are set', () => {
    const expected = defaultConfig();
    expected.snapshots.triggers.disable_idle = true;
    expect(configFrom(lines('snapshots:', '  triggers:', '    disable_idle: true'))).toEqual(expected);
  });

  it('accepts 0 as max_count, meaning unlimited', () => {
    expect(
      configFrom(lines('snapshots:', '  retention:', '    max_count: 0')).snapshots.retention.max_count,
    ).toBe(0);
  });

  it.each([
    ['"2 GiB"', 2 * 1024 ** 3],
    ['"1.5GB"', 1_500_000_000],
    ['100kB', 100_000],
    ['"4096"', 4096],
    ['4096', 4096],
    ['1e9', 1_000_000_000],
  ])('reads the byte size %s', (written, bytes) => {
    const config = configFrom(lines('snapshots:', '  limits:', `    max_file_bytes: ${written}`));
    expect(config.snapshots.limits.max_file_bytes).toBe(bytes);
  });

  it('reads YAML 1.2 spellings of booleans and integers', () => {
    const config = configFrom(
      lines(
        'snapshots:',
        '  disabled: True',
        '  retention:',
        '    max_count: 0x10',
        '    delete_initial: FALSE',
      ),
    );
    expect(config.snapshots.disabled).toBe(true);
    expect(config.snapshots.retention).toEqual({ max_count: 16, delete_initial: false });
  });

  it('reads flow-style mappings and lists', () => {
    const config = configFrom('snapshots: {disabled: true, exclude: {additional: [dist/, coverage/]}}\n');
    expect(config.snapshots.disabled).toBe(true);
    expect(config.snapshots.exclude.additional).toEqual(['dist/', 'coverage/']);
  });

  it('follows aliases to their anchors', () => {
    const config = configFrom(
      lines('patterns: &patterns', '  - "*.tmp"', 'snapshots:', '  exclude:', '    additional: *patterns'),
    );
    expect(config.snapshots.exclude.additional).toEqual(['*.tmp']);
  });

  it('reads a file with a byte-order mark and CRLF line ends', () => {
    expect(configFrom('\uFEFFtracing:\r\n  disable_exec: true\r\n').tracing.disable_exec).toBe(true);
  });

  it('loads a realistic moat.yaml unchanged, ignoring the sections other features own', () => {
    const text = lines(
      '# moat.yaml for the billing service',
      'name: billing-api',
      'agent: claude',
      'version: 1',
      'description: Billing service, worked on by Claude Code',
      'interactive: true',
      'command: [claude, --model, opus]',
      'grants:',
      '  - github',
      '  - anthropic',
      '  - aws:',
      '      role: arn:aws:iam::123456789012:role/dev',
      'dependencies:',
      '  - node@20',
      '  - pnpm',
      '  - postgres@16',
      'network:',
      '  policy: strict',
      '  allow:',
      '    - api.github.com',
      '    - "*.npmjs.org"',
      '  proxy:',
      '    port: 8080',
      '    snapshot: yes',
      'env:',
      '  NODE_ENV: development',
      '  DEBUG: "app:*"',
      'secrets:',
      '  STRIPE_KEY: op://dev/stripe/key',
      'mounts:',
      '  - ./data:/data:ro',
      'ports:',
      '  web: 3000',
      'runtime: docker',
      'container:',
      '  memory: 4g',
      'hooks:',
      '  post_build: pnpm install',
      'snapshots:',
      '  backend: store',
      '  triggers:',
      '    disable_idle: true',
      '    idle_threshold_seconds: 120',
      '  exclude:',
      '    additional:',
      '      - "*.log"',
      '      - tmp/',
      '  retention:',
      '    max_count: 25',
      '  limits:',
      '    max_total_bytes: 5GiB',
      'tracing:',
      '  disable_exec: false',
    );
    const expected = defaultConfig();
    expected.snapshots.backend = 'store';
    expected.snapshots.triggers.disable_idle = true;
    expected.snapshots.triggers.idle_threshold_seconds = 120;
    expected.snapshots.exclude.additional = ['*.log', 'tmp/'];
    expected.snapshots.retention.max_count = 25;
    expected.snapshots.limits.max_total_bytes = 5 * 1024 ** 3;
    expect(configFrom(text)).toEqual(expected);
  });
});

describe('parseConfig warnings', () => {
  it.each([
    ['snapshot', 'snapshots'],
    ['Snapshots', 'snapshots'],
    ['snap_shots', 'snapshots'],
    ['tracng', 'tracing'],
    ['tracnig', 'tracing'],
    ['Tracing', 'tracing'],
  ])('warns that the top-level key %j is ignored and suggests %j', (typo, section) => {
    const loaded = parseConfig(lines('name: app', `${typo}:`, '  disabled: true'), 'moat.yaml');
    expect(loaded.config).toEqual(defaultConfig());
    expect(loaded.warnings).toEqual([
      {
        file: 'moat.yaml',
        line: 2,
        column: 1,
        message: `unknown top-level key "${typo}" is ignored; did you mean "${section}"?`,
        text: `moat.yaml:2:1: unknown top-level key "${typo}" is ignored; did you mean "${section}"?`,
      },
    ]);
  });

  it('keeps reading the rest of the file after a warning', () => {
    const loaded = parseConfig(
      lines('tracng:', '  disable_exec: true', 'tracing:', '  disable_exec: true'),
      'moat.yaml',
    );
    expect(loaded.config.tracing.disable_exec).toBe(true);
    expect(loaded.warnings.map((warning) => warning.text)).toEqual([
      'moat.yaml:1:1: unknown top-level key "tracng" is ignored; did you mean "tracing"?',
    ]);
  });

  it('does not warn about other top-level keys, known to moat or not', () => {
    const text = lines(
      ...[
        'name',
        'agent',
        'version',
        'description',
        'grants',
        'dependencies',
        'network',
        'env',
        'secrets',
      ].map((key) => `${key}: x`),
      ...['mounts', 'ports', 'runtime', 'hooks', 'interactive', 'command', 'container'].map(
        (key) => `${key}: x`,
      ),
      'x-custom: 1',
      '42: answer',
      'trace: on',
    );
    expect(parseConfig(text, 'moat.yaml').warnings).toEqual([]);
  });
});
