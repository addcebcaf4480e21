import { LabInputError, readOptions } from '@lab/core';
import {
  checkActivationRange,
  checkInt8Array,
  checkZeroPoint,
  perChannel,
  requantize,
} from './intKernelsCommon.js';
import type { QuantizedMultiplier } from './quantizeMultiplier.js';

/** Options of {@link conv2dInt8}. */
export interface Conv2dInt8Options {
  /** Input [H, W, Cin] int8 (NHWC, batch 1). */
  readonly input: Int8Array;
  readonly inputShape: readonly [number, number, number];
  /** Weights [Cout, kh, kw, Cin] int8 (TFLite OHWI). */
  readonly weights: Int8Array;
  readonly weightShape: readonly [number, number, number, number];
  readonly bias?: Int32Array;
  readonly stride?: number;
  readonly padding?: 'same' | 'valid';
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly multiplier: QuantizedMultiplier | readonly QuantizedMultiplier[];
  readonly activationMin?: number;
  readonly activationMax?: number;
}

/** Result of {@link conv2dInt8}. */
export interface Conv2dInt8Result {
  readonly output: Int8Array;
  readonly shape: [number, number, number];
}

/**
 * TFLite-style int8 2-D convolution (symmetric weights, per-tensor or per-channel multipliers):
 * padded positions contribute the input zero point (i.e. zero after the offset), int32
 * accumulation, rounding requantisation and saturation. 'same' padding follows TFLite
 * (pad_before = floor(total / 2)).
 *
 * @see Jacob et al., CVPR 2018; Stamenovic et al., arXiv 2111.02351.
 */
export function conv2dInt8(options: Conv2dInt8Options): Conv2dInt8Result {
  const fn = 'conv2dInt8';
  const o = readOptions(fn, options, [
    'input',
    'inputShape',
    'weights',
    'weightShape',
    'bias',
    'stride',
    'padding',
    'inputZeroPoint',
    'outputZeroPoint',
    'multiplier',
    'activationMin',
    'activationMax',
  ]);
  const is = options.inputShape;
  const ws = options.weightShape;
  if (!Array.isArray(is) || is.length !== 3 || !is.every((d) => Number.isInteger(d) && d > 0)) {
    throw new LabInputError(fn, 'options.inputShape', 'must be [H, W, C] positive integers', is);
  }
  if (!Array.isArray(ws) || ws.length !== 4 || !ws.every((d) => Number.isInteger(d) && d > 0)) {
    throw new LabInputError(fn, 'options.weightShape', 'must be [Cout, kh, kw, Cin] positive integers', ws);
  }
  const [H, W, C] = is as [number, number, number];
  const [O, KH, KW, CI] = ws as [number, number, number, number];
  if (CI !== C) throw new LabInputError(fn, 'options.weightShape', `must have ${C} input channels`, CI);
  const x = checkInt8Array(fn, 'options.input', options.input, H * W * C);
  const w = checkInt8Array(fn, 'options.weights', options.weights, O * KH * KW * C);
  const s = o.integer('stride', 1, { min: 1 });
  const pad = o.oneOf('padding', ['same', 'valid'], 'same');
  if (options.bias !== undefined && (!(options.bias instanceof Int32Array) || options.bias.length !== O)) {
    throw new LabInputError(fn, 'options.bias', `must be an Int32Array of ${O}`, options.bias);
  }
  const zx = checkZeroPoint(fn, 'options.inputZeroPoint', options.inputZeroPoint);
  const zo = checkZeroPoint(fn, 'options.outputZeroPoint', options.outputZeroPoint);
  const [lo, hi] = checkActivationRange(fn, options.activationMin, options.activationMax);
  const qs = perChannel(fn, 'options.multiplier', options.multiplier, O);
  let OH: number;
  let OW: number;
  let padT = 0;
  let padL = 0;
  if (pad === 'same') {
    OH = Math.ceil(H / s);
    OW = Math.ceil(W / s);
    padT = Math.floor(Math.max(0, (OH - 1) * s + KH - H) / 2);
    padL = Math.floor(Math.max(0, (OW - 1) * s + KW - W) / 2);
  } else {
    OH = Math.floor((H - KH) / s) + 1;
    OW = Math.floor((W - KW) / s) + 1;
    if (OH < 1 || OW < 1) throw new LabInputError(fn, 'options.weightShape', 'kernel must fit the input', ws);
  }
  const y = new Int8Array(OH * OW * O);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      for (let o = 0; o < O; o++) {
        let acc = options.bias ? (options.bias[o] as number) : 0;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * s - padT + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * s - padL + kx;
            if (ix < 0 || ix >= W) continue;
            const xb = (iy * W + ix) * C;
            const wb = ((o * KH + ky) * KW + kx) * C;
            for (let c = 0; c < C; c++) acc += (w[wb + c] as number) * ((x[xb + c] as number) - zx);
          }
        }
        y[(oy * OW + ox) * O + o] = requantize(acc, qs[o] as QuantizedMultiplier, zo, lo, hi);
      }
    }
  }
  return { output: y, shape: [OH, OW, O] };
}
