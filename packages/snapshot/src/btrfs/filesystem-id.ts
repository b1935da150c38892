import { readFile, realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Which filesystem `path` is on (or would be on: the nearest existing ancestor counts), as the device
 * number of its mount in /proc/self/mountinfo. st_dev cannot tell: btrfs gives every subvolume its own,
 * while every mount of one btrfs filesystem shows the device number of its superblock.
 */
export async function filesystemId(path: string): Promise<string> {
  const real = await existingAncestor(path);
  let best: { point: string; device: string } | undefined;
  // Fields: mount id, parent id, major:minor, root, mount point, …; later lines are mounted on top.
  for (const line of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')) {
    const [, , device, , escaped] = line.split(' ');
    if (device === undefined || escaped === undefined) continue;
    const point = escaped.replace(/\\([0-7]{3})/g, (_, octal: string) =>
      String.fromCharCode(Number.parseInt(octal, 8)),
    );
    const inside = point === '/' || real === point || real.startsWith(`${point}/`);
    if (inside && (best === undefined || point.length >= best.point.length)) best = { point, device };
  }
  if (best === undefined) throw new Error(`no mount holds ${real} in /proc/self/mountinfo`);
  return best.device;
}

async function existingAncestor(path: string): Promise<string> {
  let current = resolve(path);
  for (;;) {
    try {
      return await realpath(current);
    } catch (error) {
      const parent = dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      current = parent;
    }
  }
}
