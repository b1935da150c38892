// React (under Ink) defaults to its development build, which checks and times every render and keeps
// those timings: at thousands of events a second that cost a core and hundreds of MiB. A user runs
// the production build unless they ask otherwise. Set before anything loads React (it loads lazily).
process.env.NODE_ENV ??= 'production';

const { runCli } = await import('./cli/program.js');
process.exitCode = await runCli(process.argv);
