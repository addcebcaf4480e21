import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';

/** Activation names understood by the layers of this toolkit. */
export type ActivationName =
  | 'linear'
  | 'relu'
  | 'tanh'
  | 'sigmoid'
  | 'gelu'
  | 'elu'
  | 'leakyRelu'
  | 'softplus'
  | 'silu';

/** An activation: a name, or any differentiable tensor function. */
export type Activation = ActivationName | ((x: tf.Tensor) => tf.Tensor);

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`
 * (tfjs-core has no gelu op; this one is built from differentiable primitives).
 *
 * @see Hendrycks & Gimpel, "Gaussian Error Linear Units (GELUs)", 2016.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}

/**
 * Resolves an {@link Activation} to a tensor function. Throws `LabInputError` naming `fn`/`arg`
 * for unknown names.
 */
export function activation(
  a: Activation | undefined,
  fn = 'activation',
  arg = 'activation',
): (x: tf.Tensor) => tf.Tensor {
  if (a === undefined || a === 'linear') return (x) => tf.clone(x);
  if (typeof a === 'function') return a;
  switch (a) {
    case 'relu':
      return (x) => tf.relu(x);
    case 'tanh':
      return (x) => tf.tanh(x);
    case 'sigmoid':
      return (x) => tf.sigmoid(x);
    case 'gelu':
      return gelu;
    case 'elu':
      return (x) => tf.elu(x);
    case 'leakyRelu':
      return (x) => tf.leakyRelu(x, 0.01);
    case 'softplus':
      return (x) => tf.softplus(x);
    case 'silu':
      return (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
    default:
      throw new LabInputError(
        fn,
        arg,
        'must be one of linear, relu, tanh, sigmoid, gelu, elu, leakyRelu, softplus, silu or a function',
        a,
      );
  }
}
