import { LabInputError } from '@lab/core';
import { type BsrMatrix, type SparseValues, checkDense, checkDim } from './sparseMatrix.js';

/**
 * Builds a block-CSR matrix with blocks `block = [blockRows, blockCols]` from a dense row-major
 * `rows x cols` matrix, keeping only blocks that hold a non-zero. Any block shape works; when it
 * does not divide the matrix, edge blocks are zero-padded. The input is copied.
 *
 * @param values - Dense row-major values (`rows * cols`), Float32Array or Int8Array.
 * @param rows - Row count.
 * @param cols - Column count.
 * @param block - Block shape `[blockRows, blockCols]`, e.g. `[8, 8]`, `[4, 4]`, `[1, 16]`.
 * @returns The BSR matrix (int8 input also carries per-row sums).
 * @throws LabInputError naming `bsrFromDense` for a wrong length, type or block shape.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (block pruning, Ethos-U 8x8 micro-blocks).
 */
export function bsrFromDense<V extends SparseValues>(
  values: V,
  rows: number,
  cols: number,
  block: readonly [number, number],
): BsrMatrix<V> {
  const fn = 'bsrFromDense';
  checkDense(fn, values, rows, cols);
  if (!Array.isArray(block) || block.length !== 2)
    throw new LabInputError(fn, 'block', 'must be [blockRows, blockCols]', block);
  checkDim(fn, 'block[0]', block[0], 1, 65535);
  checkDim(fn, 'block[1]', block[1], 1, 65535);
  const [br, bc] = block;
  const nbr = Math.ceil(rows / br);
  const nbc = Math.ceil(cols / bc);
  const blockRowPtr = new Int32Array(nbr + 1);
  const cols_: number[] = [];
  const seen = new Uint8Array(nbc);
  for (let bi = 0; bi < nbr; bi++) {
    seen.fill(0);
    const r1 = Math.min(rows, (bi + 1) * br);
    for (let i = bi * br; i < r1; i++) {
      const base = i * cols;
      for (let j = 0; j < cols; j++) if (values[base + j] !== 0) seen[(j / bc) | 0] = 1;
    }
    for (let bj = 0; bj < nbc; bj++) if (seen[bj]) cols_.push(bj);
    blockRowPtr[bi + 1] = cols_.length;
  }
  const nBlocks = cols_.length;
  const blockColIdx = Int32Array.from(cols_);
  const size = br * bc;
  const int8 = values instanceof Int8Array;
  const out = (int8 ? new Int8Array(nBlocks * size) : new Float32Array(nBlocks * size)) as V;
  for (let bi = 0; bi < nbr; bi++) {
    for (let p = blockRowPtr[bi]; p < blockRowPtr[bi + 1]; p++) {
      const bj = blockColIdx[p];
      for (let r = 0; r < br; r++) {
        const i = bi * br + r;
        if (i >= rows) break;
        for (let c = 0; c < bc; c++) {
          const j = bj * bc + c;
          if (j >= cols) break;
          out[p * size + r * bc + c] = values[i * cols + j];
        }
      }
    }
  }
  const base = {
    format: 'bsr' as const,
    rows,
    cols,
    blockRows: br,
    blockCols: bc,
    blockRowPtr,
    blockColIdx,
    values: out,
  };
  if (!int8) return base;
  const rowSums = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += values[i * cols + j];
    rowSums[i] = s;
  }
  return { ...base, rowSums };
}
