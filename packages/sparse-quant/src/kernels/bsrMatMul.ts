import { readOptions } from '@lab/core';
import { type BsrMatrix, checkMatMulArgs } from './sparseMatrix.js';

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
  readOptions(fn, options, ['out', 'inputZeroPoint']);
  const { int8, zp } = checkMatMulArgs(fn, 'bsr', a, b, n, options);
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
  bsrMatMulF32(a, n, b as Float32Array, c);
  return c;
}

/** Generic block shape; edge blocks clipped. Accumulates one block row at a time. */
function bsrMatMulF32(a: BsrMatrix, n: number, b: Float32Array, c: Float32Array): void {
  const { rows: m, cols: k, blockRows: br, blockCols: bc, blockRowPtr: ptr, blockColIdx: ci } = a;
  const v = a.values as Float32Array;
  const nbr = Math.ceil(m / br);
  const size = br * bc;
  const acc = new Float64Array(br * n);
  for (let bi = 0; bi < nbr; bi++) {
    const r0 = bi * br;
    const rn = Math.min(br, m - r0);
    acc.fill(0);
    const e = ptr[bi + 1];
    if (bc < 4) {
      // Narrow blocks: group four stored blocks' values per pass (same in-block row and column).
      for (let r = 0; r < rn; r++) {
        const ao = r * n;
        for (let cc = 0; cc < bc; cc++) {
          let p = ptr[bi];
          for (; p + 3 < e; p += 4) {
            const v0 = v[p * size + r * bc + cc];
            const v1 = v[(p + 1) * size + r * bc + cc];
            const v2 = v[(p + 2) * size + r * bc + cc];
            const v3 = v[(p + 3) * size + r * bc + cc];
            // Edge blocks: columns past k hold zero weights, so clamp their row to a valid one.
            const o0 = Math.min(ci[p] * bc + cc, k - 1) * n;
            const o1 = Math.min(ci[p + 1] * bc + cc, k - 1) * n;
            const o2 = Math.min(ci[p + 2] * bc + cc, k - 1) * n;
            const o3 = Math.min(ci[p + 3] * bc + cc, k - 1) * n;
            for (let j = 0; j < n; j++)
              acc[ao + j] += v0 * b[o0 + j] + v1 * b[o1 + j] + v2 * b[o2 + j] + v3 * b[o3 + j];
          }
          for (; p < e; p++) {
            const col = ci[p] * bc + cc;
            const val = v[p * size + r * bc + cc];
            if (col >= k || val === 0) continue;
            const bo = col * n;
            for (let j = 0; j < n; j++) acc[ao + j] += val * b[bo + j];
          }
        }
      }
    } else {
      for (let p = ptr[bi]; p < e; p++) {
        const cs = ci[p] * bc;
        const cn = Math.min(bc, k - cs);
        const o = p * size;
        for (let r = 0; r < rn; r++) {
          const ro = o + r * bc;
          const ao = r * n;
          let cc = 0;
          // Eight, then four weights of the block row per pass over the accumulator row.
          for (; cc + 7 < cn; cc += 8) {
            const v0 = v[ro + cc];
            const v1 = v[ro + cc + 1];
            const v2 = v[ro + cc + 2];
            const v3 = v[ro + cc + 3];
            const v4 = v[ro + cc + 4];
            const v5 = v[ro + cc + 5];
            const v6 = v[ro + cc + 6];
            const v7 = v[ro + cc + 7];
            const o0 = (cs + cc) * n;
            const o1 = o0 + n;
            const o2 = o1 + n;
            const o3 = o2 + n;
            const o4 = o3 + n;
            const o5 = o4 + n;
            const o6 = o5 + n;
            const o7 = o6 + n;
            for (let j = 0; j < n; j++) {
              acc[ao + j] +=
                v0 * b[o0 + j] +
                v1 * b[o1 + j] +
                v2 * b[o2 + j] +
                v3 * b[o3 + j] +
                v4 * b[o4 + j] +
                v5 * b[o5 + j] +
                v6 * b[o6 + j] +
                v7 * b[o7 + j];
            }
          }
          for (; cc + 3 < cn; cc += 4) {
            const v0 = v[ro + cc];
            const v1 = v[ro + cc + 1];
            const v2 = v[ro + cc + 2];
            const v3 = v[ro + cc + 3];
            const o0 = (cs + cc) * n;
            const o1 = o0 + n;
            const o2 = o1 + n;
            const o3 = o2 + n;
            for (let j = 0; j < n; j++)
              acc[ao + j] += v0 * b[o0 + j] + v1 * b[o1 + j] + v2 * b[o2 + j] + v3 * b[o3 + j];
          }
          for (; cc < cn; cc++) {
            const val = v[ro + cc];
            if (val === 0) continue;
            const bo = (cs + cc) * n;
            for (let j = 0; j < n; j++) acc[ao + j] += val * b[bo + j];
          }
        }
      }
    }
    const co = r0 * n;
    const len = rn * n;
    for (let t = 0; t < len; t++) c[co + t] = acc[t];
  }
}

/**
 * As {@link bsrMatMulF32}, accumulating exactly in int32. A separate copy on purpose:
 * one loop over both element types would make V8's typed-array accesses polymorphic (slower).
 */
function bsrMatMulI8(a: BsrMatrix, n: number, b: Int8Array, c: Int32Array): void {
  const { rows: m, cols: k, blockRows: br, blockCols: bc, blockRowPtr: ptr, blockColIdx: ci } = a;
  const v = a.values as Int8Array;
  const nbr = Math.ceil(m / br);
  const size = br * bc;
  const acc = new Int32Array(br * n);
  for (let bi = 0; bi < nbr; bi++) {
    const r0 = bi * br;
    const rn = Math.min(br, m - r0);
    acc.fill(0);
    const e = ptr[bi + 1];
    if (bc < 4) {
      // Narrow blocks: group four stored blocks' values per pass (same in-block row and column).
      for (let r = 0; r < rn; r++) {
        const ao = r * n;
        for (let cc = 0; cc < bc; cc++) {
          let p = ptr[bi];
          for (; p + 3 < e; p += 4) {
            const v0 = v[p * size + r * bc + cc];
            const v1 = v[(p + 1) * size + r * bc + cc];
            const v2 = v[(p + 2) * size + r * bc + cc];
            const v3 = v[(p + 3) * size + r * bc + cc];
            // Edge blocks: columns past k hold zero weights, so clamp their row to a valid one.
            const o0 = Math.min(ci[p] * bc + cc, k - 1) * n;
            const o1 = Math.min(ci[p + 1] * bc + cc, k - 1) * n;
            const o2 = Math.min(ci[p + 2] * bc + cc, k - 1) * n;
            const o3 = Math.min(ci[p + 3] * bc + cc, k - 1) * n;
            for (let j = 0; j < n; j++)
              acc[ao + j] += v0 * b[o0 + j] + v1 * b[o1 + j] + v2 * b[o2 + j] + v3 * b[o3 + j];
          }
          for (; p < e; p++) {
            const col = ci[p] * bc + cc;
            const val = v[p * size + r * bc + cc];
            if (col >= k || val === 0) continue;
            const bo = col * n;
            for (let j = 0; j < n; j++) acc[ao + j] += val * b[bo + j];
          }
        }
      }
    } else {
      for (let p = ptr[bi]; p < e; p++) {
        const cs = ci[p] * bc;
        const cn = Math.min(bc, k - cs);
        const o = p * size;
        for (let r = 0; r < rn; r++) {
          const ro = o + r * bc;
          const ao = r * n;
          let cc = 0;
          // Eight, then four weights of the block row per pass over the accumulator row.
          for (; cc + 7 < cn; cc += 8) {
            const v0 = v[ro + cc];
            const v1 = v[ro + cc + 1];
            const v2 = v[ro + cc + 2];
            const v3 = v[ro + cc + 3];
            const v4 = v[ro + cc + 4];
            const v5 = v[ro + cc + 5];
            const v6 = v[ro + cc + 6];
            const v7 = v[ro + cc + 7];
            const o0 = (cs + cc) * n;
            const o1 = o0 + n;
            const o2 = o1 + n;
            const o3 = o2 + n;
            const o4 = o3 + n;
            const o5 = o4 + n;
            const o6 = o5 + n;
            const o7 = o6 + n;
            for (let j = 0; j < n; j++) {
              acc[ao + j] +=
                v0 * b[o0 + j] +
                v1 * b[o1 + j] +
                v2 * b[o2 + j] +
                v3 * b[o3 + j] +
                v4 * b[o4 + j] +
                v5 * b[o5 + j] +
                v6 * b[o6 + j] +
                v7 * b[o7 + j];
            }
          }
          for (; cc + 3 < cn; cc += 4) {
            const v0 = v[ro + cc];
            const v1 = v[ro + cc + 1];
            const v2 = v[ro + cc + 2];
            const v3 = v[ro + cc + 3];
            const o0 = (cs + cc) * n;
            const o1 = o0 + n;
            const o2 = o1 + n;
            const o3 = o2 + n;
            for (let j = 0; j < n; j++)
              acc[ao + j] += v0 * b[o0 + j] + v1 * b[o1 + j] + v2 * b[o2 + j] + v3 * b[o3 + j];
          }
          for (; cc < cn; cc++) {
            const val = v[ro + cc];
            if (val === 0) continue;
            const bo = (cs + cc) * n;
            for (let j = 0; j < n; j++) acc[ao + j] += val * b[bo + j];
          }
        }
      }
    }
    const co = r0 * n;
    const len = rn * n;
    for (let t = 0; t < len; t++) c[co + t] = acc[t];
  }
}
