import { basename } from '../event/argv.js';
import { firstOperand } from './options.js';

/**
 * The tool a command line really runs when it is an interpreter running a script. A kernel exec of
 * a script with `#!/usr/bin/env node` shows `env node /usr/bin/npm run build`, then `node
 * /usr/bin/npm run build`; classifiers must see `npm run build`. Returns undefined when `command`
 * is not an interpreter running a script file (`node -e …`, `sh -c …`).
 */
export function unwrapInterpreter(
  command: string,
  args: readonly string[],
): { command: string; args: readonly string[] } | undefined {
  const options = INTERPRETER_OPTIONS[command];
  if (!options) return undefined;
  if (args.some((a, i) => i < firstOperand(args, options) && EVAL_FLAGS.has(a))) return undefined;
  let at = firstOperand(args, options);
  // env: NAME=value assignments come before the command.
  if (command === 'env')
    while (at !== -1 && args[at]?.includes('=')) at = firstOperand(args, options, at + 1);
  const script = args[at];
  if (at === -1 || script === undefined) return undefined;
  return { command: toolName(script), args: args.slice(at + 1) };
}

const set = (...items: string[]): ReadonlySet<string> => new Set(items);

const SHELL = set('-o', '+o', '-O', '+O');
const INTERPRETER_OPTIONS: Record<string, ReadonlySet<string>> = {
  env: set('-u', '--unset', '-C', '--chdir', '-S', '--split-string'),
  node: set(
    '-r',
    '--require',
    '--import',
    '--loader',
    '--experimental-loader',
    '-C',
    '--conditions',
    '--title',
    '--input-type',
  ),
  nodejs: set(
    '-r',
    '--require',
    '--import',
    '--loader',
    '--experimental-loader',
    '-C',
    '--conditions',
    '--title',
  ),
  sh: SHELL,
  bash: SHELL,
  dash: SHELL,
};

/** Options with which an interpreter runs inline code, not a script file. */
const EVAL_FLAGS = set('-e', '--eval', '-p', '--print', '-c');

/** `npm-cli.js` → npm, `pnpm.cjs` → pnpm, `yarn-4.1.0.cjs` → yarn, `/usr/bin/tsc` → tsc. */
export function toolName(script: string): string {
  const name = basename(script).replace(/\.(c|m)?js$/, '');
  if (name === 'npm-cli') return 'npm';
  if (name === 'npx-cli') return 'npx';
  if (/^yarn-\d/.test(name)) return 'yarn';
  return name;
}
