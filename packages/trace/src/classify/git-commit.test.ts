import { describe, expect, it } from 'vitest';
import { ended } from '../test-support/events.js';
import { gitCommitKind, isGitCommit } from './git-commit.js';

// [command line, expected kind]; every line is also checked for isGitCommit at exit 0 and 1.
const TABLE: Array<[string[], string | null]> = [
  [['git', 'commit', '-m', 'fix'], 'commit'],
  [['git', 'commit', '--amend', '--no-edit'], 'commit'],
  [['git', '-c', 'user.name=x', 'commit', '-m', 'x'], 'commit'],
  [['git', '-C', '/repo', 'commit', '-am', 'x'], 'commit'],
  [['git', '--git-dir=/r/.git', '--work-tree', '/r', 'commit'], 'commit'],
  [['git', '--no-pager', '-p', 'commit', '-q'], 'commit'],
  [['git', '--namespace', 'n', '--bare', 'commit'], 'commit'],
  [['/usr/bin/git', 'commit', '-m', 'x'], 'commit'], // the seed missed full paths (macOS argv[0])
  [['git', 'commit', '-m', '--dry-run'], 'commit'], // "--dry-run" is the message here
  [['git', 'commit', '--', '--dry-run'], 'commit'], // a pathspec
  [['git', '-c', 'alias.ci=commit -v', 'ci', '-m', 'x'], 'commit'],
  [['env', 'GIT_AUTHOR_NAME=a', 'git', 'commit'], 'commit'],
  [['git', 'merge', 'feature'], 'merge'],
  [['git', 'merge', '--continue'], 'merge'],
  [['git', 'cherry-pick', 'abc123'], 'cherry-pick'],
  [['git', 'revert', 'HEAD'], 'revert'],
  [['git', 'am', '0001.patch'], 'am'],
  [['git', 'rebase', 'main'], 'rebase'],
  [['git', 'rebase', '--continue'], 'rebase'],
  // Not commits:
  [['git', 'log', '--grep', 'commit'], null], // the seed's false positive: any "commit" argument
  [['git', 'show', 'commit'], null],
  [['git', 'commit', '--dry-run'], null],
  [['git', 'commit', '--short'], null],
  [['git', 'commit', '--porcelain'], null],
  [['git', 'commit', '--help'], null],
  [['git', 'commit-tree', 'HEAD^{tree}', '-m', 'x'], null], // plumbing: moves no branch
  [['git', 'ci', '-m', 'x'], null], // an alias from config files cannot be seen
  [['git', '-c', 'alias.ci=!git commit', 'ci'], null], // a shell alias: its own git is traced
  [['git', 'merge', '--no-commit', 'x'], null],
  [['git', 'merge', '--squash', 'x'], null],
  [['git', 'merge', '--abort'], null],
  [['git', 'cherry-pick', '-n', 'abc'], null],
  [['git', 'revert', '--no-commit', 'HEAD'], null],
  [['git', 'rebase', '--abort'], null],
  [['git', 'am', '--show-current-patch'], null],
  [['git', 'pull'], null],
  [['git', 'stash'], null],
  [['git', '--version'], null],
  [['git'], null],
  [['git', '-C', 'dir'], null],
  [['hub', 'commit'], null],
  [['Git', 'commit'], null],
];

describe('gitCommitKind', () => {
  it.each(TABLE)('%j → %s', (argv, kind) => {
    const [command = '', ...args] = argv;
    expect(gitCommitKind(command, args)).toBe(kind);
  });
});

describe('isGitCommit', () => {
  it.each(TABLE)('%j needs exit 0', (argv, kind) => {
    expect(isGitCommit(ended(argv, 0))).toBe(kind !== null);
    expect(isGitCommit(ended(argv, 1))).toBe(false);
  });

  it('is false while running, when killed, or when replaced by another exec', () => {
    expect(isGitCommit(ended('git commit', null, { duration_ms: null }))).toBe(false);
    expect(isGitCommit(ended('git commit', null, { signal: 9 }))).toBe(false);
    expect(isGitCommit(ended('git commit', null))).toBe(false);
  });
});
