import * as tf from '@tensorflow/tfjs-core';
import { WASM, asWasm, transposeLastTwo } from './conv-backend.js';

/** Marks a kernel function installed by {@link registerMatMulTransposeFix} (idempotence). */
const WRAPPED = Symbol.for('@lab/core/matmulTransposeFix');

type MarkedKernelFunc = tf.KernelFunc & { [WRAPPED]?: true };

/**
 * Wraps a wasm matmul kernel (`BatchMatMul` or `_FusedMatMul`) so that `transposeA` /
 * `transposeB` are materialised with the wasm `Transpose` kernel and the original kernel runs
 * untransposed; the transposed copies are freed before returning.
 */
function wrapTransposes(original: tf.KernelFunc): MarkedKernelFunc {
  const wrapped: MarkedKernelFunc = (args) => {
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (!attrs.transposeA && !attrs.transposeB) return original(args);
    // The original kernels reject non-float32 inputs: let them raise their own error.
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
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
 * functions (and their setup functions) are kept and delegated to. Idempotent.
 *
 * @see https://github.com/tensorflow/tfjs/blob/master/tfjs-backend-wasm/src/kernels/BatchMatMul.ts
 */
export function registerMatMulTransposeFix(): void {
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const original = tf.getKernel(name, WASM);
    if (original == null || (original.kernelFunc as MarkedKernelFunc)[WRAPPED]) continue;
    tf.unregisterKernel(name, WASM);
    const config: tf.KernelConfig = {
      kernelName: name,
      backendName: WASM,
      kernelFunc: wrapTransposes(original.kernelFunc),
    };
    if (original.setupFunc) config.setupFunc = original.setupFunc;
    if (original.disposeFunc) config.disposeFunc = original.disposeFunc;
    tf.registerKernel(config);
  }
}
