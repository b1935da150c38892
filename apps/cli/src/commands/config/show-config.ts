import { resolve } from 'node:path';
import { loadConfig } from '@moat/config';

export async function showConfig(options: { workspace: string; json?: boolean }): Promise<void> {
  const { config, file, warnings } = await loadConfig(resolve(options.workspace));
  for (const warning of warnings) process.stderr.write(`moat: warning: ${warning.text}\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${file ? `# from ${file}` : '# no moat.yaml: defaults'}\n`);
  process.stdout.write(formatSettings(config));
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
