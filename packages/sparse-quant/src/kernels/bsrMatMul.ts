import { LabInputError } from '@lab/core';
import {
  type BsrMatrix,
  checkDim,
  checkMatrix,
  checkOperand,
  checkOut,
  zeroPointOf,
} from './sparseMatrix.js';

/** Options for {@link bsrMatMul}. */
export interface BsrMatMulOptions<O extends Float32Array | Int32Array = Float32Array | Int32Array> {
  /** Output array to fill (length `a.rows * n`); a new one when omitted. */
  out?: O;
  /** Int8 only: the input's zero point `z`; computes `A (B - z)` exactly. Default 0. */
  inputZeroPoint?: number;
}

/**
 * Block-sparse matrix-matrix product `C = A B` with a BSR matrix `A` (`m x k`) and a dense
 * row-major `B` (`k x n`), touching only A's stored blocks; `C` is row-major `m x n`. For a batch
 * of inputs `X` (`n x k`), pass `B = X^T`. Each stored weight updates a contiguous row of the
 * block row's accumulator with a contiguous row of `B` (zeros inside a stored block are skipped).
 * Float: float32 in and out (sums in float64). Int8: Int8Array `B`, exact int32 accumulators.
 *
 * @param a - BSR matrix `m x k` (not modified).
 * @param b - Dense row-major `k x n` (not modified).
 * @param n - Columns of `B` (the batch size).
 * @param options - Output array and int8 input zero point.
 * @returns `C`, row-major `m x n`.
 * @throws LabInputError naming `bsrMatMul` for mismatched lengths or element types.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (block pruning).
 */
export function bsrMatMul(
  a: BsrMatrix<Float32Array>,
  b: Float32Array,
  n: number,
  options?: BsrMatMulOptions<Float32Array>,
): Float32Array;
export function bsrMatMul(
  a: BsrMatrix<Int8Array>,
  b: Int8Array,
  n: number,
  options?: BsrMatMulOptions<Int32Array>,
): Int32Array;
export function bsrMatMul(
  a: BsrMatrix,
  b: Float32Array | Int8Array,
  n: number,
  options: BsrMatMulOptions = {},
): Float32Array | Int32Array {
  const fn = 'bsrMatMul';
  checkMatrix(fn, a, 'bsr');
  checkDim(fn, 'n', n);
  const int8 = a.values instanceof Int8Array;
  checkOperand(fn, 'b', b, int8, a.cols * n);
  checkOut(fn, options.out, int8, a.rows * n);
  if (options.out !== undefined && options.out.buffer === b.buffer)
    throw new LabInputError(fn, 'options.out', 'must not share memory with b');
  const zp = zeroPointOf(fn, options.inputZeroPoint, int8);
  if (int8) {
    const c = (options.out as Int32Array | undefined) ?? new Int32Array(a.rows * n);
    bsrMatMulI8(a, n, b as Int8Array, c);
    if (zp !== 0) {
      const sums = a.rowSums as Int32Array;
      for (let i = 0; i < a.rows; i++) {
        const corr = zp * sums[i];
        for (let j = 0; j < n; j++) c[i * n + j] -= corr;
      }
    }
    return c;
  }
  const c = (options.out as Float32Array | undefined) ?? new Float32Array(a.rows * n);
  bsrMatMulF32(a as BsrMatrix<Float32Array>, n, b as Float32Array, c);
  return c;
}

function bsrMatMulF32(a: BsrMatrix<Float32Array>, n: number, b: Float32Array, c: Float32Array): void {
  const { rows: m, cols: k, blockRows: br, blockCols: bc, blockRowPtr: ptr, blockColIdx: ci, values: v } = a;
  const nbr = Math.ceil(m / br);
  const size = br * bc;
  const acc = new Float64Array(br * n);
  for (let bi = 0; bi < nbr; bi++) {
    const r0 = bi * br;
    const rn = Math.min(br, m - r0);
    acc.fill(0);
    const e = ptr[bi + 1];
    for (let p = ptr[bi]; p < e; p++) {
      const cs = ci[p] * bc;
      const cn = Math.min(bc, k - cs);
      const o = p * size;
      for (let cc = 0; cc < cn; cc++) {
        const bo = (cs + cc) * n;
        for (let r = 0; r < rn; r++) {
          const val = v[o + r * bc + cc];
          if (val === 0) continue;
          const ao = r * n;
          for (let j = 0; j < n; j++) acc[ao + j] += val * b[bo + j];
        }
      }
    }
    const co = r0 * n;
    const len = rn * n;
    for (let t = 0; t < len; t++) c[co + t] = acc[t];
  }
}

function bsrMatMulI8(a: BsrMatrix, n: number, b: Int8Array, c: Int32Array): void {
  const { rows: m, cols: k, blockRows: br, blockCols: bc, blockRowPtr: ptr, blockColIdx: ci } = a;
  const v = a.values as Int8Array;
  const nbr = Math.ceil(m / br);
  const size = br * bc;
  c.fill(0);
  for (let bi = 0; bi < nbr; bi++) {
    const r0 = bi * br;
    const rn = Math.min(br, m - r0);
    const e = ptr[bi + 1];
    for (let p = ptr[bi]; p < e; p++) {
      const cs = ci[p] * bc;
      const cn = Math.min(bc, k - cs);
      const o = p * size;
      for (let cc = 0; cc < cn; cc++) {
        const bo = (cs + cc) * n;
        for (let r = 0; r < rn; r++) {
          const val = v[o + r * bc + cc];
          if (val === 0) continue;
          const co = (r0 + r) * n;
          for (let j = 0; j < n; j++) c[co + j] += val * b[bo + j];
        }
      }
    }
  }
}
