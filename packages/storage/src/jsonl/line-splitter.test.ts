import { describe, expect, it } from 'vitest';
import { LineSplitter, type SplitLine } from './line-splitter.js';

const b = (text: string) => Buffer.from(text);

/** Lines as text, or `too_long:<size>`, for compact assertions. */
function show(lines: readonly (SplitLine | undefined)[]): Array<[number, string]> {
  return lines
    .filter((line): line is SplitLine => line !== undefined)
    .map((line) => [line.line, line.tooLong ? `too_long:${line.size}` : line.bytes.toString()]);
}

describe('LineSplitter', () => {
  it('splits a chunk into numbered lines and holds the unterminated rest', () => {
    const splitter = new LineSplitter(100);
    expect(show(splitter.push(b('a\nbb\n\nccc')))).toEqual([
      [1, 'a'],
      [2, 'bb'],
      [3, ''],
    ]);
    expect(show([splitter.pending()])).toEqual([[4, 'ccc']]);
  });

  it('joins a line spread over many chunks', () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push(b('{"a"'))).toEqual([]);
    expect(splitter.push(b(':'))).toEqual([]);
    expect(show(splitter.push(b('1}\n{"b"')))).toEqual([[1, '{"a":1}']]);
    expect(show(splitter.push(b(':2}\n')))).toEqual([[2, '{"b":2}']]);
    expect(splitter.pending()).toBeUndefined();
  });

  it('joins multi-byte characters cut between chunks', () => {
    const splitter = new LineSplitter(100);
    const bytes = b('"héllo ✓"\n');
    expect(splitter.push(bytes.subarray(0, 3))).toEqual([]);
    expect(show(splitter.push(bytes.subarray(3)))).toEqual([[1, '"héllo ✓"']]);
  });

  it('accepts a line of exactly the limit and drops a longer one without keeping its bytes', () => {
    const splitter = new LineSplitter(4);
    expect(show(splitter.push(b('1234\n12345\nok\n')))).toEqual([
      [1, '1234'],
      [2, 'too_long:5'],
      [3, 'ok'],
    ]);
  });

  it('counts an over-long line across chunks and recovers at its newline', () => {
    const splitter = new LineSplitter(4);
    expect(splitter.push(b('abc'))).toEqual([]);
    expect(splitter.push(b('defgh'))).toEqual([]);
    expect(show([splitter.pending()])).toEqual([[1, 'too_long:8']]);
    expect(splitter.push(b('ij'))).toEqual([]);
    expect(show(splitter.push(b('k\nfine\n')))).toEqual([
      [1, 'too_long:11'],
      [2, 'fine'],
    ]);
  });

  it('has nothing pending after a final newline or no input', () => {
    const splitter = new LineSplitter(10);
    expect(splitter.pending()).toBeUndefined();
    splitter.push(b('x\n'));
    expect(splitter.pending()).toBeUndefined();
  });
});
