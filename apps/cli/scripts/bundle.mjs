// Builds the CLI as one ES module plus lazily loaded chunks (dist/bin.js, dist/chunks/): Node 20 spends
// about as long resolving, reading and linking ~150 separate modules as moat then spends on the
// pre-run snapshot, and every millisecond of start-up keeps the agent waiting. Types are checked by
// `tsc --noEmit` (the typecheck task); this only transpiles and links.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/bin.ts'],
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  // Dynamic imports stay lazy: `moat run` never loads Ink and React, `moat --help` loads no engine.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [
    // A native addon, found at run time next to its package.
    '@moat/trace-native',
    // Only imported by Ink when DEV=true, for React DevTools.
    'react-devtools-core',
  ],
  // CommonJS dependencies (React, yaml's helpers) call require(); ES modules have none of their own.
  banner: {
    js: "import { createRequire as moatCreateRequire } from 'node:module'; const require = moatCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
