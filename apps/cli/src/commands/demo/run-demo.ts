import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@moat/config';
import { RunStore } from '@moat/storage';
import { formatSettings } from '../config/show-config.js';

const typoConfig = `name: demo-agent
snapshots:
  triggers:
    idle_treshold_seconds: 45
`;

/**
 * The tour: a workspace whose moat.yaml has a typo (refused with the fix), the corrected settings,
 * and a run recorded and found again by name and by id prefix. Everything lives in a temporary
 * directory, MOAT_HOME included, and is removed at the end.
 */
export async function runDemo(out: NodeJS.WritableStream): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'moat-demo-'));
  try {
    const workspace = join(root, 'workspace');
    const say = (text = '') => out.write(`${text}\n`);
    await mkdir(workspace);
    await writeFile(join(workspace, 'README.md'), '# demo project\n');
    await writeFile(join(workspace, 'moat.yaml'), typoConfig);

    say('moat demo: a tour in a throwaway workspace');
    say();
    say(`1. A workspace at ${workspace} whose moat.yaml has a typo:`);
    say(indent(typoConfig));
    say('   moat refuses it before any agent starts, and says how to fix it:');
    try {
      await loadConfig(workspace);
      throw new Error('the demo configuration was expected to be refused');
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      say(`     ${error.message}`);
    }
    say();

    await writeFile(join(workspace, 'moat.yaml'), typoConfig.replace('treshold', 'threshold'));
    const { config } = await loadConfig(workspace);
    say('2. Fixed, these are the effective snapshot and tracing settings (`moat config`):');
    say(indent(formatSettings(config)));
    say();

    const runs = new RunStore(join(root, 'moat-home'));
    const run = await runs.create({ workspace, command: ['claude'], name: 'demo-agent' });
    say('3. A run is recorded, and any of its name, id or id prefix finds it again:');
    for (const ref of [run.id, 'demo-agent', run.id.slice(0, 8)]) {
      say(`     ${JSON.stringify(ref).padEnd(20)} → ${(await runs.resolve(ref)).id}`);
    }
    say();
    say('Try it on your own repository: ./moat config --workspace ~/src/your-repo');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `     ${line}`)
    .join('\n');
}
