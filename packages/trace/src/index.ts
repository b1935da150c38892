import { isBuildCommand, isBuildScriptName, isSuccessfulBuild } from './classify/build.js';
import { type GitCommitKind, gitCommitKind, isGitCommit } from './classify/git-commit.js';
import { TraceError, type TraceErrorCode } from './errors.js';
import { commandParts } from './event/argv.js';
import {
  type ArgvStatus,
  commandLine,
  type ExecEvent,
  type ExecUpdate,
  failed,
  hasEnded,
  succeeded,
} from './event/exec-event.js';
import {
  ExecLogWriter,
  type FollowExecLogOptions,
  followExecLog,
  type ReadExecLogResult,
  readExecLog,
} from './log/exec-log.js';
import { ExecLogMerger } from './log/exec-log-merger.js';
import { EXEC_LOG_FORMAT, type ExecRecord, parseExecRecord, toExecRecord } from './log/exec-record.js';
import {
  type CommandSummary,
  type ExecSummary,
  type SummarizeOptions,
  summarizeExecEvents,
} from './summary/summarize.js';
import { type CreatedTracer, type CreateTracerOptions, createTracer } from './tracer/create-tracer.js';
import type {
  NativeEvent,
  NativeTracerConstructor,
  NativeTracerOptions,
  NativeTracerStats,
} from './tracer/native-addon.js';
import type { ExecObservation, ExitObservation, Observation } from './tracer/observation.js';
import {
  type ScriptedExec,
  type ScriptedExit,
  ScriptedTracer,
  type ScriptedTracerOptions,
} from './tracer/scripted-tracer.js';
import type { ExecUpdatesListener, Tracer, TracerBackend, TracerStatus } from './tracer/tracer.js';
import { TriggerDriver, type TriggerDriverOptions } from './triggers/trigger-driver.js';
import {
  initialTriggerState,
  nextTriggerDeadline,
  type SnapshotAction,
  type SnapshotTrigger,
  stepTriggers,
  type TriggerInput,
  type TriggerOptions,
  type TriggerState,
  type TriggerStep,
} from './triggers/trigger-machine.js';

export {
  commandLine,
  commandParts,
  createTracer,
  EXEC_LOG_FORMAT,
  ExecLogMerger,
  ExecLogWriter,
  failed,
  followExecLog,
  gitCommitKind,
  hasEnded,
  initialTriggerState,
  isBuildCommand,
  isBuildScriptName,
  isGitCommit,
  isSuccessfulBuild,
  nextTriggerDeadline,
  parseExecRecord,
  readExecLog,
  ScriptedTracer,
  stepTriggers,
  succeeded,
  summarizeExecEvents,
  toExecRecord,
  TraceError,
  TriggerDriver,
};

export type {
  ArgvStatus,
  CommandSummary,
  CreatedTracer,
  CreateTracerOptions,
  ExecEvent,
  ExecObservation,
  ExecRecord,
  ExecSummary,
  ExecUpdate,
  ExecUpdatesListener,
  ExitObservation,
  FollowExecLogOptions,
  GitCommitKind,
  NativeEvent,
  NativeTracerConstructor,
  NativeTracerOptions,
  NativeTracerStats,
  Observation,
  ReadExecLogResult,
  ScriptedExec,
  ScriptedExit,
  ScriptedTracerOptions,
  SnapshotAction,
  SnapshotTrigger,
  SummarizeOptions,
  TraceErrorCode,
  Tracer,
  TracerBackend,
  TracerStatus,
  TriggerDriverOptions,
  TriggerInput,
  TriggerOptions,
  TriggerState,
  TriggerStep,
};
