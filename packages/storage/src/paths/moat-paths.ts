import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { StorageError } from '../errors.js';
import { isId } from '../ids/ids.js';

/** `MOAT_HOME` when set and non-empty (made absolute), else `~/.moat`. */
export function moatHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MOAT_HOME;
  return fromEnv ? resolve(fromEnv) : join(homedir(), '.moat');
}

/**
 * Where everything lives below a moat home directory. Computing a path never touches the disk;
 * directories are created (mode 0700) by whatever first writes into them.
 */
export class MoatPaths {
  readonly home: string;
  readonly runsDir: string;
  /** Content stores of the snapshot package, shared by all runs of a workspace. */
  readonly storesDir: string;

  constructor(home: string = moatHome()) {
    this.home = resolve(home);
    this.runsDir = join(this.home, 'runs');
    this.storesDir = join(this.home, 'stores');
  }

  /** Throws an 'invalid' StorageError unless `id` is a run id, so no id can point outside `runsDir`. */
  runDir(id: string): string {
    if (!isId(id, 'run')) {
      throw new StorageError(
        'invalid',
        `"${id}" is not a run id; run ids are "run_" followed by 12 lowercase hex digits`,
      );
    }
    return join(this.runsDir, id);
  }

  runRecordPath(id: string): string {
    return join(this.runDir(id), 'metadata.json');
  }

  execLogPath(id: string): string {
    return join(this.runDir(id), 'exec.jsonl');
  }

  snapshotsDir(id: string): string {
    return join(this.runDir(id), 'snapshots');
  }
}
