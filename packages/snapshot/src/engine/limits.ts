import type { ScanNode, ScanResult } from '../scan/types.js';

export interface LimitSettings {
  max_files: number;
  max_total_bytes: number;
  max_file_bytes: number;
}

const SHOWN = 5;

/**
 * Why a scan may not become a snapshot, or null when it may: a snapshot over the limits could not
 * be restored, so it is refused when taken. The message names the biggest offenders and the keys to
 * change in moat.yaml.
 */
export function checkLimits(scan: ScanResult, limits: LimitSettings): string | null {
  const { totals } = scan;
  if (
    totals.files <= limits.max_files &&
    totals.bytes <= limits.max_total_bytes &&
    largestFile(scan.root) <= limits.max_file_bytes
  ) {
    return null; // the common case, decided without building lists
  }
  const files: { path: string; size: number }[] = [];
  const dirs = new Map<string, number>();
  collect(scan.root, '', files, dirs);
  const fix = 'exclude them with snapshots.exclude.additional in moat.yaml, or raise';
  const tooBig = files.filter((f) => f.size > limits.max_file_bytes).sort((a, b) => b.size - a.size);
  if (tooBig.length > 0) {
    return `${tooBig.length} file(s) exceed snapshots.limits.max_file_bytes (${formatBytes(limits.max_file_bytes)}): ${list(tooBig.map((f) => `${f.path} (${formatBytes(f.size)})`))}; ${fix} snapshots.limits.max_file_bytes`;
  }
  if (scan.totals.bytes > limits.max_total_bytes) {
    const biggest = [...files].sort((a, b) => b.size - a.size);
    return `the workspace holds ${formatBytes(scan.totals.bytes)} of files, over snapshots.limits.max_total_bytes (${formatBytes(limits.max_total_bytes)}); largest: ${list(biggest.map((f) => `${f.path} (${formatBytes(f.size)})`))}; ${fix} snapshots.limits.max_total_bytes`;
  }
  if (scan.totals.files > limits.max_files) {
    const crowded = [...dirs]
      .sort((a, b) => b[1] - a[1])
      .map(([dir, count]) => `${dir || '.'}/ (${count} files)`);
    return `the workspace holds ${scan.totals.files} files, over snapshots.limits.max_files (${limits.max_files}); most files under: ${list(crowded)}; ${fix} snapshots.limits.max_files`;
  }
  return null;
}

function largestFile(dir: ScanNode): number {
  let largest = 0;
  for (const child of dir.children ?? []) {
    const size = child.type === 'dir' ? largestFile(child) : child.size;
    if (size > largest) largest = size;
  }
  return largest;
}

/** Files with their sizes, and the number of files below each top-level directory. */
function collect(
  dir: ScanNode,
  prefix: string,
  files: { path: string; size: number }[],
  dirs: Map<string, number>,
): void {
  for (const child of dir.children ?? []) {
    const path = prefix + child.name;
    if (child.type === 'dir') collect(child, `${path}/`, files, dirs);
    else if (child.type === 'file') {
      files.push({ path, size: child.size });
      const top = path.includes('/') ? path.slice(0, path.indexOf('/')) : '';
      dirs.set(top, (dirs.get(top) ?? 0) + 1);
    }
  }
}

function list(items: string[]): string {
  return (
    items.slice(0, SHOWN).join(', ') + (items.length > SHOWN ? `, and ${items.length - SHOWN} more` : '')
  );
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
