import { checkBtrfsBackend, requireBtrfsBackend } from '../btrfs/index.js';
import { SnapshotError } from '../errors.js';
import { ApfsBackend } from './apfs-backend.js';
import { ArchiveBackend } from './archive-backend.js';
import { BtrfsBackend } from './btrfs-backend.js';
import type { BackendName, PayloadBackend, PayloadBackendName } from './payload-backend.js';

/**
 * The backend new snapshots of `workspace` use, from snapshots.backend; null is the content store.
 * `auto` takes btrfs snapshots when the workspace is a btrfs subvolume whose filesystem also holds the
 * store, and the store otherwise: never APFS (see ApfsBackend), never archives.
 */
export async function selectBackend(
  setting: BackendName | 'auto',
  workspace: string,
  storeDir: string,
): Promise<PayloadBackend | null> {
  switch (setting) {
    case 'store':
      return null;
    case 'auto':
      return (await checkBtrfsBackend(workspace, storeDir)).ok ? new BtrfsBackend(storeDir, workspace) : null;
    case 'btrfs':
      await requireBtrfsBackend(workspace, storeDir);
      return new BtrfsBackend(storeDir, workspace);
    case 'apfs':
      if (process.platform !== 'darwin') {
        throw new SnapshotError(
          'unsupported',
          'snapshots.backend "apfs" needs macOS with the workspace on an APFS volume; use "auto" or "store" in moat.yaml',
        );
      }
      return new ApfsBackend(storeDir, workspace);
    case 'archive':
      return new ArchiveBackend(storeDir, workspace);
  }
}

/** The backend that made a snapshot, to read or delete its payload whatever backend the engine uses. */
export function payloadBackend(
  name: PayloadBackendName,
  storeDir: string,
  workspace: string,
): PayloadBackend {
  if (name === 'archive') return new ArchiveBackend(storeDir, workspace);
  if (name === 'btrfs') return new BtrfsBackend(storeDir, workspace);
  return new ApfsBackend(storeDir, workspace);
}

export const PAYLOAD_BACKENDS: readonly PayloadBackendName[] = ['archive', 'btrfs', 'apfs'];
