import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, LabInputError } from '../errors.js';
import { checkSparseMatrix, type SparseMatrix } from './SparseMatrix.js';
import { spmmCsr } from './spmmKernel.js';

const FN = 'sparseDenseMatMul';

/** `out[N x K] = A * B` with A's structure and the given values (CSR row loop). */
function spmm(a: SparseMatrix, vals: Float32Array, b: Float32Array, k: number): Float32Array {
  return spmmCsr(a.rows, a.indptr, a.indices, null, vals, b, k);
}

/** `dB[M x K] = A^T * dY` through the cached transpose structure. */
function spmmTransposed(a: SparseMatrix, vals: Float32Array, dy: Float32Array, k: number): Float32Array {
  const t = a.transposeStructure();
  return spmmCsr(a.cols, t.indptr, t.indices, t.perm, vals, dy, k);
}

/** `dv[p] = <dY[row_p], B[col_p]>` for every stored entry p. */
function valuesGrad(a: SparseMatrix, b: Float32Array, dy: Float32Array, k: number): Float32Array {
  const out = new Float32Array(a.nnz);
  for (let i = 0; i < a.rows; i++) {
    const yOff = i * k;
    for (let p = a.indptr[i] as number; p < (a.indptr[i + 1] as number); p++) {
      const bOff = (a.indices[p] as number) * k;
      let s = 0;
      for (let c = 0; c < k; c++) s += (dy[yOff + c] as number) * (b[bOff + c] as number);
      out[p] = s;
    }
  }
  return out;
}

/**
 * Sparse x dense matrix product `A @ B` for a {@link SparseMatrix} `A` (N x M) and a dense
 * float32 `tf.Tensor2D` `B` (M x K), returning a dense `[N, K]` tensor. Differentiable:
 *
 * - w.r.t. `B`: `dB = A^T dY`, computed through `A`'s cached transpose structure;
 * - w.r.t. the values, when `values` is given as a tensor (length `nnz`, CSR order):
 *   `dv_p = <dY[row_p], B[col_p]>` (only the stored pattern; structure is fixed).
 *
 * `values` overrides `A.values` without rebuilding the structure: pass a `tf.Tensor1D` to learn
 * edge weights (e.g. attention), or a `Float32Array` for a non-differentiable override such as
 * dropout on the non-zeros of a sparse input. The products run outside tfjs, O(nnz * K), on
 * every backend, with float64 accumulation: in a small WebAssembly SIMD kernel where the runtime
 * has WebAssembly SIMD (Node >= 16, current browsers), else in a JavaScript loop with the same,
 * bit-identical results; for graph-sized sparsity this is far cheaper than a dense N x M matmul.
 *
 * @param a - sparse left operand (not modified).
 * @param b - dense right operand `[M, K]`, float32 (not disposed).
 * @param values - optional replacement values for `a` (tensor: differentiable; array: constant).
 * @returns `[N, K]` float32 tensor owned by the caller.
 * @throws LabInputError on a shape or dtype mismatch or a wrong-length `values`.
 * @example
 * ```ts
 * const ahat = normalizeAdjacency({ numNodes: 3, source: [0, 1], target: [1, 2] });
 * const x = tf.tensor2d([[1, 0], [0, 1], [1, 1]]); // [3 nodes, 2 features]
 * const w = tf.tensor2d([[1], [2]]); // [2 features, 1 unit]
 * const h = sparseDenseMatMul(ahat, tf.matMul(x, w)); // one GCN propagation: [3, 1]
 * ```
 * @see Kipf & Welling, "Semi-Supervised Classification with Graph Convolutional Networks", ICLR 2017.
 * @see https://www.tensorflow.org/api_docs/python/tf/sparse/sparse_dense_matmul
 */
export function sparseDenseMatMul(
  a: SparseMatrix,
  b: tf.Tensor2D,
  values?: tf.Tensor1D | Float32Array | ArrayLike<number>,
): tf.Tensor2D {
  checkSparseMatrix(FN, 'a', a);
  checkTensor(FN, 'b', b, 2);
  if (b.dtype !== 'float32') throw new LabInputError(FN, 'b', 'must have dtype float32', b);
  const [n, m] = a.shape;
  const [mb, k] = b.shape as [number, number];
  if (mb !== m) throw new LabInputError(FN, 'b', `must have ${m} rows (a is ${n} x ${m})`, b);

  if (values instanceof tf.Tensor) {
    checkTensor(FN, 'values', values, 1);
    if (values.dtype !== 'float32') throw new LabInputError(FN, 'values', 'must have dtype float32', values);
    if (values.shape[0] !== a.nnz)
      throw new LabInputError(FN, 'values', `must have length nnz = ${a.nnz}`, values);
    const f = tf.customGrad((bIn, vIn, save) => {
      const bData = (bIn as tf.Tensor).dataSync() as Float32Array;
      const vData = (vIn as tf.Tensor).dataSync() as Float32Array;
      (save as tf.GradSaveFunc)([bIn as tf.Tensor]);
      const value = tf.tensor2d(spmm(a, vData, bData, k), [n, k]);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const dyData = dy.dataSync() as Float32Array;
          const bSaved = (saved[0] as tf.Tensor).dataSync() as Float32Array;
          return [
            tf.tensor2d(spmmTransposed(a, vData, dyData, k), [m, k]),
            tf.tensor1d(valuesGrad(a, bSaved, dyData, k)),
          ];
        },
      };
    });
    return f(b, values) as tf.Tensor2D;
  }

  let vals: Float32Array = a.values;
  if (values !== undefined) {
    const v = values as { length?: unknown } | null;
    if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
      throw new LabInputError(
        FN,
        'values',
        'must be a tf.Tensor1D, a Float32Array or an array of numbers',
        values,
      );
    }
    if (values.length !== a.nnz)
      throw new LabInputError(FN, 'values', `must have length nnz = ${a.nnz}`, values.length);
    vals = Float32Array.from(values); // snapshot: the backward pass must see the forward's values
  }
  const f = tf.customGrad((bIn) => {
    const bData = (bIn as tf.Tensor).dataSync() as Float32Array;
    const value = tf.tensor2d(spmm(a, vals, bData, k), [n, k]);
    return {
      value,
      gradFunc: (dy: tf.Tensor) =>
        tf.tensor2d(spmmTransposed(a, vals, dy.dataSync() as Float32Array, k), [m, k]),
    };
  });
  return f(b) as tf.Tensor2D;
}
