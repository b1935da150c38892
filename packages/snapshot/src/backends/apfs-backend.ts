import { execFile } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SnapshotError } from '../errors.js';
import type { OpenPayload, PayloadBackend, PayloadProblem } from './payload-backend.js';
import { removeTree } from './remove-tree.js';

/**
 * macOS only, and not tested on the machines moat is developed on: a copy-on-write clone of the
 * workspace per snapshot (`cp -c`, clonefile), `apfs/<id>` in the store, which must be on the
 * workspace's APFS volume. Otherwise it works as the btrfs backend does.
 */
export class ApfsBackend implements PayloadBackend {
  readonly name = 'apfs';
  readonly #dir: string;
  readonly #workspace: string;

  constructor(storeDir: string, workspace: string) {
    this.#dir = join(storeDir, 'apfs');
    this.#workspace = workspace;
  }

  async capture(id: string): Promise<string> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const clone = this.#path(id);
    // -p keeps modes and mtimes; `--` so that no path can be read as an option.
    await new Promise<void>((resolve, reject) => {
      execFile('cp', ['-c', '-R', '-p', '--', this.#workspace, clone], (error, _stdout, stderr) => {
        if (error === null) return resolve();
        const reason = stderr.trim().split('\n')[0] || error.message;
        reject(
          new SnapshotError(
            'unsupported',
            `cannot clone ${this.#workspace} with cp -c: ${reason}; the store must be on the workspace's APFS volume, or set snapshots.backend: store in moat.yaml`,
            { cause: error },
          ),
        );
      });
    }).catch(async (error) => {
      await removeTree(clone);
      throw error;
    });
    return clone;
  }

  /** Copy-on-write: nothing to write. */
  async seal(): Promise<number> {
    return 0;
  }

  async open(id: string): Promise<OpenPayload> {
    return { dir: this.#path(id), movable: false, release: async () => {} };
  }

  remove(id: string): Promise<void> {
    return removeTree(this.#path(id));
  }

  async check(id: string): Promise<PayloadProblem | null> {
    const isDir = await stat(this.#path(id)).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
    return isDir ? null : { kind: 'missing', message: `the APFS clone ${this.#path(id)} is missing` };
  }

  async sweep(keep: ReadonlySet<string>): Promise<void> {
    for (const name of await readdir(this.#dir).catch(() => []))
      if (!keep.has(name)) await removeTree(join(this.#dir, name));
  }

  #path(id: string): string {
    return join(this.#dir, id);
  }
}
