import { describe, expect, it } from 'vitest';
import { entryKind, entryPath } from './entry-path.js';

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no problem';
}

describe('entryPath', () => {
  it('drops "." and empty components and trailing slashes', () => {
    expect(entryPath('a/b.txt')).toBe('a/b.txt');
    expect(entryPath('./a//b/./c/')).toBe('a/b/c');
    expect(entryPath('./')).toBe('');
    expect(entryPath('.')).toBe('');
  });

  it('takes names that merely start with dots', () => {
    expect(entryPath('..env')).toBe('..env');
    expect(entryPath('a/.../b')).toBe('a/.../b');
    expect(entryPath('..a/b..')).toBe('..a/b..');
  });

  it('refuses absolute names and ".." components wherever they are', () => {
    expect(problem(() => entryPath('/etc/passwd'))).toBe('has an absolute path');
    expect(problem(() => entryPath('//x'))).toBe('has an absolute path');
    for (const name of ['..', '../x', 'a/../b', 'a/..', './..']) {
      expect(problem(() => entryPath(name))).toBe('has a ".." component in its path');
    }
  });

  it('refuses paths over 4096 bytes and components over 255, counting bytes', () => {
    expect(entryPath(`${'a/'.repeat(2047)}bb`)).toHaveLength(4096);
    expect(problem(() => entryPath(`${'a/'.repeat(2048)}b`))).toBe(
      'has a path of 4097 bytes, over the limit of 4096',
    );
    expect(entryPath(`x${'é'.repeat(127)}`)).toHaveLength(128); // 255 bytes
    expect(problem(() => entryPath(`xx${'é'.repeat(127)}`))).toBe(
      'has a path component of 256 bytes, over the limit of 255',
    );
  });
});

describe('entryKind', () => {
  it('maps tar types to what is extracted, and refuses the rest', () => {
    expect(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link'].map(entryKind)).toEqual(
      ['file', 'file', 'file', 'dir', 'symlink', 'hardlink'],
    );
    expect(problem(() => entryKind('FIFO'))).toBe(
      'is a FIFO; only files, directories, symlinks and hard links are extracted',
    );
    expect(problem(() => entryKind('constructor'))).toMatch(/^is of type "constructor"; only files/);
  });
});
