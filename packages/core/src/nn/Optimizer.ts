import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import { clipByGlobalNorm, clipByValue } from './clipGradients.js';
import type { LrSchedule } from './lrSchedules.js';
import { type ParameterSelector, ParameterStore, parameterMatcher } from './ParameterStore.js';

/**
 * Parameter names that conventionally get no weight decay: biases and LayerNorm/BatchNorm
 * gains and shifts (names ending in `bias`, `Bias`, `.gamma`, `.beta`). Pass as `noDecay`.
 * @see Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.
 */
export const NO_DECAY_BIAS_AND_NORM: RegExp = /(bias|Bias|\.gamma|\.beta)$/;

/** Options shared by every optimizer. */
export interface OptimizerOptions {
  /** Learning rate, or a schedule of the (0-based) step. */
  lr: number | LrSchedule;
  /** Weight-decay coefficient (default 0; its meaning depends on the optimizer). */
  weightDecay?: number;
  /** Parameters exempt from weight decay, e.g. {@link NO_DECAY_BIAS_AND_NORM}. */
  noDecay?: ParameterSelector;
  /** Clip gradients to this global L2 norm before the update. */
  clipNorm?: number;
  /** Clip gradient elements to `[-clipValue, clipValue]` (after `clipNorm`). */
  clipValue?: number;
}

/** What {@link Optimizer.step} did. */
export interface StepResult {
  /** Learning rate used. */
  lr: number;
  /** Global gradient norm before clipping (computed only when `clipNorm` is set, else NaN). */
  gradNorm: number;
}

/** What an {@link Optimizer} updates: a {@link ParameterStore} or a record of tfjs variables. */
export type ParamSource = ParameterStore | Record<string, tf.Variable>;

/** Option names every optimizer reads (subclasses add their own). */
const OPTIMIZER_KEYS = ['lr', 'weightDecay', 'noDecay', 'clipNorm', 'clipValue'] as const;

/**
 * Base class of the optimizers: updates `tf.Variable`s in place from a name -> gradient record,
 * with optional gradient clipping, per-parameter weight-decay exclusion and an LR schedule.
 * Subclasses implement the per-parameter rule; state tensors are freed by {@link Optimizer.dispose}.
 */
export abstract class Optimizer {
  /** Number of updates applied so far. */
  iterations = 0;
  protected readonly options: OptimizerOptions;
  private readonly source: ParamSource;
  private readonly decayExcluded: (name: string) => boolean;
  private readonly fnName: string;
  private disposed = false;

  protected constructor(
    fnName: string,
    params: ParamSource,
    options: OptimizerOptions,
    /** The subclass's own option names (unknown keys are rejected). */
    ownKeys: readonly string[] = [],
  ) {
    this.fnName = fnName;
    if (params === null || typeof params !== 'object') {
      throw new LabInputError(
        fnName,
        'params',
        'must be a ParameterStore or a Record<string, tf.Variable>',
        params,
      );
    }
    if (!(params instanceof ParameterStore)) {
      for (const [k, v] of Object.entries(params)) {
        if (!(v instanceof tf.Variable))
          throw new LabInputError(fnName, `params.${k}`, 'must be a tf.Variable', v);
      }
    }
    if (options === undefined)
      throw new LabInputError(fnName, 'options', 'is required (an options object with lr)');
    readOptions(fnName, options, [...OPTIMIZER_KEYS, ...ownKeys]);
    const lr = options.lr;
    if (typeof lr !== 'function' && (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)) {
      throw new LabInputError(
        fnName,
        'options.lr',
        'must be a finite number >= 0 or a schedule function',
        lr,
      );
    }
    const wd = options.weightDecay ?? 0;
    if (typeof wd !== 'number' || !Number.isFinite(wd) || wd < 0) {
      throw new LabInputError(fnName, 'options.weightDecay', 'must be a finite number >= 0', wd);
    }
    for (const key of ['clipNorm', 'clipValue'] as const) {
      const v = options[key];
      if (v !== undefined && (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))) {
        throw new LabInputError(fnName, `options.${key}`, 'must be a finite number > 0', v);
      }
    }
    this.source = params;
    this.options = { ...options, weightDecay: wd };
    this.decayExcluded =
      options.noDecay === undefined ? () => false : parameterMatcher(options.noDecay, fnName);
  }

  /** The learning rate the next step will use. */
  currentLr(): number {
    const lr = this.options.lr;
    const v = typeof lr === 'function' ? lr(this.iterations) : lr;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new LabInputError(
        this.fnName,
        'options.lr',
        `schedule must return a finite number >= 0 at step ${this.iterations}`,
        v,
      );
    }
    return v;
  }

  /** Weight decay applying to parameter `name` (0 if excluded). */
  protected decayFor(name: string): number {
    return this.decayExcluded(name) ? 0 : (this.options.weightDecay ?? 0);
  }

  private variableFor(name: string): tf.Variable {
    if (this.source instanceof ParameterStore) {
      if (!this.source.has(name)) {
        throw new LabInputError(
          `${this.fnName}.step`,
          `grads.${name}`,
          'must name a parameter of the store',
          name,
        );
      }
      return this.source.variable(name);
    }
    const v = this.source[name];
    if (v === undefined)
      throw new LabInputError(`${this.fnName}.step`, `grads.${name}`, 'must name a known parameter', name);
    return v;
  }

  /**
   * Applies one update from `grads` (parameter name -> gradient, e.g. from
   * {@link ParameterStore.valueAndGrads}). Gradients are not disposed. With a store as source,
   * gradients of frozen (non-trainable) parameters are ignored.
   */
  step(grads: Record<string, tf.Tensor>): StepResult {
    if (this.disposed) throw new LabInputError(`${this.fnName}.step`, 'this', 'must not be disposed');
    if (grads === null || typeof grads !== 'object') {
      throw new LabInputError(`${this.fnName}.step`, 'grads', 'must be a Record<string, tf.Tensor>', grads);
    }
    const entries = Object.entries(grads);
    const vars = new Map<string, tf.Variable>();
    for (const [name, g] of entries) {
      const v = this.variableFor(name);
      if (this.source instanceof ParameterStore && !this.source.isTrainable(name)) continue;
      if (!(g instanceof tf.Tensor) || g.isDisposed || !tf.util.arraysEqual(g.shape, v.shape)) {
        throw new LabInputError(
          `${this.fnName}.step`,
          `grads.${name}`,
          `must be a tensor of shape [${v.shape.join(', ')}]`,
          g,
        );
      }
      vars.set(name, v);
    }
    const lr = this.currentLr();
    // Only the gradients that will be applied (frozen parameters excluded) enter clipping.
    let use: Record<string, tf.Tensor> = {};
    for (const name of vars.keys()) use[name] = grads[name]!;
    const owned: tf.Tensor[] = [];
    let gradNorm = Number.NaN;
    if (this.options.clipNorm !== undefined) {
      const c = clipByGlobalNorm(use, this.options.clipNorm);
      use = c.grads;
      gradNorm = c.norm;
      owned.push(...Object.values(c.grads));
    }
    if (this.options.clipValue !== undefined) {
      use = clipByValue(use, this.options.clipValue);
      owned.push(...Object.values(use));
    }
    this.iterations++;
    try {
      for (const [name, v] of vars) this.update(name, v, use[name]!, lr);
    } finally {
      tf.dispose(owned);
    }
    return { lr, gradNorm };
  }

  /**
   * One training step on a store: gradients of `loss` with respect to its trainable parameters,
   * then {@link Optimizer.step}. Returns the loss value. Requires a {@link ParameterStore} source.
   */
  minimize(loss: () => tf.Scalar): number {
    if (!(this.source instanceof ParameterStore)) {
      // Plain variable records: tf.variableGrads keys by variable name.
      const names = Object.keys(this.source);
      const vars = names.map((n) => (this.source as Record<string, tf.Variable>)[n]!);
      const { value, grads } = tf.variableGrads(loss, vars);
      const byName: Record<string, tf.Tensor> = {};
      names.forEach((n, i) => {
        byName[n] = grads[vars[i]!.name] ?? tf.zerosLike(vars[i]!);
      });
      try {
        this.step(byName);
        return value.dataSync()[0]!;
      } finally {
        tf.dispose([value, ...Object.values(byName), ...Object.values(grads)]);
      }
    }
    const { value, grads } = this.source.valueAndGrads(loss);
    try {
      this.step(grads);
      return value.dataSync()[0]!;
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  }

  /**
   * The optimizer state as a name -> tensor record of copies (caller disposes), e.g.
   * `m/<param>`, `v/<param>`, plus the scalar `iterations`: save it next to the parameters to
   * resume training exactly.
   */
  getState(): Record<string, tf.Tensor> {
    if (this.disposed) throw new LabInputError(`${this.fnName}.getState`, 'this', 'must not be disposed');
    const out = this.exportState();
    out.iterations = tf.scalar(this.iterations, 'int32');
    return out;
  }

  /**
   * Restores a record from {@link Optimizer.getState} (of the same optimizer class). Tensors are
   * copied; the record is not disposed. Unknown keys throw.
   */
  setState(record: Record<string, tf.Tensor>): void {
    const fn = `${this.fnName}.setState`;
    if (this.disposed) throw new LabInputError(fn, 'this', 'must not be disposed');
    if (record === null || typeof record !== 'object')
      throw new LabInputError(fn, 'record', 'must be a Record<string, tf.Tensor>', record);
    const it = record.iterations;
    if (!(it instanceof tf.Tensor) || it.size !== 1)
      throw new LabInputError(fn, 'record.iterations', 'must be a scalar tensor', it);
    const rest: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(record)) {
      if (k === 'iterations') continue;
      if (!(t instanceof tf.Tensor) || t.isDisposed)
        throw new LabInputError(fn, `record.${k}`, 'must be a live tf.Tensor', t);
      const slash = k.indexOf('/');
      const param = k.slice(slash + 1);
      if (slash < 0) throw new LabInputError(fn, `record.${k}`, "must be named '<slot>/<parameter>'", k);
      const v = this.variableFor(param);
      const scalarSlot = k.slice(0, slash) === 't';
      if (scalarSlot ? t.size !== 1 : !tf.util.arraysEqual(t.shape, v.shape)) {
        throw new LabInputError(
          fn,
          `record.${k}`,
          scalarSlot ? 'must be a scalar' : `must have shape [${v.shape.join(', ')}]`,
          t,
        );
      }
      rest[k] = t;
    }
    this.importState(rest, fn);
    this.iterations = it.dataSync()[0]!;
  }

  /** Copies of the per-parameter state, keyed `<slot>/<parameter>`. */
  protected abstract exportState(): Record<string, tf.Tensor>;

  /** Replaces the per-parameter state from validated `<slot>/<parameter>` entries (copy them). */
  protected abstract importState(record: Record<string, tf.Tensor>, fn: string): void;

  /** Per-parameter update rule; `grad` has the variable's shape; must not dispose `grad`. */
  protected abstract update(name: string, variable: tf.Variable, grad: tf.Tensor, lr: number): void;

  /** Frees the state tensors. */
  protected abstract disposeState(): void;

  /** Frees the optimizer's state tensors (moments, momentum buffers). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposeState();
    this.disposed = true;
  }
}
