import { describe, expect, it } from 'vitest';
import { errnoCode, reasonOf, StorageError } from './errors.js';

describe('StorageError', () => {
  it('carries name, code, file, cause and the moat markers', () => {
    const cause = new Error('EACCES');
    const error = new StorageError('io', 'cannot write /x; check it', { file: '/x', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('StorageError');
    expect(error.code).toBe('io');
    expect(error.file).toBe('/x');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('cannot write /x; check it');
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('moat.error')]).toBe(true);
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('moat.storage-error')]).toBe(true);
  });

  it('has no cause and no file unless given', () => {
    const error = new StorageError('not_found', 'gone');
    expect(error.file).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('isInstance recognises errors from another copy of the package by their marker', () => {
    const foreign = Object.assign(new Error('from another copy'), {
      [Symbol.for('moat.storage-error')]: true,
    });
    expect(StorageError.isInstance(foreign)).toBe(true);
    expect(StorageError.isInstance(new StorageError('corrupt', 'x'))).toBe(true);
    expect(StorageError.isInstance(new Error('plain'))).toBe(false);
    expect(StorageError.isInstance(null)).toBe(false);
    expect(StorageError.isInstance('StorageError')).toBe(false);
  });
});

describe('reasonOf', () => {
  it('keeps a parser message on one line', () => {
    expect(reasonOf(new Error('bad "{\n  x"\r\n'))).toBe('bad "{\\n  x"\\r\\n');
    expect(reasonOf('text')).toBe('text');
  });
});

describe('errnoCode', () => {
  it('reads the code of system errors only', () => {
    expect(errnoCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errnoCode(new Error('x'))).toBeUndefined();
    expect(errnoCode(undefined)).toBeUndefined();
  });
});
