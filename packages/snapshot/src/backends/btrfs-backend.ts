import { join } from 'node:path';
import { createSnapshot, deleteSnapshot, isSubvolumeRoot, listSubvolumes } from '../btrfs/index.js';
import type { OpenPayload, PayloadBackend, PayloadProblem } from './payload-backend.js';

/**
 * A read-only btrfs snapshot of the workspace subvolume per snapshot, `btrfs/<id>` in the store, which
 * must be on the workspace's filesystem (see checkBtrfsBackend). Taking one costs milliseconds at any
 * size and shares every extent with the workspace; a restore reads from it in place, no copy first.
 */
export class BtrfsBackend implements PayloadBackend {
  readonly name = 'btrfs';
  readonly #dir: string;
  readonly #workspace: string;

  constructor(storeDir: string, workspace: string) {
    this.#dir = join(storeDir, 'btrfs');
    this.#workspace = workspace;
  }

  async capture(id: string): Promise<string> {
    await createSnapshot(this.#workspace, this.#path(id));
    return this.#path(id);
  }

  /** Copy-on-write: nothing to write. */
  async seal(): Promise<number> {
    return 0;
  }

  async open(id: string): Promise<OpenPayload> {
    return { dir: this.#path(id), movable: false, release: async () => {} };
  }

  async remove(id: string): Promise<void> {
    if (await isSubvolumeRoot(this.#path(id))) await deleteSnapshot(this.#path(id));
  }

  async check(id: string): Promise<PayloadProblem | null> {
    if (await isSubvolumeRoot(this.#path(id))) return null;
    return { kind: 'missing', message: `the btrfs snapshot ${this.#path(id)} is missing` };
  }

  async sweep(keep: ReadonlySet<string>): Promise<void> {
    for (const name of await listSubvolumes(this.#dir))
      if (!keep.has(name)) await deleteSnapshot(join(this.#dir, name));
  }

  #path(id: string): string {
    return join(this.#dir, id);
  }
}
