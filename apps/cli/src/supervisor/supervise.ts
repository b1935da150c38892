import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { loadConfig } from '@moat/config';
import type { SnapshotEngine, WorkspaceWatch } from '@moat/snapshot';
import { RunStore, writeJsonAtomic } from '@moat/storage';
import { type CreatedTracer, createTracer, type ExecUpdate, ExecLogWriter, TriggerDriver } from '@moat/trace';
import { openEngine, type RunContext, recordRunConfig } from '../run-context/run-context.js';
import { type AgentExit, signalNumber, startAgent } from './agent-process.js';
import { exitCodeOf, formatRunSummary } from './run-summary.js';
import { SnapshotQueue } from './snapshot-queue.js';
import { handleStartInterruption } from './start-interruption.js';

export interface SuperviseOptions {
  command: string[];
  workspace?: string;
  name?: string;
  snapshots: boolean;
  trace: boolean;
  /** Where progress and the summary go (the agent owns stdout). */
  stderr: NodeJS.WritableStream;
  /**
   * Show the live UI on this terminal while the agent runs, its output going to the run's agent.log
   * and its stdin empty (for agents that need no keyboard: `claude -p`, `codex exec`, scripts).
   */
  tui?: boolean;
}

/** With --tui, the agent's stdout and stderr, next to the run record. */
export const AGENT_LOG_FILE = 'agent.log';

/** How often tracer.json (read by `moat watch`) is refreshed while the run lives. */
const TRACER_STATUS_MS = 1000;

/**
 * `moat run`: records a run, snapshots the workspace before the agent starts, traces the agent from
 * its first exec, takes snapshots when the triggers fire, and records how the agent ended. Resolves
 * to the exit code moat should end with (the agent's).
 */
export async function superviseRun(options: SuperviseOptions): Promise<number> {
  const workspace = resolve(options.workspace ?? process.cwd());
  // A config error stops the run before anything is recorded or started.
  const { config, warnings } = await loadConfig(workspace);
  for (const warning of warnings) options.stderr.write(`moat: warning: ${warning.message}\n`);

  const store = new RunStore();
  const run = await store.create({ workspace, command: options.command, name: options.name });
  const runRef = run.name ?? run.id;
  // Written while the pre-run snapshot scans (its fsyncs need no CPU), and awaited before the agent
  // starts: until then a failure must not count as an unhandled rejection.
  const configRecorded = recordRunConfig(store, run.id, config);
  configRecorded.catch(() => {});
  const context = { store, run, config };
  const recordFailed = () => store.update(run.id, { state: 'failed', ended_at: new Date().toISOString() });
  // The snapshot or the tracer in progress is abandoned as a crash would abandon it: the store's
  // writes are atomic, and a lock left behind is judged stale by its dead pid.
  const interruption = handleStartInterruption((signal) => {
    void recordFailed()
      .catch(() => {})
      .then(() => {
        options.stderr.write(
          `moat: interrupted by ${signal} before the agent started; run ${runRef} ended as failed (\`moat rm ${runRef}\` removes it)\n`,
        );
        process.exit(exitCodeOf(null, signalNumber(signal)));
      });
  });

  let engine: SnapshotEngine | null = null;
  let tracing: Tracing | null = null;
  useOptimizingCompiler(false);
  try {
    const startLine = [`moat: run ${run.id}${run.name ? ` (${run.name})` : ''}`];
    if (options.snapshots && !config.snapshots.disabled) {
      engine = await openEngine(context);
      if (!config.snapshots.triggers.disable_pre_run) {
        const preRun = await engine.create('pre-run', null);
        startLine.push(`pre-run snapshot ${preRun.id}`);
      }
    } else {
      startLine.push('snapshots off');
    }
    if (options.trace && !config.tracing.disable_exec) {
      tracing = await startTracing(store.paths.execLogPath(run.id));
      startLine.push(
        tracing.created ? `tracing: ${tracing.created.backend}` : `tracing off: ${tracing.problem}`,
      );
    } else {
      startLine.push('tracing off');
    }
    await configRecorded;
    options.stderr.write(`${startLine.join(' · ')}\n`);
  } catch (error) {
    interruption.dispose();
    useOptimizingCompiler(true);
    await configRecorded.catch(() => {}); // settled, not reported: `error` is
    await tracing?.stop();
    await recordFailed();
    throw error;
  }

  const snapshots = new SnapshotQueue();
  const activeEngine = engine;
  const triggers =
    activeEngine && tracing?.created
      ? new TriggerDriver({
          ...config.snapshots.triggers,
          onSnapshot: (action) =>
            snapshots.push(async () => {
              const taken = await activeEngine.createIfChanged(action.trigger, action.label);
              if (taken) await activeEngine.applyRetention();
              return taken !== null;
            }),
        })
      : null;
  tracing?.onUpdates((updates) => triggers?.exec(updates));

  let agentExit: AgentExit;
  let ui: Promise<void> | null = null;
  let workspaceWatch: WorkspaceWatch | null = null;
  try {
    const agentLog = options.tui
      ? await open(join(store.paths.runDir(run.id), AGENT_LOG_FILE), 'a', 0o600)
      : null;
    const agent = await startAgent(options.command, {
      cwd: workspace,
      env: { ...process.env, MOAT_RUN_ID: run.id },
      ...(agentLog ? { output: agentLog.fd } : {}),
    }).finally(() => {
      // Only now, with startAgent's forwarding in place: a signal that arrived while spawn() ran is
      // dispatched after this and reaches the agent, and at no moment is moat without a handler.
      interruption.dispose();
      useOptimizingCompiler(true);
      return agentLog?.close();
    });
    tracing?.setAgent(agent.pid);
    const running = await store.update(run.id, { state: 'running', pid: agent.pid });
    if (options.tui) ui = showUi({ ...context, run: running }, runRef, agent.exited, options.stderr);
    // An agent that edits files without running anything is busy too: file changes defer idle.
    if (triggers && activeEngine && !config.snapshots.triggers.disable_idle)
      workspaceWatch = watchForIdle(activeEngine, triggers, options.stderr);
    const statusTimer = setInterval(
      () => void tracing?.writeStatus(store.paths.runDir(run.id)),
      TRACER_STATUS_MS,
    );
    statusTimer.unref();
    void tracing?.writeStatus(store.paths.runDir(run.id));
    agentExit = await agent.exited;
    clearInterval(statusTimer);
  } catch (error) {
    interruption.dispose();
    workspaceWatch?.close();
    triggers?.stop();
    await tracing?.stop();
    await recordFailed();
    throw error;
  }

  workspaceWatch?.close();
  // The tracer's last events (a commit just before the agent ended among them) reach the triggers
  // first; finishing them then takes a commit snapshot still in its debounce.
  const traced = await tracing?.stop().catch((error: unknown) => {
    // The run still ends as recorded, its snapshots taken; the log's gap is said, not hidden.
    options.stderr.write(
      `moat: warning: the trace log is incomplete: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return undefined;
  });
  triggers?.finish();
  await snapshots.drain();
  if (tracing) await tracing.writeStatus(store.paths.runDir(run.id));
  const exitCode = exitCodeOf(agentExit.exitCode, signalNumber(agentExit.signal));
  await store.update(run.id, {
    state: 'exited',
    exit_code: exitCode,
    ended_at: new Date().toISOString(),
  });
  await ui; // the UI shows how the run ended until the user quits it
  const queued = snapshots.counts;
  options.stderr.write(
    `${formatRunSummary({
      runRef,
      exitCode: agentExit.exitCode,
      signal: agentExit.signal,
      snapshots: engine
        ? {
            taken: queued.taken + (config.snapshots.triggers.disable_pre_run ? 0 : 1),
            failed: queued.failed,
            lastFailure: queued.lastFailure,
          }
        : null,
      commands: traced ?? null,
    })}\n`,
  );
  return exitCode;
}

/**
 * Turns V8's optimizing compiler off (baseline code only) for the start path, and on again once the
 * agent is spawned. The pre-run snapshot makes the scan's functions hot all at once, and V8 then
 * compiles them on background threads: tens of milliseconds of CPU for code that has already done
 * its work, which on a two-core machine took the second core from libuv's thread pool while the
 * snapshot recorded itself (the agent started ~20 ms later with it than without). Later work (idle
 * snapshots, the UI) runs long enough to pay for optimizing: 999, V8's default, allows every tier.
 */
function useOptimizingCompiler(on: boolean): void {
  setFlagsFromString(on ? '--max-opt=999' : '--max-opt=1');
}

/** File changes defer the idle snapshot; without them idle is judged from processes alone. */
function watchForIdle(
  engine: SnapshotEngine,
  triggers: TriggerDriver,
  stderr: NodeJS.WritableStream,
): WorkspaceWatch | null {
  const warn = (message: string) => stderr.write(`moat: warning: ${message}\n`);
  try {
    return engine.watch({ onChange: () => triggers.fileChanged(), onProblem: warn });
  } catch (error) {
    warn(
      `not watching the workspace for changes (${error instanceof Error ? error.message : String(error)}); idle snapshots follow processes only`,
    );
    return null;
  }
}

/**
 * The watch UI on this terminal for the run, until the user quits it. Quitting while the agent runs
 * only closes the UI: the run goes on, and Ctrl-C (the terminal is no longer raw) stops the agent.
 */
async function showUi(
  context: RunContext,
  runRef: string,
  agentExited: Promise<unknown>,
  stderr: NodeJS.WritableStream,
): Promise<void> {
  let exited = false;
  void agentExited.then(() => {
    exited = true;
  });
  try {
    const { watchRun } = await import('../tui/watch-run.js');
    await watchRun(context);
  } catch (error) {
    stderr.write(
      `moat: warning: the UI stopped: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  if (!exited)
    stderr.write(
      `moat: UI closed; the agent goes on (Ctrl-C stops it; \`moat watch ${runRef}\` shows it again)\n`,
    );
}

interface Tracing {
  created: CreatedTracer | null;
  problem: string | null;
  onUpdates(listener: (updates: readonly ExecUpdate[]) => void): void;
  setAgent(pid: number): void;
  writeStatus(runDir: string): Promise<void>;
  /** Stops tracing and closes the log; resolves to what was traced. */
  stop(): Promise<{ processes: number; failures: number } | undefined>;
}

/**
 * Starts the best tracer available on the supervisor's own pid (the agent is not spawned yet: its
 * first exec must not be missed) and appends every update to the run's exec.jsonl. Without any
 * tracer the run goes on, untraced, and says why.
 */
async function startTracing(execLogPath: string): Promise<Tracing> {
  let created: CreatedTracer;
  try {
    created = await createTracer({ awaitAgent: true });
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return {
      created: null,
      problem,
      onUpdates: () => {},
      setAgent: () => {},
      writeStatus: async () => {},
      stop: async () => undefined,
    };
  }
  const log = await ExecLogWriter.open(execLogPath);
  const listeners: ((updates: readonly ExecUpdate[]) => void)[] = [];
  let writes: Promise<void> = Promise.resolve();
  let processes = 0;
  let failures = 0;
  let writeError: unknown = null;
  const unsubscribe = created.tracer.subscribe((updates) => {
    for (const { kind, event } of updates) {
      if (kind === 'start') processes++;
      else if ((event.exit_code ?? 0) !== 0 || event.signal !== null) failures++;
    }
    writes = writes
      .then(() => log.write(updates))
      .catch((error) => {
        writeError ??= error;
      });
    for (const listener of listeners) listener(updates);
  });
  return {
    created,
    problem: null,
    onUpdates: (listener) => listeners.push(listener),
    setAgent: (pid) => created.tracer.setAgent(pid),
    writeStatus: async (runDir) => {
      const status = created.tracer.status();
      await writeJsonAtomic(`${runDir}/tracer.json`, {
        backend: status.backend,
        degraded: status.degraded,
        reason: status.reason,
        lost: status.lost,
        dropped: Number(status.backend_stats?.dropped ?? 0) + status.held_dropped,
      }).catch(() => {});
    },
    stop: async () => {
      await created.tracer.stop();
      unsubscribe();
      await writes;
      await log.close();
      if (writeError) throw writeError;
      return { processes, failures };
    },
  };
}
