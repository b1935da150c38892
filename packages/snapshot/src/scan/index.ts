export { Coverage, DirectoryRules } from './coverage.js';
export { readInfoExclude, scanWorkspace } from './scan.js';
export { joinScanPath, type ScanEntry, walkScanTree } from './scan-paths.js';
export type * from './types.js';
