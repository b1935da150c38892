#!/usr/bin/env node
// One snapshot in a fresh process, as a `moat snapshot` CLI call takes it: load the engine, open, create.
// run.mjs times this with hyperfine for the "cold process" rows.
// Usage: node bench/snapshot/moat-create.mjs all|src WORKSPACE SNAPSHOTS_DIR STORE_DIR LABEL
import { pathToFileURL } from 'node:url';
import { MOAT_ENTRY, moatSettings } from './common.mjs';

const [set, workspace, snapshotsDir, storeDir, label] = process.argv.slice(2);
if (!['all', 'src'].includes(set) || !label) {
  console.error('usage: node bench/snapshot/moat-create.mjs all|src WORKSPACE SNAPSHOTS_DIR STORE_DIR LABEL');
  process.exit(2);
}
const { SnapshotEngine } = await import(pathToFileURL(MOAT_ENTRY).href);
const engine = await SnapshotEngine.open({ workspace, snapshotsDir, storeDir, settings: moatSettings(set) });
const record = await engine.create('manual', label);
process.stdout.write(`${JSON.stringify(record)}\n`);
