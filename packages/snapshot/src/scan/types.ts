/** What a snapshot can hold. Sockets, FIFOs and devices are never covered (see ScanNote). */
export type EntryType = 'file' | 'dir' | 'symlink';

/**
 * One covered entry of the workspace as lstat saw it. Directories carry their covered children,
 * sorted by name in code-unit order (`a < b`), so two scans of the same tree are identical.
 */
export interface ScanNode {
  /** The entry's own name ('' for the workspace root). */
  name: string;
  type: EntryType;
  /** Permission bits including setuid, setgid and sticky: `st_mode & 0o7777`. */
  mode: number;
  /** Bytes of content for files; 0 for directories and symlinks. */
  size: number;
  /** lstat's mtimeMs/ctimeMs/ino, unrounded: the stat cache compares them exactly. */
  mtimeMs: number;
  /**
   * Directories and symlinks: the mtime in whole microseconds, exact (from nanoseconds): what a
   * snapshot records. Files have none: a snapshot takes a file's from the stat cache or from reading
   * it, which spares the scan a nanosecond lstat per file (see scan.ts).
   */
  mtimeUs?: number;
  ctimeMs: number;
  ino: number;
  /** Symlink target, verbatim (absolute or relative, never resolved). */
  target?: string;
  /** Directories only: covered children, sorted by name. */
  children?: ScanNode[];
}

export type ScanNoteKind = 'socket' | 'fifo' | 'device' | 'unreadable' | 'vanished' | 'bad_name';

/** Something below the root that is not in the snapshot, and why. Never a failure. */
export interface ScanNote {
  /** Workspace-relative path, '/'-separated. */
  path: string;
  kind: ScanNoteKind;
  message: string;
}

export interface ScanTotals {
  files: number;
  dirs: number;
  symlinks: number;
  /** Sum of file sizes. */
  bytes: number;
}

export interface ScanResult {
  root: ScanNode & { mtimeUs: number };
  notes: ScanNote[];
  totals: ScanTotals;
}

/** Which entries a snapshot covers: snapshots.exclude of moat.yaml, plus paths moat itself owns. */
export interface CoverageOptions {
  /** true: .gitignore files are not consulted (exclude.ignore_gitignore). */
  ignoreGitignore: boolean;
  /** gitignore-syntax patterns relative to the root, applied after every .gitignore (exclude.additional). */
  additional: readonly string[];
  /** Absolute paths never covered, e.g. a MOAT_HOME that lies inside the workspace. */
  excludedPaths?: readonly string[];
}
