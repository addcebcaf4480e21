/** Internal: an Int8Model seen as named real-valued tensors (for masks and plan validation). */
import { LabInputError } from '@lab/core';
import type { Int8Model, Int8Tensor } from './Int8Model.js';
import type { MaskSource } from './computeMasks.js';

/** Real values of an int8 tensor: `fround(scale[c] * (q - zeroPoint[c]))`, channel = last axis. */
export function dequantizeValues(t: Int8Tensor): Float32Array {
  const n = t.values.length;
  const out = new Float32Array(n);
  const per = t.scales.length;
  const cols = t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!;
  for (let i = 0; i < n; i++) {
    const c = per === 1 ? 0 : i % cols;
    out[i] = t.scales[c]! * (t.values[i]! - t.zeroPoints[c]!);
  }
  return out;
}

/** Throws a LabInputError naming `fn` unless `model` looks like an Int8Model. */
export function checkInt8Model(fn: string, model: unknown): asserts model is Int8Model {
  const m = model as Partial<Int8Model> | null;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.weights) || !Array.isArray(m.floats)) {
    throw new LabInputError(fn, 'model', 'must be an Int8Model { weights, floats, activations }', model);
  }
}

/** Checks the model's structure lightly and indexes it by name. */
export function int8ModelSource(model: Int8Model): MaskSource & { has(name: string): boolean } {
  const weights = new Map(model.weights.map((w) => [w.name, w]));
  const floats = new Map(model.floats.map((f) => [f.name, f]));
  const cache = new Map<string, Float32Array>();
  return {
    has: (name) => weights.has(name) || floats.has(name),
    shape: (name) => (weights.get(name) ?? floats.get(name))!.shape,
    values: (name) => {
      const f = floats.get(name);
      if (f) return f.values;
      let v = cache.get(name);
      if (v === undefined) {
        v = dequantizeValues(weights.get(name)!);
        cache.set(name, v);
      }
      return v;
    },
  };
}
