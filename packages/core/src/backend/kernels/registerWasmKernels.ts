import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { LabInputError } from '../../errors.js';
import { registerConvBackpropKernels } from './conv.js';
import { registerEinsumKernel } from './einsum.js';
import { registerMatMulTransposeFix } from './matmul.js';
import { registerSegmentKernels } from './segment.js';
import { registerSpectralKernels } from './spectral.js';

/**
 * The tfjs backend release the kernel fills and the `BackendWasm.prototype` /
 * `MathBackendCPU.prototype` patches were written against (they read and replace internals
 * that are not public API, so another release may silently compute garbage).
 */
export const PATCHED_TFJS_BACKEND_VERSION = '4.22.0';

/**
 * Throws a {@link LabInputError} naming the package unless the installed
 * `@tensorflow/tfjs-backend-wasm` and `@tensorflow/tfjs-backend-cpu` are
 * {@link PATCHED_TFJS_BACKEND_VERSION}. `installed` defaults to the versions the loaded
 * packages report (`version_wasm`, `version_cpu`).
 */
export function checkPatchedBackendVersions(
  installed: { wasm: string; cpu: string } = { wasm: version_wasm, cpu: version_cpu },
): void {
  for (const [pkg, version] of [
    ['@tensorflow/tfjs-backend-wasm', installed.wasm],
    ['@tensorflow/tfjs-backend-cpu', installed.cpu],
  ] as const) {
    if (version !== PATCHED_TFJS_BACKEND_VERSION) {
      throw new LabInputError(
        'initBackend',
        `installed ${pkg}`,
        `must be version ${PATCHED_TFJS_BACKEND_VERSION}, the release @lab/core's kernel fills and backend patches were written for (install exactly "${pkg}": "${PATCHED_TFJS_BACKEND_VERSION}")`,
        version,
      );
    }
  }
}

// A global (not module) flag: the ESM and CJS builds, or `@lab/core` and `@lab/core/register`
// bundled separately, must not wrap the same kernels twice.
const REGISTERED = Symbol.for('@lab/core/registerWasmKernels');

/**
 * Registers the kernels that `@tensorflow/tfjs-backend-wasm` 4.22 lacks (FFT family, complex
 * numbers, Einsum, convolution backprops, UnsortedSegmentSum) and replaces its slow
 * transposed BatchMatMul path. First checks the installed backend versions
 * ({@link checkPatchedBackendVersions}). Idempotent; run by importing `@lab/core/register`,
 * which `initBackend()` does.
 */
export function registerWasmKernels(): void {
  checkPatchedBackendVersions();
  const g = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (g[REGISTERED]) return;
  g[REGISTERED] = true;
  registerSpectralKernels();
  registerEinsumKernel();
  registerConvBackpropKernels();
  registerSegmentKernels();
  registerMatMulTransposeFix();
}
