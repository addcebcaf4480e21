import { LabInputError, type ParameterStore } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { ActivationObserver } from './ActivationObserver.js';
import {
  type CompressionPlan,
  type ResolvedLayer,
  type ResolvedPlan,
  resolvePlan,
} from './compressionPlan.js';
import {
  type MaskSet,
  type MaskSource,
  combineMasks,
  globalContribution,
  layerContribution,
} from './computeMasks.js';
import { fakeQuantWeightUnchecked } from './fakeQuantWeight.js';
import type { ActivationQuantParams, FloatTensor, Int8Model, Int8Tensor } from './Int8Model.js';
import { quantizeWeight } from './quantizeWeight.js';

/** Result of {@link Compression.step}. */
export interface CompressionStepResult {
  /** Layers whose masks were recomputed at this step (all pruned layers for a global plan). */
  updatedLayers: string[];
  /** Whether weights are fake-quantised from this step on. */
  quantizing: boolean;
}

/** Sparsity of one matrix weight, from its mask. */
export interface ParameterSparsity {
  name: string;
  size: number;
  zeros: number;
  sparsity: number;
}

/** Per-layer sparsity (matrix weights only; biases are not counted). */
export interface LayerSparsity {
  layer: string;
  structure: ResolvedLayer['structure'];
  /** Sparsity the schedule asked for at the last update (0 before any). */
  target: number;
  size: number;
  zeros: number;
  sparsity: number;
  parameters: ParameterSparsity[];
  /**
   * Output units (channels / hidden units) and how many are pruned (all their gate columns in
   * `kernel` zero). For `'unit'` layers `sparsity` is higher than `prunedUnits / units`, since
   * recurrent rows and consumer rows go too.
   */
  units: number;
  prunedUnits: number;
}

/** Result of {@link Compression.sparsity}. */
export interface SparsityReport {
  layers: LayerSparsity[];
  /** Over the matrix weights of every layer in the plan. */
  total: { size: number; zeros: number; sparsity: number };
}

/** Options of {@link Compression.toInt8Model}. */
export interface ToInt8ModelOptions {
  /** Activation ranges to record: observers (e.g. `QuantLSTM.observers`) or ready parameters. */
  activations?: readonly (ActivationObserver | ActivationQuantParams)[];
}

/**
 * A compression plan installed on a ParameterStore (see {@link applyCompression}): pruning masks
 * and fake weight quantisation applied through the store's transform hook. Holds mask tensors:
 * call {@link Compression.dispose} when done (it also removes the transforms).
 */
export class Compression {
  /** The validated plan with every default filled in. */
  readonly plan: ResolvedPlan;
  private readonly store: ParameterStore;
  private readonly contributions = new Map<string, MaskSet>();
  private combined: MaskSet = new Map();
  private readonly maskTensors = new Map<string, tf.Tensor>();
  private readonly targets = new Map<string, number>();
  private readonly quantized = new Map<string, boolean>();
  private readonly remove: () => void;
  private quantizing: boolean;
  private disposed = false;

  /** @internal Use {@link applyCompression}. */
  constructor(store: ParameterStore, plan: ResolvedPlan) {
    this.store = store;
    this.plan = plan;
    for (const l of plan.layers) {
      this.targets.set(l.layer, 0);
      for (const w of l.weights) this.quantized.set(w, l.weightBits === 8);
    }
    this.quantizing = plan.quantStartStep === 0;
    const names = new Set<string>();
    for (const l of plan.layers) {
      for (const p of [...l.weights, ...l.biases]) names.add(p);
      for (const s of l.unitSlices) names.add(s.parameter);
    }
    this.remove = store.setTransform([...names], (w, name) => this.transform(w, name));
  }

  private transform(w: tf.Tensor, name: string): tf.Tensor {
    const mask = this.maskTensors.get(name);
    const q = this.quantizing && this.quantized.get(name) === true;
    if (mask === undefined && !q) return w;
    return tf.tidy(() => {
      const m = mask === undefined ? w : tf.mul(w, mask);
      if (!q) return m;
      const layer = this.layerOf(name)!;
      return fakeQuantWeightUnchecked(m, layer.perChannel);
    });
  }

  private layerOf(name: string): ResolvedLayer | undefined {
    return this.plan.layers.find((l) => l.weights.includes(name) || l.biases.includes(name));
  }

  private check(fn: string): void {
    if (this.disposed) throw new LabInputError(`Compression.${fn}`, 'this', 'must not be disposed');
  }

  private source(): MaskSource {
    const cache = new Map<string, Float32Array>();
    return {
      values: (name) => {
        let v = cache.get(name);
        if (v === undefined) {
          v = this.store.variable(name).dataSync() as Float32Array;
          cache.set(name, v);
        }
        return v;
      },
      shape: (name) => this.store.shape(name),
    };
  }

  /**
   * Advances to training step `step` (call it before the forward pass of every step, from 0):
   * recomputes the masks of every layer whose schedule updates at this step, and switches fake
   * weight quantisation on at `plan.quantStartStep`.
   */
  step(step: number): CompressionStepResult {
    this.check('step');
    if (!Number.isInteger(step) || step < 0)
      throw new LabInputError('Compression.step', 'step', 'must be an integer >= 0', step);
    this.quantizing = step >= this.plan.quantStartStep;
    const updated: string[] = [];
    const pruned = this.plan.layers.filter((l) => l.structure !== 'none' && !l.exclude);
    if (this.plan.scope === 'global') {
      const s = this.plan.globalSchedule;
      if (s?.shouldUpdate(step)) {
        this.update(new Map(pruned.map((l) => [l.layer, s.sparsityAt(step)])));
        updated.push(...pruned.map((l) => l.layer));
      }
    } else {
      const due = new Map<string, number>();
      for (const l of pruned)
        if (l.schedule!.shouldUpdate(step)) due.set(l.layer, l.schedule!.sparsityAt(step));
      if (due.size > 0) this.update(due);
      updated.push(...due.keys());
    }
    return { updatedLayers: updated, quantizing: this.quantizing };
  }

  /**
   * Recomputes masks now, outside the schedule: every pruned layer at `sparsity` (a number,
   * or per layer name), or at each layer's final target when omitted.
   */
  updateMasks(sparsity?: number | Readonly<Record<string, number>>): void {
    this.check('updateMasks');
    const pruned = this.plan.layers.filter((l) => l.structure !== 'none' && !l.exclude);
    const due = new Map<string, number>();
    for (const l of pruned) {
      const s =
        sparsity === undefined ? l.sparsity : typeof sparsity === 'number' ? sparsity : sparsity[l.layer];
      if (s === undefined) continue;
      if (typeof s !== 'number' || !(s >= 0 && s < 1)) {
        throw new LabInputError(
          'Compression.updateMasks',
          'sparsity',
          'must be a sparsity in [0, 1) (or a record of them)',
          s,
        );
      }
      due.set(l.layer, s);
    }
    if (typeof sparsity === 'object') {
      for (const k of Object.keys(sparsity)) {
        if (!pruned.some((l) => l.layer === k))
          throw new LabInputError(
            'Compression.updateMasks',
            `sparsity.${k}`,
            'must name a pruned layer of the plan',
            k,
          );
      }
    }
    if (due.size > 0) this.update(due);
  }

  private update(due: Map<string, number>): void {
    const src = this.source();
    if (this.plan.scope === 'global') {
      const layers = this.plan.layers.filter((l) => due.has(l.layer));
      const s = due.values().next().value as number;
      this.contributions.set('*global*', globalContribution(layers, src, s));
      for (const l of layers) this.targets.set(l.layer, s);
    } else {
      // Unit layers first: their consumer rows count towards the targets of weight/block layers.
      const ordered = [...this.plan.layers].sort(
        (a, b) => Number(b.structure === 'unit') - Number(a.structure === 'unit'),
      );
      for (const l of ordered) {
        const s = due.get(l.layer);
        if (s === undefined) continue;
        const others = (name: string) => {
          const sets = [...this.contributions].filter(([k]) => k !== l.layer).map(([, v]) => v);
          return combineMasks(sets).get(name);
        };
        this.contributions.set(l.layer, layerContribution(l, src, s, others));
        this.targets.set(l.layer, s);
      }
    }
    const next = combineMasks(this.contributions.values());
    for (const [name, t] of [...this.maskTensors]) {
      if (!next.has(name)) {
        t.dispose();
        this.maskTensors.delete(name);
      }
    }
    for (const [name, m] of next) {
      const old = this.maskTensors.get(name);
      const t = tf.tensor(Float32Array.from(m), this.store.shape(name), 'float32');
      this.maskTensors.set(name, t);
      old?.dispose();
      if (this.plan.zeroPrunedWeights) {
        const v = this.store.variable(name);
        tf.tidy(() => v.assign(tf.mul(v, t)));
      }
    }
    this.combined = next;
  }

  /** A copy of the current mask of `name` (1 keep, 0 pruned), or undefined if it has none. */
  mask(name: string): Uint8Array | undefined {
    this.check('mask');
    const m = this.combined.get(name);
    return m === undefined ? undefined : Uint8Array.from(m);
  }

  /** Copies of every current mask by parameter name. */
  masks(): Record<string, Uint8Array> {
    this.check('masks');
    const out: Record<string, Uint8Array> = {};
    for (const [k, v] of this.combined) out[k] = Uint8Array.from(v);
    return out;
  }

  /** Mask-based sparsity of every plan layer's matrix weights, and in total. */
  sparsity(): SparsityReport {
    this.check('sparsity');
    let size = 0;
    let zeros = 0;
    const layers = this.plan.layers.map((l): LayerSparsity => {
      const parameters = l.weights.map((name): ParameterSparsity => {
        const m = this.combined.get(name);
        const n = this.store.variable(name).size;
        let z = 0;
        if (m) for (let i = 0; i < m.length; i++) z += m[i] ? 0 : 1;
        return { name, size: n, zeros: z, sparsity: z / n };
      });
      const ls = parameters.reduce((a, p) => a + p.size, 0);
      const lz = parameters.reduce((a, p) => a + p.zeros, 0);
      size += ls;
      zeros += lz;
      const km = this.combined.get(l.weights[0]!);
      let prunedUnits = 0;
      if (km) {
        const shape = this.store.shape(l.weights[0]!);
        const cols = shape[shape.length - 1]!;
        const dead = new Uint8Array(l.units).fill(1);
        for (let i = 0; i < km.length; i++) if (km[i]) dead[(i % cols) % l.units] = 0;
        for (const d of dead) prunedUnits += d;
      }
      return {
        layer: l.layer,
        units: l.units,
        prunedUnits,
        structure: l.structure,
        target: this.targets.get(l.layer) ?? 0,
        size: ls,
        zeros: lz,
        sparsity: lz / ls,
        parameters,
      };
    });
    return { layers, total: { size, zeros, sparsity: size > 0 ? zeros / size : 0 } };
  }

  /**
   * The integer model as training sees it: every plan layer's matrix weights masked and
   * quantised to int8 (the same integers as the fake quantisation, so zeros of the mask are
   * zeros of the export), with structure and block shape recorded; every other parameter
   * (biases, layers outside the plan, `weightBits: 32`) as float, masked where a mask applies.
   * Plain typed arrays; nothing to dispose.
   */
  toInt8Model(options: ToInt8ModelOptions = {}): Int8Model {
    this.check('toInt8Model');
    const weights: Int8Tensor[] = [];
    const floats: FloatTensor[] = [];
    for (const name of this.store.names()) {
      const shape = this.store.shape(name);
      const raw = this.store.variable(name).dataSync() as Float32Array;
      const m = this.combined.get(name);
      const values = Float32Array.from(raw);
      if (m) for (let i = 0; i < values.length; i++) if (!m[i]) values[i] = 0;
      const layer = this.layerOf(name);
      if (layer?.weights.includes(name) && layer.weightBits === 8) {
        const pruned = layer.structure !== 'none' && !layer.exclude;
        weights.push(
          quantizeWeight(name, values, shape, {
            perChannel: layer.perChannel,
            ...(pruned ? { structure: layer.structure as 'weight' | 'block' | 'unit' } : {}),
            ...(pruned && layer.block ? { block: layer.block } : {}),
          }),
        );
      } else floats.push({ name, shape, values });
    }
    const activations = (options.activations ?? []).map((a, i) => {
      if (a instanceof ActivationObserver) return a.toQuantParams();
      if (a === null || typeof a !== 'object' || typeof a.name !== 'string') {
        throw new LabInputError(
          'Compression.toInt8Model',
          `options.activations[${i}]`,
          'must be an ActivationObserver or ActivationQuantParams',
          a,
        );
      }
      return { ...a };
    });
    return { weights, floats, activations };
  }

  /** Removes the transforms and frees the masks. Idempotent; the store stays usable. */
  dispose(): void {
    if (this.disposed) return;
    this.remove();
    for (const t of this.maskTensors.values()) t.dispose();
    this.maskTensors.clear();
    this.disposed = true;
  }
}

/**
 * Installs a {@link CompressionPlan} on a ParameterStore through its weight-transform hook:
 * every read of a planned weight becomes `fakeQuant(w * mask)` (mask first, so int8 keeps the
 * zeros; straight-through gradient, zero gradient at pruned entries). Masks start all ones;
 * `c.step(i)` before each training step updates them on schedule; `c.sparsity()` reports;
 * `c.toInt8Model()` exports; `c.dispose()` uninstalls.
 *
 * Works with any @lab/core layer whose parameters follow core's names (`<layer>.kernel`,
 * `.recurrentKernel`, `.bias`, `.recurrentBias`), and with {@link QuantLSTM} / {@link QuantGRU}
 * (same names) for activation QAT of recurrent layers.
 *
 * @param store - The model's parameters (its variables are modified by mask updates when
 *   `plan.zeroPrunedWeights`, default true, as tfmot does).
 * @param plan - See {@link CompressionPlan}; validated against the store's parameters.
 * @throws LabInputError naming `applyCompression` and the plan field at fault.
 * @example
 * ```ts
 * const store = new ParameterStore({ seed: 1 });
 * const lstm1 = new QuantLSTM(store, 'lstm1', { inputDim: 6, units: 8 });
 * const lstm2 = new QuantLSTM(store, 'lstm2', { inputDim: 8, units: 8 });
 * const mask = new Dense(store, 'mask', { inputDim: 8, units: 6, activation: 'sigmoid' });
 * const x = tf.randomNormal([2, 5, 6], 0, 1, 'float32', 1); // [batch, time, features]
 * const forward = (training: boolean) =>
 *   mask.apply(lstm2.apply(lstm1.apply(x, { training }).output, { training }).output);
 * const c = applyCompression(store, {
 *   structure: 'weight', perChannel: true,
 *   schedule: polynomialDecay({ finalSparsity: 0.9, endStep: 20, frequency: 5 }),
 *   layers: [{ layer: 'lstm1' }, { layer: 'lstm2' }, { layer: 'mask', exclude: true }],
 * });
 * const optimizer = new Adam(store, { lr: 1e-2 });
 * for (let i = 0; i <= 20; i++) {
 *   c.step(i); // masks on schedule, before each training step
 *   optimizer.minimize(() => tf.mean(tf.square(tf.sub(forward(true), x))) as tf.Scalar);
 * }
 * const model = c.toInt8Model({ activations: [...lstm1.quantParams(), ...lstm2.quantParams()] });
 * c.dispose();
 * ```
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (joint sparse int8 training).
 */
export function applyCompression(store: ParameterStore, plan: CompressionPlan): Compression {
  const fn = 'applyCompression';
  if (
    store === null ||
    typeof store !== 'object' ||
    typeof (store as ParameterStore).setTransform !== 'function'
  ) {
    throw new LabInputError(fn, 'store', 'must be a ParameterStore', store);
  }
  const resolved = resolvePlan(fn, plan, (name) => (store.has(name) ? store.shape(name) : undefined));
  return new Compression(store, resolved);
}
