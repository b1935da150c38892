import type { ArgvStatus } from './exec-event.js';

export interface CommandParts {
  command: string;
  args: string[];
  argv_status: ArgvStatus;
}

/**
 * Turns what a backend captured into `command`/`args`. A complete argv gives the basename of argv[0]
 * and the rest; otherwise the kernel's `comm` (never a parent's command line) and no arguments.
 */
export function commandParts(
  argv: readonly string[] | undefined,
  status: ArgvStatus | undefined,
  comm: string | null | undefined,
): CommandParts {
  const first = argv?.[0];
  if (status === 'complete' && argv && first !== undefined && first !== '') {
    return { command: basename(first), args: argv.slice(1), argv_status: 'complete' };
  }
  if (comm) return { command: comm, args: [], argv_status: 'comm_only' };
  return { command: '', args: [], argv_status: 'unavailable' };
}

/** The last path component, without a trailing slash; the whole string if it has no slash. */
export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash === -1 ? trimmed : trimmed.slice(slash + 1) || path;
}
