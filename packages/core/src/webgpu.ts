/**
 * `@lab/core/webgpu`: importing it registers tfjs's WebGPU backend (the optional peer
 * `@tensorflow/tfjs-backend-webgpu`, which you install), so `initBackend()` can select it: `auto`
 * prefers it to webgl and wasm in browsers that support WebGPU, and
 * `initBackend({ backend: 'webgpu' })` asks for it. The main `@lab/core` entry never references
 * the optional backends, so bundlers resolve it with none, one or both installed.
 *
 * @example
 * ```ts
 * import '@lab/core/webgpu';
 * ```
 * @module
 */
import '@tensorflow/tfjs-backend-webgpu';
