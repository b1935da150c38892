import { basename } from '../event/argv.js';
import type { ExecEvent } from '../event/exec-event.js';
import { unwrapInterpreter } from './interpreter.js';
import { asksForHelp, beforeDoubleDash, firstOperand } from './options.js';

/** The git subcommands counted as "a commit": each writes new commits on the current branch. */
export type GitCommitKind = 'commit' | 'merge' | 'cherry-pick' | 'revert' | 'am' | 'rebase';

/** git's global options that take their value as the next argument. */
const GIT_GLOBAL_WITH_VALUE = new Set([
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--config-env',
  '--super-prefix',
  '--exec-path',
  '--attr-source',
  '--list-cmds',
]);

/** Options of `git commit` whose value is the next argument (so `-m --dry-run` is a message). */
const COMMIT_WITH_VALUE = new Set([
  '-m',
  '--message',
  '-F',
  '--file',
  '-C',
  '--reuse-message',
  '-c',
  '--reedit-message',
  '-t',
  '--template',
  '--author',
  '--date',
  '--fixup',
  '--squash',
  '--cleanup',
  '--trailer',
  '--pathspec-from-file',
]);

/** `git commit` options that only show what would be committed. */
const COMMIT_DRY_RUN = new Set(['--dry-run', '--short', '--porcelain', '--long']);

/** Options that make these subcommands stop, inspect or not commit. */
const NOT_COMMITTING: Record<Exclude<GitCommitKind, 'commit'>, ReadonlySet<string>> = {
  merge: new Set(['--no-commit', '--squash', '--abort', '--quit']),
  'cherry-pick': new Set(['-n', '--no-commit', '--abort', '--quit']),
  revert: new Set(['-n', '--no-commit', '--abort', '--quit']),
  am: new Set(['--abort', '--quit', '--show-current-patch']),
  rebase: new Set(['--abort', '--quit', '--edit-todo', '--show-current-patch']),
};

/**
 * What a git command line does about commits: the kind when it creates commits on the current
 * branch (ignoring the exit status), else null. Global options before the subcommand are
 * understood, and an alias defined on the same command line (`git -c alias.ci=commit ci`) is
 * resolved; aliases from config files cannot be seen and are not counted.
 */
export function gitCommitKind(command: string, args: readonly string[]): GitCommitKind | null {
  const script = unwrapInterpreter(basename(command), args);
  if (script) return gitCommitKind(script.command, script.args);
  if (basename(command) !== 'git') return null;
  const at = firstOperand(args, GIT_GLOBAL_WITH_VALUE);
  if (at === -1) return null;
  let sub = args[at] as string;
  let rest = args.slice(at + 1);
  const alias = inlineAlias(args.slice(0, at), sub);
  if (alias !== undefined) {
    // A shell alias (`!…`) runs anything; its own processes are traced and classified separately.
    if (alias.startsWith('!')) return null;
    const words = alias.trim().split(/\s+/);
    sub = words[0] ?? '';
    rest = [...words.slice(1), ...rest];
  }
  if (asksForHelp(rest)) return null;
  const options = beforeDoubleDash(rest);
  if (sub === 'commit') {
    return options.some((arg, i) => COMMIT_DRY_RUN.has(arg) && !COMMIT_WITH_VALUE.has(options[i - 1] ?? ''))
      ? null
      : 'commit';
  }
  if (sub in NOT_COMMITTING) {
    const kind = sub as Exclude<GitCommitKind, 'commit'>;
    return options.some((arg) => NOT_COMMITTING[kind].has(arg)) ? null : kind;
  }
  return null;
}

/** A successful (exit 0) git command that created commits: commit, merge, cherry-pick, revert, am, rebase. */
export function isGitCommit(event: Pick<ExecEvent, 'command' | 'args' | 'exit_code' | 'signal'>): boolean {
  return event.exit_code === 0 && event.signal === null && gitCommitKind(event.command, event.args) !== null;
}

/** The value of `-c alias.<name>=<value>` among the global options, the last one winning. */
function inlineAlias(globals: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < globals.length; i++) {
    const setting = globals[i] === '-c' ? globals[i + 1] : undefined;
    const prefix = `alias.${name}=`;
    if (setting?.toLowerCase().startsWith(prefix.toLowerCase())) value = setting.slice(prefix.length);
  }
  return value;
}
