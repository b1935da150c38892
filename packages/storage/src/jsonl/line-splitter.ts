/** A complete line (without its '\n'), or the size of a line that was over the limit and dropped. */
export type SplitLine =
  | { line: number; bytes: Buffer; tooLong?: undefined }
  | { line: number; tooLong: true; size: number };

/**
 * Cuts a byte stream into '\n'-terminated lines, numbered from 1. Bytes are kept only for the line
 * in progress, and only up to `maxLineBytes`: a longer line is counted, not buffered.
 * Pure: no I/O, so it serves both whole-file reads and live following.
 */
export class LineSplitter {
  readonly maxLineBytes: number;
  #parts: Buffer[] = [];
  #partBytes = 0;
  /** Size so far of the line in progress once it is over the limit (its bytes are dropped). */
  #overflow = 0;
  #completed = 0;

  constructor(maxLineBytes: number) {
    this.maxLineBytes = maxLineBytes;
  }

  /** The lines that `chunk` completes. The chunk must not be modified afterwards: lines may share it. */
  push(chunk: Buffer): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      const line = ++this.#completed;
      const size = this.#pendingSize() + piece.length;
      if (size > this.maxLineBytes) {
        lines.push({ line, tooLong: true, size });
      } else {
        lines.push({ line, bytes: this.#parts.length ? Buffer.concat([...this.#parts, piece]) : piece });
      }
      this.#parts = [];
      this.#partBytes = 0;
      this.#overflow = 0;
      start = newline + 1;
    }
    this.#hold(chunk.subarray(start));
    return lines;
  }

  /** The unterminated line at the end of the input so far, if any. */
  pending(): SplitLine | undefined {
    const size = this.#pendingSize();
    if (size === 0) return undefined;
    const line = this.#completed + 1;
    return this.#overflow ? { line, tooLong: true, size } : { line, bytes: Buffer.concat(this.#parts) };
  }

  #pendingSize(): number {
    return this.#overflow || this.#partBytes;
  }

  #hold(rest: Buffer): void {
    if (rest.length === 0) return;
    if (this.#overflow) {
      this.#overflow += rest.length;
    } else if (this.#partBytes + rest.length > this.maxLineBytes) {
      this.#overflow = this.#partBytes + rest.length;
      this.#parts = [];
      this.#partBytes = 0;
    } else {
      this.#parts.push(rest);
      this.#partBytes += rest.length;
    }
  }
}
