import { type CompressionPlan, resolvePlan } from './compressionPlan.js';
import { type MaskSet, combineMasks, globalContribution, layerContribution } from './computeMasks.js';
import type { FloatTensor, Int8Model, Int8Tensor } from './Int8Model.js';
import { checkInt8Model, int8ModelSource } from './int8ModelSource.js';

/**
 * Offline baseline: magnitude pruning of an already int8-quantised model, no retraining (the
 * paper's baseline). Every pruned layer of the plan reaches its final target sparsity
 * (`plan.sparsity` / `schedule.finalSparsity`; schedules are otherwise ignored) with the plan's
 * structure, scored on the real values `scale * (q - zeroPoint)` (so per-channel scales rank
 * correctly); unit layers zero their gate columns, biases, recurrent rows and consumer rows.
 * Surviving integers and all scales are kept exactly (no re-quantisation). Same masks as the
 * joint path would compute from the same values.
 *
 * @param model - The int8 model (not modified), e.g. from `Compression.toInt8Model()` of a
 *   dense QAT run (`structure: 'none'`).
 * @param plan - Which layers, structure, block, scores and targets; validated against the model.
 * @returns A new model with the zeros applied and `structure` / `block` recorded on pruned weights.
 * @throws LabInputError naming `pruneInt8Model` and the plan field at fault.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (offline int8 magnitude-pruning baseline).
 */
export function pruneInt8Model(model: Int8Model, plan: CompressionPlan): Int8Model {
  const fn = 'pruneInt8Model';
  checkInt8Model(fn, model);
  const src = int8ModelSource(model);
  const resolved = resolvePlan(fn, plan, (name) => (src.has(name) ? src.shape(name) : undefined));
  const pruned = resolved.layers.filter((l) => l.structure !== 'none' && !l.exclude);
  let masks: MaskSet;
  if (resolved.scope === 'global') {
    masks = pruned.length > 0 ? globalContribution(pruned, src, pruned[0]!.sparsity) : new Map();
  } else {
    const sets = new Map<string, MaskSet>();
    const ordered = [...pruned].sort(
      (a, b) => Number(b.structure === 'unit') - Number(a.structure === 'unit'),
    );
    for (const l of ordered) {
      const others = (name: string) => combineMasks(sets.values()).get(name);
      sets.set(l.layer, layerContribution(l, src, l.sparsity, others));
    }
    masks = combineMasks(sets.values());
  }
  const structureOf = new Map<
    string,
    { structure: 'weight' | 'block' | 'unit'; block: readonly [number, number] | null }
  >();
  for (const l of pruned) {
    for (const w of l.weights)
      structureOf.set(w, { structure: l.structure as 'weight' | 'block' | 'unit', block: l.block });
  }
  const weights = model.weights.map((w): Int8Tensor => {
    const m = masks.get(w.name);
    const values = Int8Array.from(w.values);
    const per = w.scales.length;
    const cols = w.shape[w.shape.length - 1] ?? 1;
    // Pruned entries represent real 0: the zero point (0 for symmetric weights).
    if (m)
      for (let i = 0; i < values.length; i++) if (!m[i]) values[i] = w.zeroPoints[per === 1 ? 0 : i % cols]!;
    const s = structureOf.get(w.name);
    const { structure: _s, block: _b, ...rest } = w;
    return {
      ...rest,
      shape: [...w.shape],
      values,
      scales: Float32Array.from(w.scales),
      zeroPoints: Int32Array.from(w.zeroPoints),
      ...(s ? { structure: s.structure } : w.structure ? { structure: w.structure } : {}),
      ...(s?.block ? { block: [s.block[0], s.block[1]] as const } : !s && w.block ? { block: w.block } : {}),
    };
  });
  const floats = model.floats.map((f): FloatTensor => {
    const m = masks.get(f.name);
    const values = Float32Array.from(f.values);
    if (m) for (let i = 0; i < values.length; i++) if (!m[i]) values[i] = 0;
    return { name: f.name, shape: [...f.shape], values };
  });
  return { weights, floats, activations: model.activations.map((a) => ({ ...a })) };
}
