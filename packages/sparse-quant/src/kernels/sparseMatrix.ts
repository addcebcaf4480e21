/**
 * Sparse matrix types shared by the kernels, and their argument checks (internal helpers apart
 * from the two types).
 */
import { LabInputError } from '@lab/core';

/** Element storage of a sparse matrix: float32, or int8 for the integer kernels. */
export type SparseValues = Float32Array | Int8Array;

/**
 * Compressed sparse row matrix `rows x cols`: row `i` holds `values[p]` at column `colIdx[p]`
 * for `p` in `[rowPtr[i], rowPtr[i + 1])`, columns increasing. Only non-zeros are stored.
 */
export interface CsrMatrix<V extends SparseValues = SparseValues> {
  readonly format: 'csr';
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: V;
  /** Per-row sum of the values (int8 matrices only): corrects for an input zero point. */
  readonly rowSums?: Int32Array;
}

/**
 * Block compressed sparse row matrix `rows x cols` with blocks `blockRows x blockCols`: block row
 * `I` holds the blocks at block columns `blockColIdx[p]`, `p` in `[blockRowPtr[I], blockRowPtr[I + 1])`;
 * block `p`'s values are `values[p * blockRows * blockCols ...]`, row-major inside the block.
 * Only blocks with a non-zero are stored; edge blocks (when the block shape does not divide the
 * matrix) are zero-padded to the full block.
 */
export interface BsrMatrix<V extends SparseValues = SparseValues> {
  readonly format: 'bsr';
  readonly rows: number;
  readonly cols: number;
  readonly blockRows: number;
  readonly blockCols: number;
  readonly blockRowPtr: Int32Array;
  readonly blockColIdx: Int32Array;
  readonly values: V;
  /** Per-row sum of the values (int8 matrices only): corrects for an input zero point. */
  readonly rowSums?: Int32Array;
}

/** Throws unless `v` is an integer in `[min, max]`. Internal. */
export function checkDim(
  fn: string,
  arg: string,
  v: unknown,
  min = 0,
  max = 2 ** 31 - 1,
): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new LabInputError(fn, arg, `must be an integer in [${min}, ${max}]`, v);
  }
}

/** Throws unless `a` is a well-formed CSR or BSR matrix of the given format. Internal (O(1) checks). */
export function checkMatrix(fn: string, a: unknown, format: 'csr' | 'bsr'): void {
  const m = a as { format?: unknown; values?: unknown } | null;
  if (
    m == null ||
    m.format !== format ||
    !(m.values instanceof Float32Array || m.values instanceof Int8Array)
  ) {
    throw new LabInputError(
      fn,
      'a',
      `must be a ${format.toUpperCase()} matrix (build one with ${format}FromDense)`,
      a,
    );
  }
}

/** Throws unless `x` is a typed array of the matrix's element kind and the given length. Internal. */
export function checkOperand(fn: string, arg: string, x: unknown, int8: boolean, length: number): void {
  const ok = int8 ? x instanceof Int8Array : x instanceof Float32Array;
  if (!ok || (x as ArrayLike<number>).length !== length) {
    throw new LabInputError(
      fn,
      arg,
      `must be ${int8 ? 'an Int8Array' : 'a Float32Array'} of length ${length}`,
      x,
    );
  }
}

/** Throws unless `out` is undefined or a typed array of the given kind and length. Internal. */
export function checkOut(fn: string, out: unknown, int8: boolean, length: number): void {
  if (out === undefined) return;
  const ok = int8 ? out instanceof Int32Array : out instanceof Float32Array;
  if (!ok || (out as ArrayLike<number>).length !== length) {
    throw new LabInputError(
      fn,
      'options.out',
      `must be ${int8 ? 'an Int32Array' : 'a Float32Array'} of length ${length}`,
      out,
    );
  }
}

/** Reads and checks an integer input zero point. Internal. */
export function zeroPointOf(fn: string, z: unknown, int8: boolean): number {
  if (z === undefined) return 0;
  if (!int8) throw new LabInputError(fn, 'options.inputZeroPoint', 'applies to int8 matrices only', z);
  checkDim(fn, 'options.inputZeroPoint', z, -128, 127);
  return z;
}

/** Throws unless `values` is a dense row-major Float32Array or Int8Array of `rows x cols`. Internal. */
export function checkDense(fn: string, values: unknown, rows: unknown, cols: unknown): void {
  checkDim(fn, 'rows', rows);
  checkDim(fn, 'cols', cols);
  if (!(values instanceof Float32Array || values instanceof Int8Array) || values.length !== rows * cols) {
    throw new LabInputError(
      fn,
      'values',
      `must be a Float32Array or Int8Array of length rows * cols = ${rows * cols}`,
      values,
    );
  }
}

/**
 * Checks the arguments of a sparse-times-dense product `A B` (`B` is `a.cols x n`, the output
 * `a.rows x n`) and returns the element kind and the int8 input zero point. Internal.
 */
export function checkMatMulArgs(
  fn: string,
  format: 'csr' | 'bsr',
  a: CsrMatrix | BsrMatrix,
  b: Float32Array | Int8Array,
  n: number,
  options: { out?: Float32Array | Int32Array; inputZeroPoint?: number },
): { int8: boolean; zp: number } {
  checkMatrix(fn, a, format);
  checkDim(fn, 'n', n);
  const int8 = a.values instanceof Int8Array;
  checkOperand(fn, 'b', b, int8, a.cols * n);
  checkOut(fn, options.out, int8, a.rows * n);
  if (options.out !== undefined && overlaps(options.out, b))
    throw new LabInputError(fn, 'options.out', 'must not share memory with b');
  return { int8, zp: zeroPointOf(fn, options.inputZeroPoint, int8) };
}

/**
 * The 2-D integer matrix of an int8 weight for the kernels. Internal. The weight's view is
 * `[prod(leading axes), last axis] = [in, out]`; with `transpose` (default) the result is
 * `A = W^T` (`out x in`), so `A x` is the layer's forward product `x W`.
 */
export function weightMatrix(
  fn: string,
  t: import('../Int8Model.js').Int8Tensor,
  transpose: boolean,
): { values: Int8Array; rows: number; cols: number } {
  if (t == null || !(t.values instanceof Int8Array) || !Array.isArray(t.shape)) {
    throw new LabInputError(fn, 'tensor', 'must be an Int8Tensor', t);
  }
  let inDim = 1;
  for (let i = 0; i < t.shape.length - 1; i++) inDim *= t.shape[i];
  const outDim = t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1];
  if (t.values.length !== inDim * outDim) {
    throw new LabInputError(
      fn,
      'tensor.values',
      `must have ${inDim * outDim} elements for shape [${t.shape.join(', ')}]`,
      t.values,
    );
  }
  if (t.zeroPoints instanceof Int32Array && t.zeroPoints.some((z) => z !== 0)) {
    throw new LabInputError(
      fn,
      'tensor.zeroPoints',
      'must be all zero (sparse kernels need symmetric weights)',
      t.zeroPoints,
    );
  }
  if (!transpose) return { values: t.values, rows: inDim, cols: outDim };
  const v = new Int8Array(t.values.length);
  for (let i = 0; i < inDim; i++)
    for (let j = 0; j < outDim; j++) v[j * inDim + i] = t.values[i * outDim + j];
  return { values: v, rows: outDim, cols: inDim };
}

/** True when two views share bytes (same buffer and intersecting ranges; views of one pool may not). */
function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}
