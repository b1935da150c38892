import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, onTestFinished, type TestContext } from 'vitest';

const IMAGE_BYTES = 300 * 2 ** 20;

/**
 * A btrfs filesystem on a loop device for the calling test file: made in beforeAll (a sparse image in the
 * temp dir, mkfs.btrfs, mount), unmounted and removed after the file's tests, whatever they did. Returns a
 * function each test calls for a fresh directory on it. When the filesystem cannot be made (not root,
 * no btrfs-progs, no loop devices) the tests skip, saying why; under CI (CI=true, root, btrfs-progs
 * installed by .ci/run) they fail instead.
 */
export function useBtrfsLoopback(): (context: TestContext) => string {
  let mount: string | undefined;
  let unavailable = '';
  beforeAll(() => {
    try {
      const loopback = mountLoopback();
      mount = loopback.mount;
      return loopback.remove;
    } catch (error) {
      unavailable = `no btrfs loopback filesystem: ${(error as Error).message.trim()}`;
      if (process.env.CI === 'true') throw new Error(`${unavailable} (required under CI)`);
      console.warn(`skipping btrfs tests: ${unavailable}`);
    }
  });
  return (context) => {
    if (mount === undefined) return context.skip(unavailable);
    return mkdtempSync(join(mount, 'test-'));
  };
}

/** Mounts a small tmpfs for the current test (which has root: it got a loopback); unmounted when it ends. */
export function mountTmpfs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'moat-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir]);
  onTestFinished(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true });
  });
  return dir;
}

function mountLoopback(): { mount: string; remove: () => void } {
  if (process.getuid?.() !== 0) throw new Error('mounting a loop device needs root');
  const dir = mkdtempSync(join(tmpdir(), 'moat-btrfs-'));
  const image = join(dir, 'btrfs.img');
  const mount = join(dir, 'mnt');
  let mounted = false;
  const remove = () => {
    if (mounted) unmount(mount);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    closeSync(openSync(image, 'w'));
    truncateSync(image, IMAGE_BYTES);
    run('mkfs.btrfs', ['-q', image]);
    mkdirSync(mount);
    run('mount', ['-o', 'loop', image, mount]);
    mounted = true;
    return { mount, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

function unmount(mount: string): void {
  try {
    run('umount', [mount]);
  } catch {
    // Still in use (a test left a file open): detach now, the kernel frees the loop device when it closes.
    run('umount', ['--lazy', mount]);
  }
}

/** Runs a command quietly; a failure throws its stderr (or "<command> not found"). */
function run(command: string, args: readonly string[]): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error(`${command} not found on PATH`);
    throw new Error(`${command} ${args.join(' ')}: ${stderr?.trim() || (error as Error).message}`);
  }
}
