import { readOptions } from '@lab/core';
import type { Int8Tensor } from '../Int8Model.js';
import { csrFromDense } from './csrFromDense.js';
import { type CsrMatrix, weightMatrix } from './sparseMatrix.js';

/** Options for {@link csrFromInt8Tensor}. */
export interface CsrFromInt8TensorOptions {
  /**
   * Store `A = W^T` (`out x in`, default) so `csrMatVec(A, x)` is the layer product `x W`; with
   * `false`, store the weight's own 2-D view `[prod(leading axes), last axis]`.
   */
  transpose?: boolean;
}

/**
 * Builds an int8 CSR matrix from a quantised weight (symmetric: zero points must be 0). The
 * weight's `scales` stay per output channel = per row of the (default, transposed) matrix; pass
 * them to {@link requantize}. The tensor is not modified.
 *
 * @param tensor - The int8 weight, @lab/core layout (output axis last).
 * @param options - See {@link CsrFromInt8TensorOptions}.
 * @returns The int8 CSR matrix.
 * @throws LabInputError naming `csrFromInt8Tensor` for a malformed tensor or non-zero zero points.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351.
 */
export function csrFromInt8Tensor(
  tensor: Int8Tensor,
  options: CsrFromInt8TensorOptions = {},
): CsrMatrix<Int8Array> {
  const transpose = readOptions('csrFromInt8Tensor', options, ['transpose']).boolean('transpose', true);
  const { values, rows, cols } = weightMatrix('csrFromInt8Tensor', tensor, transpose);
  return csrFromDense(values, rows, cols);
}
