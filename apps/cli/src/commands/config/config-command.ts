import type { Command } from 'commander';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description("check a workspace's moat.yaml and print the effective snapshot and tracing settings")
    .option('-w, --workspace <dir>', 'workspace directory', '.')
    .option('--json', 'print the effective settings as JSON')
    .addHelpText('after', '\nExamples:\n  $ moat config\n  $ moat config --workspace ~/src/app --json')
    .action(async (options: { workspace: string; json?: boolean }) => {
      // Loaded on use: the YAML parser is the heaviest import, and most commands never need it.
      const { showConfig } = await import('./show-config.js');
      await showConfig(options);
    });
}
