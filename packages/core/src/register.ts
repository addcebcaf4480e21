/**
 * `@lab/core/register`: the one side-effectful entry of `@lab/core` (listed in its
 * package.json `sideEffects`). Importing it registers, into the single global tfjs-core engine:
 * all tfjs-core gradients and chained ops (tfjs-core's Node bundle ships neither; tsup bundles
 * these two ESM entry points, see tsup.config.ts), the `cpu` and `wasm` backends, and the wasm
 * kernel fills and `BackendWasm.prototype` patch of {@link registerWasmKernels}. It throws a
 * `LabInputError` if the installed tfjs backends are not the release that patch was written for.
 *
 * `initBackend()` imports it, so most code never needs to; import it yourself only to use tfjs
 * backends directly without `initBackend`. The main `@lab/core` entry has no side effects.
 *
 * @example
 * ```ts
 * import '@lab/core/register';
 * ```
 * @module
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from './backend/kernels/registerWasmKernels.js';

registerWasmKernels();

export {
  checkPatchedBackendVersions,
  PATCHED_TFJS_BACKEND_VERSION,
  registerWasmKernels,
} from './backend/kernels/registerWasmKernels.js';
