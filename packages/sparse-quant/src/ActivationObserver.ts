import { checkTensor, LabInputError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ActivationQuantParams } from './Int8Model.js';
import { type QuantGrid, fakeQuantizeUnchecked } from './fakeQuantize.js';
import { roundHalfEven } from './maskSelection.js';

/** Options of {@link ActivationObserver}. */
export interface ActivationObserverOptions {
  /**
   * 8 (default): int8 asymmetric, q in [-128, 127] with a zero point. 16: int16 symmetric,
   * q in [-32767, 32767], zero point 0 (TFLite's 16x8 scheme, used for recurrent state).
   */
  bits?: 8 | 16;
  /**
   * Moving-average momentum in [0, 1): `min <- momentum * min + (1 - momentum) * batchMin`
   * (default 0.99, torch's `MovingAverageMinMaxObserver` averaging constant 0.01; tfmot
   * uses 0.999). The first observation sets the range directly.
   */
  momentum?: number;
}

/** @internal Quantisation grid of a range (TF's nudged min/max). */
export function gridFromRange(min: number, max: number, bits: 8 | 16): QuantGrid {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (bits === 16) {
    const m = Math.max(-lo, hi);
    return { scale: m > 0 ? m / 32767 : 1, zeroPoint: 0, qmin: -32767, qmax: 32767 };
  }
  const qmin = -128;
  const qmax = 127;
  const scale = hi - lo > 0 ? (hi - lo) / (qmax - qmin) : 1;
  const zeroPoint = Math.max(qmin, Math.min(qmax, roundHalfEven(qmin - lo / scale)));
  return { scale, zeroPoint, qmin, qmax };
}

/**
 * Activation range observer for quantisation-aware training: tracks a moving-average min/max of
 * the tensors it sees (always widened to include 0) and fake-quantises with the grid it implies.
 *
 * - int8 (default): asymmetric, `scale = (max - min) / 255`,
 *   `zeroPoint = clamp(round(-128 - min / scale), -128, 127)` (TF's nudging, so real 0 is exact).
 * - int16: symmetric, `scale = max(|min|, |max|) / 32767`, zero point 0.
 *
 * State is plain numbers (no tensors; reading a batch's min/max syncs two scalars). Each
 * {@link ActivationObserver.observe} call is one moving-average update, so an observer used at
 * every time step of a recurrence updates once per step.
 *
 * @example
 * ```ts
 * const fc1 = new Dense(new ParameterStore({ seed: 1 }), 'fc1', { inputDim: 4, units: 3 });
 * const x = tf.randomNormal([8, 4], 0, 1, 'float32', 1);
 * const obs = new ActivationObserver('fc1.out');
 * const y = obs.apply(fc1.apply(x), { training: true }); // observe, then fake-quantise
 * obs.toQuantParams(); // { name: 'fc1.out', bits: 8, scale, zeroPoint }
 * ```
 * @see Jacob et al., arXiv 1712.05877 (EMA ranges, section 3); tfmot `MovingAverageQuantizer`.
 */
export class ActivationObserver {
  /** Name recorded in {@link ActivationQuantParams}. */
  readonly name: string;
  readonly bits: 8 | 16;
  readonly momentum: number;
  /** When false, {@link ActivationObserver.apply} returns its input unchanged (e.g. float warm-up). */
  enabled = true;
  private lo = 0;
  private hi = 0;
  private n = 0;

  constructor(name: string, options: ActivationObserverOptions = {}) {
    const fn = 'ActivationObserver';
    if (typeof name !== 'string' || name.length === 0)
      throw new LabInputError(fn, 'name', 'must be a non-empty string', name);
    const o = readOptions(fn, options, ['bits', 'momentum']);
    const bits = o.oneOf('bits', [8, 16] as const, 8);
    const momentum = o.number('momentum', 0.99, { min: 0, max: 1, open: { max: true } });
    this.name = name;
    this.bits = bits;
    this.momentum = momentum;
  }

  /** Moving-average minimum (0 before the first observation). */
  get min(): number {
    return this.lo;
  }
  /** Moving-average maximum (0 before the first observation). */
  get max(): number {
    return this.hi;
  }
  /** Number of observations so far. */
  get count(): number {
    return this.n;
  }

  /** Updates the moving-average range from `x`'s min and max (does not keep `x`). */
  observe(x: tf.Tensor): void {
    checkTensor('ActivationObserver.observe', 'x', x);
    const mm = tf.tidy(() => tf.stack([tf.min(x), tf.max(x)]).dataSync());
    if (!Number.isFinite(mm[0]!) || !Number.isFinite(mm[1]!)) {
      throw new LabInputError('ActivationObserver.observe', 'x', 'must be finite', x);
    }
    this.observeRange(mm[0]!, mm[1]!);
  }

  /** One moving-average update from a batch's `min` and `max` (e.g. over a whole sequence). */
  observeRange(bmin: number, bmax: number): void {
    if (!Number.isFinite(bmin) || !Number.isFinite(bmax) || bmin > bmax) {
      throw new LabInputError('ActivationObserver.observeRange', 'min', 'must be finite and <= max', [
        bmin,
        bmax,
      ]);
    }
    if (this.n === 0) {
      this.lo = bmin;
      this.hi = bmax;
    } else {
      this.lo = this.momentum * this.lo + (1 - this.momentum) * bmin;
      this.hi = this.momentum * this.hi + (1 - this.momentum) * bmax;
    }
    this.n++;
  }

  /** The current grid (scale, zero point, integer range). */
  grid(): QuantGrid {
    return gridFromRange(this.lo, this.hi, this.bits);
  }

  /**
   * `training: true` observes `x` and then fake-quantises it with the updated range;
   * otherwise fake-quantises with the frozen range. Returns `x` unchanged (a clone) when
   * disabled or before any observation. Gradient: clipped straight-through (see {@link fakeQuantize}).
   */
  apply(x: tf.Tensor, options: { training?: boolean } = {}): tf.Tensor {
    checkTensor('ActivationObserver.apply', 'x', x);
    if (!this.enabled) return tf.clone(x);
    if (options.training) this.observe(x);
    if (this.n === 0) return tf.clone(x);
    return fakeQuantizeUnchecked(x, this.grid());
  }

  /** The activation's quantisation parameters for an {@link Int8Model}. Throws before any observation. */
  toQuantParams(): ActivationQuantParams {
    if (this.n === 0) {
      throw new LabInputError(
        'ActivationObserver.toQuantParams',
        'this',
        `must have observed data ('${this.name}' has not)`,
      );
    }
    const g = this.grid();
    return { name: this.name, bits: this.bits, scale: g.scale, zeroPoint: g.zeroPoint };
  }

  /** Forgets the range. */
  reset(): void {
    this.lo = 0;
    this.hi = 0;
    this.n = 0;
  }
}
