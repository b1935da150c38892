// Writes a corpus of hostile and benign tar.gz archives into DIR, and DIR/manifest.json saying what
// extractArchive must do with each: refuse it (with which error code, naming which entry, saying
// what) or extract it (into which tree). Entries are crafted as raw 512-byte blocks, since no tar
// writer produces most hostile cases; two benign archives are made by GNU tar when it is installed.
//
//   node scripts/archive-corpus.mjs DIR      (a new or empty directory)
//
// The limits to extract with are in the manifest. Escaping entries aim at DIR's parent and at DIR
// itself, so that a test can see anything written outside its destination.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMITS = { max_files: 40, max_total_bytes: 256 * 1024, max_file_bytes: 64 * 1024 };
const KiB = 1024;
/** 2023-11-14T22:13:20Z, in seconds: the mtime of entries that do not say otherwise. */
const T = 1_700_000_000;
const US = 1_000_000;

// --- raw tar blocks -------------------------------------------------------------------------------

function octal(block, offset, length, value) {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

/** A ustar header; names and link targets over 100 bytes need pax(). `checksumDelta` damages it. */
function header({
  name,
  type = '0',
  mode = 0o644,
  size = 0,
  mtime = T,
  linkname = '',
  dev = [0, 0],
  checksumDelta = 0,
}) {
  if (Buffer.byteLength(name) > 100 || Buffer.byteLength(linkname) > 100)
    throw new Error(`too long for ustar: ${name}`);
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, mtime);
  block.write(type, 156, 1, 'ascii');
  block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'ascii');
  octal(block, 329, 8, dev[0]);
  octal(block, 337, 8, dev[1]);
  block.fill(0x20, 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0) + checksumDelta;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

function pad(size) {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

function paxRecord(key, value) {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  return `${bytes + String(bytes + String(bytes).length).length}${body}`;
}

/** A PAX extended header ('x') with these records, for the entry that follows it. */
function pax(records) {
  const body = Buffer.from(
    Object.entries(records)
      .map(([key, value]) => paxRecord(key, value))
      .join(''),
  );
  return [header({ name: 'PaxHeader', type: 'x', size: body.length }), body, pad(body.length)];
}

/** PAX records for what ustar cannot hold: long names, sub-second mtimes (`mtime` as text). */
function extended(name, { linkname = '', mtime } = {}) {
  const records = {};
  if (Buffer.byteLength(name) > 100) records.path = name;
  if (Buffer.byteLength(linkname) > 100) records.linkpath = linkname;
  if (typeof mtime === 'string') records.mtime = mtime;
  return Object.keys(records).length > 0 ? pax(records) : [];
}

function short(name) {
  return Buffer.byteLength(name) > 100 ? 'long-name-in-pax' : name;
}

/** Whole seconds for the ustar field, which cannot hold times before 1970 (PAX has the exact value). */
function ustarMtime(mtime) {
  return typeof mtime === 'string' ? Math.max(0, Math.floor(Number(mtime))) : (mtime ?? T);
}

function file(name, content, options = {}) {
  const data = Buffer.from(content);
  const { mode, mtime, checksumDelta } = options;
  return [
    ...extended(name, { mtime }),
    header({ name: short(name), mode, size: data.length, mtime: ustarMtime(mtime), checksumDelta }),
    data,
    pad(data.length),
  ];
}

function dir(name, { mode = 0o755, mtime } = {}) {
  return [
    ...extended(name, { mtime }),
    header({ name: short(`${name}/`), type: '5', mode, mtime: ustarMtime(mtime) }),
  ];
}

function symlink(name, target, { mtime } = {}) {
  const linkname = Buffer.byteLength(target) > 100 ? 'long-target-in-pax' : target;
  return [
    ...extended(name, { linkname: target, mtime }),
    header({ name: short(name), type: '2', mode: 0o777, linkname, mtime: ustarMtime(mtime) }),
  ];
}

function hardlink(name, target) {
  return [header({ name, type: '1', linkname: target })];
}

function special(name, type, dev = [0, 0]) {
  return [header({ name, type, dev })];
}

const END = Buffer.alloc(1024);

function tar(...parts) {
  return Buffer.concat(parts.flat(Number.POSITIVE_INFINITY));
}

function gz(...parts) {
  return gzipSync(tar(...parts));
}

/** Deterministic bytes that do not compress. */
function noise(size, seed = 1) {
  const bytes = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

function range(count, make) {
  return Array.from({ length: count }, (_, i) => make(i + 1));
}

// --- expectations for benign archives -------------------------------------------------------------

const us = (seconds) => seconds * US;
const F = (path, content, mode = 0o644, mtimeUs = us(T), more = {}) => ({
  path,
  type: 'file',
  mode,
  mtimeUs,
  content,
  ...more,
});
const D = (path, mode = 0o755, mtimeUs = us(T)) => ({
  path,
  type: 'dir',
  mode,
  ...(mtimeUs === null ? {} : { mtimeUs }),
});
const L = (path, target, mtimeUs = us(T)) => ({ path, type: 'symlink', target, mtimeUs });

// --- the corpus ---------------------------------------------------------------------------------

/** Hostile archives: the refusal's error code, the entry it must name (null: none) and a phrase it must hold. */
const unsafe = (name, entry, says, ...parts) =>
  refused(name, 'unsafe_archive', entry, says, gz(...parts, END));
const overLimit = (name, entry, says, ...parts) => refused(name, 'limit', entry, says, gz(...parts, END));
const damaged = (name, entry, says, bytes) => refused(name, 'corrupt_archive', entry, says, bytes);
const refused = (name, code, entry, says, archive) => ({
  name,
  archive,
  expect: 'refuse',
  code,
  entry,
  says,
});
/** Benign archives and the tree each extracts to. */
const benign = (name, parts, tree) => ({
  name,
  archive: Buffer.isBuffer(parts) ? parts : gz(...parts, END),
  expect: 'extract',
  tree,
});

function cases(out) {
  const outside = resolve(out, '..');
  // Bigger than one 64 KiB read, damaged in the second: the entry being read is data.bin.
  const twoFiles = gz(file('a.bin', noise(40 * KiB, 1)), file('data.bin', noise(60 * KiB, 2)), END);
  const flipped = Buffer.from(twoFiles);
  flipped[Math.floor(flipped.length * 0.9)] ^= 0xff;
  const garbage = 'not a tar archive. '.repeat(200);
  const long = `${'deep/'.repeat(40)}${'n'.repeat(50)}.txt`;
  const longTarget = `${'x/'.repeat(60)}target`;
  const component = 'c'.repeat(255);
  const tooLong = `${'p/'.repeat(2048)}x`;
  const full = 'a'.repeat(LIMITS.max_file_bytes);
  const n = LIMITS.max_files;

  // biome-ignore format: a table, one archive a line
  return [
    // Names
    unsafe('absolute-path', `${outside}/escaped-absolute`, 'absolute path', file(`${outside}/escaped-absolute`, 'x')),
    unsafe('dotdot', '../escaped-dotdot', '".." component', file('../escaped-dotdot', 'x')),
    unsafe('dotdot-inside', 'a/../../escaped-inner', '".." component', dir('a'), file('a/../../escaped-inner', 'x')),
    unsafe('dotdot-after-symlink', 'a/../../escaped', '".." component', symlink('a', '.'), file('a/../../escaped', 'x')),
    unsafe('path-too-long', tooLong, 'path of 4097 bytes', file(tooLong, 'x')),
    unsafe('component-too-long', `${component}c`, 'component of 256 bytes', file(`${component}c`, 'x')),
    unsafe('file-named-dot', '.', 'destination directory itself', file('.', 'x')),
    unsafe('duplicate-file', 'a', 'twice', file('a', '1'), file('a', '2')),
    // Symlinks, and writing through them
    unsafe('symlink-absolute', 'abs', 'absolute path', symlink('abs', out), file('abs/escaped', 'x')),
    unsafe('symlink-escaping', 'up', 'leads outside', symlink('up', '..'), file('up/escaped', 'x')),
    unsafe('symlink-escaping-nested', 'sub/up', 'leads outside', dir('sub'), symlink('sub/up', '../..')),
    unsafe('symlink-chain-escaping', 'esc', 'leads outside', dir('sub'), symlink('sub/root', '..'), symlink('esc', 'sub/root/..'), file('esc/escaped', 'x')),
    unsafe('symlink-chain-escaping-late', 'esc', 'leads outside', dir('sub'), symlink('esc', 'sub/root/..'), symlink('sub/root', '..')),
    unsafe('symlink-chain-deep', 'd/l2', 'leads outside', dir('d'), symlink('d/l1', '..'), symlink('d/l2', 'l1/d/l1/..')),
    unsafe('symlink-loop', 'a', 'loops', symlink('a', 'b/x'), symlink('b', 'a/y')),
    unsafe('symlink-target-too-long', 'long', 'target of 4097 bytes', symlink('long', tooLong)),
    unsafe('file-through-symlink', 'link/file', 'through the symlink "link"', dir('sub'), symlink('link', 'sub'), file('link/file', 'x')),
    unsafe('dir-through-symlink', 'link/inner/', 'through the symlink "link"', dir('sub'), symlink('link', 'sub'), dir('link/inner')),
    unsafe('symlink-through-symlink', 'link/dot', 'through the symlink "link"', dir('sub'), symlink('link', 'sub'), symlink('link/dot', '.')),
    unsafe('file-over-symlink', 'x', 'twice', dir('sub'), symlink('x', 'sub/target'), file('x', 'x')),
    unsafe('symlink-with-content', 's', 'no regular file', header({ name: 's', type: '2', linkname: 'x', size: 5 }), Buffer.from('hello'), pad(5)),
    // Hard links
    unsafe('hardlink-escaping', 'h', 'not a path inside', hardlink('h', '../escaped-hardlink')),
    unsafe('hardlink-absolute', 'h', 'not a path inside', hardlink('h', '/etc/passwd')),
    unsafe('hardlink-missing', 'h', 'not a file earlier', hardlink('h', 'nope')),
    unsafe('hardlink-before-target', 'h', 'not a file earlier', hardlink('h', 'f'), file('f', 'x')),
    unsafe('hardlink-to-directory', 'h', 'not a file earlier', dir('sub'), hardlink('h', 'sub')),
    unsafe('hardlink-through-symlink', 'h', 'not a file earlier', dir('sub'), file('sub/f', 'x'), symlink('s', 'sub'), hardlink('h', 's/f')),
    // Types and metadata
    unsafe('char-device', 'tty', 'character device', special('tty', '3', [4, 0])),
    unsafe('block-device', 'sda', 'block device', special('sda', '4', [8, 0])),
    unsafe('fifo', 'pipe', 'FIFO', special('pipe', '6')),
    unsafe('unknown-type', 'odd', 'unknown entry type', special('odd', 'Z')),
    unsafe('old-gnu-sparse', 'sparse', 'SparseFile', special('sparse', 'S')),
    unsafe('pax-gnu-sparse', 'GNUSparseFile.0/data', 'GNU sparse', pax({ 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0' }), file('GNUSparseFile.0/data', 'x')),
    unsafe('metadata-too-big', 'PaxHeader', 'metadata header of', pax({ comment: 'c'.repeat(70 * KiB) }), file('a', 'x')),
    unsafe('metadata-run', null, 'metadata headers in a row', range(9, () => pax({ comment: 'x' })), file('a', 'x')),
    refused('trailing-bomb', 'unsafe_archive', null, 'after its end-of-archive marker', gz(file('a', 'a'), END, Buffer.alloc(32 * 2 ** 20))),
    // Limits
    overLimit('too-many-entries', `f${n + 1}`, 'snapshots.limits.max_files', range(n + 1, (i) => file(`f${i}`, ''))),
    overLimit('file-too-big', 'big.bin', 'snapshots.limits.max_file_bytes', file('big.bin', `${full}!`)),
    overLimit('total-too-big', 'f5', 'snapshots.limits.max_total_bytes', range(5, (i) => file(`f${i}`, 'a'.repeat(60 * KiB)))),
    overLimit('hardlinks-total-too-big', 'h4', 'snapshots.limits.max_total_bytes', file('f', 'a'.repeat(60 * KiB)), range(4, (i) => hardlink(`h${i}`, 'f'))),
    overLimit('declared-size-mismatch', 'bomb.bin', 'declares 10 GiB', pax({ size: String(10 * 2 ** 30) }), file('bomb.bin', 'a'.repeat(KiB))),
    // Damage
    damaged('bad-checksum', 'b', 'checksum failure', gz(file('a', 'x'), file('b', 'y', { checksumDelta: 1 }), END)),
    damaged('truncated-body', 'big.txt', 'Truncated input', gzipSync(tar(file('big.txt', 'b'.repeat(3000))).subarray(0, 1512))),
    damaged('no-end-marker', 'a.txt', 'without its end-of-archive marker', gz(file('a.txt', 'a'))),
    damaged('truncated-gzip', 'data.bin', 'unexpected end of file', twoFiles.subarray(0, Math.floor(twoFiles.length * 0.9))),
    damaged('corrupt-gzip', 'data.bin', 'cut short or damaged', flipped),
    damaged('not-gzip', null, 'not gzip-compressed', Buffer.from('this is not an archive\n')),
    damaged('plain-tar', null, 'not gzip-compressed', tar(file('a', 'x'), END)),
    damaged('gzip-of-garbage', garbage.slice(0, 100), 'checksum failure', gzipSync(garbage)),
    damaged('gzip-of-nothing', null, 'not a tar archive', gzipSync(Buffer.alloc(0))),

    benign('plain-tree', [dir('src'), file('src/main.ts', 'export {};\n'), file('run.sh', '#!/bin/sh\n', { mode: 0o755 }), file('secret', 's', { mode: 0o600 }), dir('empty', { mode: 0o700 }), file('README.md', '# hi\n')], [
      F('README.md', '# hi\n'), D('empty', 0o700), F('run.sh', '#!/bin/sh\n', 0o755), F('secret', 's', 0o600), D('src'), F('src/main.ts', 'export {};\n'),
    ]),
    benign('implied-directories', [file('a/b/c/d.txt', 'd'), dir('a/b', { mode: 0o750, mtime: T - 60 })], [
      D('a', 0o755, null), D('a/b', 0o750, us(T - 60)), D('a/b/c', 0o755, null), F('a/b/c/d.txt', 'd'),
    ]),
    benign('read-only-directory', [dir('ro', { mode: 0o555 }), file('ro/f.txt', 'f', { mode: 0o444 }), dir('ro/inner', { mode: 0o500 })], [
      D('ro', 0o555), F('ro/f.txt', 'f', 0o444), D('ro/inner', 0o500),
    ]),
    benign('duplicate-directory', [dir('a'), file('a/x', 'x'), dir('a', { mode: 0o700, mtime: T + 1 })], [
      D('a', 0o700, us(T + 1)), F('a/x', 'x'),
    ]),
    benign('dot-slash-names', [dir('.', { mode: 0o700 }), dir('./a'), file('./a/x.txt', 'x'), file('.//a/./y.txt', 'y')], [
      D('a'), F('a/x.txt', 'x'), F('a/y.txt', 'y'),
    ]),
    benign('safe-symlinks', [dir('sub'), file('sub/f.txt', 'f'), symlink('to-file', 'sub/f.txt'), symlink('to-dir', 'sub'), symlink('dangling', 'missing/x'), symlink('dot', '.'), symlink('sub/up', '..'), symlink('sub/back', '../sub/f.txt'), symlink('twisty', 'sub/../sub/./f.txt')], [
      L('dangling', 'missing/x'), L('dot', '.'), D('sub'), L('sub/back', '../sub/f.txt'), F('sub/f.txt', 'f'), L('sub/up', '..'), L('to-dir', 'sub'), L('to-file', 'sub/f.txt'), L('twisty', 'sub/../sub/./f.txt'),
    ]),
    benign('safe-symlink-chain', [symlink('l1', 'l2'), symlink('l2', 'sub/l3'), dir('sub'), symlink('sub/l3', '../sub/f.txt'), file('sub/f.txt', 'f'), symlink('via-up', 'sub/up/sub/up/sub/f.txt'), symlink('sub/up', '..')], [
      L('l1', 'l2'), L('l2', 'sub/l3'), D('sub'), F('sub/f.txt', 'f'), L('sub/l3', '../sub/f.txt'), L('sub/up', '..'), L('via-up', 'sub/up/sub/up/sub/f.txt'),
    ]),
    benign('hard-links', [file('f.txt', 'shared', { mode: 0o640 }), hardlink('g.txt', 'f.txt'), dir('d'), hardlink('d/h.txt', 'f.txt'), hardlink('d/i.txt', 'd/h.txt')],
      [D('d'), ...['d/h.txt', 'd/i.txt', 'f.txt', 'g.txt'].map((path) => F(path, 'shared', 0o640, us(T), { nlink: 4 }))],
    ),
    benign('odd-names', [file('naïve.txt', '1'), dir('日本語'), file('日本語/ファイル.txt', '2'), file('emoji-🙂.txt', '3'), file('..env', '4'), file('...', '5'), file('back\\slash', '6'), file('new\nline', '7'), file('trailing space ', '8'), file('e\u0301.txt', 'nfd'), file('\u00e9.txt', 'nfc'), file('-rf', '9')], [
      F('-rf', '9'), F('...', '5'), F('..env', '4'), F('back\\slash', '6'), F('e\u0301.txt', 'nfd'), F('emoji-🙂.txt', '3'), F('naïve.txt', '1'), F('new\nline', '7'), F('trailing space ', '8'), F('\u00e9.txt', 'nfc'), D('日本語'), F('日本語/ファイル.txt', '2'),
    ]),
    benign('sub-second-mtimes', [dir('d', { mtime: '1700000000.987654321' }), file('d/ns.txt', 'a', { mtime: '1700000000.123456789' }), file('half.txt', 'b', { mtime: '1700000001.5' }), file('old.txt', 'c', { mtime: '-1.25' }), symlink('link', 'half.txt', { mtime: '1700000002.000001' })], [
      D('d', 0o755, 1_700_000_000_987_654), F('d/ns.txt', 'a', 0o644, 1_700_000_000_123_456), F('half.txt', 'b', 0o644, 1_700_000_001_500_000), L('link', 'half.txt', 1_700_000_002_000_001),
      F('old.txt', 'c', 0o644, 0), // Node cannot set times before 1970
    ]),
    benign('long-names', [file(long, 'long'), file(component, 'c'), symlink('long-link', longTarget)], [
      F(component, 'c'), ...ancestors(long).map((path) => D(path, 0o755, null)), F(long, 'long'), L('long-link', longTarget),
    ]),
    benign('setuid-dropped', [file('tool', 't', { mode: 0o4755 }), file('group-tool', 'g', { mode: 0o2755 }), dir('shared', { mode: 0o1777 })], [
      F('group-tool', 'g', 0o755), D('shared', 0o777), F('tool', 't', 0o755),
    ]),
    benign('at-the-limits', [range(4, (i) => file(`f${i}`, full)), range(n - 4, (i) => dir(`d${String(i).padStart(2, '0')}`))], [
      ...range(n - 4, (i) => D(`d${String(i).padStart(2, '0')}`)), ...range(4, (i) => F(`f${i}`, full)),
    ]),
    benign('concatenated-gzip', Buffer.concat([gzipSync(tar(file('a.txt', 'a'))), gz(file('b.txt', 'b'), END)]), [F('a.txt', 'a'), F('b.txt', 'b')]),
    benign('record-padding', gz(file('a.txt', 'a'), END, Buffer.alloc(9 * KiB)), [F('a.txt', 'a')]),
    benign('empty', [], []),
  ];
}

/** The directories above `path`, outermost first. */
function ancestors(path) {
  return path
    .split('/')
    .slice(0, -1)
    .map((_, i, parts) => parts.slice(0, i + 1).join('/'));
}

/** A tree for GNU tar to archive: modes, sub-second mtimes, links, a long path, an empty directory. */
function makeSource(root, wholeSeconds) {
  const mtime = (i) => (wholeSeconds ? T + i : T + i + 0.123456 + i / 1000);
  const files = [
    ['dir/file.txt', 'file\n', 0o640],
    ['run.sh', '#!/bin/sh\n', 0o755],
    [`${'long/'.repeat(25)}name.txt`, 'long\n', 0o644],
    ['ü.txt', 'unicode\n', 0o644],
    ['ro/inside.txt', 'ro\n', 0o444],
  ];
  mkdirSync(join(root, 'empty'), { recursive: true });
  for (const [path, content, mode] of files) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
    chmodSync(join(root, path), mode);
  }
  linkSync(join(root, 'run.sh'), join(root, 'hard.sh'));
  symlinkSync('dir/file.txt', join(root, 'link'));
  symlinkSync('../run.sh', join(root, 'dir/up-link'));
  const setTime = (path, i) => utimesSync(join(root, path), mtime(i), mtime(i));
  for (const [i, [path]] of files.entries()) setTime(path, i);
  lutimesSync(join(root, 'link'), mtime(7), mtime(7));
  lutimesSync(join(root, 'dir/up-link'), mtime(8), mtime(8));
  // Directories last, deepest first: creating their content changed their mtimes.
  const dirs = [...ancestors(files[2][0]), 'dir', 'empty', 'ro'].sort((a, b) => b.length - a.length);
  for (const [i, path] of dirs.entries()) setTime(path, 10 + i);
  chmodSync(join(root, 'dir'), 0o750);
  chmodSync(join(root, 'ro'), 0o555);
}

function gnuTarCases(out) {
  if (!spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout?.startsWith('tar (GNU tar)')) return [];
  return [
    ['gnu-tar-pax', ['--format=pax'], false],
    ['gnu-tar-gnu-format', ['--format=gnu'], true],
  ].map(([name, format, wholeSeconds]) => {
    const source = join(out, 'sources', name);
    makeSource(source, wholeSeconds);
    const file = join(out, `benign/${name}.tar.gz`);
    execFileSync('tar', [...format, '--sort=name', '-C', source, '-czf', file, '.']);
    return { name, file: `benign/${name}.tar.gz`, expect: 'extract', source: `sources/${name}` };
  });
}

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/archive-corpus.mjs DIR (a new or empty directory)');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
if (readdirSync(out).length > 0) {
  console.error(`${out} is not empty; give a new or empty directory`);
  process.exit(2);
}
mkdirSync(join(out, 'hostile'), { recursive: true });
mkdirSync(join(out, 'benign'), { recursive: true });
const written = cases(resolve(out)).map(({ archive, ...rest }) => {
  const file = `${rest.expect === 'refuse' ? 'hostile' : 'benign'}/${rest.name}.tar.gz`;
  writeFileSync(join(out, file), archive);
  return { ...rest, file };
});
const manifest = { limits: LIMITS, cases: [...written, ...gnuTarCases(out)] };
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`${manifest.cases.length} archives in ${out}`);
