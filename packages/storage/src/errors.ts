export type StorageErrorCode = 'not_found' | 'ambiguous' | 'corrupt' | 'invalid' | 'lock_timeout' | 'io';

// Symbol.for keys are shared by every copy of this package loaded in one process, so isInstance
// recognises errors thrown by another copy, where instanceof would not.
const STORAGE_ERROR: unique symbol = Symbol.for('moat.storage-error');
// Every moat package marks its user-facing errors with this key: the CLI prints only their message.
const MOAT_ERROR: unique symbol = Symbol.for('moat.error');

export interface StorageErrorOptions {
  file?: string;
  cause?: unknown;
}

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  /** The file or directory the error is about, when there is one. */
  readonly file: string | undefined;
  readonly [STORAGE_ERROR] = true;
  readonly [MOAT_ERROR] = true;

  constructor(code: StorageErrorCode, message: string, options: StorageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
  }

  static isInstance(error: unknown): error is StorageError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[STORAGE_ERROR] === true
    );
  }
}

/** The message of any thrown value, on one line (parser messages quote input that may span lines). */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** The errno code of a Node system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
