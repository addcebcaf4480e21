import { LabInputError, readOptions } from '@lab/core';
import {
  checkActivationRange,
  checkInt8Array,
  checkZeroPoint,
  perChannel,
  requantize,
} from './intKernelsCommon.js';
import type { QuantizedMultiplier } from './quantizeMultiplier.js';

/** Options of {@link fullyConnectedInt8}. */
export interface FullyConnectedInt8Options {
  /** Input [batch, in] int8, row-major. */
  readonly input: Int8Array;
  /** Weights [out, in] int8, row-major. */
  readonly weights: Int8Array;
  readonly shape: readonly [number, number];
  /** int32 bias per output (already at scale inputScale * weightScale). */
  readonly bias?: Int32Array;
  readonly inputZeroPoint: number;
  /** 0 for TFLite's symmetric int8 weights. */
  readonly weightZeroPoint?: number;
  readonly outputZeroPoint: number;
  /** inputScale * weightScale / outputScale, per tensor or per output channel. */
  readonly multiplier: QuantizedMultiplier | readonly QuantizedMultiplier[];
  readonly activationMin?: number;
  readonly activationMax?: number;
}

/**
 * TFLite-style int8 fully connected layer: int32 accumulation of
 * (w - zw)(x - zx) + bias, requantised with `MultiplyByQuantizedMultiplier` (rounding), plus the
 * output zero point, saturated to [activationMin, activationMax]. Returns [batch, out] int8.
 * The accumulator wraps like int32 hardware if it overflows.
 *
 * @see Jacob et al., CVPR 2018; Stamenovic et al., arXiv 2111.02351 (int8 models on Ethos-U).
 */
export function fullyConnectedInt8(options: FullyConnectedInt8Options): Int8Array {
  const fn = 'fullyConnectedInt8';
  readOptions(fn, options, [
    'input',
    'weights',
    'shape',
    'bias',
    'inputZeroPoint',
    'weightZeroPoint',
    'outputZeroPoint',
    'multiplier',
    'activationMin',
    'activationMax',
  ]);
  const { shape } = options;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new LabInputError(fn, 'options.shape', 'must be [out, in] positive integers', shape);
  }
  const [out, inn] = shape as [number, number];
  const w = checkInt8Array(fn, 'options.weights', options.weights, out * inn);
  const x = checkInt8Array(fn, 'options.input', options.input);
  if (x.length === 0 || x.length % inn !== 0) {
    throw new LabInputError(fn, 'options.input', `must hold batch x ${inn} elements`, x.length);
  }
  const batch = x.length / inn;
  if (options.bias !== undefined && (!(options.bias instanceof Int32Array) || options.bias.length !== out)) {
    throw new LabInputError(fn, 'options.bias', `must be an Int32Array of ${out}`, options.bias);
  }
  const zx = checkZeroPoint(fn, 'options.inputZeroPoint', options.inputZeroPoint);
  const zw = checkZeroPoint(fn, 'options.weightZeroPoint', options.weightZeroPoint ?? 0);
  const zo = checkZeroPoint(fn, 'options.outputZeroPoint', options.outputZeroPoint);
  const [lo, hi] = checkActivationRange(fn, options.activationMin, options.activationMax);
  const qs = perChannel(fn, 'options.multiplier', options.multiplier, out);
  const y = new Int8Array(batch * out);
  for (let b = 0; b < batch; b++) {
    const xo = b * inn;
    for (let o = 0; o < out; o++) {
      let acc = options.bias ? (options.bias[o] as number) : 0;
      const wo = o * inn;
      for (let k = 0; k < inn; k++) acc += ((w[wo + k] as number) - zw) * ((x[xo + k] as number) - zx);
      y[b * out + o] = requantize(acc, qs[o] as QuantizedMultiplier, zo, lo, hi);
    }
  }
  return y;
}
