import { describe, expect, it } from 'vitest';
import { parseByteSize } from './byte-size.js';

describe('parseByteSize', () => {
  it.each([
    ['4096', 4096],
    ['0', 0],
    ['3B', 3],
    ['3b', 3],
    ['100kB', 100_000],
    ['100KB', 100_000],
    ['1KiB', 1024],
    ['1kib', 1024],
    ['1KIB', 1024],
    ['1MB', 1_000_000],
    ['512MiB', 512 * 1024 ** 2],
    ['1.5GB', 1_500_000_000],
    ['2 GiB', 2 * 1024 ** 3],
    ['1gb', 1_000_000_000],
    ['1TB', 1e12],
    ['1TiB', 1024 ** 4],
    ['  7   MiB  ', 7 * 1024 ** 2],
    ['2.01kB', 2010],
    ['1.5B', 1],
    ['0.0001KiB', 0],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it('leaves sizes beyond a safe integer for the caller to reject', () => {
    expect(Number.isSafeInteger(parseByteSize('9999999TiB'))).toBe(false);
  });

  it.each([
    '',
    'lots',
    'MiB',
    '-5MiB',
    '+5MiB',
    '5 MiBs',
    '5 M',
    '5k',
    '5 PiB',
    '1e3',
    '.5GB',
    '5.',
    '5,000',
    '1_000',
    '0x10',
    '5 MiB extra',
  ])('rejects %j', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });
});
