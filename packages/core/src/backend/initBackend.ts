import * as tf from '@tensorflow/tfjs-core';
import { readOptions } from '../validation/readOptions.js';

/** Backends `initBackend` can select. `auto` picks the fastest available for the platform. */
export type BackendName = 'auto' | 'wasm' | 'cpu' | 'webgl' | 'webgpu';

/** Options for {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * `auto` (default): `wasm` in Node; `webgpu`, then `webgl`, then `wasm` in browsers.
   * `cpu` is tfjs's pure-JS backend: slow, but the numerical reference.
   */
  backend?: BackendName;
  /**
   * Browser only: where the tfjs wasm binaries are served from (passed to
   * `setWasmPaths`). Node finds them inside the installed package.
   */
  wasmPaths?: string;
}

/** What {@link initBackend} selected. */
export interface InitBackendResult {
  /** Active tfjs backend name. */
  backend: string;
  /** Whether the wasm backend runs its SIMD build (only meaningful for `wasm`). */
  simd: boolean;
  /** Whether the wasm backend runs multithreaded (only meaningful for `wasm`). */
  threads: boolean;
  /** Backends that were tried and failed, with their error messages. */
  failed: Array<{ backend: string; error: string }>;
}

const isNode = typeof process !== 'undefined' && process.versions?.node != null;

async function loadBrowserBackend(name: 'webgl' | 'webgpu'): Promise<void> {
  // Optional peers, imported only when asked for so Node installs never need them.
  if (name === 'webgl') await import(/* @vite-ignore */ '@tensorflow/tfjs-backend-webgl' as string);
  else await import(/* @vite-ignore */ '@tensorflow/tfjs-backend-webgpu' as string);
}

/**
 * Selects and initialises the tfjs backend every `@lab/*` package computes on, and registers
 * all gradients plus the kernels the wasm backend lacks (by importing `@lab/core/register`,
 * the package's one side-effectful entry). Rejects with a `LabInputError` if the installed
 * `@tensorflow/tfjs-backend-wasm` / `-cpu` is not the release core's kernel patches target.
 *
 * In Node the default is the wasm backend (SIMD): about 25x the pure-JS `cpu` backend on a
 * 512^3 matmul on a 2-core machine (see the package README's Benchmarks). Call it once, before
 * creating tensors; calling again switches backends (existing tensors move lazily).
 *
 * @example
 * ```ts
 * import { initBackend } from '@lab/core';
 * await initBackend();                    // wasm in Node
 * await initBackend({ backend: 'cpu' });  // reference backend
 * ```
 * @see https://www.tensorflow.org/js/guide/platform_environment
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<InitBackendResult> {
  const o = readOptions('initBackend', options, ['backend', 'wasmPaths']);
  const requested = o.oneOf<BackendName>('backend', ['auto', 'wasm', 'cpu', 'webgl', 'webgpu'], 'auto');
  const wasmPaths = o.has('wasmPaths') ? o.string('wasmPaths') : undefined;
  // Gradients, chained ops, the cpu and wasm backends and the wasm kernel fills live behind the
  // side-effectful `@lab/core/register` entry (which checks the tfjs backend versions), so
  // importing `@lab/core` registers nothing until this runs.
  await import('../register.js');
  if (wasmPaths !== undefined) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmPaths);
  }
  const order: string[] =
    requested !== 'auto' ? [requested] : isNode ? ['wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
  const failed: InitBackendResult['failed'] = [];
  for (const name of order) {
    try {
      if (name === 'webgl' || name === 'webgpu') await loadBrowserBackend(name);
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      const wasm = name === 'wasm';
      return {
        backend: tf.getBackend(),
        simd: wasm && tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
        threads: wasm && tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
        failed,
      };
    } catch (err) {
      failed.push({ backend: name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  throw new Error(
    `initBackend: no backend could be initialised (${failed.map((f) => `${f.backend}: ${f.error}`).join('; ')})`,
  );
}
