import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';
import { defaultConfig } from './schema.js';

let root: string;
let workspace: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'moat-config-'));
  workspace = path.join(root, 'ws');
  await mkdir(workspace);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

async function loadError(dir: string): Promise<ConfigError> {
  const error = await loadConfig(dir).catch((thrown: unknown) => thrown);
  if (!ConfigError.isInstance(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

describe('loadConfig finding the file', () => {
  it('gives the defaults and no file when the workspace has no config', async () => {
    expect(await loadConfig(workspace)).toEqual({ config: defaultConfig(), file: null, warnings: [] });
  });

  it('reads moat.yaml', async () => {
    await writeFile(path.join(workspace, 'moat.yaml'), 'name: app\ntracing:\n  disable_exec: true\n');
    const loaded = await loadConfig(workspace);
    expect(loaded.config.tracing.disable_exec).toBe(true);
    expect(loaded.file).toBe(path.join(workspace, 'moat.yaml'));
    expect(loaded.warnings).toEqual([]);
  });

  it('falls back to the legacy agent.yaml', async () => {
    await writeFile(path.join(workspace, 'agent.yaml'), 'snapshots:\n  disabled: true\n');
    const loaded = await loadConfig(workspace);
    expect(loaded.config.snapshots.disabled).toBe(true);
    expect(loaded.file).toBe(path.join(workspace, 'agent.yaml'));
    expect(loaded.warnings).toEqual([]);
  });

  it('prefers moat.yaml over agent.yaml and warns that agent.yaml is ignored', async () => {
    await writeFile(path.join(workspace, 'moat.yaml'), 'snapshot:\n  disabled: true\n');
    await writeFile(path.join(workspace, 'agent.yaml'), 'snapshots:\n  disabled: true\n');
    const loaded = await loadConfig(workspace);
    const moatFile = path.join(workspace, 'moat.yaml');
    const agentFile = path.join(workspace, 'agent.yaml');
    expect(loaded.config).toEqual(defaultConfig());
    expect(loaded.file).toBe(moatFile);
    expect(loaded.warnings.map((warning) => warning.text)).toEqual([
      `${agentFile}: ignored because moat.yaml is present; move any settings it holds into moat.yaml and delete it`,
      `${moatFile}:1:1: unknown top-level key "snapshot" is ignored; did you mean "snapshots"?`,
    ]);
    expect(loaded.warnings[0]).toMatchObject({ file: agentFile, line: undefined, column: undefined });
  });

  it('accepts a relative workspace path', async () => {
    await writeFile(path.join(workspace, 'moat.yaml'), 'tracing:\n  disable_exec: true\n');
    vi.spyOn(process, 'cwd').mockReturnValue(root);
    const loaded = await loadConfig('ws');
    expect(loaded.config.tracing.disable_exec).toBe(true);
    expect(loaded.file).toBe(path.join('ws', 'moat.yaml'));
  });
});

describe('loadConfig file names in messages', () => {
  beforeEach(async () => {
    await writeFile(path.join(workspace, 'moat.yaml'), 'snapshots:\n  disabled: yes\n');
  });

  it('shows the path relative to the current directory when the file lies under it', async () => {
    vi.spyOn(process, 'cwd').mockReturnValue(root);
    const error = await loadError(workspace);
    expect(error.message).toBe(
      `${path.join('ws', 'moat.yaml')}:2:13: snapshots.disabled must be true or false, got "yes"`,
    );
    expect(error.file).toBe(path.join('ws', 'moat.yaml'));
  });

  it('shows the absolute path when the file lies outside the current directory', async () => {
    vi.spyOn(process, 'cwd').mockReturnValue(path.join(root, 'elsewhere'));
    const error = await loadError(workspace);
    expect(error.message).toBe(
      `${path.join(workspace, 'moat.yaml')}:2:13: snapshots.disabled must be true or false, got "yes"`,
    );
  });
});

describe('loadConfig I/O errors', () => {
  it('says so in one line when the workspace directory does not exist', async () => {
    const missing = path.join(root, 'missing');
    const error = await loadError(missing);
    expect(error.message).toBe(`workspace directory ${missing} does not exist`);
    expect(error).toMatchObject({ code: 'io', file: undefined, line: undefined, column: undefined });
    expect(error.cause).toMatchObject({ code: 'ENOENT' });
  });

  it('says so when the workspace is a file', async () => {
    const file = path.join(root, 'plain-file');
    await writeFile(file, '');
    const error = await loadError(file);
    expect(error.message).toBe(`workspace ${file} is not a directory`);
    expect(error.code).toBe('io');
  });

  it('names the file and the OS reason when the config cannot be read', async () => {
    const unreadable = path.join(workspace, 'moat.yaml');
    await mkdir(unreadable);
    const error = await loadError(workspace);
    expect(error.message).toBe(
      `${unreadable}: cannot read the file (EISDIR: illegal operation on a directory)`,
    );
    expect(error).toMatchObject({ code: 'io', file: unreadable, line: undefined });
    expect(error.cause).toMatchObject({ code: 'EISDIR' });
  });
});
