import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.js';
import { MoatPaths, moatHome } from './moat-paths.js';

describe('moatHome', () => {
  it('is MOAT_HOME made absolute when set', () => {
    expect(moatHome({ MOAT_HOME: '/srv/moat' })).toBe('/srv/moat');
    expect(moatHome({ MOAT_HOME: 'rel/home' })).toBe(resolve('rel/home'));
  });

  it('is ~/.moat when MOAT_HOME is unset or empty', () => {
    expect(moatHome({})).toBe(join(homedir(), '.moat'));
    expect(moatHome({ MOAT_HOME: '' })).toBe(join(homedir(), '.moat'));
  });
});

describe('MoatPaths', () => {
  const id = 'run_0123456789ab';

  it('lays out runs and stores below the home', () => {
    const paths = new MoatPaths('/h');
    expect(paths.home).toBe('/h');
    expect(paths.runsDir).toBe('/h/runs');
    expect(paths.storesDir).toBe('/h/stores');
    expect(paths.runDir(id)).toBe(`/h/runs/${id}`);
    expect(paths.runRecordPath(id)).toBe(`/h/runs/${id}/metadata.json`);
    expect(paths.execLogPath(id)).toBe(`/h/runs/${id}/exec.jsonl`);
    expect(paths.snapshotsDir(id)).toBe(`/h/runs/${id}/snapshots`);
  });

  it('refuses anything but a run id, so no path can leave the runs directory', () => {
    const paths = new MoatPaths('/h');
    for (const bad of ['../../etc', 'run_0123', '', 'snap_0123456789ab']) {
      expect(() => paths.runDir(bad)).toThrow(
        expect.objectContaining({
          code: 'invalid',
          message: `"${bad}" is not a run id; run ids are "run_" followed by 12 lowercase hex digits`,
        }),
      );
    }
  });

  it('creates nothing when paths are computed', async () => {
    const home = join(await tempDir(), 'home');
    const paths = new MoatPaths(home);
    paths.execLogPath(id);
    await expect(stat(home)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
