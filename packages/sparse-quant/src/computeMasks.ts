/**
 * Internal: mask contributions of resolved plan layers, shared by the joint path
 * (applyCompression), the offline baseline (pruneInt8Model) and tests.
 */
import type { ResolvedLayer, UnitSlice } from './compressionPlan.js';
import { blockScores, bottomK, expandBlockMask, numel, prunedCount, zeroAlongAxis } from './maskSelection.js';

/** Parameter name -> mask (1 keep, 0 pruned). */
export type MaskSet = Map<string, Uint8Array>;

export interface MaskSource {
  /** Real (float) values of a parameter, row-major. */
  values(name: string): ArrayLike<number>;
  shape(name: string): readonly number[];
}

function ones(src: MaskSource, name: string): Uint8Array {
  return new Uint8Array(numel(src.shape(name))).fill(1);
}

/** Per-unit scores of a layer: pooled over its gate columns in kernel (+ recurrentKernel). */
function layerUnitScores(
  layer: ResolvedLayer,
  src: MaskSource,
): { scores: Float64Array; sizes: number } {
  const H = layer.units;
  const sum = new Float64Array(H);
  const mx = new Float64Array(H);
  let count = 0;
  for (const s of layer.scoreSlices) {
    const shape = src.shape(s.parameter);
    const v = src.values(s.parameter);
    const cols = shape[shape.length - 1]!;
    const rows = v.length / cols;
    count += rows * s.gates;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const x = v[r * cols + c]!;
        const e = layer.norm === 'l1' ? Math.abs(x) : x * x;
        const j = c % H;
        sum[j] = sum[j]! + e;
        if (e > mx[j]!) mx[j] = e;
      }
    }
  }
  const scores = layer.pooling === 'avg' ? sum.map((x) => x / count) : mx;
  return { scores, sizes: count };
}

/** Zeroes unit `j` in every slice of `slices`. */
function zeroUnit(masks: MaskSet, src: MaskSource, slices: readonly UnitSlice[], j: number): void {
  for (const s of slices) {
    let m = masks.get(s.parameter);
    if (m === undefined) {
      m = ones(src, s.parameter);
      masks.set(s.parameter, m);
    }
    for (let g = 0; g < s.gates; g++) zeroAlongAxis(m, src.shape(s.parameter), s.axis, g * s.units + j);
  }
}

/** Element masks of a weight/block-pruned matrix from (already masked) values. */
function matrixMask(
  layer: ResolvedLayer,
  values: ArrayLike<number>,
  shape: readonly number[],
  sparsity: number,
): Uint8Array {
  const block = layer.structure === 'block' ? layer.block! : ([1, 1] as const);
  const scores = blockScores(values, shape, block, layer.norm, layer.pooling);
  const keep = new Uint8Array(scores.length).fill(1);
  for (const g of bottomK(scores, prunedCount(scores.length, sparsity))) keep[g] = 0;
  return expandBlockMask(keep, shape, block);
}

/** Multiplies values by a mask (new array). */
function applyMask(values: ArrayLike<number>, mask: Uint8Array | undefined): Float32Array {
  const out = Float32Array.from(values as ArrayLike<number>);
  if (mask) for (let i = 0; i < out.length; i++) if (!mask[i]) out[i] = 0;
  return out;
}

/**
 * The masks one layer contributes at `sparsity`. Unit layers: the pruned units' slices (own gate
 * columns, biases, recurrent rows, consumer rows). Weight/block layers: one mask per matrix
 * weight, scored on its values times `others` (the masks other layers put on it, e.g. consumer
 * rows of a unit-pruned producer), so those zeros count towards the target.
 */
export function layerContribution(
  layer: ResolvedLayer,
  src: MaskSource,
  sparsity: number,
  others: (name: string) => Uint8Array | undefined,
): MaskSet {
  const masks: MaskSet = new Map();
  if (layer.structure === 'unit') {
    const { scores } = layerUnitScores(layer, src);
    for (const j of bottomK(scores, prunedCount(layer.units, sparsity)))
      zeroUnit(masks, src, layer.unitSlices, j);
  } else if (layer.structure === 'weight' || layer.structure === 'block') {
    for (const w of layer.weights) {
      const v = applyMask(src.values(w), others(w));
      masks.set(w, matrixMask(layer, v, src.shape(w), sparsity));
    }
  }
  return masks;
}

/**
 * Global contribution: every group (element, block or unit) of every participating layer ranked
 * by score, then layer order, then parameter order, then index; the lowest are pruned while the
 * pruned weight count stays within `prunedCount(totalWeights, sparsity)`.
 */
export function globalContribution(
  layers: readonly ResolvedLayer[],
  src: MaskSource,
  sparsity: number,
): MaskSet {
  const scoreParts: Float64Array[] = [];
  const groups: {
    layer: ResolvedLayer;
    weight: string | null;
    size: number;
    count: number;
    offset: number;
  }[] = [];
  let total = 0;
  let offset = 0;
  for (const layer of layers) {
    for (const w of layer.weights) total += numel(src.shape(w));
    if (layer.structure === 'unit') {
      const { scores, sizes } = layerUnitScores(layer, src);
      scoreParts.push(scores);
      groups.push({ layer, weight: null, size: sizes, count: scores.length, offset });
      offset += scores.length;
    } else {
      for (const w of layer.weights) {
        const block = layer.structure === 'block' ? layer.block! : ([1, 1] as const);
        const scores = blockScores(src.values(w), src.shape(w), block, layer.norm, layer.pooling);
        scoreParts.push(scores);
        groups.push({ layer, weight: w, size: block[0] * block[1], count: scores.length, offset });
        offset += scores.length;
      }
    }
  }
  const all = new Float64Array(offset);
  let o = 0;
  for (const p of scoreParts) {
    all.set(p, o);
    o += p.length;
  }
  const order = bottomK(all, all.length);
  const budget = prunedCount(total, sparsity);
  const keep = groups.map((g) => new Uint8Array(g.count).fill(1));
  const ownerOf = new Int32Array(offset);
  groups.forEach((g, i) => {
    ownerOf.fill(i, g.offset, g.offset + g.count);
  });
  let pruned = 0;
  for (const idx of order) {
    const gi = ownerOf[idx]!;
    const g = groups[gi]!;
    if (pruned + g.size > budget) break;
    keep[gi]![idx - g.offset] = 0;
    pruned += g.size;
  }
  const masks: MaskSet = new Map();
  groups.forEach((g, i) => {
    if (g.weight === null) {
      const k = keep[i]!;
      for (let j = 0; j < k.length; j++) if (!k[j]) zeroUnit(masks, src, g.layer.unitSlices, j);
    } else {
      const block = g.layer.structure === 'block' ? g.layer.block! : ([1, 1] as const);
      const m = expandBlockMask(keep[i]!, src.shape(g.weight), block);
      const prev = masks.get(g.weight);
      if (prev) for (let t = 0; t < m.length; t++) prev[t] = prev[t]! & m[t]!;
      else masks.set(g.weight, m);
    }
  });
  return masks;
}

/** AND of several mask sets. */
export function combineMasks(sets: Iterable<MaskSet>): MaskSet {
  const out: MaskSet = new Map();
  for (const set of sets) {
    for (const [name, m] of set) {
      const prev = out.get(name);
      if (prev === undefined) out.set(name, Uint8Array.from(m));
      else for (let i = 0; i < m.length; i++) prev[i] = prev[i]! & m[i]!;
    }
  }
  return out;
}
