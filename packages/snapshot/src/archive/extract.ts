import { readdir } from 'node:fs/promises';
import { formatBytes, type LimitSettings } from '../engine/limits.js';
import { SnapshotError } from '../errors.js';
import { entryKind, entryPath } from './entry-path.js';
import { readTar, type TarHeader } from './read-tar.js';
import { quote, Refusal } from './refusal.js';
import { type FileBody, StagingTree } from './staging-tree.js';

export interface ExtractSummary {
  /** Entries extracted: files, directories, symlinks and hard links. */
  entries: number;
  /** Bytes of file content, a hard-linked file counted at each of its paths (as a scan counts it). */
  bytes: number;
}

/**
 * Extracts a tar.gz that anyone may have made into `destDir`, an empty directory the caller made,
 * treating it as hostile: nothing is ever written outside `destDir`, whatever the entries' names,
 * links and chains of links. Refused, with a SnapshotError naming the archive and the entry
 * ('unsafe_archive', 'corrupt_archive' or 'limit'), are: absolute names and '..' components; symlinks
 * that are absolute or lead outside (through other links too); entries below a symlink; hard links
 * to anything but a file extracted before; devices, FIFOs and other types; entries over
 * `limits` (count, per-file and total size, declared and actually read); over-long paths; a damaged
 * or truncated archive. On any failure `destDir` is left empty.
 *
 * Kept: content, permission bits (not setuid, setgid or sticky), mtimes to the microsecond (PAX),
 * symlink targets verbatim, hard links (as hard links) and empty directories. The root entry of
 * GNU tar archives ("./") is skipped: the destination keeps its own mode and mtime.
 */
export async function extractArchive(
  file: string,
  destDir: string,
  limits: LimitSettings,
): Promise<ExtractSummary> {
  const existing = await readdir(destDir);
  if (existing.length > 0) {
    throw new SnapshotError(
      'invalid',
      `cannot extract ${file}: ${destDir} is not empty; extract into a new, empty directory`,
    );
  }
  const tree = new StagingTree(destDir);
  const summary: ExtractSummary = { entries: 0, bytes: 0 };
  let current: string | undefined;
  let body: FileBody | undefined;
  try {
    for await (const event of readTar(file)) {
      if (event.kind === 'entry') {
        current = event.header.name;
        body = addEntry(tree, event.header, limits, summary);
      } else if (event.kind === 'data') {
        if (body === undefined) throw new Refusal('unsafe_archive', 'has content but is no regular file');
        body.write(event.chunk);
      } else {
        body?.finish();
        body = undefined;
      }
    }
    tree.finish();
    return summary;
  } catch (error) {
    body?.abandon();
    tree.clear();
    throw error instanceof Refusal ? error.toSnapshotError(file, current) : error;
  }
}

/** Checks one entry against the rules and limits and creates it; a file's content follows. */
function addEntry(
  tree: StagingTree,
  header: TarHeader,
  limits: LimitSettings,
  summary: ExtractSummary,
): FileBody | undefined {
  const kind = entryKind(header.type);
  const path = entryPath(header.name);
  if (path === '') {
    if (kind === 'dir') return undefined;
    throw new Refusal('unsafe_archive', 'names the destination directory itself');
  }
  if (++summary.entries > limits.max_files) {
    throw new Refusal(
      'limit',
      `is entry number ${summary.entries}, over the limit of ${limits.max_files} (snapshots.limits.max_files)`,
    );
  }
  const mode = (header.mode ?? (kind === 'dir' ? 0o755 : 0o644)) & 0o777;
  switch (kind) {
    case 'dir':
      tree.addDirectory(path, mode, header.mtimeUs);
      return undefined;
    case 'symlink':
      tree.addSymlink(path, header.linkpath ?? '', header.mtimeUs);
      return undefined;
    case 'hardlink':
      addBytes(summary, tree.addHardLink(path, hardLinkTarget(header.linkpath ?? '')), limits);
      return undefined;
    case 'file':
      if (header.size > limits.max_file_bytes) {
        const limit = amount(limits.max_file_bytes);
        throw new Refusal(
          'limit',
          `declares ${amount(header.size)}, over the limit of ${limit} per file (snapshots.limits.max_file_bytes)`,
        );
      }
      addBytes(summary, header.size, limits);
      return tree.addFile(path, mode, header.mtimeUs, header.size);
  }
}

function hardLinkTarget(linkpath: string): string {
  try {
    return entryPath(linkpath);
  } catch {
    throw new Refusal(
      'unsafe_archive',
      `is a hard link to ${quote(linkpath)}, which is not a path inside the destination`,
    );
  }
}

function addBytes(summary: ExtractSummary, bytes: number, limits: LimitSettings): void {
  summary.bytes += bytes;
  if (summary.bytes > limits.max_total_bytes) {
    const limit = amount(limits.max_total_bytes);
    throw new Refusal(
      'limit',
      `brings the content to ${amount(summary.bytes)}, over the limit of ${limit} (snapshots.limits.max_total_bytes)`,
    );
  }
}

/** Rounded for reading, exact for comparing: "64 KiB (65537 bytes)". */
function amount(bytes: number): string {
  return `${formatBytes(bytes)} (${bytes} bytes)`;
}
