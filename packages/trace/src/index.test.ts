import { describe, expect, it } from 'vitest';
import * as trace from './index.js';

describe('public API', () => {
  it('exports exactly the documented values', () => {
    expect(Object.keys(trace).sort()).toEqual(
      [
        'EXEC_LOG_FORMAT',
        'ExecLogMerger',
        'ExecLogWriter',
        'ScriptedTracer',
        'TraceError',
        'TriggerDriver',
        'commandLine',
        'commandParts',
        'createTracer',
        'failed',
        'followExecLog',
        'gitCommitKind',
        'hasEnded',
        'initialTriggerState',
        'isBuildCommand',
        'isBuildScriptName',
        'isGitCommit',
        'isSuccessfulBuild',
        'nextTriggerDeadline',
        'parseExecRecord',
        'readExecLog',
        'stepTriggers',
        'succeeded',
        'summarizeExecEvents',
        'toExecRecord',
      ].sort(),
    );
  });
});
