import { execFile } from 'node:child_process';
import { SnapshotError } from '../errors.js';

export const INSTALL_HINT =
  'install btrfs-progs (e.g. apt-get install btrfs-progs), or set snapshots.backend: store in moat.yaml';

/**
 * Runs `btrfs …args` and returns its stdout. A failure becomes a SnapshotError with btrfs's own error
 * line and `hint`, the thing to do about it. Callers pass absolute paths, after `--` where btrfs takes it,
 * so no path can be read as an option.
 */
export function runBtrfs(args: readonly string[], hint: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('btrfs', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      const command = `btrfs ${args.join(' ')}`;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new SnapshotError('unsupported', `${command}: no btrfs command; ${INSTALL_HINT}`, { cause: error }),
        );
      }
      reject(
        new SnapshotError('unsupported', `${command} failed: ${errorLine(stderr)}; ${hint}`, {
          cause: error,
        }),
      );
    });
  });
}

/** The line of btrfs's stderr that says what went wrong: the first "ERROR:" line (warnings come first). */
function errorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const line =
    lines.find((candidate) => candidate.startsWith('ERROR:')) ?? lines.at(-1) ?? 'no error message';
  return line.replace(/^ERROR:\s*/, '');
}
