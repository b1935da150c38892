import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

// Child scripts are plain .mjs importing the built package ('@moat/storage' resolves to dist through
// its exports map); global-setup.ts makes sure dist is current.
const scriptsDir = fileURLToPath(new URL('.', import.meta.url));

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Child {
  process: ChildProcess;
  /** Resolves when the child has printed `line` (a whole line on stdout). */
  waitForLine(line: string): Promise<void>;
  /** Resolves when the child has exited (its pid is then free and reaped). */
  exited: Promise<ChildResult>;
}

/** Starts `node src/test-support/<script> ...args`; the child is killed when the test finishes. */
export function startChild(script: string, args: readonly string[], shellPrefix?: string): Child {
  const scriptPath = join(scriptsDir, script);
  const child = shellPrefix
    ? spawn('sh', ['-c', `${shellPrefix}; exec "$@"`, 'sh', process.execPath, scriptPath, ...args])
    : spawn(process.execPath, [scriptPath, ...args]);
  let stdout = '';
  let stderr = '';
  const lineWaiters: Array<{ line: string; resolve: () => void }> = [];
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    stdout += data;
    const lines = stdout.split('\n');
    for (const waiter of [...lineWaiters]) {
      if (lines.includes(waiter.line)) {
        lineWaiters.splice(lineWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (data: string) => {
    stderr += data;
  });
  const exited = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    process: child,
    exited,
    waitForLine: (line) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.split('\n').includes(line)) return resolve();
        lineWaiters.push({ line, resolve });
        exited.then(
          (result) =>
            reject(
              new Error(`child exited (${result.code ?? result.signal}) before "${line}": ${result.stderr}`),
            ),
          reject,
        );
      }),
  };
}

/** Runs a child script to completion and returns its output; throws if it fails. */
export async function runChild(
  script: string,
  args: readonly string[],
  shellPrefix?: string,
): Promise<ChildResult> {
  const result = await startChild(script, args, shellPrefix).exited;
  if (result.code !== 0) {
    throw new Error(`${script} ${args.join(' ')} failed (${result.code ?? result.signal}): ${result.stderr}`);
  }
  return result;
}

/** The pid of a process that has exited and been reaped: no process has it (until the pid is reused). */
export function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  if (pid === undefined) throw new Error('could not start a child process');
  return pid;
}
