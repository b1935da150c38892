import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `moat run -- bash` in a real terminal (tmux): the shell must work as if moat were not there.
const bin = new URL('../../../dist/bin.js', import.meta.url).pathname;
const haveTmux = spawnSync('tmux', ['-V']).status === 0;
if (!haveTmux) {
  if (process.env.CI) throw new Error('tmux is missing: CI must install it (.ci/run does)');
  console.log('skipping the terminal test of moat run: tmux is not installed (apt-get install tmux)');
}

const session = `moat-run-test-${process.pid}`;
let root: string;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);

async function waitForScreen(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on the screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(haveTmux)('moat run in a real terminal', () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'moat-run-tty-'));
    mkdirSync(join(root, 'ws'));
    const command = [
      `cd ${root}/ws`,
      `MOAT_HOME=${root}/home PS1='shell$ ' ${process.execPath} ${bin} run --no-snapshots -- bash --norc --noprofile`,
      `echo "moat exited $?" > ${root}/exit-code`,
    ].join('; ');
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', 'sh', '-c', command);
  });
  afterAll(() => {
    spawnSync('tmux', ['-L', session, 'kill-server']);
    rmSync(root, { recursive: true, force: true });
  });

  it('gives the agent the terminal: input, window size, Ctrl-C, exit code', async () => {
    await waitForScreen(/^shell\$\s*$/m); // capture-pane drops trailing spaces
    tmux('send-keys', '-t', session, 'echo "sum=$((40+2))"', 'Enter');
    await waitForScreen(/^sum=42$/m);

    // The shell sees the terminal's size, and follows it when the window changes.
    tmux('send-keys', '-t', session, 'echo "cols=$(tput cols)"', 'Enter');
    await waitForScreen(/^cols=120$/m);
    tmux('resize-window', '-t', session, '-x', '100', '-y', '30');
    tmux('send-keys', '-t', session, 'clear; echo "cols=$(tput cols)"', 'Enter');
    await waitForScreen(/^cols=100$/m);

    // Ctrl-C interrupts the shell's foreground command; neither the shell nor moat dies.
    tmux('send-keys', '-t', session, 'sleep 30; echo after-sleep', 'Enter');
    await new Promise((resolve) => setTimeout(resolve, 500));
    tmux('send-keys', '-t', session, 'C-c');
    tmux('send-keys', '-t', session, 'echo "still=alive"', 'Enter');
    const text = await waitForScreen(/^still=alive$/m);
    expect(text).not.toMatch(/^after-sleep$/m);

    tmux('send-keys', '-t', session, 'exit 7', 'Enter');
    const exitFile = join(root, 'exit-code');
    const deadline = Date.now() + 15_000;
    while (!existsSync(exitFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(exitFile, 'utf8')).toBe('moat exited 7\n');
  });
});
