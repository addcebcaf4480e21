import type * as tf from '@tensorflow/tfjs-core';
import { Matrix } from 'ml-matrix';
import { checkTensor } from '../errors.js';
import { readTensor } from './tensorToTypedArray.js';

/**
 * An `ml-matrix` `Matrix` (float64) with a copy of a rank-2 tensor's values (the copy is
 * unavoidable: tfjs owns backend memory and ml-matrix stores float64 rows). The tensor is not
 * disposed.
 *
 * @param tensor - a rank-2 float32, int32 or bool tensor.
 * @returns a new `Matrix` of shape `[rows, columns]`.
 * @see https://github.com/mljs/matrix
 */
export function tensorToMatrix(tensor: tf.Tensor2D): Matrix {
  const fn = 'tensorToMatrix';
  checkTensor(fn, 'tensor', tensor, 2);
  const { data, shape } = readTensor(fn, 'tensor', tensor);
  const [rows, cols] = shape as [number, number];
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, data[i * cols + j] as number);
  return m;
}
