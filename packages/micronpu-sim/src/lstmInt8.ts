import { LabInputError, readOptions } from '@lab/core';
import { fixedPointSigmoid, fixedPointTanh } from './fixedPointActivations.js';
import { checkInt8Array, checkZeroPoint, wrapInt32 } from './intKernelsCommon.js';
import { multiplyByQuantizedMultiplier, roundingDivideByPOT } from './multiplyByQuantizedMultiplier.js';
import { type QuantizedMultiplier, quantizeMultiplier } from './quantizeMultiplier.js';

/** Options of {@link lstmInt8}: one LSTM step, gate order i, f, g, o. */
export interface LstmInt8Options {
  /** Input x [in] int8. */
  readonly input: Int8Array;
  readonly inputScale: number;
  readonly inputZeroPoint: number;
  /** Previous hidden state h [H] int8 (same quantisation as the output h). */
  readonly hidden: Int8Array;
  readonly hiddenScale: number;
  readonly hiddenZeroPoint: number;
  /** Previous cell state c [H] int16 at scale 2^cellShift. */
  readonly cell: Int16Array;
  /** Power-of-two exponent of the cell scale (default -11: Q4.11, |c| < 16). */
  readonly cellShift?: number;
  /** Input weights [4H, in] int8 (symmetric) and their scale per gate (i, f, g, o) or per tensor. */
  readonly inputWeights: Int8Array;
  readonly inputWeightScales: number | readonly number[];
  /** Recurrent weights [4H, H] int8 (symmetric) and their scales. */
  readonly recurrentWeights: Int8Array;
  readonly recurrentWeightScales: number | readonly number[];
  /** int32 bias [4H] at scale inputScale * inputWeightScale of its gate. */
  readonly bias?: Int32Array;
  /**
   * Gate and cell activations: `'tflite'` (default) = gemmlowp's int16 fixed-point sigmoid/tanh,
   * as TFLite's reference integer LSTM (bit-exact with gemmlowp; up to ~6 (sigmoid) / ~12 (tanh)
   * Q0.15 LSB from the exact functions); `'lut'` = the exact functions rounded to Q0.15 (what a
   * lookup table stores).
   */
  readonly activations?: 'tflite' | 'lut';
}

/** Result of {@link lstmInt8}. */
export interface LstmInt8Result {
  readonly hidden: Int8Array;
  readonly cell: Int16Array;
}

/** Gate pre-activations are int16 Q3.12 (scale 2^-12), as in TFLite's integer LSTM. */
const GATE_SHIFT = -12;
/** Gate outputs (sigmoid / tanh) are int16 Q0.15. */
const Q15 = 2 ** 15;

const sat16 = (v: number): number => Math.min(32767, Math.max(-32768, v));
/** Lookup-table activation on int16: the exact function rounded to Q0.15 (what a LUT stores). */
const sigmoidLut = (x: number, shift: number): number =>
  sat16(Math.round(Q15 / (1 + Math.exp(-x * 2 ** shift))));
const tanhLut = (x: number, shift: number): number => sat16(Math.round(Math.tanh(x * 2 ** shift) * Q15));

function gateScales(fn: string, arg: string, s: number | readonly number[]): number[] {
  const arr = typeof s === 'number' ? [s, s, s, s] : Array.isArray(s) ? [...s] : [];
  if (arr.length !== 4 || !arr.every((v) => typeof v === 'number' && v > 0 && Number.isFinite(v))) {
    throw new LabInputError(fn, arg, 'must be a positive scale or 4 per-gate scales (i, f, g, o)', s);
  }
  return arr;
}

/**
 * One step of an int8 LSTM with the arithmetic of TFLite's reference integer (8x8 -> 16) LSTM
 * (`lstm_eval.cc`): per gate, the input and recurrent int8 FCs accumulate in int32 (bias and
 * zero points folded in), are requantised (MultiplyByQuantizedMultiplier) to int16 Q3.12 and
 * accumulated into the gate with int16 saturation; sigmoid / tanh in gemmlowp's int16 fixed
 * point (Q3.12 in, Q0.15 out; or exact lookup tables with `activations: 'lut'`); the int16 cell
 * (power-of-two scale 2^cellShift) c = (f c >> 15) + (i g >> (30 + cellShift)) with rounding
 * shifts and saturation; h = o tanh(c) (tanh with 15 + cellShift integer bits) requantised to
 * int8. Returns the new h and c; the inputs are not modified.
 *
 * No projection, peephole, CIFG, cell clipping or layer norm. The h zero point is added
 * (`q = real / scale + zp`); TFLite's kernel subtracts the zero point of its hidden intermediate
 * tensor, which is 0 in converted models.
 *
 * @see Stamenovic et al., arXiv 2111.02351 (int8 LSTM speech enhancement on Ethos-U);
 * Jacob et al., CVPR 2018.
 */
export function lstmInt8(options: LstmInt8Options): LstmInt8Result {
  const fn = 'lstmInt8';
  const o = readOptions(fn, options, [
    'input',
    'inputScale',
    'inputZeroPoint',
    'hidden',
    'hiddenScale',
    'hiddenZeroPoint',
    'cell',
    'cellShift',
    'inputWeights',
    'inputWeightScales',
    'recurrentWeights',
    'recurrentWeightScales',
    'bias',
    'activations',
  ]);
  const x = checkInt8Array(fn, 'options.input', options.input);
  const h = checkInt8Array(fn, 'options.hidden', options.hidden);
  const H = h.length;
  const inn = x.length;
  if (H === 0 || inn === 0) throw new LabInputError(fn, 'options.hidden', 'must not be empty', H);
  if (!(options.cell instanceof Int16Array) || options.cell.length !== H) {
    throw new LabInputError(fn, 'options.cell', `must be an Int16Array of ${H}`, options.cell);
  }
  const wx = checkInt8Array(fn, 'options.inputWeights', options.inputWeights, 4 * H * inn);
  const wh = checkInt8Array(fn, 'options.recurrentWeights', options.recurrentWeights, 4 * H * H);
  for (const k of ['inputScale', 'hiddenScale'] as const)
    o.number(k, undefined, { min: 0, open: { min: true } });
  const zx = checkZeroPoint(fn, 'options.inputZeroPoint', options.inputZeroPoint);
  const zh = checkZeroPoint(fn, 'options.hiddenZeroPoint', options.hiddenZeroPoint);
  const mode = o.oneOf('activations', ['tflite', 'lut'], 'tflite');
  // TFLite's tanh of the cell takes 15 + cellShift <= 6 integer bits.
  const cellShift = o.integer('cellShift', -11, { min: -15, max: mode === 'tflite' ? -9 : -1 });
  if (
    options.bias !== undefined &&
    (!(options.bias instanceof Int32Array) || options.bias.length !== 4 * H)
  ) {
    throw new LabInputError(fn, 'options.bias', `must be an Int32Array of ${4 * H}`, options.bias);
  }
  const sx = gateScales(fn, 'options.inputWeightScales', options.inputWeightScales);
  const sh = gateScales(fn, 'options.recurrentWeightScales', options.recurrentWeightScales);
  const mx: QuantizedMultiplier[] = sx.map((s) =>
    quantizeMultiplier((options.inputScale * s) / 2 ** GATE_SHIFT),
  );
  const mh: QuantizedMultiplier[] = sh.map((s) =>
    quantizeMultiplier((options.hiddenScale * s) / 2 ** GATE_SHIFT),
  );
  const mOut = quantizeMultiplier(2 ** -30 / options.hiddenScale);

  const pre = new Int32Array(4 * H);
  for (let r = 0; r < 4 * H; r++) {
    const g = Math.floor(r / H);
    let ax = options.bias ? (options.bias[r] as number) : 0;
    for (let k = 0; k < inn; k++) ax += (wx[r * inn + k] as number) * ((x[k] as number) - zx);
    let ah = 0;
    for (let k = 0; k < H; k++) ah += (wh[r * H + k] as number) * ((h[k] as number) - zh);
    const qx = mx[g] as QuantizedMultiplier;
    const qh = mh[g] as QuantizedMultiplier;
    // The gate buffer is int16: each requantised FC is added to it with saturation.
    const gx = sat16(multiplyByQuantizedMultiplier(wrapInt32(ax), qx.multiplier, qx.shift));
    pre[r] = sat16(gx + multiplyByQuantizedMultiplier(wrapInt32(ah), qh.multiplier, qh.shift));
  }
  const hOut = new Int8Array(H);
  const cOut = new Int16Array(H);
  const tflite = mode === 'tflite';
  // Gates: Q3.12 in (3 integer bits), Q0.15 out.
  const sigmoid = (v: number): number => (tflite ? fixedPointSigmoid(v, 3) : sigmoidLut(v, GATE_SHIFT));
  const tanhGate = (v: number): number => (tflite ? fixedPointTanh(v, 3) : tanhLut(v, GATE_SHIFT));
  const tanhCell = (v: number): number =>
    tflite ? fixedPointTanh(v, 15 + cellShift) : tanhLut(v, cellShift);
  for (let u = 0; u < H; u++) {
    const i = sigmoid(pre[u] as number);
    const f = sigmoid(pre[H + u] as number);
    const g = tanhGate(pre[2 * H + u] as number);
    const o = sigmoid(pre[3 * H + u] as number);
    // f (Q0.15) * c (2^cellShift) >> 15 -> 2^cellShift; i * g (2^-30) >> (30 + cellShift) -> 2^cellShift.
    const fc = roundingDivideByPOT(f * (options.cell[u] as number), 15);
    const ig = roundingDivideByPOT(i * g, 30 + cellShift);
    const c = sat16(fc + ig);
    cOut[u] = c;
    const t = tanhCell(c);
    const v = multiplyByQuantizedMultiplier(o * t, mOut.multiplier, mOut.shift) + zh;
    hOut[u] = Math.min(127, Math.max(-128, v));
  }
  return { hidden: hOut, cell: cOut };
}
