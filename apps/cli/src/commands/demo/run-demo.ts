import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../cli/cli-error.js';

/** The built CLI, run for each step as a user would run it. */
/** The entry this moat was started from (bin/moat.js, ./moat or dist/bin.js): the demo runs the same. */
const MOAT_BIN = process.argv[1] ?? '';

const ORIGINAL_APP = 'export const greeting = "hello";\n';

// The scripted agent: edits, commits, builds, deletes a file and goes quiet, saying what it does.
const AGENT = `#!/bin/sh
set -e
step() { printf '   agent: %s\\n' "$*"; sleep 0.3; }
step 'edits src/app.js'
printf 'export const greeting = "hello from the agent";\\n' > src/app.js
step 'commits it: git commit -m greet'
git add -A
git -c user.name=agent -c user.email=agent@example.com commit -qm greet
sleep 2.5 # moat snapshots 2 s after the last commit of a burst
step 'builds: npm run build'
npm run build --silent
step 'deletes notes.txt'
rm notes.txt
step 'goes quiet for 3 seconds'
sleep 3
step 'is done'
`;

/**
 * The tour: a scripted agent at work in a throwaway git repository under \`moat run\`, the snapshots
 * it got and the processes it ran, then a rollback to before it started and the undo of that
 * rollback. Every step is the real CLI in a child process; everything, MOAT_HOME included, lives in a
 * temporary directory that is removed at the end.
 */
export async function runDemo(out: NodeJS.WritableStream): Promise<void> {
  for (const tool of ['git', 'npm']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) {
      throw new CliError(`the demo needs ${tool} on PATH; install it and run 'moat demo' again`);
    }
  }
  const root = await mkdtemp(join(tmpdir(), 'moat-demo-'));
  const say = (text = '') => out.write(`${text}\n`);
  try {
    const workspace = join(root, 'workspace');
    await createWorkspace(workspace);
    const env = { ...process.env, MOAT_HOME: join(root, 'moat-home') };
    const moat = (args: string[], extra?: { quiet?: boolean }) =>
      runMoat(args, { cwd: workspace, env, out }, extra);

    say('moat demo: a scripted agent at work in a throwaway git repository, then a rollback and its undo.');
    say(`Everything happens in ${root} (MOAT_HOME included) and is removed at the end.`);
    say();
    say('1. The agent edits, commits, builds, deletes a file and goes quiet. moat snapshots the');
    say('   workspace before it starts, after the commit, after the build and when it is idle');
    say('   (moat.yaml here makes 2 quiet seconds "idle"), and records every process it runs:');
    await moat(['run', '--name', 'demo', '--', 'sh', 'agent.sh']);
    say();
    say('2. The snapshots of the run:');
    await moat(['snapshot', 'list', 'demo']);
    say();
    say('3. What the agent ran, per command:');
    await moat(['trace', 'demo', '--summary']);
    say();
    const snapshots = JSON.parse(await moat(['snapshot', 'list', 'demo', '--json'], { quiet: true })) as {
      id: string;
      type: string;
    }[];
    const preRun = snapshots.find((s) => s.type === 'pre-run');
    if (!preRun) throw new Error('the demo run has no pre-run snapshot');
    say('4. What changed since the agent started:');
    await moat(['snapshot', 'diff', 'demo', preRun.id]);
    say();
    say('5. Roll the workspace back to before the agent (its .git is never touched: the commit stays):');
    const rollback = await moat(['rollback', 'demo', preRun.id, '--yes']);
    const undo = /To undo: moat snapshot restore demo (snap_[0-9a-f]{12})/.exec(rollback)?.[1];
    if (!undo) throw new Error('the rollback printed no undo command');
    check(say, 'notes.txt is back', existsSync(join(workspace, 'notes.txt')));
    check(
      say,
      'src/app.js is as before',
      readFileSync(join(workspace, 'src/app.js'), 'utf8') === ORIGINAL_APP,
    );
    say();
    say('6. And undo the rollback: the agent’s work is back.');
    await moat(['snapshot', 'restore', 'demo', undo, '--yes']);
    check(say, 'notes.txt is gone again', !existsSync(join(workspace, 'notes.txt')));
    check(
      say,
      'src/app.js has the agent’s edit',
      readFileSync(join(workspace, 'src/app.js'), 'utf8') !== ORIGINAL_APP,
    );
    say();
    say('Now on a repository of yours: ./moat run -- bash   (and in another terminal: ./moat watch)');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function createWorkspace(workspace: string): Promise<void> {
  await mkdir(join(workspace, 'src'), { recursive: true });
  const files: Record<string, string> = {
    'src/app.js': ORIGINAL_APP,
    'notes.txt': 'remember to write tests\n',
    'build.js':
      "require('node:fs').mkdirSync('dist', { recursive: true });\nrequire('node:fs').copyFileSync('src/app.js', 'dist/app.js');\n",
    'package.json': `${JSON.stringify({ name: 'demo', private: true, scripts: { build: 'node build.js' } }, null, 2)}\n`,
    'moat.yaml': 'snapshots:\n  triggers:\n    idle_threshold_seconds: 2\n',
    'agent.sh': AGENT,
  };
  for (const [path, text] of Object.entries(files)) await writeFile(join(workspace, path), text);
  const git = (...args: string[]) => {
    const result = spawnSync('git', args, { cwd: workspace, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr.trim()}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=demo', '-c', 'user.email=demo@example.com', 'commit', '-qm', 'start');
}

/**
 * Runs `moat ARGS` in a child process, showing the command and its output indented under it, line
 * by line as it comes; resolves to its stdout, and rejects when it fails.
 */
async function runMoat(
  args: string[],
  { cwd, env, out }: { cwd: string; env: NodeJS.ProcessEnv; out: NodeJS.WritableStream },
  { quiet = false }: { quiet?: boolean } = {},
): Promise<string> {
  if (!quiet) out.write(`   $ moat ${args.join(' ')}\n`);
  const child = spawn(process.execPath, [MOAT_BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[stream].setEncoding('utf8').on('data', (chunk: string) => {
      output[stream] += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      if (!quiet) for (const line of lines) out.write(`   ${line}\n`);
    });
    child[stream].on('end', () => {
      if (partial !== '' && !quiet) out.write(`   ${partial}\n`);
    });
  }
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`moat ${args.join(' ')} exited ${code}: ${output.stderr.trim()}`);
  return output.stdout;
}

function check(say: (text: string) => void, what: string, ok: boolean): void {
  if (!ok) throw new Error(`the demo expected: ${what}`);
  say(`   ✓ ${what}`);
}
