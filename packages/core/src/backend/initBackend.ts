import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';

/** Backends `initBackend` can select. `auto` picks the fastest available for the platform. */
export type BackendName = 'auto' | 'wasm' | 'cpu' | 'webgl' | 'webgpu';

/** The three binaries of `@tensorflow/tfjs-backend-wasm`, by file name. */
export type WasmBinaryName =
  | 'tfjs-backend-wasm.wasm'
  | 'tfjs-backend-wasm-simd.wasm'
  | 'tfjs-backend-wasm-threaded-simd.wasm';

/**
 * Where each tfjs wasm binary is served from: a URL (or path) for each of the three file names,
 * as tfjs's `setWasmPaths` takes it (all three are required). With a bundler, import the binaries as assets and pass their URLs
 * (Vite: `import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'`).
 */
export type WasmPaths = Record<WasmBinaryName, string>;

const WASM_BINARIES: readonly WasmBinaryName[] = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

/** Options for {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * `auto` (default): `wasm` in Node; in browsers `webgpu`, then `webgl` (each only when its
   * entry `@lab/core/webgpu` / `@lab/core/webgl` was imported), then `wasm`, then `cpu`.
   * `cpu` is tfjs's pure-JS backend: slow, but the numerical reference. Naming a backend tries
   * only that one and rejects if it cannot be initialised.
   */
  backend?: BackendName;
  /**
   * Where the tfjs wasm binaries are served from (passed to tfjs's `setWasmPaths`): a URL
   * prefix ending in `/` under which the three `.wasm` files lie (e.g. a CDN or the folder
   * your server copies them to), or a {@link WasmPaths} map from file name to URL (what a
   * bundler's asset imports give). Node finds them inside the installed package; in a browser
   * without it tfjs looks beside the bundled script, and a 404 there makes `auto` fall back
   * to `cpu` (with a `console.warn` and the {@link InitBackendResult.reason}).
   */
  wasmPaths?: string | WasmPaths;
  /** Whether to `console.warn` when `auto` falls back past a backend that failed (default true). */
  warn?: boolean;
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
  /**
   * Why this backend: requested, the platform's default, or the fallback after the failures in
   * `failed` (and which optional backends were skipped because their entry was not imported).
   */
  reason: string;
}

const isNode = typeof process !== 'undefined' && process.versions?.node != null;

const OPTIONAL_BACKENDS = { webgl: '@lab/core/webgl', webgpu: '@lab/core/webgpu' } as const;

function readWasmPaths(value: unknown): string | WasmPaths {
  if (typeof value === 'string' && value.length > 0) return value;
  const expected = `must be a non-empty string (a URL prefix) or an object mapping ${WASM_BINARIES.map((n) => `'${n}'`).join(', ')} to URLs`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new LabInputError('initBackend', 'options.wasmPaths', expected, value);
  const out: Partial<WasmPaths> = {};
  for (const [key, url] of Object.entries(value)) {
    if (!(WASM_BINARIES as readonly string[]).includes(key))
      throw new LabInputError(
        'initBackend',
        `options.wasmPaths['${key}']`,
        `is not a tfjs wasm binary; ${expected}`,
      );
    if (typeof url !== 'string' || url.length === 0)
      throw new LabInputError(
        'initBackend',
        `options.wasmPaths['${key}']`,
        'must be a non-empty string',
        url,
      );
    out[key as WasmBinaryName] = url;
  }
  const missing = WASM_BINARIES.filter((n) => out[n] === undefined);
  if (missing.length > 0)
    throw new LabInputError(
      'initBackend',
      'options.wasmPaths',
      `${expected} (missing ${missing.map((n) => `'${n}'`).join(', ')})`,
    );
  return out as WasmPaths;
}

type ProcessListeners = Record<
  'uncaughtException' | 'unhandledRejection',
  Array<(...args: unknown[]) => void>
>;

function processListeners(): ProcessListeners | undefined {
  if (!isNode || typeof process.listeners !== 'function') return undefined;
  return {
    uncaughtException: process.listeners('uncaughtException') as ProcessListeners['uncaughtException'],
    unhandledRejection: process.listeners('unhandledRejection') as ProcessListeners['unhandledRejection'],
  };
}

/**
 * The emscripten glue of tfjs-backend-wasm adds `uncaughtException` / `unhandledRejection`
 * handlers in Node that rethrow every error from inside the glue and exit with code 7 (tfjs's own
 * clean-up of them never matches). Remove exactly the listeners added while a backend loaded, so
 * the user's errors surface as Node reports them.
 */
function removeAddedListeners(before: ProcessListeners | undefined): void {
  const after = processListeners();
  if (before === undefined || after === undefined) return;
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    for (const listener of after[event]) {
      if (!before[event].includes(listener)) process.removeListener(event, listener);
    }
  }
}

function failureMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
 * The GPU backends are optional peers that this entry never imports (so bundlers need no
 * externals): install `@tensorflow/tfjs-backend-webgl` and `import '@lab/core/webgl'` (or
 * `-webgpu` and `@lab/core/webgpu`) to make them available. When `auto` skips a backend that
 * failed, it says so with a `console.warn` (unless `warn: false`) and in `reason`.
 * Loading the wasm backend leaves the process's error handlers as they were.
 *
 * @example
 * ```ts
 * import { initBackend } from '@lab/core';
 * const r = await initBackend();          // wasm in Node
 * console.log(r.backend, r.reason);
 * await initBackend({ backend: 'cpu' });  // reference backend
 * await initBackend();
 * ```
 * @see https://www.tensorflow.org/js/guide/platform_environment
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<InitBackendResult> {
  const o = readOptions('initBackend', options, ['backend', 'wasmPaths', 'warn']);
  const requested = o.oneOf<BackendName>('backend', ['auto', 'wasm', 'cpu', 'webgl', 'webgpu'], 'auto');
  const wasmPaths = o.has('wasmPaths') ? readWasmPaths(o.raw('wasmPaths')) : undefined;
  const warn = o.boolean('warn', true);
  // Gradients, chained ops, the cpu and wasm backends and the wasm kernel fills live behind the
  // side-effectful `@lab/core/register` entry (which checks the tfjs backend versions), so
  // importing `@lab/core` registers nothing until this runs.
  await import('../register.js');
  if (wasmPaths !== undefined) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmPaths);
  }
  const failed: InitBackendResult['failed'] = [];
  const skipped: string[] = [];
  let order: string[];
  if (requested !== 'auto') {
    order = [requested];
  } else if (isNode) {
    order = ['wasm', 'cpu'];
  } else {
    order = [];
    for (const name of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
      if ((name === 'webgl' || name === 'webgpu') && tf.findBackendFactory(name) == null) {
        skipped.push(`${name} (not imported: import '${OPTIONAL_BACKENDS[name]}')`);
      } else order.push(name);
    }
  }
  for (const name of order) {
    const before = processListeners();
    try {
      if ((name === 'webgl' || name === 'webgpu') && tf.findBackendFactory(name) == null) {
        throw new Error(
          `backend '${name}' is not registered: install @tensorflow/tfjs-backend-${name} and import '${OPTIONAL_BACKENDS[name]}' before calling initBackend`,
        );
      }
      const ok = await tf.setBackend(name);
      if (!ok) {
        throw new Error(
          name === 'wasm'
            ? `tf.setBackend('wasm') returned false: the wasm binaries could not be loaded (in a browser, serve the .wasm files of @tensorflow/tfjs-backend-wasm and pass their location as initBackend({ wasmPaths }); see the @lab/core README)`
            : `tf.setBackend('${name}') returned false (the backend failed to initialise)`,
        );
      }
      await tf.ready();
      const wasm = name === 'wasm';
      const because =
        requested !== 'auto'
          ? 'requested'
          : failed.length === 0
            ? `auto: the default ${isNode ? 'in Node' : 'in this browser'}`
            : `auto: fell back after ${failed.map((f) => `${f.backend} failed (${f.error})`).join('; ')}`;
      const reason = skipped.length > 0 ? `${because}; skipped ${skipped.join(', ')}` : because;
      if (failed.length > 0 && warn) {
        console.warn(`@lab/core initBackend: using '${name}' (${reason})`);
      }
      return {
        backend: tf.getBackend(),
        simd: wasm && tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
        threads: wasm && tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
        failed,
        reason,
      };
    } catch (err) {
      failed.push({ backend: name, error: failureMessage(err) });
    } finally {
      removeAddedListeners(before);
    }
  }
  throw new Error(
    `initBackend: no backend could be initialised (${failed.map((f) => `${f.backend}: ${f.error}`).join('; ')})`,
  );
}
