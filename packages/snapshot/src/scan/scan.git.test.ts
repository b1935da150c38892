import fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanWorkspace } from './scan.js';
import { walkScanTree } from './scan-paths.js';
import { git, gitIgnored, tempDir } from './test-support/temp.js';

// A generated tree (every file name in every directory, three levels deep in places) under layered
// .gitignore files full of git's corner cases. The scan must keep exactly what git's own walk keeps:
// the files of `git ls-files --others --exclude-standard` and the directories check-ignore passes.

const DIR_NAMES = ['build', 'foo', 'sub', 'a b', 'st*r', 'logs', 'keep', 'doc', '[x]'];
const FILE_NAMES = [
  'x',
  'a.log',
  'keep.log',
  'frotz',
  'B.TXT',
  'b.txt',
  ' lead',
  'trail ',
  'trail',
  '#hash',
  '!bang',
  'a*b',
  'f\\g',
  'cr\r',
  'b.o',
];

const GITIGNORES: Record<string, string> = {
  '': [
    '\uFEFF# a comment after a BOM',
    '*.log',
    '!keep.log',
    'build/',
    '!build/keep.log',
    '/foo',
    'doc/frotz',
    '**/logs/x',
    'trail\\ ',
    ' lead   ',
    '\\#hash',
    '\\!bang',
    '*.TXT',
    'keep/*',
    '!keep/b.txt',
    'sub/**/frotz',
    'cr\r\r',
    '',
  ].join('\n'),
  'sub/': '!*.log\r\nx\r\n/frotz\r\nfoo/\r\n!build/\r\n',
  'sub/foo/': '!x\n',
  'a b/': '*\n!*/\n!b.txt\n',
  'st*r/': 'x\na\\*b\n',
  'doc/': '!*.TXT\n',
  '[x]/': '[fx]*\n',
};
const INFO_EXCLUDE = 'b.txt\n*.o\n!sub/b.o\n';

function directories(): string[] {
  const dirs = [''];
  for (const first of DIR_NAMES) {
    dirs.push(`${first}/`);
    for (const second of DIR_NAMES) dirs.push(`${first}/${second}/`);
  }
  for (const second of ['foo', 'build', 'a b'])
    for (const third of DIR_NAMES) dirs.push(`sub/${second}/${third}/`);
  return dirs;
}

describe('scanWorkspace agrees with git', () => {
  it('keeps exactly the files and directories git does not ignore', () => {
    const repo = join(tempDir(), 'repo');
    fs.mkdirSync(repo);
    git(repo, ['init', '-q']);
    fs.writeFileSync(join(repo, '.git/info/exclude'), INFO_EXCLUDE);
    const dirs = directories();
    const files: string[] = [];
    for (const dir of dirs) {
      fs.mkdirSync(join(repo, dir), { recursive: true });
      for (const name of FILE_NAMES) {
        fs.writeFileSync(join(repo, dir, name), '');
        files.push(dir + name);
      }
    }
    for (const [dir, text] of Object.entries(GITIGNORES)) {
      fs.writeFileSync(join(repo, dir, '.gitignore'), text);
      files.push(`${dir}.gitignore`);
    }
    // Not followed by git (nor by the scan): a symlink is listed as an entry, its patterns unused.
    fs.symlinkSync('../a b/.gitignore', join(repo, 'logs/.gitignore'));
    files.push('logs/.gitignore');

    const result = scanWorkspace(repo, { ignoreGitignore: false, additional: [] });
    const scanned = [...walkScanTree(result.root)];
    const scannedFiles = scanned.filter(({ node }) => node.type !== 'dir').map(({ path }) => path);
    const scannedDirs = scanned.filter(({ node }) => node.type === 'dir').map(({ path }) => path);

    const gitFiles = git(repo, ['ls-files', '-z', '--others', '--exclude-standard'])
      .split('\0')
      .filter(Boolean);
    const gitDirectories = dirs.filter((dir) => dir !== '').map((dir) => dir.slice(0, -1));
    const ignoredDirs = gitIgnored(repo, gitDirectories);
    expect(scannedFiles.sort()).toEqual(gitFiles.sort());
    expect(scannedDirs.sort()).toEqual(gitDirectories.filter((dir) => !ignoredDirs.has(dir)).sort());
    // The comparison means something: hundreds of files are kept and hundreds left out.
    expect(gitFiles.length).toBeGreaterThan(200);
    expect(files.length - gitFiles.length).toBeGreaterThan(200);
    expect(result.notes).toEqual([]);
  });
});
