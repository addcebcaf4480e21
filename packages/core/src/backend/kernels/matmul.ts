import * as tf from '@tensorflow/tfjs-core';
import {
  WASM,
  type WasmBackendLike,
  asWasm,
  runWasmKernel,
  sizeOf,
  transposeLastTwo,
} from './conv-backend.js';

/** Marks a kernel function installed by {@link registerMatMulTransposeFix} (idempotence). */
const WRAPPED = Symbol.for('@lab/core/matmulTransposeFix');

type MarkedKernelFunc = tf.KernelFunc & { [WRAPPED]?: true };

/** The upstream kernel configs replaced by {@link registerMatMulTransposeFix}, by kernel name. */
const originals = new Map<string, tf.KernelConfig>();

/** Activation kernels the fused matmul may apply, by tfjs `Activation` name. */
function applyActivation(
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  activation: string,
  prelu: tf.TensorInfo | undefined,
  leakyreluAlpha: number | undefined,
): tf.TensorInfo {
  switch (activation) {
    case 'relu':
      return runWasmKernel(tf.Relu, backend, { x });
    case 'relu6':
      return runWasmKernel(tf.Relu6, backend, { x });
    case 'elu':
      return runWasmKernel(tf.Elu, backend, { x });
    case 'sigmoid':
      return runWasmKernel(tf.Sigmoid, backend, { x });
    case 'leakyrelu':
      return runWasmKernel(tf.LeakyRelu, backend, { x }, { alpha: leakyreluAlpha ?? 0.2 });
    case 'prelu':
      if (prelu == null) throw new Error('_FusedMatMul: prelu activation needs preluActivationWeights');
      return runWasmKernel(tf.Prelu, backend, { x, alpha: prelu });
    default:
      throw new Error(`_FusedMatMul: activation '${activation}' is not supported on wasm`);
  }
}

/**
 * tfjs-backend-wasm 4.22's `_FusedMatMul` adds the bias to the first batch only when the
 * output has more than one batch (measured: errors O(1) from the second batch on). For that
 * case this runs the original kernel unfused (no bias, linear) and then applies the wasm
 * `Add` and activation kernels, freeing the intermediates.
 */
function fusedWithBatchedBias(
  original: tf.KernelFunc,
  args: Parameters<tf.KernelFunc>[0],
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo {
  const backend = asWasm(args.backend);
  const inputs = args.inputs as { bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
  const attrs = (args.attrs ?? {}) as { activation?: string; leakyreluAlpha?: number };
  const product = original({
    inputs: { a, b },
    backend: args.backend,
    attrs: { ...args.attrs, transposeA: false, transposeB: false, activation: 'linear' },
  }) as tf.TensorInfo;
  const biased = runWasmKernel(tf.Add, backend, { a: product, b: inputs.bias as tf.TensorInfo });
  backend.disposeData(product.dataId);
  const activation = attrs.activation ?? 'linear';
  if (activation === 'linear') return biased;
  try {
    return applyActivation(backend, biased, activation, inputs.preluActivationWeights, attrs.leakyreluAlpha);
  } finally {
    backend.disposeData(biased.dataId);
  }
}

/**
 * Wraps a wasm matmul kernel (`BatchMatMul` or `_FusedMatMul`) so that `transposeA` /
 * `transposeB` are materialised with the wasm `Transpose` kernel and the original kernel runs
 * untransposed; the transposed copies are freed before returning. For `_FusedMatMul` it also
 * routes a bias on a batched output around the upstream bug (see `fusedWithBatchedBias`).
 */
function wrapMatMul(original: tf.KernelFunc, fused: boolean): MarkedKernelFunc {
  const wrapped: MarkedKernelFunc = (args) => {
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const { a, b, bias } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
    // The original kernels reject non-float32 inputs: let them raise their own error.
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const batchedBias =
      fused &&
      bias != null &&
      sizeOf(tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))) > 1;
    if (!attrs.transposeA && !attrs.transposeB && !batchedBias) return original(args);
    const backend = asWasm(args.backend);
    const temps: tf.TensorInfo[] = [];
    try {
      let aIn = a;
      let bIn = b;
      if (attrs.transposeA) {
        aIn = transposeLastTwo(backend, a);
        temps.push(aIn);
      }
      if (attrs.transposeB) {
        bIn = transposeLastTwo(backend, b);
        temps.push(bIn);
      }
      if (batchedBias) return fusedWithBatchedBias(original, args, aIn, bIn);
      return original({
        inputs: { ...args.inputs, a: aIn, b: bIn },
        backend: args.backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
  wrapped[WRAPPED] = true;
  return wrapped;
}

/**
 * Replaces the wasm backend's `BatchMatMul` and `_FusedMatMul` kernels with wrappers that
 * transpose first and multiply untransposed.
 *
 * tfjs-backend-wasm 4.22 runs XNNPACK's fast path only for untransposed operands: with
 * `transposeA` a 512^3 product takes ~300 ms instead of ~14 ms (2-core machine, SIMD, one
 * thread), and `transposeB` ~140 ms. matMul's gradient uses those flags, so every backward
 * pass paid this. The wrapper costs one `Transpose` (~1 ms for 512x512). The original kernel
 * functions (and their setup functions) are kept and delegated to. It also corrects the
 * upstream `_FusedMatMul`, which adds its bias to the first batch only. Idempotent.
 *
 * @see https://github.com/tensorflow/tfjs/blob/master/tfjs-backend-wasm/src/kernels/BatchMatMul.ts
 */
export function registerMatMulTransposeFix(): void {
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const original = tf.getKernel(name, WASM);
    if (original == null || (original.kernelFunc as MarkedKernelFunc)[WRAPPED]) continue;
    originals.set(name, original);
    tf.unregisterKernel(name, WASM);
    const config: tf.KernelConfig = {
      kernelName: name,
      backendName: WASM,
      kernelFunc: wrapMatMul(original.kernelFunc, name === tf._FusedMatMul),
    };
    if (original.setupFunc) config.setupFunc = original.setupFunc;
    if (original.disposeFunc) config.disposeFunc = original.disposeFunc;
    tf.registerKernel(config);
  }
}

/**
 * Runs `fn` with the upstream wasm `BatchMatMul` and `_FusedMatMul` kernels reinstated (the
 * slow transposed path and the batched-bias bug included), then restores the fixed ones, also
 * when `fn` throws. For benchmarks and for tests that compare both; `fn` must be synchronous.
 * Without {@link registerMatMulTransposeFix} having run, it just calls `fn`.
 *
 * @example
 * ```ts
 * const a = tf.randomNormal([64, 32]);
 * const b = tf.randomNormal([64, 16]);
 * const before = withoutMatMulTransposeFix(() => tf.matMul(a, b, true, false)); // upstream kernel
 * const after = tf.matMul(a, b, true, false); // the fixed one: same [32, 16] product
 * ```
 */
export function withoutMatMulTransposeFix<T>(fn: () => T): T {
  const swapped: Array<[tf.KernelConfig, tf.KernelConfig]> = [];
  for (const [name, original] of originals) {
    const current = tf.getKernel(name, WASM);
    if (current == null) continue;
    tf.unregisterKernel(name, WASM);
    tf.registerKernel(original);
    swapped.push([original, current]);
  }
  try {
    return fn();
  } finally {
    for (const [original, current] of swapped) {
      tf.unregisterKernel(original.kernelName, WASM);
      tf.registerKernel(current);
    }
  }
}
