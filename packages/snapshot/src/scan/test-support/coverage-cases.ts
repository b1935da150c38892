import type { CoverageOptions } from '../types.js';

/** Coverage rules, one behaviour per case; cases without options are also checked against real git. */
export interface CoverageCase {
  name: string;
  /** .gitignore texts by directory ('' for the root, else ending in '/'). */
  gitignores?: Record<string, string>;
  infoExclude?: string;
  options?: Partial<CoverageOptions>;
  /** Paths (directories ending in '/') that must be excluded, and paths that must be covered. */
  excluded?: string[];
  covered?: string[];
  /** Why real git answers differently (cases with options are never compared with git). */
  differsFromGit?: string;
}

export const coverageCases: CoverageCase[] = [
  {
    name: 'a pattern without a slash matches a name at any depth',
    gitignores: { '': '*.log\n' },
    excluded: ['a.log', 'x/y/b.log', 'logs.log/'],
    covered: ['a.txt', 'a.log.txt', 'x/'],
  },
  {
    name: 'a trailing slash matches directories only',
    gitignores: { '': 'build/\n' },
    excluded: ['build/', 'src/build/', 'build/x'],
    covered: ['build', 'src/build', 'builds/'],
  },
  {
    name: 'a leading slash anchors to the .gitignore directory',
    gitignores: { '': '/out\n' },
    excluded: ['out', 'out/', 'out/x'],
    covered: ['src/out', 'src/out/'],
  },
  {
    name: 'a slash in the middle anchors too',
    gitignores: { '': 'doc/frotz\n' },
    excluded: ['doc/frotz', 'doc/frotz/'],
    covered: ['a/doc/frotz', 'frotz'],
  },
  {
    name: '! re-includes what an earlier pattern excluded',
    gitignores: { '': '*.log\n!keep.log\n' },
    excluded: ['a.log', 'x/b.log'],
    covered: ['keep.log', 'x/keep.log'],
  },
  {
    name: 'within a file the last matching pattern wins',
    gitignores: { '': '!a.txt\n*.txt\n' },
    excluded: ['a.txt', 'b.txt'],
  },
  {
    name: 'nothing inside an excluded directory can be re-included',
    gitignores: { '': 'build/\n!build/keep\n!build/sub/\n' },
    excluded: ['build/', 'build/keep', 'build/sub/', 'build/sub/x'],
  },
  {
    name: 'dir/* leaves the directory itself covered, so ! works inside it',
    gitignores: { '': 'build/*\n!build/keep\n' },
    excluded: ['build/other', 'build/sub/'],
    covered: ['build/', 'build/keep'],
  },
  {
    name: 'a nested .gitignore applies only below its directory',
    gitignores: { '': '', 'sub/': 'x\n' },
    excluded: ['sub/x', 'sub/deep/x', 'sub/deep/x/'],
    covered: ['x', 'other/x', 'sub/y', 'sub/'],
  },
  {
    name: 'a nested leading slash anchors to the nested directory',
    gitignores: { 'sub/': '/x\n' },
    excluded: ['sub/x', 'sub/x/'],
    covered: ['x', 'sub/deep/x'],
  },
  {
    name: 'a nested middle slash anchors to the nested directory',
    gitignores: { 'sub/': 'a/b\n' },
    excluded: ['sub/a/b'],
    covered: ['a/b', 'sub/z/a/b', 'sub/a/'],
  },
  {
    name: 'a deeper .gitignore takes precedence over a shallower one',
    gitignores: { '': '*.log\n!x\n', 'sub/': '!*.log\nx\n' },
    excluded: ['a.log', 'sub/x', 'sub/deep/x', 'other/a.log'],
    covered: ['sub/a.log', 'sub/deep/a.log', 'x'],
  },
  {
    name: 'a deeper negation cannot re-include inside a directory excluded above',
    gitignores: { '': 'sub/\n', 'sub/': '!x\n' },
    excluded: ['sub/', 'sub/x'],
  },
  {
    name: 'a directory re-included by a deeper file is entered: its content is decided afresh',
    gitignores: { '': 'foo/\n', 'sub/': '!foo/\n' },
    excluded: ['foo/', 'foo/bar', 'other/foo/bar'],
    covered: ['sub/foo/', 'sub/foo/bar', 'sub/foo/deep/'],
  },
  {
    name: 'leading **/ matches in every directory',
    gitignores: { '': '**/logs\n**/foo/bar\n' },
    excluded: ['logs', 'a/b/logs/', 'foo/bar', 'x/foo/bar'],
    covered: ['bar', 'foo/x/bar'],
  },
  {
    name: 'trailing /** matches everything inside, not the directory itself',
    gitignores: { '': 'abc/**\n' },
    excluded: ['abc/x', 'abc/d/', 'abc/d/e'],
    covered: ['abc/', 'x/abc/y'],
  },
  {
    name: '/**/ matches zero or more directories',
    gitignores: { '': 'a/**/b\n' },
    excluded: ['a/b', 'a/x/b', 'a/x/y/b/'],
    covered: ['x/a/b', 'a/bb'],
  },
  {
    name: '/** and ** in a nested .gitignore stay below it',
    gitignores: { 'one/': '/**\n', 'two/': '**\n', 'three/': '*\n!keep\n' },
    excluded: ['one/x', 'one/d/', 'two/x', 'two/d/', 'three/x', 'three/d/'],
    covered: ['one/', 'two/', 'three/', 'x', 'three/keep'],
  },
  {
    name: '? and [...] match one character, never a slash',
    gitignores: { '': 'f?o\n[ab]ar\nz[!0-9]\n' },
    excluded: ['foo', 'fxo', 'bar', 'aar', 'zz'],
    covered: ['fo', 'f/o', 'car', 'z1'],
  },
  {
    name: 'unescaped trailing spaces are stripped',
    gitignores: { '': 'foo   \nbar\t\n' },
    excluded: ['foo', 'bar\t'],
    covered: ['foo ', 'foo   ', 'bar'],
  },
  {
    name: 'an escaped trailing space is kept',
    gitignores: { '': 'foo\\ \nbar\\  \n' },
    excluded: ['foo ', 'bar '],
    covered: ['foo', 'bar', 'bar  '],
  },
  {
    name: '# starts a comment, \\# a literal #',
    gitignores: { '': '#comment\n\\#hash\n' },
    excluded: ['#hash'],
    covered: ['#comment', 'comment', 'hash'],
  },
  {
    name: '\\! is a literal !, not a negation',
    gitignores: { '': '*\n\\!bang\n' },
    excluded: ['!bang', 'x'],
  },
  {
    name: 'CRLF line endings and a missing final newline',
    gitignores: { '': 'a\r\nb/\r\nc' },
    excluded: ['a', 'b/', 'c'],
    covered: ['a\r', 'b'],
  },
  {
    name: 'a UTF-8 BOM before the first line is dropped',
    gitignores: { '': '\uFEFFfoo\nbar\n', 'sub/': '\uFEFF!foo\n' },
    excluded: ['foo', 'bar'],
    covered: ['\uFEFFfoo', 'sub/foo'],
  },
  {
    name: 'only the first BOM is dropped; a second one is part of the pattern',
    gitignores: { '': '\uFEFF\uFEFFfoo\n' },
    excluded: ['\uFEFFfoo'],
    covered: ['foo'],
  },
  {
    name: 'a CR left after git strips the line end is part of the pattern, escaped or not',
    gitignores: { '': 'cr\r\r\n', 'sub/': 'a\\\r\r\n' },
    excluded: ['cr\r', 'sub/cr\r', 'sub/a\r'],
    covered: ['cr', 'sub/a', 'sub/a\\'],
  },
  {
    name: 'a directory name with a newline or trailing space holds a .gitignore like any other',
    gitignores: { 'a\nb/': 'x\n', 'c /': '/y\n' },
    excluded: ['a\nb/x', 'a\nb/d/x', 'c /y'],
    covered: ['a/x', 'b/x', 'c/y', 'c /d/y'],
  },
  {
    name: 'lines that git reads as no pattern match nothing',
    gitignores: { '': '/\n!\n//\n\n   \n#x\n' },
    covered: ['a', 'a/', '!', 'x'],
  },
  {
    name: 'patterns are case-sensitive, as git is on Linux',
    gitignores: { '': '*.LOG\n' },
    excluded: ['a.LOG'],
    covered: ['a.log'],
  },
  {
    name: 'glob characters in a nested directory name are literal',
    gitignores: { 'a*b/': 'x\n', '[c]/': 'y\n', '!d#/': 'z\n' },
    excluded: ['a*b/x', '[c]/y', '!d#/z'],
    covered: ['axb/x', 'ab/x', 'c/y', 'd#/z'],
  },
  {
    name: 'the root .git is never covered, whether a directory or a file',
    options: { additional: ['!.git', '!.git/'] },
    excluded: ['.git/', '.git', '.git/config', '.git/objects/'],
    covered: ['sub/.git', 'a.git'],
  },
  {
    name: 'nested .git directories are ordinary content',
    differsFromGit: 'git treats a nested .git as another repository',
    gitignores: { '': '*.o\n' },
    covered: ['sub/.git/', 'sub/.git/config', 'sub/.git/objects/'],
  },
  {
    name: 'nested .git directories can be ignored by a pattern',
    options: { additional: ['**/.git/'] },
    excluded: ['sub/.git/', 'sub/.git/config'],
    covered: ['sub/', 'sub/.gitx/'],
  },
  {
    name: '.git/info/exclude applies everywhere with the lowest precedence',
    infoExclude: '*.tmp\n!x\n',
    gitignores: { '': '!keep.tmp\nx\n' },
    excluded: ['a.tmp', 'sub/b.tmp', 'x'],
    covered: ['keep.tmp', 'sub/keep.tmp'],
  },
  {
    name: 'additional patterns apply after every .gitignore',
    gitignores: { '': '*.log\n', 'sub/': '!*.dat\n' },
    options: { additional: ['!important.log', '*.dat', '/top-only'] },
    excluded: ['a.log', 'sub/x.dat', 'x.dat', 'top-only'],
    covered: ['important.log', 'sub/important.log', 'sub/top-only'],
  },
  {
    name: 'ignoreGitignore skips .gitignore files and info/exclude, not additional patterns',
    infoExclude: '*.tmp\n',
    gitignores: { '': '*.log\n', 'sub/': '*\n' },
    options: { ignoreGitignore: true, additional: ['*.bak', 'out/'] },
    excluded: ['x.bak', 'sub/out/', '.git/'],
    covered: ['a.log', 'a.tmp', 'sub/x'],
  },
  {
    name: 'excludedPaths are never covered, whatever the patterns say',
    options: {
      additional: ['!.moat', '!.moat/', '!.moat/**'],
      excludedPaths: ['/ws/.moat', '/ws/sub/store/', '/elsewhere/x', '/ws', '/ws/../ws/y'],
    },
    excluded: ['.moat/', '.moat', '.moat/blobs/', '.moat/blobs/x', 'sub/store/', 'sub/store/p', 'y'],
    covered: ['.moatx', 'sub/', 'sub/storex', 'x', 'elsewhere/x'],
  },
  {
    name: 'a dir/ pattern does not match a symlink or file of that name',
    gitignores: { '': 'link/\n' },
    excluded: ['link/'],
    covered: ['link'],
  },
  {
    name: 'escapes inside a pattern: \\*, \\?, \\[ and a literal backslash',
    gitignores: { '': 'a\\*b\nc\\?d\n\\[e]\nf\\\\g\n' },
    excluded: ['a*b', 'c?d', '[e]', 'f\\g'],
    covered: ['axb', 'cxd', 'e', 'fg'],
  },
];
