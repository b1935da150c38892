export type TraceErrorCode = 'unavailable' | 'invalid' | 'state';

// Symbol.for keys are shared by every copy of this package loaded in one process, so isInstance
// recognises errors thrown by another copy, where instanceof would not.
const TRACE_ERROR: unique symbol = Symbol.for('moat.trace-error');
// Every moat package marks its user-facing errors with this key: the CLI prints only their message.
const MOAT_ERROR: unique symbol = Symbol.for('moat.error');

export class TraceError extends Error {
  override readonly name = 'TraceError';
  /**
   * `unavailable`: no tracer backend can run here (the message lists why each one could not);
   * `invalid`: bad input (options, a pid); `state`: a call that does not fit the tracer's state.
   */
  readonly code: TraceErrorCode;
  readonly [TRACE_ERROR] = true;
  readonly [MOAT_ERROR] = true;

  constructor(code: TraceErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  static isInstance(error: unknown): error is TraceError {
    return (
      typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[TRACE_ERROR] === true
    );
  }
}

/** The message of any thrown value, on one line. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}
