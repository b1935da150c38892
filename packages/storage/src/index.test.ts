import { describe, expect, it } from 'vitest';
import * as storage from './index.js';

describe('@moat/storage front door', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(storage).sort()).toEqual([
      'JsonlWriter',
      'MoatPaths',
      'RunStore',
      'StorageError',
      'acquireLock',
      'appendJsonl',
      'followJsonl',
      'isId',
      'moatHome',
      'newId',
      'newRunId',
      'readJsonFile',
      'readJsonl',
      'readLockOwner',
      'resolveRunRef',
      'syncDir',
      'withLock',
      'writeFileAtomic',
      'writeJsonAtomic',
    ]);
  });
});
