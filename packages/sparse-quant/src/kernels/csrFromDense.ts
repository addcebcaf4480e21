import { type CsrMatrix, type SparseValues, checkDense } from './sparseMatrix.js';

/**
 * Builds a CSR matrix from a dense row-major `rows x cols` matrix, keeping only its non-zeros.
 * Float32 input gives a float matrix; Int8 input an int8 matrix (with per-row sums for
 * input zero-point correction). The input is copied, never referenced.
 *
 * @param values - Dense row-major values (`rows * cols` of them).
 * @param rows - Row count.
 * @param cols - Column count.
 * @returns The CSR matrix.
 * @throws LabInputError naming `csrFromDense` for a wrong length or type.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (unstructured weight pruning).
 */
export function csrFromDense<V extends SparseValues>(values: V, rows: number, cols: number): CsrMatrix<V> {
  const fn = 'csrFromDense';
  checkDense(fn, values, rows, cols);
  let nnz = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nnz++;
  const rowPtr = new Int32Array(rows + 1);
  const colIdx = new Int32Array(nnz);
  const out = (values instanceof Int8Array ? new Int8Array(nnz) : new Float32Array(nnz)) as V;
  const int8 = values instanceof Int8Array;
  const rowSums = int8 ? new Int32Array(rows) : undefined;
  let p = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const v = values[base + j];
      if (v !== 0) {
        colIdx[p] = j;
        out[p++] = v;
        sum += v;
      }
    }
    rowPtr[i + 1] = p;
    if (rowSums) rowSums[i] = sum;
  }
  return rowSums
    ? { format: 'csr', rows, cols, rowPtr, colIdx, values: out, rowSums }
    : { format: 'csr', rows, cols, rowPtr, colIdx, values: out };
}
