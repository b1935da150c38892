/**
 * Index of the first operand (non-option argument) in `args` from `start`, skipping options and the
 * values of options in `withValue` given as a separate argument (`-C dir`; `--dir=x` needs no skip).
 * `--` ends the options. -1 when there is none.
 */
export function firstOperand(
  args: readonly string[],
  withValue: ReadonlySet<string>,
  start = 0,
  optionalNumeric: ReadonlySet<string> = NONE,
): number {
  for (let i = start; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return i + 1 < args.length ? i + 1 : -1;
    if (!arg.startsWith('-') || arg === '-') return i;
    if (withValue.has(arg)) i++;
    else if (optionalNumeric.has(arg) && /^\d+$/.test(args[i + 1] ?? '')) i++;
  }
  return -1;
}

/** Arguments before `--` (options after it are operands). */
export function beforeDoubleDash(args: readonly string[]): readonly string[] {
  const end = args.indexOf('--');
  return end === -1 ? args : args.slice(0, end);
}

/** `--help`, `-h` or `--version` before `--`: the tool prints and builds or commits nothing. */
export function asksForHelp(args: readonly string[]): boolean {
  return beforeDoubleDash(args).some((a) => a === '--help' || a === '-h' || a === '--version');
}

const NONE: ReadonlySet<string> = new Set();
