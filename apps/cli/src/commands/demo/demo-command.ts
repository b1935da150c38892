import type { Command } from 'commander';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('a self-contained tour in a temporary workspace; touches nothing of yours')
    .addHelpText('after', '\nExample:\n  $ moat demo')
    .action(async () => {
      const { runDemo } = await import('./run-demo.js');
      await runDemo(process.stdout);
    });
}
