// Public API of @lab/core: named re-exports only, grouped by area.

// errors
export { LabInputError, checkFinite, checkInteger, checkRange, checkTensor, describeValue } from './errors.js';

// backend
export { initBackend } from './backend/initBackend.js';
export type { BackendName, InitBackendOptions, InitBackendResult } from './backend/initBackend.js';
export { registerWasmKernels } from './backend/kernels/registerWasmKernels.js';

// random
export { createRng } from './random/createRng.js';
export type { Rng } from './random/createRng.js';
