import { readOptions } from '@lab/core';
import { type CsrMatrix, checkMatrix, checkOperand, checkOut, zeroPointOf } from './sparseMatrix.js';

/** Options for {@link csrMatVec}. */
export interface CsrMatVecOptions<O extends Float32Array | Int32Array = Float32Array | Int32Array> {
  /** Output array to fill (length `a.rows`); a new one when omitted. */
  out?: O;
  /** Int8 only: the input's zero point `z`; computes `A (x - z)` exactly. Default 0. */
  inputZeroPoint?: number;
}

/**
 * Sparse matrix-vector product `y = A x` with a CSR matrix, touching only stored non-zeros.
 * Float matrices take a Float32Array `x` and return float32 (sums in float64); int8 matrices take
 * an Int8Array `x` and return the exact int32 accumulators `A (x - inputZeroPoint)`.
 *
 * @param a - CSR matrix `m x k` (from {@link csrFromDense} or {@link csrFromInt8Tensor}).
 * @param x - Input vector of length `k` (not modified).
 * @param options - Output array and int8 input zero point.
 * @returns `y` of length `m`.
 * @throws LabInputError naming `csrMatVec` for mismatched lengths or element types.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351.
 */
export function csrMatVec(
  a: CsrMatrix<Float32Array>,
  x: Float32Array,
  options?: CsrMatVecOptions<Float32Array>,
): Float32Array;
export function csrMatVec(
  a: CsrMatrix<Int8Array>,
  x: Int8Array,
  options?: CsrMatVecOptions<Int32Array>,
): Int32Array;
export function csrMatVec(
  a: CsrMatrix,
  x: Float32Array | Int8Array,
  options: CsrMatVecOptions = {},
): Float32Array | Int32Array {
  const fn = 'csrMatVec';
  readOptions(fn, options, ['out', 'inputZeroPoint']);
  checkMatrix(fn, a, 'csr');
  const int8 = a.values instanceof Int8Array;
  checkOperand(fn, 'x', x, int8, a.cols);
  checkOut(fn, options.out, int8, a.rows);
  const zp = zeroPointOf(fn, options.inputZeroPoint, int8);
  if (int8) {
    const y = (options.out as Int32Array | undefined) ?? new Int32Array(a.rows);
    csrMatVecI8(a.rows, a.rowPtr, a.colIdx, a.values as Int8Array, x as Int8Array, y);
    if (zp !== 0) {
      const sums = a.rowSums as Int32Array;
      for (let i = 0; i < a.rows; i++) y[i] -= zp * sums[i];
    }
    return y;
  }
  const y = (options.out as Float32Array | undefined) ?? new Float32Array(a.rows);
  csrMatVecF32(a.rows, a.rowPtr, a.colIdx, a.values as Float32Array, x as Float32Array, y);
  return y;
}

function csrMatVecF32(
  rows: number,
  rp: Int32Array,
  ci: Int32Array,
  v: Float32Array,
  x: Float32Array,
  y: Float32Array,
): void {
  for (let i = 0; i < rows; i++) {
    let p = rp[i];
    const e = rp[i + 1];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (; p + 3 < e; p += 4) {
      s0 += v[p] * x[ci[p]];
      s1 += v[p + 1] * x[ci[p + 1]];
      s2 += v[p + 2] * x[ci[p + 2]];
      s3 += v[p + 3] * x[ci[p + 3]];
    }
    for (; p < e; p++) s0 += v[p] * x[ci[p]];
    y[i] = s0 + s1 + (s2 + s3);
  }
}

/**
 * Int8 twin of {@link csrMatVecF32} (exact int32 sums, two lanes). A separate copy on purpose: one
 * loop over both element types would make V8's typed-array accesses polymorphic (slower).
 */
function csrMatVecI8(
  rows: number,
  rp: Int32Array,
  ci: Int32Array,
  v: Int8Array,
  x: Int8Array,
  y: Int32Array,
): void {
  for (let i = 0; i < rows; i++) {
    let p = rp[i];
    const e = rp[i + 1];
    let s0 = 0;
    let s1 = 0;
    for (; p + 3 < e; p += 4) {
      s0 += v[p] * x[ci[p]] + v[p + 1] * x[ci[p + 1]];
      s1 += v[p + 2] * x[ci[p + 2]] + v[p + 3] * x[ci[p + 3]];
    }
    for (; p < e; p++) s0 += v[p] * x[ci[p]];
    y[i] = s0 + s1;
  }
}
