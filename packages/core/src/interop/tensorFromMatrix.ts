import * as tf from '@tensorflow/tfjs-core';
import { AbstractMatrix } from 'ml-matrix';
import { LabInputError } from '../errors.js';

/**
 * A float32 `Tensor2D` `[rows, columns]` from an `ml-matrix` matrix (or any of its views). A copy
 * is unavoidable: ml-matrix stores float64 rows, tfjs needs one contiguous float32 buffer (values
 * are rounded to float32).
 *
 * @param matrix - the matrix; not modified.
 * @returns a new tensor owned by the caller.
 * @see https://github.com/mljs/matrix
 */
export function tensorFromMatrix(matrix: AbstractMatrix): tf.Tensor2D {
  const fn = 'tensorFromMatrix';
  if (!AbstractMatrix.isMatrix(matrix))
    throw new LabInputError(fn, 'matrix', 'must be an ml-matrix Matrix', matrix);
  const rows = matrix.rows;
  const cols = matrix.columns;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = matrix.get(i, j);
  return tf.tensor2d(out, [rows, cols], 'float32');
}
