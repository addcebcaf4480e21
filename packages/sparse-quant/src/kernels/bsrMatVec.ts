import { readOptions } from '@lab/core';
// The unrolled kernels are generated (scripts/generate-bsr-kernels.ts): edit the script, not them.
import {
  bsrMatVec1x16F32,
  bsrMatVec1x16I8,
  bsrMatVec4x4F32,
  bsrMatVec4x4I8,
  bsrMatVec8x8F32,
  bsrMatVec8x8I8,
  bsrMatVec16x1F32,
  bsrMatVec16x1I8,
  bsrMatVecGenericF32,
  bsrMatVecGenericI8,
} from './bsrMatVecKernels.js';
import { type BsrMatrix, checkMatrix, checkOperand, checkOut, zeroPointOf } from './sparseMatrix.js';

/** Options for {@link bsrMatVec}. */
export interface BsrMatVecOptions<O extends Float32Array | Int32Array = Float32Array | Int32Array> {
  /** Output array to fill (length `a.rows`); a new one when omitted. */
  out?: O;
  /** Int8 only: the input's zero point `z`; computes `A (x - z)` exactly. Default 0. */
  inputZeroPoint?: number;
}

/**
 * Block-sparse matrix-vector product `y = A x` with a BSR matrix, touching only stored blocks.
 * 8x8, 4x4, 1x16 and 16x1 blocks use fully unrolled loops (x loaded once per block, row sums in
 * registers); other shapes and edge blocks a generic clipped loop. Float: float32 in and
 * out (sums in float64). Int8: Int8Array `x`, exact int32 accumulators `A (x - inputZeroPoint)`.
 *
 * @param a - BSR matrix `m x k` (from {@link bsrFromDense} or {@link bsrFromInt8Tensor}).
 * @param x - Input vector of length `k` (not modified).
 * @param options - Output array and int8 input zero point.
 * @returns `y` of length `m`.
 * @throws LabInputError naming `bsrMatVec` for mismatched lengths or element types.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (block pruning).
 */
export function bsrMatVec(
  a: BsrMatrix<Float32Array>,
  x: Float32Array,
  options?: BsrMatVecOptions<Float32Array>,
): Float32Array;
export function bsrMatVec(
  a: BsrMatrix<Int8Array>,
  x: Int8Array,
  options?: BsrMatVecOptions<Int32Array>,
): Int32Array;
export function bsrMatVec(
  a: BsrMatrix,
  x: Float32Array | Int8Array,
  options: BsrMatVecOptions = {},
): Float32Array | Int32Array {
  const fn = 'bsrMatVec';
  readOptions(fn, options, ['out', 'inputZeroPoint']);
  checkMatrix(fn, a, 'bsr');
  const int8 = a.values instanceof Int8Array;
  checkOperand(fn, 'x', x, int8, a.cols);
  checkOut(fn, options.out, int8, a.rows);
  const zp = zeroPointOf(fn, options.inputZeroPoint, int8);
  const { rows: m, cols: k, blockRows: br, blockCols: bc, blockRowPtr: ptr, blockColIdx: ci } = a;
  const special = br === bc && (br === 8 || br === 4);
  const row16 = br === 1 && bc === 16;
  const col16 = br === 16 && bc === 1;
  const nbrFull = special || col16 ? Math.floor(m / br) : 0;
  if (int8) {
    const y = (options.out as Int32Array | undefined) ?? new Int32Array(m);
    const v = a.values as Int8Array;
    const xi = x as Int8Array;
    if (special && br === 8) bsrMatVec8x8I8(nbrFull, k, ptr, ci, v, xi, y);
    else if (special) bsrMatVec4x4I8(nbrFull, k, ptr, ci, v, xi, y);
    else if (row16) bsrMatVec1x16I8(m, k, ptr, ci, v, xi, y);
    else if (col16) bsrMatVec16x1I8(nbrFull, ptr, ci, v, xi, y);
    if (!row16) bsrMatVecGenericI8(nbrFull, m, k, br, bc, ptr, ci, v, xi, y);
    if (zp !== 0) {
      const sums = a.rowSums as Int32Array;
      for (let i = 0; i < m; i++) y[i] -= zp * sums[i];
    }
    return y;
  }
  const y = (options.out as Float32Array | undefined) ?? new Float32Array(m);
  const v = a.values as Float32Array;
  const xf = x as Float32Array;
  if (special && br === 8) bsrMatVec8x8F32(nbrFull, k, ptr, ci, v, xf, y);
  else if (special) bsrMatVec4x4F32(nbrFull, k, ptr, ci, v, xf, y);
  else if (row16) bsrMatVec1x16F32(m, k, ptr, ci, v, xf, y);
  else if (col16) bsrMatVec16x1F32(nbrFull, ptr, ci, v, xf, y);
  if (!row16) bsrMatVecGenericF32(nbrFull, m, k, br, bc, ptr, ci, v, xf, y);
  return y;
}
