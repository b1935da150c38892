export type ConfigErrorCode = 'syntax' | 'unknown_key' | 'type' | 'range' | 'io';

// Symbol.for markers survive duplicate copies of this package, where `instanceof` does not.
export const configErrorMarker = Symbol.for('moat.config-error');
/** Shared by every moat package: the CLI prints such errors' messages without a stack trace. */
export const moatErrorMarker = Symbol.for('moat.error');

/** Where a diagnostic points; `line` and `column` are 1-based. */
export interface SourceLocation {
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
}

export interface ConfigWarning {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The message without its location. */
  readonly message: string;
  /** `file:line:column: message`, the same format as a ConfigError's message. */
  readonly text: string;
}

export interface ConfigErrorOptions extends SourceLocation {
  code: ConfigErrorCode;
  message: string;
  cause?: unknown;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly [configErrorMarker] = true;
  readonly [moatErrorMarker] = true;

  constructor({ code, message, file, line, column, cause }: ConfigErrorOptions) {
    super(formatDiagnostic({ file, line, column }, message), cause === undefined ? undefined : { cause });
    this.code = code;
    this.file = file;
    this.line = line;
    this.column = column;
  }

  static isInstance(value: unknown): value is ConfigError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { [configErrorMarker]?: unknown })[configErrorMarker] === true
    );
  }
}

export function createWarning(location: SourceLocation & { file: string }, message: string): ConfigWarning {
  return {
    file: location.file,
    line: location.line,
    column: location.column,
    message,
    text: formatDiagnostic(location, message),
  };
}

function formatDiagnostic({ file, line, column }: SourceLocation, message: string): string {
  if (file === undefined) return message;
  if (line === undefined || column === undefined) return `${file}: ${message}`;
  return `${file}:${line}:${column}: ${message}`;
}
