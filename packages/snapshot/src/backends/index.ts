export { DirectorySource } from './directory-source.js';
export type { BackendName, PayloadBackend, PayloadBackendName } from './payload-backend.js';
export { PAYLOAD_BACKENDS, payloadBackend, selectBackend } from './select-backend.js';
