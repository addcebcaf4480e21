/**
 * `@lab/core/webgl`: importing it registers tfjs's WebGL backend (the optional peer
 * `@tensorflow/tfjs-backend-webgl`, which you install), so `initBackend()` can select it: `auto`
 * prefers it to wasm in browsers, and `initBackend({ backend: 'webgl' })` asks for it. The main
 * `@lab/core` entry never references the optional backends, so bundlers resolve it with none,
 * one or both installed.
 *
 * @example
 * ```ts
 * import '@lab/core/webgl';
 * ```
 * @module
 */
import '@tensorflow/tfjs-backend-webgl';
