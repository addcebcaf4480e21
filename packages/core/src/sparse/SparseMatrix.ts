import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkTensor, LabInputError } from '../errors.js';

/** COO triplets of a {@link SparseMatrix}: entry k is `values[k]` at `(rows[k], cols[k])`. */
export interface CooTriplets {
  rows: Int32Array;
  cols: Int32Array;
  values: Float32Array;
}

/** Structure of the transpose of a {@link SparseMatrix}, with the map back to the original entries. */
export interface SparseTransposeStructure {
  /** CSR row pointers of the transpose (length `cols + 1`). */
  indptr: Int32Array;
  /** Column indices of the transpose (rows of the original), sorted within each row. */
  indices: Int32Array;
  /** `perm[q]` = index in the original `values` of transposed entry `q`. */
  perm: Int32Array;
}

/** Any array-like of integer indices (a plain array or a typed array). */
export type IndexArrayLike = ArrayLike<number>;

function checkShape2(fn: string, shape: unknown): [number, number] {
  if (!Array.isArray(shape) || shape.length !== 2) {
    throw new LabInputError(fn, 'shape', 'must be [rows, cols]', shape);
  }
  checkInteger(fn, 'shape[0]', shape[0], 0, 2 ** 31 - 1);
  checkInteger(fn, 'shape[1]', shape[1], 0, 2 ** 31 - 1);
  return [shape[0], shape[1]];
}

function checkArrayLike(fn: string, arg: string, value: unknown): asserts value is ArrayLike<number> {
  const v = value as { length?: unknown } | null;
  if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
    throw new LabInputError(fn, arg, 'must be an array or typed array of numbers', value);
  }
}

/**
 * A sparse float32 matrix in CSR form (compressed sparse rows): the non-zeros of row `i` are
 * `values[indptr[i] .. indptr[i+1])` at columns `indices[...]`, columns strictly increasing
 * within a row (no duplicates). Instances are immutable: methods return new matrices, and the
 * typed arrays must not be written to. The transpose structure is computed once and cached.
 *
 * Build one with {@link SparseMatrix.fromCoo} (sums duplicates), {@link SparseMatrix.fromCsr},
 * {@link SparseMatrix.fromDense} or {@link SparseMatrix.identity}; multiply it with a dense
 * tensor through `sparseDenseMatMul` (differentiable).
 *
 * @example
 * ```ts
 * const a = SparseMatrix.fromCoo([2, 3], [0, 1, 1], [2, 0, 0], [1, 2, 3]); // (1,0) summed: 5
 * a.toDense().print(); // [[0, 0, 1], [5, 0, 0]]
 * ```
 * @see https://docs.scipy.org/doc/scipy/reference/generated/scipy.sparse.csr_matrix.html
 */
export class SparseMatrix {
  /** `[rows, cols]`. */
  readonly shape: [number, number];
  /** Row pointers, length `rows + 1`. */
  readonly indptr: Int32Array;
  /** Column index of each stored entry, length `nnz`. */
  readonly indices: Int32Array;
  /** Value of each stored entry, length `nnz`. */
  readonly values: Float32Array;
  private transposeCache: SparseTransposeStructure | null = null;
  private rowCache: Int32Array | null = null;

  private constructor(
    shape: [number, number],
    indptr: Int32Array,
    indices: Int32Array,
    values: Float32Array,
  ) {
    this.shape = shape;
    this.indptr = indptr;
    this.indices = indices;
    this.values = values;
  }

  /** Number of stored entries. */
  get nnz(): number {
    return this.indices.length;
  }

  /** Number of rows. */
  get rows(): number {
    return this.shape[0];
  }

  /** Number of columns. */
  get cols(): number {
    return this.shape[1];
  }

  /**
   * Builds a matrix from COO triplets. Duplicate `(row, col)` pairs are summed (as SciPy's
   * `coo_matrix.tocsr()`); explicit zeros are kept. Inputs are copied, never modified.
   *
   * @param shape - `[rows, cols]`.
   * @param rows - row index of each entry (integers in `[0, rows)`).
   * @param cols - column index of each entry (integers in `[0, cols)`).
   * @param values - value of each entry (finite); default all ones.
   * @throws LabInputError on a bad shape, unequal lengths, out-of-range or non-integer indices,
   *   non-finite values.
   */
  static fromCoo(
    shape: [number, number],
    rows: IndexArrayLike,
    cols: IndexArrayLike,
    values?: ArrayLike<number>,
  ): SparseMatrix {
    const fn = 'SparseMatrix.fromCoo';
    const [n, m] = checkShape2(fn, shape);
    checkArrayLike(fn, 'rows', rows);
    checkArrayLike(fn, 'cols', cols);
    const nnzIn = rows.length;
    if (cols.length !== nnzIn) {
      throw new LabInputError(fn, 'cols', `must have the same length as rows (${nnzIn})`, cols.length);
    }
    if (values !== undefined) {
      checkArrayLike(fn, 'values', values);
      if (values.length !== nnzIn) {
        throw new LabInputError(fn, 'values', `must have the same length as rows (${nnzIn})`, values.length);
      }
    }
    const counts = new Int32Array(n + 1);
    for (let k = 0; k < nnzIn; k++) {
      const r = rows[k] as number;
      const c = cols[k] as number;
      if (!Number.isInteger(r) || r < 0 || r >= n) {
        throw new LabInputError(fn, `rows[${k}]`, `must be an integer in [0, ${n - 1}]`, r);
      }
      if (!Number.isInteger(c) || c < 0 || c >= m) {
        throw new LabInputError(fn, `cols[${k}]`, `must be an integer in [0, ${m - 1}]`, c);
      }
      if (values !== undefined && !Number.isFinite(values[k] as number)) {
        throw new LabInputError(fn, `values[${k}]`, 'must be finite', values[k]);
      }
      counts[r + 1]++;
    }
    for (let i = 0; i < n; i++) (counts[i + 1] as number) += counts[i] as number;
    // Bucket by row (stable), then sort each row by column and merge duplicates.
    const next = counts.slice(0, n);
    const bucketCols = new Int32Array(nnzIn);
    const bucketVals = new Float64Array(nnzIn);
    for (let k = 0; k < nnzIn; k++) {
      const r = rows[k] as number;
      const dst = next[r] as number;
      next[r] = dst + 1;
      bucketCols[dst] = cols[k] as number;
      bucketVals[dst] = values === undefined ? 1 : (values[k] as number);
    }
    const indptr = new Int32Array(n + 1);
    const outCols = new Int32Array(nnzIn);
    const outVals = new Float32Array(nnzIn);
    let w = 0;
    let order = new Int32Array(16);
    for (let i = 0; i < n; i++) {
      const start = counts[i] as number;
      const end = counts[i + 1] as number;
      const len = end - start;
      if (order.length < len) order = new Int32Array(len);
      const ord = order.subarray(0, len);
      for (let q = 0; q < len; q++) ord[q] = start + q;
      let sorted = true;
      for (let q = start + 1; q < end; q++) {
        if ((bucketCols[q] as number) <= (bucketCols[q - 1] as number)) {
          sorted = false;
          break;
        }
      }
      if (!sorted) ord.sort((a, b) => (bucketCols[a] as number) - (bucketCols[b] as number) || a - b);
      let q = 0;
      while (q < len) {
        const col = bucketCols[ord[q] as number] as number;
        let sum = 0;
        while (q < len && bucketCols[ord[q] as number] === col) {
          sum += bucketVals[ord[q] as number] as number;
          q++;
        }
        outCols[w] = col;
        outVals[w] = sum;
        w++;
      }
      indptr[i + 1] = w;
    }
    return new SparseMatrix([n, m], indptr, outCols.slice(0, w), outVals.slice(0, w));
  }

  /**
   * Builds a matrix from CSR arrays (copied). Column indices must be strictly increasing within
   * each row (canonical CSR); use {@link SparseMatrix.fromCoo} for unsorted or duplicate input.
   *
   * @throws LabInputError when `indptr` is not a non-decreasing array of length `rows + 1` from 0
   *   to `nnz`, when indices are out of range or not strictly increasing within a row, or values
   *   are non-finite.
   */
  static fromCsr(
    shape: [number, number],
    indptr: IndexArrayLike,
    indices: IndexArrayLike,
    values?: ArrayLike<number>,
  ): SparseMatrix {
    const fn = 'SparseMatrix.fromCsr';
    const [n, m] = checkShape2(fn, shape);
    checkArrayLike(fn, 'indptr', indptr);
    checkArrayLike(fn, 'indices', indices);
    const nnz = indices.length;
    if (indptr.length !== n + 1) {
      throw new LabInputError(fn, 'indptr', `must have length rows + 1 = ${n + 1}`, indptr.length);
    }
    if (indptr[0] !== 0 || indptr[n] !== nnz) {
      throw new LabInputError(fn, 'indptr', `must start at 0 and end at indices.length = ${nnz}`, indptr);
    }
    if (values !== undefined) {
      checkArrayLike(fn, 'values', values);
      if (values.length !== nnz) {
        throw new LabInputError(fn, 'values', `must have the same length as indices (${nnz})`, values.length);
      }
    }
    const ip = Int32Array.from(indptr);
    const idx = Int32Array.from(indices);
    for (let i = 0; i < n; i++) {
      const s = ip[i] as number;
      const e = ip[i + 1] as number;
      if (!Number.isInteger(indptr[i + 1]) || e < s) {
        throw new LabInputError(
          fn,
          `indptr[${i + 1}]`,
          `must be an integer >= indptr[${i}] = ${s}`,
          indptr[i + 1],
        );
      }
      for (let p = s; p < e; p++) {
        const c = indices[p] as number;
        if (!Number.isInteger(c) || c < 0 || c >= m) {
          throw new LabInputError(fn, `indices[${p}]`, `must be an integer in [0, ${m - 1}]`, c);
        }
        if (p > s && c <= (idx[p - 1] as number)) {
          throw new LabInputError(
            fn,
            `indices[${p}]`,
            `must be > indices[${p - 1}] (sorted, unique columns in row ${i})`,
            c,
          );
        }
      }
    }
    const vals = values === undefined ? new Float32Array(nnz).fill(1) : Float32Array.from(values);
    if (values !== undefined) {
      for (let p = 0; p < nnz; p++) {
        if (!Number.isFinite(values[p] as number))
          throw new LabInputError(fn, `values[${p}]`, 'must be finite', values[p]);
      }
    }
    return new SparseMatrix([n, m], ip, idx, vals);
  }

  /**
   * The non-zeros of a dense 2-D tensor (or nested array) as a sparse matrix.
   *
   * @param dense - a rank-2 `tf.Tensor` or `number[][]`; not modified or disposed.
   */
  static fromDense(dense: tf.Tensor2D | number[][]): SparseMatrix {
    const fn = 'SparseMatrix.fromDense';
    let data: ArrayLike<number>;
    let n: number;
    let m: number;
    if (Array.isArray(dense)) {
      n = dense.length;
      m = n === 0 ? 0 : (dense[0]?.length ?? 0);
      const flat = new Float64Array(n * m);
      dense.forEach((row, i) => {
        if (!Array.isArray(row) || row.length !== m) {
          throw new LabInputError(fn, `dense[${i}]`, `must be an array of length ${m}`, row);
        }
        for (let j = 0; j < m; j++) flat[i * m + j] = row[j] as number;
      });
      data = flat;
    } else {
      checkTensor(fn, 'dense', dense, 2);
      [n, m] = dense.shape as [number, number];
      data = dense.dataSync();
    }
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const v = data[i * m + j] as number;
        if (v !== 0) {
          rows.push(i);
          cols.push(j);
          vals.push(v);
        }
      }
    }
    return SparseMatrix.fromCoo([n, m], rows, cols, vals);
  }

  /** The `n x n` identity, times `scale` (default 1). */
  static identity(n: number, scale = 1): SparseMatrix {
    checkInteger('SparseMatrix.identity', 'n', n, 0, 2 ** 31 - 1);
    if (!Number.isFinite(scale))
      throw new LabInputError('SparseMatrix.identity', 'scale', 'must be finite', scale);
    const indptr = new Int32Array(n + 1);
    const indices = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      indptr[i + 1] = i + 1;
      indices[i] = i;
    }
    return new SparseMatrix([n, n], indptr, indices, new Float32Array(n).fill(scale));
  }

  /** Row index of every stored entry (length `nnz`, CSR order); cached, do not modify. */
  rowIndices(): Int32Array {
    if (this.rowCache === null) {
      const rows = new Int32Array(this.nnz);
      for (let i = 0; i < this.rows; i++)
        rows.fill(i, this.indptr[i] as number, this.indptr[i + 1] as number);
      this.rowCache = rows;
    }
    return this.rowCache;
  }

  /** COO triplets (fresh copies) in CSR order: row-major, columns ascending. */
  toCoo(): CooTriplets {
    return { rows: this.rowIndices().slice(), cols: this.indices.slice(), values: this.values.slice() };
  }

  /** Dense `[rows, cols]` float32 tensor (the caller owns it). */
  toDense(): tf.Tensor2D {
    const [n, m] = this.shape;
    const out = new Float32Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let p = this.indptr[i] as number; p < (this.indptr[i + 1] as number); p++) {
        out[i * m + (this.indices[p] as number)] = this.values[p] as number;
      }
    }
    return tf.tensor2d(out, [n, m]);
  }

  /** Value at `(i, j)` (0 when not stored). Binary search within the row. */
  get(i: number, j: number): number {
    checkInteger('SparseMatrix.get', 'i', i, 0, this.rows - 1);
    checkInteger('SparseMatrix.get', 'j', j, 0, this.cols - 1);
    let lo = this.indptr[i] as number;
    let hi = (this.indptr[i + 1] as number) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.indices[mid] as number;
      if (c === j) return this.values[mid] as number;
      if (c < j) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /**
   * The CSR structure of the transpose plus the permutation from its entries to this matrix's
   * entries (counting sort, O(nnz + cols)). Computed once and cached; do not modify.
   */
  transposeStructure(): SparseTransposeStructure {
    if (this.transposeCache === null) {
      const [n, m] = this.shape;
      const nnz = this.nnz;
      const indptr = new Int32Array(m + 1);
      for (let p = 0; p < nnz; p++) (indptr[(this.indices[p] as number) + 1] as number)++;
      for (let j = 0; j < m; j++) (indptr[j + 1] as number) += indptr[j] as number;
      const next = indptr.slice(0, m);
      const indices = new Int32Array(nnz);
      const perm = new Int32Array(nnz);
      for (let i = 0; i < n; i++) {
        for (let p = this.indptr[i] as number; p < (this.indptr[i + 1] as number); p++) {
          const j = this.indices[p] as number;
          const q = next[j] as number;
          next[j] = q + 1;
          indices[q] = i;
          perm[q] = p;
        }
      }
      this.transposeCache = { indptr, indices, perm };
    }
    return this.transposeCache;
  }

  /** The transpose, as a new matrix (its own transpose structure is this matrix's). */
  transpose(): SparseMatrix {
    const t = this.transposeStructure();
    const values = new Float32Array(this.nnz);
    for (let q = 0; q < values.length; q++) values[q] = this.values[t.perm[q] as number] as number;
    const out = new SparseMatrix([this.cols, this.rows], t.indptr, t.indices, values);
    return out;
  }

  /** Sum of each row (float64 accumulation), length `rows`. */
  rowSums(): Float64Array {
    const out = new Float64Array(this.rows);
    for (let i = 0; i < this.rows; i++) {
      let s = 0;
      for (let p = this.indptr[i] as number; p < (this.indptr[i + 1] as number); p++)
        s += this.values[p] as number;
      out[i] = s;
    }
    return out;
  }

  /** Sum of each column (float64 accumulation), length `cols`. */
  colSums(): Float64Array {
    const out = new Float64Array(this.cols);
    for (let p = 0; p < this.nnz; p++) (out[this.indices[p] as number] as number) += this.values[p] as number;
    return out;
  }

  /**
   * `diag(rowScale) * A * diag(colScale)`, same sparsity pattern; either side may be `null`
   * (no scaling), and a number scales every entry.
   *
   * @example Symmetric normalisation, D^-1/2 A D^-1/2:
   * ```ts
   * const a = SparseMatrix.fromCoo([2, 2], [0, 1], [1, 0], [1, 1]); // degrees 1, 1
   * const dInvSqrt = a.rowSums().map((d) => 1 / Math.sqrt(d));
   * a.scale(dInvSqrt, dInvSqrt).toDense().print(); // [[0, 1], [1, 0]]
   * ```
   */
  scale(
    rowScale: ArrayLike<number> | number | null,
    colScale: ArrayLike<number> | null = null,
  ): SparseMatrix {
    const fn = 'SparseMatrix.scale';
    if (typeof rowScale === 'number') {
      if (!Number.isFinite(rowScale)) throw new LabInputError(fn, 'rowScale', 'must be finite', rowScale);
    } else if (rowScale !== null) {
      checkArrayLike(fn, 'rowScale', rowScale);
      if (rowScale.length !== this.rows) {
        throw new LabInputError(fn, 'rowScale', `must have length rows = ${this.rows}`, rowScale.length);
      }
    }
    if (colScale !== null) {
      checkArrayLike(fn, 'colScale', colScale);
      if (colScale.length !== this.cols) {
        throw new LabInputError(fn, 'colScale', `must have length cols = ${this.cols}`, colScale.length);
      }
    }
    const values = new Float32Array(this.nnz);
    for (let i = 0; i < this.rows; i++) {
      const r = rowScale === null ? 1 : typeof rowScale === 'number' ? rowScale : (rowScale[i] as number);
      for (let p = this.indptr[i] as number; p < (this.indptr[i + 1] as number); p++) {
        const c = colScale === null ? 1 : (colScale[this.indices[p] as number] as number);
        values[p] = r * (this.values[p] as number) * c;
      }
    }
    for (let p = 0; p < values.length; p++) {
      if (!Number.isFinite(values[p] as number)) {
        throw new LabInputError(fn, 'rowScale', 'must give finite scaled values', values[p]);
      }
    }
    return this.withValues(values);
  }

  /**
   * Same sparsity pattern with new values (copied; length `nnz`, CSR order). Shares the
   * structure arrays and the cached transpose structure with this matrix.
   */
  withValues(values: ArrayLike<number>): SparseMatrix {
    const fn = 'SparseMatrix.withValues';
    checkArrayLike(fn, 'values', values);
    if (values.length !== this.nnz)
      throw new LabInputError(fn, 'values', `must have length nnz = ${this.nnz}`, values.length);
    const out = new SparseMatrix(this.shape, this.indptr, this.indices, Float32Array.from(values));
    out.transposeCache = this.transposeCache;
    out.rowCache = this.rowCache;
    return out;
  }

  /** `A + B` for two matrices of equal shape (union of patterns, via COO summation). */
  add(other: SparseMatrix): SparseMatrix {
    if (!(other instanceof SparseMatrix)) {
      throw new LabInputError('SparseMatrix.add', 'other', 'must be a SparseMatrix', other);
    }
    if (other.rows !== this.rows || other.cols !== this.cols) {
      throw new LabInputError(
        'SparseMatrix.add',
        'other',
        `must have shape [${this.shape.join(', ')}]`,
        other.shape,
      );
    }
    const rows = new Int32Array(this.nnz + other.nnz);
    rows.set(this.rowIndices());
    rows.set(other.rowIndices(), this.nnz);
    const cols = new Int32Array(rows.length);
    cols.set(this.indices);
    cols.set(other.indices, this.nnz);
    const vals = new Float32Array(rows.length);
    vals.set(this.values);
    vals.set(other.values, this.nnz);
    return SparseMatrix.fromCoo(this.shape, rows, cols, vals);
  }

  /** Whether the matrix is square and `A[i, j] === A[j, i]` for every stored entry (exactly). */
  isSymmetric(): boolean {
    if (this.rows !== this.cols) return false;
    const t = this.transposeStructure();
    for (let i = 0; i <= this.rows; i++) if (t.indptr[i] !== this.indptr[i]) return false;
    for (let q = 0; q < this.nnz; q++) {
      if (t.indices[q] !== this.indices[q]) return false;
      if (this.values[t.perm[q] as number] !== this.values[q]) return false;
    }
    return true;
  }
}

/** Throws unless `value` is a {@link SparseMatrix}. */
export function checkSparseMatrix(fn: string, arg: string, value: unknown): asserts value is SparseMatrix {
  if (!(value instanceof SparseMatrix)) throw new LabInputError(fn, arg, 'must be a SparseMatrix', value);
}
