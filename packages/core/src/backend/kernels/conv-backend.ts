import * as tf from '@tensorflow/tfjs-core';

/**
 * The part of `BackendWasm` (from `@tensorflow/tfjs-backend-wasm`) the filled kernels use:
 * allocate outputs on the wasm heap, view tensors as typed arrays over the heap, free
 * intermediates. Declared structurally so `@lab/core` does not import the backend's private
 * d.ts paths.
 *
 * Heap views are invalidated when the heap grows (any `makeOutput` may grow it), so kernels
 * allocate every buffer first and take views afterwards.
 *
 * @see https://github.com/tensorflow/tfjs/blob/master/tfjs-backend-wasm/src/backend_wasm.ts
 */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  numDataIds(): number;
}

/** Name of the backend the filled kernels register for. */
export const WASM = 'wasm';

/** Casts a kernel's `backend` argument to the wasm backend interface. */
export function asWasm(backend: unknown): WasmBackendLike {
  return backend as WasmBackendLike;
}

/** Float32 heap view of a tensor (re-take it after any allocation). */
export function f32View(backend: WasmBackendLike, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/**
 * Runs another kernel registered for the wasm backend (looked up at call time, so wrapped
 * kernels such as the transpose-fixed `BatchMatMul` are used).
 */
export function runWasmKernel(
  name: string,
  backend: WasmBackendLike,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const config = tf.getKernel(name, WASM);
  if (config == null) throw new Error(`wasm kernel '${name}' is not registered`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel '${name}' returned several outputs`);
  return out;
}

/** Transposes the last two axes of `x` with the wasm `Transpose` kernel (a new heap buffer). */
export function transposeLastTwo(backend: WasmBackendLike, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runWasmKernel('Transpose', backend, { x }, { perm });
}

/** Size of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Registers `config` for the wasm backend unless a kernel of that name is already registered
 * (tfjs warns on duplicates). Returns whether it registered.
 */
export function registerIfAbsent(config: tf.KernelConfig): boolean {
  if (tf.getKernel(config.kernelName, config.backendName) != null) return false;
  tf.registerKernel(config);
  return true;
}
