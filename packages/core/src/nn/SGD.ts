import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { Optimizer, type OptimizerOptions } from './Optimizer.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options of {@link SGD}. */
export interface SGDOptions extends OptimizerOptions {
  /** Momentum factor mu (default 0). */
  momentum?: number;
  /** Dampening tau of the momentum buffer (default 0). */
  dampening?: number;
  /** Nesterov momentum (requires momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with PyTorch semantics (L2 weight decay added to the gradient):
 * ```
 * g <- g + wd * w
 * b <- g (first step) | mu b + (1 - tau) g
 * g <- g + mu b (nesterov) | b
 * w <- w - lr g
 * ```
 * @see Sutskever et al., "On the importance of initialization and momentum in deep learning", ICML 2013.
 * @see https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  private readonly buf = new Map<string, tf.Tensor>();

  constructor(params: ParameterStore | Record<string, tf.Variable>, options: SGDOptions) {
    super('SGD', params, options, ['momentum', 'dampening', 'nesterov']);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum < 1)) {
      throw new LabInputError('SGD', 'options.momentum', 'must be in [0, 1)', this.momentum);
    }
    if (typeof this.dampening !== 'number' || !(this.dampening >= 0 && this.dampening <= 1)) {
      throw new LabInputError('SGD', 'options.dampening', 'must be in [0, 1]', this.dampening);
    }
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) {
      throw new LabInputError(
        'SGD',
        'options.nesterov',
        'requires momentum > 0 and dampening = 0',
        this.nesterov,
      );
    }
  }

  protected override update(name: string, variable: tf.Variable, grad: tf.Tensor, lr: number): void {
    const wd = this.decayFor(name);
    const old = this.buf.get(name);
    const next = tf.tidy(() => {
      let g = grad;
      if (wd > 0) g = tf.add(g, tf.mul(variable, wd));
      let b: tf.Tensor | undefined;
      if (this.momentum > 0) {
        b = old ? tf.add(tf.mul(old, this.momentum), tf.mul(g, 1 - this.dampening)) : tf.clone(g);
        g = this.nesterov ? tf.add(g, tf.mul(b, this.momentum)) : b;
      }
      variable.assign(tf.sub(variable, tf.mul(g, lr)));
      return b;
    });
    if (next) {
      old?.dispose();
      this.buf.set(name, next);
    }
  }

  protected override exportState(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, b] of this.buf) out[`momentum/${name}`] = tf.clone(b);
    return out;
  }

  protected override importState(record: Record<string, tf.Tensor>, fn: string): void {
    for (const k of Object.keys(record)) {
      if (!k.startsWith('momentum/'))
        throw new LabInputError(fn, `record.${k}`, 'must be a momentum/ slot', k);
    }
    this.disposeState();
    for (const [k, t] of Object.entries(record)) this.buf.set(k.slice('momentum/'.length), tf.clone(t));
  }

  protected override disposeState(): void {
    for (const x of this.buf.values()) x.dispose();
    this.buf.clear();
  }
}
