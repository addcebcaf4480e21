import { LabInputError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { ActivationObserver, gridFromRange } from './ActivationObserver.js';
import { type QuantGrid, fakeQuantizeUnchecked } from './fakeQuantize.js';
import type { ActivationQuantParams } from './Int8Model.js';

/** Quantisation options shared by {@link QuantLSTM} and {@link QuantGRU}. */
export interface RecurrentQuantOptions {
  /** Fake-quantise activations at all (default true). When false the layer is core's float layer. */
  enabled?: boolean;
  /** Input x: int8 asymmetric with a moving-average range (default true). */
  quantizeInput?: boolean;
  /** Hidden state h: 8 (default, int8 asymmetric, moving average) or 16 (int16 symmetric, moving average). */
  hiddenBits?: 8 | 16;
  /**
   * LSTM cell state c: int16 at scale `2^cellShift` (default -11: Q4.11, |c| < 16, TFLite's
   * integer LSTM with a power-of-two cell scale), or `null` for a float cell state.
   */
  cellShift?: number | null;
  /** Moving-average momentum of the range observers (default 0.99). */
  momentum?: number;
}

/** Gate pre-activations: int16 Q3.12 (scale 2^-12), as TFLite's integer LSTM. */
export const GATE_PREACTIVATION_GRID: QuantGrid = {
  scale: 2 ** -12,
  zeroPoint: 0,
  qmin: -32768,
  qmax: 32767,
};
/** Gate outputs (sigmoid / tanh): int16 Q0.15 (scale 2^-15). */
export const GATE_OUTPUT_GRID: QuantGrid = { scale: 2 ** -15, zeroPoint: 0, qmin: -32768, qmax: 32767 };

/** Throws a LabInputError naming `fn` and `arg` unless `s` is a live `[batch, units]` state tensor. */
export function checkStateInput(fn: string, arg: string, s: unknown, batch: number, units: number): void {
  if (!(s instanceof tf.Tensor) || s.isDisposed || !tf.util.arraysEqual(s.shape, [batch, units])) {
    throw new LabInputError(fn, arg, `must be a tensor of shape [${batch}, ${units}]`, s);
  }
}

/** Throws a LabInputError naming `fn` unless `x` is a live `[batch, time >= 1, inputDim]` tensor. */
export function checkSequenceInput(fn: string, x: unknown, inputDim: number): asserts x is tf.Tensor {
  if (
    !(x instanceof tf.Tensor) ||
    x.isDisposed ||
    x.rank !== 3 ||
    x.shape[2] !== inputDim ||
    x.shape[1]! < 1
  ) {
    throw new LabInputError(fn, 'x', `must be a tensor [batch, time >= 1, ${inputDim}]`, x);
  }
}

/** @internal Resolved options and observers of a quantised recurrent layer. */
export class RecurrentQuant {
  readonly enabled: boolean;
  readonly input: ActivationObserver | null;
  readonly hidden: ActivationObserver;
  readonly cellGrid: QuantGrid | null;
  constructor(fn: string, name: string, options: RecurrentQuantOptions | undefined, hasCell: boolean) {
    const o = readOptions(
      fn,
      options,
      ['enabled', 'quantizeInput', 'hiddenBits', 'cellShift', 'momentum'],
      'options.quant',
    );
    this.enabled = o.boolean('enabled', true);
    const hiddenBits = o.oneOf('hiddenBits', [8, 16], 8);
    const momentum = o.number('momentum', 0.99, { min: 0, max: 1, open: { max: true } });
    this.input = o.boolean('quantizeInput', true)
      ? new ActivationObserver(`${name}.input`, { bits: 8, momentum })
      : null;
    this.hidden = new ActivationObserver(`${name}.hidden`, { bits: hiddenBits, momentum });
    // null: a float cell state (the LSTM only; a GRU has none).
    let cellShift: number | null = null;
    if (hasCell && o.raw('cellShift') !== null) {
      cellShift = o.integer('cellShift', -11, { min: -15, max: -1 });
    }
    this.cellGrid =
      cellShift === null ? null : { scale: 2 ** cellShift, zeroPoint: 0, qmin: -32768, qmax: 32767 };
  }

  /**
   * Hidden-state quantisation for one call. Training: each step is quantised with the union of
   * the moving-average range and the range seen so far in this call (no clipping while
   * training), and `finish()` updates the moving average once with the call's min/max.
   * Inference: the frozen moving-average grid.
   */
  hiddenQuantizer(training: boolean): { step(h: tf.Tensor): tf.Tensor; finish(): void } {
    const obs = this.hidden;
    if (!training || !obs.enabled) {
      return { step: (h) => obs.apply(h), finish: () => {} };
    }
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    return {
      step: (h) => {
        const mm = tf.tidy(() => tf.stack([tf.min(h), tf.max(h)]).dataSync());
        lo = Math.min(lo, mm[0]!);
        hi = Math.max(hi, mm[1]!);
        const a = obs.count > 0 ? Math.min(lo, obs.min) : lo;
        const b = obs.count > 0 ? Math.max(hi, obs.max) : hi;
        return fakeQuantizeUnchecked(h, gridFromRange(a, b, obs.bits));
      },
      finish: () => {
        if (lo <= hi) obs.observeRange(lo, hi);
      },
    };
  }

  observers(): ActivationObserver[] {
    return this.input ? [this.input, this.hidden] : [this.hidden];
  }

  /** Fixed grids and observed ranges as {@link ActivationQuantParams}. */
  quantParams(name: string): ActivationQuantParams[] {
    const out: ActivationQuantParams[] = this.observers().map((o) => o.toQuantParams());
    out.push({
      name: `${name}.gatePreactivations`,
      bits: 16,
      scale: GATE_PREACTIVATION_GRID.scale,
      zeroPoint: 0,
    });
    out.push({ name: `${name}.gateOutputs`, bits: 16, scale: GATE_OUTPUT_GRID.scale, zeroPoint: 0 });
    if (this.cellGrid) out.push({ name: `${name}.cell`, bits: 16, scale: this.cellGrid.scale, zeroPoint: 0 });
    return out;
  }
}
