// React (under Ink) defaults to its development build, which checks and times every render and keeps
// those timings: at thousands of events a second that cost a core and hundreds of MiB. A user runs
// the production build unless they ask otherwise. Set before anything loads React (it loads lazily).
process.env.NODE_ENV ??= 'production';

// A reader that stops early (`moat trace RUN | head`) closes the pipe: that ends moat quietly, as it
// ends any Unix filter, instead of with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

const { runCli } = await import('./cli/program.js');
process.exitCode = await runCli(process.argv);
