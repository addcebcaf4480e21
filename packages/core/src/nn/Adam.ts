import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { Optimizer, type OptimizerOptions } from './Optimizer.js';
import { readOptions } from '../validation/readOptions.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options of {@link Adam} / {@link AdamW}. */
export interface AdamOptions extends OptimizerOptions {
  /** First-moment decay (default 0.9). */
  beta1?: number;
  /** Second-moment decay (default 0.999). */
  beta2?: number;
  /** Denominator epsilon (default 1e-8). */
  epsilon?: number;
  /**
   * How `weightDecay` acts: `l2` (Adam default) adds `wd * w` to the gradient before the
   * moments, as PyTorch's `Adam(weight_decay)`; `decoupled` (AdamW default) shrinks the weights
   * directly, `w <- w - lr * wd * w`, as PyTorch's `AdamW`.
   */
  decay?: 'l2' | 'decoupled';
}

/**
 * Adam, written on variables, with PyTorch semantics. At step t (1-based), for gradient g:
 * ```
 * g <- g + wd * w                       (decay = 'l2')
 * w <- w - lr * wd * w                  (decay = 'decoupled')
 * m <- b1 m + (1 - b1) g ;  v <- b2 v + (1 - b2) g^2
 * w <- w - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * ```
 * @see Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.
 * @see https://pytorch.org/docs/stable/generated/torch.optim.Adam.html
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly decay: 'l2' | 'decoupled';
  private readonly m = new Map<string, tf.Tensor>();
  private readonly v = new Map<string, tf.Tensor>();
  private readonly t = new Map<string, number>();

  constructor(
    params: ParameterStore | Record<string, tf.Variable>,
    options: AdamOptions,
    fnName = 'Adam',
    defaultDecay: 'l2' | 'decoupled' = 'l2',
  ) {
    super(fnName, params, options, ['beta1', 'beta2', 'epsilon', 'decay']);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.decay = options.decay ?? defaultDecay;
    for (const [k, val] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (typeof val !== 'number' || !(val >= 0 && val < 1))
        throw new LabInputError(fnName, `options.${k}`, 'must be in [0, 1)', val);
    }
    if (typeof this.epsilon !== 'number' || !(this.epsilon > 0)) {
      throw new LabInputError(fnName, 'options.epsilon', 'must be > 0', this.epsilon);
    }
    if (this.decay !== 'l2' && this.decay !== 'decoupled') {
      throw new LabInputError(fnName, 'options.decay', 'must be l2 or decoupled', this.decay);
    }
  }

  protected override update(name: string, variable: tf.Variable, grad: tf.Tensor, lr: number): void {
    const wd = this.decayFor(name);
    const t = (this.t.get(name) ?? 0) + 1;
    this.t.set(name, t);
    const oldM = this.m.get(name);
    const oldV = this.v.get(name);
    const [m, v] = tf.tidy(() => {
      let g = grad;
      if (wd > 0 && this.decay === 'l2') g = tf.add(g, tf.mul(variable, wd));
      const m = oldM
        ? tf.add(tf.mul(oldM, this.beta1), tf.mul(g, 1 - this.beta1))
        : tf.mul(g, 1 - this.beta1);
      const v = oldV
        ? tf.add(tf.mul(oldV, this.beta2), tf.mul(tf.square(g), 1 - this.beta2))
        : tf.mul(tf.square(g), 1 - this.beta2);
      const mHat = tf.div(m, 1 - this.beta1 ** t);
      const vHat = tf.div(v, 1 - this.beta2 ** t);
      let w: tf.Tensor = variable;
      if (wd > 0 && this.decay === 'decoupled') w = tf.mul(w, 1 - lr * wd);
      variable.assign(tf.sub(w, tf.mul(lr, tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)))));
      return [m, v];
    });
    oldM?.dispose();
    oldV?.dispose();
    this.m.set(name, m);
    this.v.set(name, v);
  }

  protected override exportState(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, m] of this.m) {
      out[`m/${name}`] = tf.clone(m);
      out[`v/${name}`] = tf.clone(this.v.get(name)!);
      out[`t/${name}`] = tf.scalar(this.t.get(name)!, 'int32');
    }
    return out;
  }

  protected override importState(record: Record<string, tf.Tensor>, fn: string): void {
    const names = new Set<string>();
    for (const k of Object.keys(record)) {
      const slot = k.slice(0, k.indexOf('/'));
      if (slot !== 'm' && slot !== 'v' && slot !== 't')
        throw new LabInputError(fn, `record.${k}`, 'must be an m/, v/ or t/ slot', k);
      names.add(k.slice(2));
    }
    for (const n of names) {
      if (!record[`m/${n}`] || !record[`v/${n}`] || !record[`t/${n}`]) {
        throw new LabInputError(
          fn,
          'record',
          `must hold m/, v/ and t/ entries for '${n}'`,
          Object.keys(record),
        );
      }
    }
    this.disposeState();
    for (const n of names) {
      this.m.set(n, tf.clone(record[`m/${n}`]!));
      this.v.set(n, tf.clone(record[`v/${n}`]!));
      this.t.set(n, record[`t/${n}`]!.dataSync()[0]!);
    }
  }

  protected override disposeState(): void {
    for (const x of this.m.values()) x.dispose();
    for (const x of this.v.values()) x.dispose();
    this.m.clear();
    this.v.clear();
    this.t.clear();
  }
}

/**
 * AdamW: {@link Adam} with decoupled weight decay (default `weightDecay` 0.01, as PyTorch).
 * Combine with `noDecay: NO_DECAY_BIAS_AND_NORM` to leave biases and norms undecayed.
 * @see Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.
 * @see https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html
 */
export class AdamW extends Adam {
  constructor(params: ParameterStore | Record<string, tf.Variable>, options: AdamOptions) {
    readOptions('AdamW', options); // reject null/non-objects before spreading
    super(params, { weightDecay: 0.01, ...options }, 'AdamW', 'decoupled');
  }
}
