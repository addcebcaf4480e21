import * as tf from '@tensorflow/tfjs-core';
import { LabInputError, describeValue } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import type { Rng } from '../random/createRng.js';
import { isRng } from '../validation/resolveRng.js';
import { getInitializer, type InitializerSpec } from './initializers.js';

/** Selects parameters by exact name, by a set of names, by regular expression or by predicate. */
export type ParameterSelector = string | readonly string[] | RegExp | ((name: string) => boolean);

/**
 * A transform applied to a weight each time a layer reads it (see {@link ParameterStore.setTransform}).
 * Must be differentiable in `w` (or define its own gradient with `tf.customGrad`, e.g. a
 * straight-through estimator) and must not dispose `w`.
 */
export type ParameterTransform = (w: tf.Tensor, name: string) => tf.Tensor;

/** Options for {@link ParameterStore.create}. */
export interface CreateParameterOptions {
  /** Whether optimizers and {@link ParameterStore.valueAndGrads} update it (default true). */
  trainable?: boolean;
}

/** Options for {@link ParameterStore.loadRecord}. */
export interface LoadRecordOptions {
  /**
   * `true` (default): every stored parameter must be present in the record and the record
   * must hold no unknown names. `false`: load the names both have, ignore the rest.
   */
  strict?: boolean;
}

/** Constructor options of {@link ParameterStore}. */
export interface ParameterStoreOptions {
  /**
   * Seed for every initialiser (default `DEFAULT_SEED`, 0). An `Rng` is accepted here too, as
   * before the `{ seed, rng }` convention; prefer `rng`.
   */
  seed?: number | string | Rng;
  /** Generator to fork every initialiser's stream from (at most one of `seed` and `rng`). */
  rng?: Rng;
}

interface Entry {
  variable: tf.Variable;
  trainable: boolean;
}

interface TransformEntry {
  id: number;
  match: (name: string) => boolean;
  fn: ParameterTransform;
}

const NAME_RE = /^[A-Za-z0-9_.:/\-[\]]+$/;

/**
 * Turns a {@link ParameterSelector} into a predicate over parameter names (`fn` names the
 * caller in the error for an invalid selector).
 */
export function parameterMatcher(sel: ParameterSelector, fn = 'parameterMatcher'): (name: string) => boolean {
  if (typeof sel === 'string') return (n) => n === sel;
  if (sel instanceof RegExp) return (n) => new RegExp(sel.source, sel.flags.replace('g', '')).test(n);
  if (typeof sel === 'function') return sel;
  if (Array.isArray(sel)) {
    const set = new Set(sel);
    return (n) => set.has(n);
  }
  throw new LabInputError(fn, 'selector', 'must be a name, an array of names, a RegExp or a predicate', sel);
}

/**
 * A named collection of `tf.Variable`s: the parameters of a functional model.
 *
 * - Parameters are created with seeded initialisers. Each parameter draws from
 *   `rng.fork(name)`, so its initial value depends only on the store's seed and its own name
 *   (not on creation order): same seed, same weights.
 * - Layers read weights through {@link ParameterStore.get}, which applies the transforms
 *   registered with {@link ParameterStore.setTransform} (masks for pruning, fake quantisation
 *   with straight-through gradients, weight normalisation...). Gradients flow through the
 *   transform back to the raw variable.
 * - {@link ParameterStore.toRecord} / {@link ParameterStore.loadRecord} exchange every parameter as a
 *   `Record<string, tf.Tensor>` (the format the serialization helpers read and write), with
 *   name and shape checks on load.
 *
 * @example
 * ```ts
 * const store = new ParameterStore({ seed: 1 });
 * const fc = new Dense(store, 'fc', { inputDim: 4, units: 2 });
 * const x = tf.ones([3, 4]);
 * const { value, grads } = store.valueAndGrads(() => tf.mean(tf.square(fc.apply(x))));
 * ```
 */
export class ParameterStore {
  /** The generator parameters are initialised from (each through `rng.fork(name)`). */
  readonly rng: Rng;
  private readonly entries = new Map<string, Entry>();
  private readonly byVariableName = new Map<string, string>();
  private transforms: TransformEntry[] = [];
  private nextTransformId = 0;
  private disposed = false;

  constructor(options: ParameterStoreOptions = {}) {
    const o = readOptions('ParameterStore', options, ['seed', 'rng']);
    const seed = o.raw('seed');
    // An Rng passed as `seed` (the pre-convention form) is the same as `rng`.
    this.rng = isRng(seed) && !o.has('rng') ? seed : o.rng();
  }

  private check(fn: string): void {
    if (this.disposed) throw new LabInputError(`ParameterStore.${fn}`, 'this', 'must not be disposed');
  }

  private entry(fn: string, name: string): Entry {
    this.check(fn);
    const e = this.entries.get(name);
    if (e === undefined) {
      throw new LabInputError(`ParameterStore.${fn}`, 'name', 'must name an existing parameter', name);
    }
    return e;
  }

  /**
   * Creates a parameter `name` of `shape`, initialised by `init` from `rng.fork(name)`.
   * Throws if the name exists (two layers with the same prefix are a bug).
   *
   * @returns the raw variable (layers should read it through {@link ParameterStore.get}).
   */
  create(
    name: string,
    shape: readonly number[],
    init: InitializerSpec = 'glorotUniform',
    options: CreateParameterOptions = {},
  ): tf.Variable {
    this.check('create');
    if (typeof name !== 'string' || !NAME_RE.test(name)) {
      throw new LabInputError(
        'ParameterStore.create',
        'name',
        'must be a non-empty string of [A-Za-z0-9_.:/-[]]',
        name,
      );
    }
    if (this.entries.has(name)) {
      throw new LabInputError(
        'ParameterStore.create',
        'name',
        'must be unique in the store (already exists)',
        name,
      );
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new LabInputError(
        'ParameterStore.create',
        'shape',
        'must be an array of positive integers',
        shape,
      );
    }
    const trainable = readOptions('ParameterStore.create', options, ['trainable']).boolean('trainable', true);
    const initializer = getInitializer(init, 'ParameterStore.create', 'init');
    const values = initializer(shape, this.rng.fork(name));
    // tfjs variable names are global: let tfjs assign a unique one and map it back to `name`.
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, [...shape], 'float32'), trainable));
    this.entries.set(name, { variable, trainable });
    this.byVariableName.set(variable.name, name);
    return variable;
  }

  /** Whether a parameter called `name` exists. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** All parameter names, in creation order. */
  names(): string[] {
    this.check('names');
    return [...this.entries.keys()];
  }

  /** Names of the trainable parameters, in creation order. */
  trainableNames(): string[] {
    this.check('trainableNames');
    return [...this.entries].filter(([, e]) => e.trainable).map(([n]) => n);
  }

  /** Shape of parameter `name`. */
  shape(name: string): number[] {
    return [...this.entry('shape', name).variable.shape];
  }

  /**
   * Name -> shape of every parameter: pass as `expected` to the parameter-file loader to check
   * a file against this model before loading it.
   */
  shapes(): Record<string, number[]> {
    this.check('shapes');
    const out: Record<string, number[]> = {};
    for (const [name, e] of this.entries) out[name] = [...e.variable.shape];
    return out;
  }

  /** Total number of scalar parameters (all, or only trainable ones). */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    this.check('numParameters');
    const trainableOnly = readOptions('ParameterStore.numParameters', options, ['trainableOnly']).boolean(
      'trainableOnly',
      false,
    );
    let n = 0;
    for (const e of this.entries.values()) if (!trainableOnly || e.trainable) n += e.variable.size;
    return n;
  }

  /**
   * The weight `name` as layers should use it: the raw variable passed through every matching
   * transform, in registration order. With no transform this is the variable itself (do not
   * dispose it); with transforms it is a new tensor owned by the caller's `tf.tidy` scope.
   */
  get(name: string): tf.Tensor {
    const e = this.entry('get', name);
    let w: tf.Tensor = e.variable;
    for (const t of this.transforms) {
      if (!t.match(name)) continue;
      const out = t.fn(w, name);
      if (!(out instanceof tf.Tensor)) {
        throw new LabInputError('ParameterStore.get', 'transform', 'must return a tf.Tensor', out);
      }
      if (!tf.util.arraysEqual(out.shape, e.variable.shape)) {
        throw new LabInputError(
          'ParameterStore.get',
          'transform',
          `must keep the shape [${e.variable.shape.join(', ')}] of '${name}'`,
          out,
        );
      }
      w = out;
    }
    return w;
  }

  /** The raw `tf.Variable` behind `name` (no transform). Owned by the store. */
  variable(name: string): tf.Variable {
    return this.entry('variable', name).variable;
  }

  /** Whether `name` is trainable. */
  isTrainable(name: string): boolean {
    return this.entry('isTrainable', name).trainable;
  }

  /** Freezes (`false`) or unfreezes (`true`) the selected parameters. Returns how many matched. */
  setTrainable(selector: ParameterSelector, trainable: boolean): number {
    this.check('setTrainable');
    if (typeof trainable !== 'boolean') {
      throw new LabInputError('ParameterStore.setTrainable', 'trainable', 'must be a boolean', trainable);
    }
    const match = parameterMatcher(selector, 'ParameterStore.setTrainable');
    let n = 0;
    for (const [name, e] of this.entries) {
      if (!match(name)) continue;
      e.trainable = trainable;
      e.variable.trainable = trainable;
      n++;
    }
    return n;
  }

  /**
   * Registers a transform applied by {@link ParameterStore.get} to every matching parameter
   * (transforms compose in registration order). Returns a function removing it.
   *
   * @example Pruning mask (masked weights get zero gradient):
   * ```ts
   * const store = new ParameterStore({ seed: 1 });
   * const fc = new Dense(store, 'fc', { inputDim: 4, units: 2 });
   * const mask = tf.tensor2d([[1, 0], [1, 0], [0, 1], [0, 1]]); // [inputDim, units], like the kernel
   * const remove = store.setTransform('fc.kernel', (w) => tf.mul(w, mask));
   * ```
   * @example Fake quantisation with a straight-through estimator:
   * ```ts
   * const store = new ParameterStore({ seed: 1 });
   * const fc = new Dense(store, 'fc', { inputDim: 4, units: 2 });
   * store.setTransform(/kernel$/, (w) => tf.customGrad((x, save) => ({
   *   value: tf.div(tf.round(tf.mul(x as tf.Tensor, 127)), 127), gradFunc: (dy) => dy,
   * }))(w));
   * ```
   */
  setTransform(selector: ParameterSelector, transform: ParameterTransform): () => void {
    this.check('setTransform');
    if (typeof transform !== 'function') {
      throw new LabInputError(
        'ParameterStore.setTransform',
        'transform',
        'must be a function (w, name) => tensor',
        transform,
      );
    }
    const id = this.nextTransformId++;
    this.transforms.push({
      id,
      match: parameterMatcher(selector, 'ParameterStore.setTransform'),
      fn: transform,
    });
    return () => {
      this.transforms = this.transforms.filter((t) => t.id !== id);
    };
  }

  /** Removes every transform. */
  clearTransforms(): void {
    this.transforms = [];
  }

  /** The trainable raw variables by parameter name. */
  trainableVariables(): Record<string, tf.Variable> {
    this.check('trainableVariables');
    const out: Record<string, tf.Variable> = {};
    for (const [name, e] of this.entries) if (e.trainable) out[name] = e.variable;
    return out;
  }

  /**
   * Evaluates the scalar `loss` and its gradients with respect to the trainable parameters
   * (or the `names` given), keyed by parameter name. Gradients pass through transforms, so a
   * mask transform yields zero gradient at masked entries. The caller owns (disposes) `value`
   * and the gradients. Parameters the loss does not touch get zero gradients.
   */
  valueAndGrads(
    loss: () => tf.Scalar,
    names?: readonly string[],
  ): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
    this.check('valueAndGrads');
    if (typeof loss !== 'function') {
      throw new LabInputError(
        'ParameterStore.valueAndGrads',
        'loss',
        'must be a function returning a scalar',
        loss,
      );
    }
    const selected = names ?? this.trainableNames();
    const vars = selected.map((n) => this.entry('valueAndGrads', n).variable);
    if (vars.length === 0) {
      throw new LabInputError(
        'ParameterStore.valueAndGrads',
        'names',
        'must select at least one parameter',
        selected,
      );
    }
    return tf.tidy(() => {
      let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
      try {
        result = tf.variableGrads(() => {
          const v = loss();
          if (!(v instanceof tf.Tensor) || v.rank !== 0) {
            throw new LabInputError('ParameterStore.valueAndGrads', 'loss', 'must return a scalar tensor', v);
          }
          return v as tf.Scalar;
        }, vars);
      } catch (err) {
        if (err instanceof Error && /Cannot find a connection/.test(err.message)) {
          throw new LabInputError(
            'ParameterStore.valueAndGrads',
            'loss',
            'must depend on at least one selected parameter',
          );
        }
        throw err;
      }
      const { value, grads } = result;
      const out: Record<string, tf.Tensor> = {};
      for (const v of vars) {
        const name = this.byVariableName.get(v.name)!;
        out[name] = grads[v.name] ?? tf.zerosLike(v);
      }
      return { value, grads: out };
    });
  }

  /**
   * Every parameter as a name -> tensor record of fresh copies (the caller disposes them).
   * `transformed: true` exports the weights as layers see them (e.g. masked and quantised).
   */
  toRecord(options: { transformed?: boolean; trainableOnly?: boolean } = {}): Record<string, tf.Tensor> {
    this.check('toRecord');
    const o = readOptions('ParameterStore.toRecord', options, ['transformed', 'trainableOnly']);
    const [transformed, trainableOnly] = [o.boolean('transformed', false), o.boolean('trainableOnly', false)];
    const out: Record<string, tf.Tensor> = {};
    for (const [name, e] of this.entries) {
      if (trainableOnly && !e.trainable) continue;
      out[name] = tf.tidy(() => (transformed ? tf.clone(this.get(name)) : tf.clone(e.variable)));
    }
    return out;
  }

  /**
   * Assigns parameters from a name -> tensor record (e.g. from {@link ParameterStore.toRecord} or
   * a file). Shapes must match exactly; values are cast to float32. The record's tensors are
   * not disposed. Validation happens before any assignment, so a bad record changes nothing.
   *
   * @returns the names that were loaded.
   */
  loadRecord(record: Record<string, tf.Tensor>, options: LoadRecordOptions = {}): string[] {
    this.check('loadRecord');
    if (record === null || typeof record !== 'object') {
      throw new LabInputError(
        'ParameterStore.loadRecord',
        'record',
        'must be a Record<string, tf.Tensor>',
        record,
      );
    }
    const strict = readOptions('ParameterStore.loadRecord', options, ['strict']).boolean('strict', true);
    const names: string[] = [];
    for (const [name, t] of Object.entries(record)) {
      if (!(t instanceof tf.Tensor) || t.isDisposed) {
        throw new LabInputError('ParameterStore.loadRecord', `record.${name}`, 'must be a live tf.Tensor', t);
      }
      const e = this.entries.get(name);
      if (e === undefined) {
        if (strict) {
          throw new LabInputError(
            'ParameterStore.loadRecord',
            `record.${name}`,
            'must name a parameter of the store',
            name,
          );
        }
        continue;
      }
      if (!tf.util.arraysEqual(t.shape, e.variable.shape)) {
        throw new LabInputError(
          'ParameterStore.loadRecord',
          `record.${name}`,
          `must have shape [${e.variable.shape.join(', ')}]`,
          t,
        );
      }
      names.push(name);
    }
    if (strict) {
      const missing = [...this.entries.keys()].filter((n) => !(n in record));
      if (missing.length > 0) {
        throw new LabInputError(
          'ParameterStore.loadRecord',
          'record',
          `must contain every parameter (missing ${describeValue(missing)})`,
          Object.keys(record),
        );
      }
    }
    tf.tidy(() => {
      for (const name of names) {
        const t = record[name]!;
        this.entries.get(name)!.variable.assign(t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
      }
    });
    return names;
  }

  /** Disposes every variable. The store is unusable afterwards. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    for (const e of this.entries.values()) e.variable.dispose();
    this.entries.clear();
    this.byVariableName.clear();
    this.transforms = [];
    this.disposed = true;
  }
}
