export { type ExtractSummary, extractArchive } from './extract.js';
export { type WriteArchiveOptions, type WriteSummary, writeArchive } from './write.js';
