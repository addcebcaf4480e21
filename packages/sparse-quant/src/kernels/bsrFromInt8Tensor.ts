import { LabInputError, readOptions } from '@lab/core';
import type { Int8Tensor } from '../Int8Model.js';
import { bsrFromDense } from './bsrFromDense.js';
import { type BsrMatrix, weightMatrix } from './sparseMatrix.js';

/** Options for {@link bsrFromInt8Tensor}. */
export interface BsrFromInt8TensorOptions {
  /** Store `A = W^T` (`out x in`, default) so `bsrMatVec(A, x)` is the layer product `x W`. */
  transpose?: boolean;
  /**
   * Block shape over the weight's last two axes `[in, out]` (the tensor's own orientation);
   * default `tensor.block`. With `transpose` the matrix's blocks are `[block[1], block[0]]`.
   */
  block?: readonly [number, number];
}

/**
 * Builds an int8 block-CSR matrix from a quantised weight (symmetric: zero points must be 0),
 * using the weight's block shape (or `options.block`). The tensor is not modified.
 *
 * @param tensor - The int8 weight, @lab/core layout (output axis last).
 * @param options - See {@link BsrFromInt8TensorOptions}.
 * @returns The int8 BSR matrix.
 * @throws LabInputError naming `bsrFromInt8Tensor` when no block shape is given or known.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (block pruning).
 */
export function bsrFromInt8Tensor(
  tensor: Int8Tensor,
  options: BsrFromInt8TensorOptions = {},
): BsrMatrix<Int8Array> {
  const fn = 'bsrFromInt8Tensor';
  const o = readOptions(fn, options, ['transpose', 'block']);
  const transpose = o.boolean('transpose', true);
  const block = options.block ?? tensor?.block;
  if (block === undefined)
    throw new LabInputError(fn, 'options.block', 'must be given when the tensor has no block shape', block);
  const { values, rows, cols } = weightMatrix(fn, tensor, transpose);
  return bsrFromDense(values, rows, cols, transpose ? [block[1], block[0]] : [block[0], block[1]]);
}
