import { describe, expect, it } from 'vitest';
import { interpretLine, tornLineProblem } from './parse-line.js';

const line = (text: string, n = 3) => ({ line: n, bytes: Buffer.from(text) });

describe('interpretLine', () => {
  it('parses a JSON line into a record', () => {
    expect(interpretLine('/r/exec.jsonl', line('{"pid":1}'), undefined, 100)).toEqual({ record: { pid: 1 } });
  });

  it('ignores blank lines', () => {
    expect(interpretLine('/f', line(''), undefined, 100)).toBeUndefined();
    expect(interpretLine('/f', line('  \r'), undefined, 100)).toBeUndefined();
  });

  it('tolerates a CRLF line end', () => {
    expect(interpretLine('/f', line('{"a":1}\r'), undefined, 100)).toEqual({ record: { a: 1 } });
  });

  it('reports invalid JSON with file, line and the parser reason', () => {
    expect(interpretLine('/r/exec.jsonl', line('{"pid":'), undefined, 100)).toEqual({
      problem: {
        file: '/r/exec.jsonl',
        line: 3,
        kind: 'invalid_json',
        message: '/r/exec.jsonl:3: not valid JSON (Unexpected end of JSON input); skipped',
      },
    });
  });

  it('uses parse to check records and reports its rejection', () => {
    const parse = (value: unknown) => {
      if (typeof (value as { pid?: unknown }).pid !== 'number') throw new Error('"pid" must be a number');
      return value as { pid: number };
    };
    expect(interpretLine('/f', line('{"pid":2}'), parse, 100)).toEqual({ record: { pid: 2 } });
    expect(interpretLine('/f', line('{"pid":"2"}', 9), parse, 100)).toEqual({
      problem: {
        file: '/f',
        line: 9,
        kind: 'invalid_record',
        message: '/f:9: invalid record ("pid" must be a number); skipped',
      },
    });
  });

  it('reports an over-long line', () => {
    expect(interpretLine('/f', { line: 2, tooLong: true, size: 3_145_728 }, undefined, 1_048_576)).toEqual({
      problem: {
        file: '/f',
        line: 2,
        kind: 'too_long',
        message: '/f:2: line of 3145728 bytes is over the 1048576-byte limit; skipped',
      },
    });
  });
});

describe('tornLineProblem', () => {
  it('says the last line is incomplete and why that happens', () => {
    expect(tornLineProblem('/f', 7)).toEqual({
      file: '/f',
      line: 7,
      kind: 'torn',
      message:
        '/f:7: last line has no trailing newline (a writer is still writing it or crashed mid-line); skipped',
    });
  });
});
