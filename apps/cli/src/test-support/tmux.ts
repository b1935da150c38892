import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** tmux is there; without it a terminal test says why it skips, and fails under CI (which installs it). */
export function requireTmux(what: string): boolean {
  if (spawnSync('tmux', ['-V']).status === 0) return true;
  if (process.env.CI) throw new Error(`tmux is missing: CI must install it (.ci/run does) for ${what}`);
  console.warn(`skipping ${what}: tmux is not installed (apt-get install -y tmux)`);
  return false;
}

/**
 * One window of a private tmux server: a real terminal for the built CLI. Its environment has no CI
 * variables, since Ink draws no live frame under CI.
 */
export class TmuxTerminal {
  readonly #socket = `moat-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = {}) {
    const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const name of Object.keys(merged))
      if (name === 'CI' || name.startsWith('CI_') || name === 'CONTINUOUS_INTEGRATION') delete merged[name];
    delete merged.TMUX;
    this.#env = merged;
  }

  /** Runs `shellCommand` (sh syntax) in a new window of `columns` × `rows`. */
  start(shellCommand: string, { columns = 120, rows = 40 } = {}): void {
    this.#tmux('new-session', '-d', '-s', 'main', '-x', String(columns), '-y', String(rows), shellCommand);
  }

  screen(): string {
    return this.#tmux('capture-pane', '-p', '-t', 'main');
  }

  /** Keys as tmux send-keys takes them: `'q'`, `'Enter'`, `'C-c'`, or `'-l', 'literal text'`. */
  keys(...keys: string[]): void {
    this.#tmux('send-keys', '-t', 'main', ...keys);
  }

  resize(columns: number, rows: number): void {
    this.#tmux('resize-window', '-t', 'main', '-x', String(columns), '-y', String(rows));
  }

  /** Polls the screen until `check` holds; the timeout error shows the screen. */
  async until(
    check: RegExp | ((text: string) => boolean),
    what: string,
    timeoutMs = 20_000,
  ): Promise<string> {
    const test = typeof check === 'function' ? check : (text: string) => check.test(text);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.screen();
      if (test(text)) return text;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen shows:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.#socket, 'kill-server'], { env: this.#env });
  }

  #tmux(...args: string[]): string {
    const result = spawnSync('tmux', ['-L', this.#socket, ...args], { encoding: 'utf8', env: this.#env });
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr.trim()}`);
    return result.stdout;
  }
}

/** Waits for a file a shell command writes when it ends (tmux's own record of an exit lags behind). */
export async function readWhenWritten(path: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (text.endsWith('\n')) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path} to be written`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
