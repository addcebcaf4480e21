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

// Kernels below: one unrolled copy per block shape (8x8, 4x4, 1x16, 16x1, generic) and element
// type (F32, I8). The near-identical copies are deliberate specialisations for speed: fixed
// block shapes let the loops unroll fully, and one element type per loop keeps V8's typed-array
// accesses monomorphic. Unifying them would slow the hot loop.

/** 8x8 blocks, full block rows only; the last block column may be an edge block. */
function bsrMatVec8x8F32(
  nbrFull: number,
  k: number,
  ptr: Int32Array,
  ci: Int32Array,
  v: Float32Array,
  x: Float32Array,
  y: Float32Array,
): void {
  for (let bi = 0; bi < nbrFull; bi++) {
    let y0 = 0;
    let y1 = 0;
    let y2 = 0;
    let y3 = 0;
    let y4 = 0;
    let y5 = 0;
    let y6 = 0;
    let y7 = 0;
    const e = ptr[bi + 1];
    for (let p = ptr[bi]; p < e; p++) {
      const cs = ci[p] * 8;
      let o = p * 64;
      if (cs + 8 > k) {
        const cn = k - cs;
        for (let c = 0; c < cn; c++) y0 += v[o + 0 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y1 += v[o + 8 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y2 += v[o + 16 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y3 += v[o + 24 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y4 += v[o + 32 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y5 += v[o + 40 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y6 += v[o + 48 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y7 += v[o + 56 + c] * x[cs + c];
        continue;
      }
      const x0 = x[cs];
      const x1 = x[cs + 1];
      const x2 = x[cs + 2];
      const x3 = x[cs + 3];
      const x4 = x[cs + 4];
      const x5 = x[cs + 5];
      const x6 = x[cs + 6];
      const x7 = x[cs + 7];
      y0 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y1 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y2 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y3 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y4 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y5 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y6 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y7 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
    }
    const r0 = bi * 8;
    y[r0] = y0;
    y[r0 + 1] = y1;
    y[r0 + 2] = y2;
    y[r0 + 3] = y3;
    y[r0 + 4] = y4;
    y[r0 + 5] = y5;
    y[r0 + 6] = y6;
    y[r0 + 7] = y7;
  }
}

/** 4x4 blocks, full block rows only; the last block column may be an edge block. */
function bsrMatVec4x4F32(
  nbrFull: number,
  k: number,
  ptr: Int32Array,
  ci: Int32Array,
  v: Float32Array,
  x: Float32Array,
  y: Float32Array,
): void {
  for (let bi = 0; bi < nbrFull; bi++) {
    let y0 = 0;
    let y1 = 0;
    let y2 = 0;
    let y3 = 0;
    const e = ptr[bi + 1];
    for (let p = ptr[bi]; p < e; p++) {
      const cs = ci[p] * 4;
      let o = p * 16;
      if (cs + 4 > k) {
        const cn = k - cs;
        for (let c = 0; c < cn; c++) y0 += v[o + 0 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y1 += v[o + 4 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y2 += v[o + 8 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y3 += v[o + 12 + c] * x[cs + c];
        continue;
      }
      const x0 = x[cs];
      const x1 = x[cs + 1];
      const x2 = x[cs + 2];
      const x3 = x[cs + 3];
      y0 += v[o] * x0 + v[o + 1] * x1 + v[o + 2] * x2 + v[o + 3] * x3;
      o += 4;
      y1 += v[o] * x0 + v[o + 1] * x1 + v[o + 2] * x2 + v[o + 3] * x3;
      o += 4;
      y2 += v[o] * x0 + v[o + 1] * x1 + v[o + 2] * x2 + v[o + 3] * x3;
      o += 4;
      y3 += v[o] * x0 + v[o + 1] * x1 + v[o + 2] * x2 + v[o + 3] * x3;
    }
    const r0 = bi * 4;
    y[r0] = y0;
    y[r0 + 1] = y1;
    y[r0 + 2] = y2;
    y[r0 + 3] = y3;
  }
}

/** 8x8 blocks, full block rows only; the last block column may be an edge block. */
function bsrMatVec8x8I8(
  nbrFull: number,
  k: number,
  ptr: Int32Array,
  ci: Int32Array,
  v: Int8Array,
  x: Int8Array,
  y: Int32Array,
): void {
  for (let bi = 0; bi < nbrFull; bi++) {
    let y0 = 0;
    let y1 = 0;
    let y2 = 0;
    let y3 = 0;
    let y4 = 0;
    let y5 = 0;
    let y6 = 0;
    let y7 = 0;
    const e = ptr[bi + 1];
    for (let p = ptr[bi]; p < e; p++) {
      const cs = ci[p] * 8;
      let o = p * 64;
      if (cs + 8 > k) {
        const cn = k - cs;
        for (let c = 0; c < cn; c++) y0 += v[o + 0 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y1 += v[o + 8 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y2 += v[o + 16 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y3 += v[o + 24 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y4 += v[o + 32 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y5 += v[o + 40 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y6 += v[o + 48 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y7 += v[o + 56 + c] * x[cs + c];
        continue;
      }
      const x0 = x[cs];
      const x1 = x[cs + 1];
      const x2 = x[cs + 2];
      const x3 = x[cs + 3];
      const x4 = x[cs + 4];
      const x5 = x[cs + 5];
      const x6 = x[cs + 6];
      const x7 = x[cs + 7];
      y0 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y1 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y2 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y3 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y4 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y5 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y6 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
      o += 8;
      y7 +=
        v[o] * x0 +
        v[o + 1] * x1 +
        v[o + 2] * x2 +
        v[o + 3] * x3 +
        v[o + 4] * x4 +
        v[o + 5] * x5 +
        v[o + 6] * x6 +
        v[o + 7] * x7;
    }
    const r0 = bi * 8;
    y[r0] = y0;
    y[r0 + 1] = y1;
    y[r0 + 2] = y2;
    y[r0 + 3] = y3;
    y[r0 + 4] = y4;
    y[r0 + 5] = y5;
    y[r0 + 6] = y6;
    y[r0 + 7] = y7;
  }
}

/** 4x4 blocks, full block rows only; the last block column may be an edge block. */
function bsrMatVec4x4I8(
  nbrFull: number,
  k: number,
  ptr: Int32Array,
  ci: Int32Array,
  v: Int8Array,
  x: Int8Array,
  y: Int32Array,
): void {
  for (let bi = 0; bi < nbrFull; bi++) {
    let y0 = 0;
    let y1 = 0;
    let y2 = 0;
    let y3 = 0;
    const e = ptr[bi + 1];
    for (let p = ptr[bi]; p < e; p++) {
      const cs = ci[p] * 4;
      let o = p * 16;
      if (cs + 4 > k) {
        const cn = k - cs;
        for (let c = 0; c < cn; c++) y0 += v[o + 0 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y1 += v[o + 4 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y2 += v[o + 8 + c] * x[cs + c];
        for (let c = 0; c < cn; c++) y3 += v[o + 12 + c] * x[cs + c];
        continue;
      }
      const x0 = x[cs];
      const x1 = x[cs + 1];
      const x2 = x[cs + 2];
      const x3 = x[cs + 3];
      y0 += v[o] * x0 + v[o + 1] * x1 + v[o + 2] * x2 + v[o + 3] * x3;
      o += 4;
      y1 += v[o] * x0 + v[o + 1] * x1 + v[o + 2] * x2 + v[o + 3] * x3;
      o += 4;
      y2 += v[o] * x0 + v[o + 1] * x1 + v[o + 2] * x2 + v[o + 3] * x3;
      o += 4;
      y3 += v[o] * x0 + v[o + 1] * x1 + v[o + 2] * x2 + v[o + 3] * x3;
    }
    const r0 = bi * 4;
    y[r0] = y0;
    y[r0 + 1] = y1;
    y[r0 + 2] = y2;
    y[r0 + 3] = y3;
  }
}

/** Any block shape, block rows [bi0, nbr); clips edge blocks. */
function bsrMatVecGenericF32(
  bi0: number,
  m: number,
  k: number,
  br: number,
  bc: number,
  ptr: Int32Array,
  ci: Int32Array,
  v: Float32Array,
  x: Float32Array,
  y: Float32Array,
): void {
  const nbr = Math.ceil(m / br);
  const size = br * bc;
  const acc = new Float64Array(br);
  for (let bi = bi0; bi < nbr; bi++) {
    const r0 = bi * br;
    const rn = Math.min(br, m - r0);
    acc.fill(0);
    const e = ptr[bi + 1];
    for (let p = ptr[bi]; p < e; p++) {
      const cs = ci[p] * bc;
      const cn = Math.min(bc, k - cs);
      const o = p * size;
      if (bc === 1) {
        const xv = x[cs];
        for (let r = 0; r < rn; r++) acc[r] += v[o + r] * xv;
        continue;
      }
      for (let r = 0; r < rn; r++) {
        const ro = o + r * bc;
        let s = 0;
        for (let c = 0; c < cn; c++) s += v[ro + c] * x[cs + c];
        acc[r] += s;
      }
    }
    for (let r = 0; r < rn; r++) y[r0 + r] = acc[r];
  }
}

/** Any block shape, block rows [bi0, nbr); clips edge blocks. */
function bsrMatVecGenericI8(
  bi0: number,
  m: number,
  k: number,
  br: number,
  bc: number,
  ptr: Int32Array,
  ci: Int32Array,
  v: Int8Array,
  x: Int8Array,
  y: Int32Array,
): void {
  const nbr = Math.ceil(m / br);
  const size = br * bc;
  const acc = new Int32Array(br);
  for (let bi = bi0; bi < nbr; bi++) {
    const r0 = bi * br;
    const rn = Math.min(br, m - r0);
    acc.fill(0);
    const e = ptr[bi + 1];
    for (let p = ptr[bi]; p < e; p++) {
      const cs = ci[p] * bc;
      const cn = Math.min(bc, k - cs);
      const o = p * size;
      if (bc === 1) {
        const xv = x[cs];
        for (let r = 0; r < rn; r++) acc[r] += v[o + r] * xv;
        continue;
      }
      for (let r = 0; r < rn; r++) {
        const ro = o + r * bc;
        let s = 0;
        for (let c = 0; c < cn; c++) s += v[ro + c] * x[cs + c];
        acc[r] += s;
      }
    }
    for (let r = 0; r < rn; r++) y[r0 + r] = acc[r];
  }
}

/** 1x16 blocks (one row per block row); the last block column may be an edge block. */
function bsrMatVec1x16F32(
  m: number,
  k: number,
  ptr: Int32Array,
  ci: Int32Array,
  v: Float32Array,
  x: Float32Array,
  y: Float32Array,
): void {
  for (let i = 0; i < m; i++) {
    let s = 0;
    const e = ptr[i + 1];
    for (let p = ptr[i]; p < e; p++) {
      const cs = ci[p] * 16;
      const o = p * 16;
      if (cs + 16 > k) {
        for (let c = 0; c < k - cs; c++) s += v[o + c] * x[cs + c];
        continue;
      }
      s +=
        v[o] * x[cs] +
        v[o + 1] * x[cs + 1] +
        v[o + 2] * x[cs + 2] +
        v[o + 3] * x[cs + 3] +
        v[o + 4] * x[cs + 4] +
        v[o + 5] * x[cs + 5] +
        v[o + 6] * x[cs + 6] +
        v[o + 7] * x[cs + 7] +
        v[o + 8] * x[cs + 8] +
        v[o + 9] * x[cs + 9] +
        v[o + 10] * x[cs + 10] +
        v[o + 11] * x[cs + 11] +
        v[o + 12] * x[cs + 12] +
        v[o + 13] * x[cs + 13] +
        v[o + 14] * x[cs + 14] +
        v[o + 15] * x[cs + 15];
    }
    y[i] = s;
  }
}

/** 1x16 blocks (one row per block row); the last block column may be an edge block. */
function bsrMatVec1x16I8(
  m: number,
  k: number,
  ptr: Int32Array,
  ci: Int32Array,
  v: Int8Array,
  x: Int8Array,
  y: Int32Array,
): void {
  for (let i = 0; i < m; i++) {
    let s = 0;
    const e = ptr[i + 1];
    for (let p = ptr[i]; p < e; p++) {
      const cs = ci[p] * 16;
      const o = p * 16;
      if (cs + 16 > k) {
        for (let c = 0; c < k - cs; c++) s += v[o + c] * x[cs + c];
        continue;
      }
      s +=
        v[o] * x[cs] +
        v[o + 1] * x[cs + 1] +
        v[o + 2] * x[cs + 2] +
        v[o + 3] * x[cs + 3] +
        v[o + 4] * x[cs + 4] +
        v[o + 5] * x[cs + 5] +
        v[o + 6] * x[cs + 6] +
        v[o + 7] * x[cs + 7] +
        v[o + 8] * x[cs + 8] +
        v[o + 9] * x[cs + 9] +
        v[o + 10] * x[cs + 10] +
        v[o + 11] * x[cs + 11] +
        v[o + 12] * x[cs + 12] +
        v[o + 13] * x[cs + 13] +
        v[o + 14] * x[cs + 14] +
        v[o + 15] * x[cs + 15];
    }
    y[i] = s;
  }
}

/** 16x1 blocks, full block rows only (one x value per block). */
function bsrMatVec16x1F32(
  nbrFull: number,
  ptr: Int32Array,
  ci: Int32Array,
  v: Float32Array,
  x: Float32Array,
  y: Float32Array,
): void {
  for (let bi = 0; bi < nbrFull; bi++) {
    let y0 = 0;
    let y1 = 0;
    let y2 = 0;
    let y3 = 0;
    let y4 = 0;
    let y5 = 0;
    let y6 = 0;
    let y7 = 0;
    let y8 = 0;
    let y9 = 0;
    let y10 = 0;
    let y11 = 0;
    let y12 = 0;
    let y13 = 0;
    let y14 = 0;
    let y15 = 0;
    const e = ptr[bi + 1];
    for (let p = ptr[bi]; p < e; p++) {
      const xv = x[ci[p]];
      const o = p * 16;
      y0 += v[o] * xv;
      y1 += v[o + 1] * xv;
      y2 += v[o + 2] * xv;
      y3 += v[o + 3] * xv;
      y4 += v[o + 4] * xv;
      y5 += v[o + 5] * xv;
      y6 += v[o + 6] * xv;
      y7 += v[o + 7] * xv;
      y8 += v[o + 8] * xv;
      y9 += v[o + 9] * xv;
      y10 += v[o + 10] * xv;
      y11 += v[o + 11] * xv;
      y12 += v[o + 12] * xv;
      y13 += v[o + 13] * xv;
      y14 += v[o + 14] * xv;
      y15 += v[o + 15] * xv;
    }
    const r0 = bi * 16;
    y[r0 + 0] = y0;
    y[r0 + 1] = y1;
    y[r0 + 2] = y2;
    y[r0 + 3] = y3;
    y[r0 + 4] = y4;
    y[r0 + 5] = y5;
    y[r0 + 6] = y6;
    y[r0 + 7] = y7;
    y[r0 + 8] = y8;
    y[r0 + 9] = y9;
    y[r0 + 10] = y10;
    y[r0 + 11] = y11;
    y[r0 + 12] = y12;
    y[r0 + 13] = y13;
    y[r0 + 14] = y14;
    y[r0 + 15] = y15;
  }
}

/** 16x1 blocks, full block rows only (one x value per block). */
function bsrMatVec16x1I8(
  nbrFull: number,
  ptr: Int32Array,
  ci: Int32Array,
  v: Int8Array,
  x: Int8Array,
  y: Int32Array,
): void {
  for (let bi = 0; bi < nbrFull; bi++) {
    let y0 = 0;
    let y1 = 0;
    let y2 = 0;
    let y3 = 0;
    let y4 = 0;
    let y5 = 0;
    let y6 = 0;
    let y7 = 0;
    let y8 = 0;
    let y9 = 0;
    let y10 = 0;
    let y11 = 0;
    let y12 = 0;
    let y13 = 0;
    let y14 = 0;
    let y15 = 0;
    const e = ptr[bi + 1];
    for (let p = ptr[bi]; p < e; p++) {
      const xv = x[ci[p]];
      const o = p * 16;
      y0 += v[o] * xv;
      y1 += v[o + 1] * xv;
      y2 += v[o + 2] * xv;
      y3 += v[o + 3] * xv;
      y4 += v[o + 4] * xv;
      y5 += v[o + 5] * xv;
      y6 += v[o + 6] * xv;
      y7 += v[o + 7] * xv;
      y8 += v[o + 8] * xv;
      y9 += v[o + 9] * xv;
      y10 += v[o + 10] * xv;
      y11 += v[o + 11] * xv;
      y12 += v[o + 12] * xv;
      y13 += v[o + 13] * xv;
      y14 += v[o + 14] * xv;
      y15 += v[o + 15] * xv;
    }
    const r0 = bi * 16;
    y[r0 + 0] = y0;
    y[r0 + 1] = y1;
    y[r0 + 2] = y2;
    y[r0 + 3] = y3;
    y[r0 + 4] = y4;
    y[r0 + 5] = y5;
    y[r0 + 6] = y6;
    y[r0 + 7] = y7;
    y[r0 + 8] = y8;
    y[r0 + 9] = y9;
    y[r0 + 10] = y10;
    y[r0 + 11] = y11;
    y[r0 + 12] = y12;
    y[r0 + 13] = y13;
    y[r0 + 14] = y14;
    y[r0 + 15] = y15;
  }
}
