import { readOptions } from '@lab/core';
import { type CsrMatrix, checkMatMulArgs } from './sparseMatrix.js';

/** Options for {@link csrMatMul}. */
export interface CsrMatMulOptions<O extends Float32Array | Int32Array = Float32Array | Int32Array> {
  /** Output array to fill (length `a.rows * n`); a new one when omitted. */
  out?: O;
  /** Int8 only: the input's zero point `z`; computes `A (B - z)` exactly. Default 0. */
  inputZeroPoint?: number;
}

/**
 * Sparse matrix-matrix product `C = A B` with a CSR matrix `A` (`m x k`) and a dense row-major
 * `B` (`k x n`), touching only A's stored non-zeros; `C` is row-major `m x n`. For a batch of
 * inputs `X` (`n x k`), pass `B = X^T` (one input per column). Float: float32 in and out
 * (sums in float64). Int8: Int8Array `B`, exact int32 accumulators.
 *
 * @param a - CSR matrix `m x k` (not modified).
 * @param b - Dense row-major `k x n` (not modified).
 * @param n - Columns of `B` (the batch size).
 * @param options - Output array and int8 input zero point.
 * @returns `C`, row-major `m x n`.
 * @throws LabInputError naming `csrMatMul` for mismatched lengths or element types.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351.
 */
export function csrMatMul(
  a: CsrMatrix<Float32Array>,
  b: Float32Array,
  n: number,
  options?: CsrMatMulOptions<Float32Array>,
): Float32Array;
export function csrMatMul(
  a: CsrMatrix<Int8Array>,
  b: Int8Array,
  n: number,
  options?: CsrMatMulOptions<Int32Array>,
): Int32Array;
export function csrMatMul(
  a: CsrMatrix,
  b: Float32Array | Int8Array,
  n: number,
  options: CsrMatMulOptions = {},
): Float32Array | Int32Array {
  const fn = 'csrMatMul';
  readOptions(fn, options, ['out', 'inputZeroPoint']);
  const { int8, zp } = checkMatMulArgs(fn, 'csr', a, b, n, options);
  if (int8) {
    const c = (options.out as Int32Array | undefined) ?? new Int32Array(a.rows * n);
    csrMatMulI8(
      a.rows,
      n,
      a.rowPtr,
      a.colIdx,
      a.values as Int8Array,
      b as Int8Array,
      c,
      zp,
      a.rowSums as Int32Array,
    );
    return c;
  }
  const c = (options.out as Float32Array | undefined) ?? new Float32Array(a.rows * n);
  csrMatMulF32(a.rows, n, a.rowPtr, a.colIdx, a.values as Float32Array, b as Float32Array, c);
  return c;
}

/**
 * Row i of C accumulates val * (row col of B) for each stored non-zero; four non-zeros are
 * combined per pass over the accumulator row, cutting its loads and stores four-fold.
 */
function csrMatMulF32(
  rows: number,
  n: number,
  rp: Int32Array,
  ci: Int32Array,
  v: Float32Array,
  b: Float32Array,
  c: Float32Array,
): void {
  const acc = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    acc.fill(0);
    const e = rp[i + 1];
    let p = rp[i];
    for (; p + 3 < e; p += 4) {
      const v0 = v[p];
      const v1 = v[p + 1];
      const v2 = v[p + 2];
      const v3 = v[p + 3];
      const o0 = ci[p] * n;
      const o1 = ci[p + 1] * n;
      const o2 = ci[p + 2] * n;
      const o3 = ci[p + 3] * n;
      for (let j = 0; j < n; j++) acc[j] += v0 * b[o0 + j] + v1 * b[o1 + j] + v2 * b[o2 + j] + v3 * b[o3 + j];
    }
    for (; p < e; p++) {
      const val = v[p];
      const bo = ci[p] * n;
      for (let j = 0; j < n; j++) acc[j] += val * b[bo + j];
    }
    const co = i * n;
    for (let j = 0; j < n; j++) c[co + j] = acc[j];
  }
}

/**
 * As {@link csrMatMulF32}, accumulating exactly in int32. A separate copy on purpose:
 * one loop over both element types would make V8's typed-array accesses polymorphic (slower).
 */
function csrMatMulI8(
  rows: number,
  n: number,
  rp: Int32Array,
  ci: Int32Array,
  v: Int8Array,
  b: Int8Array,
  c: Int32Array,
  zp: number,
  sums: Int32Array,
): void {
  for (let i = 0; i < rows; i++) {
    const co = i * n;
    const corr = zp === 0 ? 0 : zp * sums[i];
    for (let j = 0; j < n; j++) c[co + j] = -corr;
    const e = rp[i + 1];
    let p = rp[i];
    for (; p + 3 < e; p += 4) {
      const v0 = v[p];
      const v1 = v[p + 1];
      const v2 = v[p + 2];
      const v3 = v[p + 3];
      const o0 = ci[p] * n;
      const o1 = ci[p + 1] * n;
      const o2 = ci[p + 2] * n;
      const o3 = ci[p + 3] * n;
      for (let j = 0; j < n; j++)
        c[co + j] += v0 * b[o0 + j] + v1 * b[o1 + j] + v2 * b[o2 + j] + v3 * b[o3 + j];
    }
    for (; p < e; p++) {
      const val = v[p];
      const bo = ci[p] * n;
      for (let j = 0; j < n; j++) c[co + j] += val * b[bo + j];
    }
  }
}
