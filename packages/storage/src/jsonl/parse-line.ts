import { reasonOf } from '../errors.js';
import type { SplitLine } from './line-splitter.js';

export type JsonlProblemKind = 'invalid_json' | 'invalid_record' | 'too_long' | 'torn';

/** A line of a JSONL file that yielded no record. */
export interface JsonlProblem {
  file: string;
  /** 1-based line number. */
  line: number;
  kind: JsonlProblemKind;
  /** One line for humans, naming the file and line. */
  message: string;
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export type LineOutcome<T> = { record: T } | { problem: JsonlProblem } | undefined;

/** Turns one split line into a record, a problem, or nothing (blank lines are not records). */
export function interpretLine<T>(
  file: string,
  split: SplitLine,
  parse: ((value: unknown) => T) | undefined,
  maxLineBytes: number,
): LineOutcome<T> {
  const at = `${file}:${split.line}`;
  if (split.tooLong) {
    return problem(
      file,
      split.line,
      'too_long',
      `${at}: line of ${split.size} bytes is over the ${maxLineBytes}-byte limit; skipped`,
    );
  }
  const text = split.bytes.toString('utf8');
  // A writer repairing a torn last line may leave an empty line; it carries nothing.
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem(file, split.line, 'invalid_json', `${at}: not valid JSON (${reasonOf(error)}); skipped`);
  }
  if (!parse) return { record: value as T };
  try {
    return { record: parse(value) };
  } catch (error) {
    return problem(file, split.line, 'invalid_record', `${at}: invalid record (${reasonOf(error)}); skipped`);
  }
}

export function tornLineProblem(file: string, line: number): JsonlProblem {
  return {
    file,
    line,
    kind: 'torn',
    message: `${file}:${line}: last line has no trailing newline (a writer is still writing it or crashed mid-line); skipped`,
  };
}

function problem(
  file: string,
  line: number,
  kind: JsonlProblemKind,
  message: string,
): { problem: JsonlProblem } {
  return { problem: { file, line, kind, message } };
}
