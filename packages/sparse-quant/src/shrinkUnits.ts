import { type CompressionPlan, type UnitSlice, resolvePlan } from './compressionPlan.js';
import type { FloatTensor, Int8Model, Int8Tensor } from './Int8Model.js';
import { checkInt8Model, int8ModelSource } from './int8ModelSource.js';
import { numel } from './maskSelection.js';

/** Result of {@link shrinkUnits}. */
export interface ShrinkUnitsResult {
  /** The smaller model: pruned units physically removed. */
  model: Int8Model;
  /** Kept unit indices (ascending, into the original layer) per unit-pruned layer. */
  kept: Record<string, Int32Array>;
  /** New unit count per unit-pruned layer (build the smaller @lab/core layers with it). */
  units: Record<string, number>;
}

/** Keeps `keep` (ascending) of the `gates * units` indices along `axis`. */
function sliceAxis<T extends Int8Array | Float32Array>(
  values: T,
  shape: readonly number[],
  axis: number,
  keepIdx: readonly number[],
): { values: T; shape: number[] } {
  const outer = numel(shape.slice(0, axis));
  const dim = shape[axis]!;
  const inner = numel(shape.slice(axis + 1));
  const ctor = values.constructor as { new (n: number): T };
  const out = new ctor(outer * keepIdx.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const k of keepIdx) {
      const base = (a * dim + k) * inner;
      out.set(values.subarray(base, base + inner) as unknown as ArrayLike<number>, o);
      o += inner;
    }
  }
  const next = [...shape];
  next[axis] = keepIdx.length;
  return { values: out, shape: next };
}

function sliceIndices(s: UnitSlice, keptUnits: Int32Array): number[] {
  const idx: number[] = [];
  for (let g = 0; g < s.gates; g++) for (const j of keptUnits) idx.push(g * s.units + j);
  return idx;
}

/**
 * Physically removes pruned units (the unit-structured layers of `plan`), returning a smaller
 * dense model and the kept indices. A unit counts as pruned when all its own entries are zero:
 * its gate columns in `kernel` (and `recurrentKernel`) and its bias entries. Removing it drops
 * those columns, its row of `recurrentKernel` (LSTM/GRU) and its row of every consumer in the
 * plan (the consumer's input axis, `rank - 2`); per-channel scales of sliced output axes are
 * sliced with them. At least one unit is always kept.
 *
 * Exact: with zero gate weights and biases an LSTM/GRU unit's state stays 0 from a zero
 * initial state, so the smaller model computes the same outputs for the kept units and the
 * same consumer outputs. For Dense/Conv units this holds when the activation maps 0 to 0
 * (linear, relu, tanh), or when the consumer rows are already zero (as the joint path and
 * {@link pruneInt8Model} make them).
 *
 * Works on the output of `Compression.toInt8Model()` (joint path) and of
 * {@link pruneInt8Model} (offline baseline).
 *
 * @throws LabInputError naming `shrinkUnits` and the plan field at fault.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (unit pruning shrinks the matrices).
 */
export function shrinkUnits(model: Int8Model, plan: CompressionPlan): ShrinkUnitsResult {
  const fn = 'shrinkUnits';
  checkInt8Model(fn, model);
  const src = int8ModelSource(model);
  const resolved = resolvePlan(fn, plan, (name) => (src.has(name) ? src.shape(name) : undefined));
  const weights = new Map<string, Int8Tensor>(
    model.weights.map((w) => [
      w.name,
      {
        ...w,
        shape: [...w.shape],
        values: Int8Array.from(w.values),
        scales: Float32Array.from(w.scales),
        zeroPoints: Int32Array.from(w.zeroPoints),
      },
    ]),
  );
  const floats = new Map<string, FloatTensor>(
    model.floats.map((f) => [f.name, { ...f, shape: [...f.shape], values: Float32Array.from(f.values) }]),
  );
  const kept: Record<string, Int32Array> = {};
  const units: Record<string, number> = {};
  // Decide every layer's kept units on the original model first (slicing one layer's consumer
  // rows never changes another layer's own columns, but keep it order-independent anyway).
  const layers = resolved.layers.filter((l) => l.structure === 'unit' && !l.exclude);
  for (const l of layers) {
    const own = [...l.scoreSlices, ...l.unitSlices.filter((s) => l.biases.includes(s.parameter))];
    const alive = new Uint8Array(l.units);
    for (const s of own) {
      const v = src.values(s.parameter);
      const shape = src.shape(s.parameter);
      const cols = shape[shape.length - 1]!;
      for (let i = 0; i < v.length; i++) if (v[i] !== 0) alive[(i % cols) % l.units] = 1;
    }
    const keep: number[] = [];
    for (let j = 0; j < l.units; j++) if (alive[j]) keep.push(j);
    if (keep.length === 0) keep.push(0);
    kept[l.layer] = Int32Array.from(keep);
    units[l.layer] = keep.length;
  }
  for (const l of layers) {
    for (const s of l.unitSlices) {
      const idx = sliceIndices(s, kept[l.layer]!);
      const w = weights.get(s.parameter);
      if (w) {
        const { values, shape } = sliceAxis(w.values, w.shape, s.axis, idx);
        const lastAxis = s.axis === w.shape.length - 1;
        const perChannel = w.scales.length > 1;
        const scales = lastAxis && perChannel ? Float32Array.from(idx, (k) => w.scales[k]!) : w.scales;
        const zeroPoints =
          lastAxis && perChannel ? Int32Array.from(idx, (k) => w.zeroPoints[k]!) : w.zeroPoints;
        weights.set(s.parameter, { ...w, shape, values, scales, zeroPoints });
      } else {
        const f = floats.get(s.parameter)!;
        const { values, shape } = sliceAxis(f.values, f.shape, s.axis, idx);
        floats.set(s.parameter, { ...f, shape, values });
      }
    }
  }
  return {
    model: {
      weights: [...weights.values()],
      floats: [...floats.values()],
      activations: model.activations.map((a) => ({ ...a })),
    },
    kept,
    units,
  };
}
