import { basename } from '../event/argv.js';
import type { ExecEvent } from '../event/exec-event.js';
import { unwrapInterpreter } from './interpreter.js';
import { asksForHelp, beforeDoubleDash, firstOperand } from './options.js';

/**
 * True when a command line runs a build (ignoring the exit status). Package managers' global options
 * before the subcommand are understood (`npm --prefix x run build`, `pnpm -C dir --filter a build`,
 * `yarn workspace x build`, `cargo +nightly build`, `make -j8`), and runners (`npx`, `pnpm exec`,
 * `bunx`…) are looked through to the tool they run. See the README for the full table.
 */
export function isBuildCommand(command: string, args: readonly string[]): boolean {
  return classify(basename(command), args, 0);
}

/** A successful (exit 0) build. */
export function isSuccessfulBuild(
  event: Pick<ExecEvent, 'command' | 'args' | 'exit_code' | 'signal'>,
): boolean {
  return event.exit_code === 0 && event.signal === null && isBuildCommand(event.command, event.args);
}

/** Script names that mean "build": `build`, `compile`, and `build:<variant>` (`build:prod`). */
export function isBuildScriptName(name: string): boolean {
  return name === 'build' || name === 'compile' || /^build:./.test(name);
}

type Classifier = (args: readonly string[], depth: number) => boolean;

const MAX_DEPTH = 4;

function classify(command: string, args: readonly string[], depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const script = unwrapInterpreter(command, args);
  if (script) return classify(script.command, script.args, depth + 1);
  const classifier = CLASSIFIERS[command.replace(/\.(exe|cmd|bat)$/i, '')];
  return classifier !== undefined && !asksForHelp(args) && classifier(args, depth);
}

/** The command after a runner (`npx tsc`, `pnpm exec vite build`), classified in its own right. */
function runsBuild(args: readonly string[], at: number, depth: number): boolean {
  const tool = args[at];
  return tool !== undefined && classify(basename(tool), args.slice(at + 1), depth + 1);
}

const set = (...items: string[]): ReadonlySet<string> => new Set(items);

const NPM_WITH_VALUE = set(
  '--prefix',
  '-w',
  '--workspace',
  '--loglevel',
  '--userconfig',
  '--cache',
  '--registry',
);
const PNPM_WITH_VALUE = set(
  '-C',
  '--dir',
  '--filter',
  '-F',
  '--filter-prod',
  '--workspace-concurrency',
  '--reporter',
  '--loglevel',
  '--changed-files-ignore-pattern',
  '--test-pattern',
);
const YARN_WITH_VALUE = set('--cwd', '--mutex', '--network-timeout', '--modules-folder', '--cache-folder');
const BUN_WITH_VALUE = set('--cwd', '--filter', '-F', '--config', '-c', '--env-file');
const NPX_WITH_VALUE = set('-p', '--package', '-c', '--call', '-w', '--workspace', '--prefix');

/** `npm run build`, `npm run-script build`, `npm exec -- tsc`. */
function npm(args: readonly string[], depth: number): boolean {
  const at = firstOperand(args, NPM_WITH_VALUE);
  const sub = args[at];
  if (sub === 'run' || sub === 'run-script' || sub === 'rum' || sub === 'urn') {
    return isBuildScriptName(args[firstOperand(args, NPM_WITH_VALUE, at + 1)] ?? '');
  }
  if (sub === 'exec' || sub === 'x')
    return runsBuild(args, firstOperand(args, NPX_WITH_VALUE, at + 1), depth);
  return false;
}

/** `npx tsc`, `npx -y vite build`, `bunx`, `pnpx`. */
function npx(args: readonly string[], depth: number): boolean {
  return runsBuild(args, firstOperand(args, NPX_WITH_VALUE), depth);
}

/**
 * pnpm, yarn and bun run a script by its name (`pnpm build`), with `run`, or fall through to a
 * binary (`pnpm tsc`); `exec`/`dlx` run a binary.
 */
function scriptRunner(withValue: ReadonlySet<string>, builtinBuild: boolean): Classifier {
  return (args, depth) => {
    let at = firstOperand(args, withValue);
    // pnpm -r / yarn workspaces foreach … run build: skip the selector words.
    if (args[at] === 'workspace') at = firstOperand(args, withValue, at + 2);
    if (args[at] === 'workspaces' && args[at + 1] === 'foreach')
      at = firstOperand(args, WORKSPACES_FOREACH, at + 2);
    if (args[at] === 'recursive' || args[at] === 'multi' || args[at] === 'm')
      at = firstOperand(args, withValue, at + 1);
    const sub = args[at];
    if (sub === undefined) return false;
    if (sub === 'run' || sub === 'run-script') {
      const script = args[firstOperand(args, withValue, at + 1)];
      return (
        script !== undefined &&
        (isBuildScriptName(script) || runsBuild(args, args.indexOf(script, at + 1), depth))
      );
    }
    if (sub === 'exec' || sub === 'dlx' || sub === 'x')
      return runsBuild(args, firstOperand(args, NPX_WITH_VALUE, at + 1), depth);
    if (builtinBuild && sub === 'build') return true;
    return isBuildScriptName(sub) || runsBuild(args, at, depth);
  };
}

const WORKSPACES_FOREACH = set('--from', '--include', '--exclude', '-j', '--jobs', '--since');

/** `tsc`, `tsc -b`, `tsc -p tsconfig.build.json`; not `--noEmit`, `--watch`, `--init`, `--showConfig`. */
function tsc(args: readonly string[]): boolean {
  const options = beforeDoubleDash(args);
  const noBuild = ['--noEmit', '-noEmit', '--watch', '-w', '--init', '--showConfig', '--listFilesOnly', '-v'];
  return !options.some((a) => noBuild.includes(a));
}

/** `vite build` with vite's options before it. */
function vite(args: readonly string[]): boolean {
  const at = firstOperand(
    args,
    set('-c', '--config', '-m', '--mode', '-l', '--logLevel', '--base', '--root'),
  );
  return args[at] === 'build';
}

/** `turbo build`, `turbo run build lint --filter x`: some task is a build script name. */
function turbo(args: readonly string[]): boolean {
  const withValue = set(
    '--cwd',
    '--filter',
    '-F',
    '--concurrency',
    '--cache-dir',
    '--log-order',
    '--output-logs',
  );
  let at = firstOperand(args, withValue);
  if (args[at] === 'run') at = firstOperand(args, withValue, at + 1);
  if (at === -1) return false;
  const tasks: string[] = [];
  for (let i = at; i !== -1 && i < args.length; i = firstOperand(args, withValue, i + 1))
    tasks.push(args[i] as string);
  return tasks.some((task) => isBuildScriptName(task.replace(/^[^#]*#/, '')));
}

/** `go build`, `go install`, `go -C dir build ./...`. */
function go(args: readonly string[]): boolean {
  const sub = args[firstOperand(args, set('-C'))];
  return sub === 'build' || sub === 'install';
}

/** `cargo build`, `cargo b`, `cargo +nightly build`, `cargo --locked build --release`. */
function cargo(args: readonly string[]): boolean {
  const rest = args[0]?.startsWith('+') ? args.slice(1) : args;
  const sub = rest[firstOperand(rest, set('--color', '-C', '--config', '-Z', '--manifest-path'))];
  return sub === 'build' || sub === 'b';
}

/** Bare `make`, or targets including `all` or `build`; `-j8`, `-j 8`, `-C dir`, `VAR=x` understood. */
function make(args: readonly string[]): boolean {
  const withValue = set(
    '-C',
    '--directory',
    '-f',
    '--file',
    '--makefile',
    '-I',
    '--include-dir',
    '-o',
    '--old-file',
    '-W',
    '--what-if',
    '--assume-new',
    '--assume-old',
  );
  const optionalNumeric = set('-j', '--jobs', '-l', '--load-average');
  if (beforeDoubleDash(args).some((a) => a === '-n' || a === '--dry-run' || a === '-q' || a === '--question'))
    return false;
  const targets: string[] = [];
  for (
    let i = firstOperand(args, withValue, 0, optionalNumeric);
    i !== -1;
    i = firstOperand(args, withValue, i + 1, optionalNumeric)
  ) {
    const arg = args[i] as string;
    if (!arg.includes('=')) targets.push(arg);
  }
  return targets.length === 0 || targets.includes('all') || targets.includes('build');
}

/** `cmake --build dir` (not configuring: `cmake -S . -B build`), unless only `--target clean`. */
function cmake(args: readonly string[]): boolean {
  if (!args.includes('--build')) return false;
  const targets: string[] = [];
  args.forEach((a, i) => {
    if ((a === '--target' || a === '-t') && args[i + 1]) targets.push(args[i + 1] as string);
  });
  return !(targets.length > 0 && targets.every((t) => t === 'clean'));
}

/** `ninja`, `ninja -C build target`; not `ninja -t <tool>`, `ninja -n`, or only `clean`. */
function ninja(args: readonly string[]): boolean {
  if (args.includes('-t') || args.includes('-n')) return false;
  const withValue = set('-C', '-f', '-j', '-k', '-l', '-d', '-w');
  const targets: string[] = [];
  for (let i = firstOperand(args, withValue); i !== -1; i = firstOperand(args, withValue, i + 1))
    targets.push(args[i] as string);
  return !(targets.length > 0 && targets.every((t) => t === 'clean'));
}

/** `bazel build //...` with startup options before it. */
function bazel(args: readonly string[]): boolean {
  return args[firstOperand(args, NONE)] === 'build';
}

/** `dotnet build`, `dotnet publish`, `dotnet pack`. */
function dotnet(args: readonly string[]): boolean {
  const sub = args[firstOperand(args, NONE)];
  return sub === 'build' || sub === 'publish' || sub === 'pack';
}

/** Maven phases that include compiling: compile, package, install, verify, deploy. */
function mvn(args: readonly string[]): boolean {
  const withValue = set(
    '-f',
    '--file',
    '-pl',
    '--projects',
    '-P',
    '--activate-profiles',
    '-s',
    '--settings',
    '-gs',
    '-T',
    '--threads',
    '-rf',
    '--resume-from',
    '-D',
    '-l',
    '--log-file',
    '-t',
    '-b',
  );
  const phases = new Set(['compile', 'package', 'install', 'verify', 'deploy']);
  for (let i = firstOperand(args, withValue); i !== -1; i = firstOperand(args, withValue, i + 1)) {
    if (phases.has(args[i] as string)) return true;
  }
  return false;
}

/** Gradle tasks `build`, `assemble`, `assemble<Variant>`, also project-qualified (`:app:build`); not excluded with `-x`. */
function gradle(args: readonly string[]): boolean {
  const withValue = set(
    '-p',
    '--project-dir',
    '-b',
    '--build-file',
    '-c',
    '--settings-file',
    '-g',
    '--gradle-user-home',
    '-I',
    '--init-script',
    '--console',
    '--warning-mode',
    '-x',
    '--exclude-task',
  );
  const excluded = new Set(args.filter((_, i) => args[i - 1] === '-x' || args[i - 1] === '--exclude-task'));
  for (let i = firstOperand(args, withValue); i !== -1; i = firstOperand(args, withValue, i + 1)) {
    const arg = args[i] as string;
    const task = arg.replace(/^.*:/, '');
    if (excluded.has(arg)) continue;
    if (task === 'build' || task === 'assemble' || /^assemble[A-Z]/.test(task)) return true;
  }
  return false;
}

const NONE: ReadonlySet<string> = new Set();

const CLASSIFIERS: Record<string, Classifier> = {
  npm,
  npx,
  pnpx: npx,
  bunx: npx,
  pnpm: scriptRunner(PNPM_WITH_VALUE, false),
  yarn: scriptRunner(YARN_WITH_VALUE, false),
  bun: scriptRunner(BUN_WITH_VALUE, true),
  tsc,
  vite,
  turbo,
  go,
  cargo,
  make,
  gmake: make,
  cmake,
  ninja,
  bazel,
  bazelisk: bazel,
  dotnet,
  mvn,
  mvnw: mvn,
  gradle,
  gradlew: gradle,
};
