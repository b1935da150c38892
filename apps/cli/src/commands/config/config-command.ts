import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '@moat/config';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description("check a workspace's moat.yaml and print the effective snapshot and tracing settings")
    .option('-w, --workspace <dir>', 'workspace directory', '.')
    .option('--json', 'print the effective settings as JSON')
    .addHelpText('after', '\nExamples:\n  $ moat config\n  $ moat config --workspace ~/src/app --json')
    .action(async (options: { workspace: string; json?: boolean }) => {
      const { config, file, warnings } = await loadConfig(resolve(options.workspace));
      for (const warning of warnings) process.stderr.write(`moat: warning: ${warning.text}\n`);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${file ? `# from ${file}` : '# no moat.yaml: defaults'}\n`);
      process.stdout.write(formatSettings(config));
    });
}

/** One `dotted.key  value` line per setting, aligned. */
export function formatSettings(settings: object): string {
  const lines: [string, string][] = [];
  const visit = (value: unknown, key: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [child, inner] of Object.entries(value)) visit(inner, key ? `${key}.${child}` : child);
    } else {
      lines.push([key, JSON.stringify(value)]);
    }
  };
  visit(settings, '');
  const width = Math.max(...lines.map(([key]) => key.length));
  return lines.map(([key, value]) => `${key.padEnd(width)}  ${value}\n`).join('');
}
