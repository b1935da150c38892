import { syncDir } from './atomic/directory.js';
import { type ReadJsonFileOptions, readJsonFile, writeJsonAtomic } from './atomic/json-file.js';
import { type WriteFileAtomicOptions, writeFileAtomic } from './atomic/write-file-atomic.js';
import { StorageError, type StorageErrorCode, type StorageErrorOptions } from './errors.js';
import { isId, newId, newRunId } from './ids/ids.js';
import { type FollowJsonlOptions, followJsonl } from './jsonl/follow-jsonl.js';
import { appendJsonl, JsonlWriter, type JsonlWriterOptions } from './jsonl/jsonl-writer.js';
import type { JsonlProblem, JsonlProblemKind } from './jsonl/parse-line.js';
import { type ReadJsonlOptions, type ReadJsonlResult, readJsonl } from './jsonl/read-jsonl.js';
import { type AcquireLockOptions, acquireLock, type Lock, readLockOwner, withLock } from './lock/lock.js';
import type { LockOwner } from './lock/lock-owner.js';
import { MoatPaths, moatHome } from './paths/moat-paths.js';
import { resolveRunRef } from './runs/resolve-run-ref.js';
import type { RunRecord, RunState } from './runs/run-record.js';
import {
  type CreateRunOptions,
  type RunList,
  type RunListProblem,
  type RunPatch,
  RunStore,
} from './runs/run-store.js';

export {
  acquireLock,
  appendJsonl,
  followJsonl,
  isId,
  JsonlWriter,
  MoatPaths,
  moatHome,
  newId,
  newRunId,
  readJsonFile,
  readJsonl,
  readLockOwner,
  resolveRunRef,
  RunStore,
  StorageError,
  syncDir,
  withLock,
  writeFileAtomic,
  writeJsonAtomic,
};

export type {
  AcquireLockOptions,
  CreateRunOptions,
  FollowJsonlOptions,
  JsonlProblem,
  JsonlProblemKind,
  JsonlWriterOptions,
  Lock,
  LockOwner,
  ReadJsonFileOptions,
  ReadJsonlOptions,
  ReadJsonlResult,
  RunList,
  RunListProblem,
  RunPatch,
  RunRecord,
  RunState,
  StorageErrorCode,
  StorageErrorOptions,
  WriteFileAtomicOptions,
};
