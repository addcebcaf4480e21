import { LabInputError, readOptions, type Rng } from '@lab/core';

/** Sparsity structures of {@link syntheticWeights}. */
export type WeightStructure = 'dense' | 'unstructured' | 'block8x8' | 'unit';

/** Options of {@link syntheticWeights}. */
export interface SyntheticWeightsOptions {
  /** `[outputs, inputs]`. */
  shape: [number, number];
  /** Which weights are pruned: none, single weights, aligned 8x8 blocks, or whole output rows. */
  structure: WeightStructure;
  /** Fraction of pruned weights / blocks / rows, in [0, 1) (ignored for `'dense'`). */
  sparsity?: number;
  /** Seed of the generator (default 0; `SeedOptions`). */
  seed?: number | string;
  /** Generator to draw from instead of `seed` (`SeedOptions`). */
  rng?: Rng;
  /** Float weight distribution before quantization (default `'gaussian'`: standard normal). */
  distribution?: 'gaussian' | 'uniform';
  /** Quantization bit width, 2..8 (default 8: levels -127..127; b bits: +-(2^(b-1) - 1)). */
  bits?: number;
}

/** Side of the pruning blocks: Ethos-U's 8 (out) x 8 (in) micro-block. */
const PRUNE_BLOCK = 8;

/**
 * Seeded synthetic int8 weight matrices for encoder measurements: i.i.d. standard normal
 * float weights, magnitude-pruned with the given structure (lowest |w|, lowest mean |w| per
 * aligned 8x8 block, or lowest L2 norm per output row; `round(sparsity * count)` of them), then
 * symmetric per-tensor quantization with scale max|w| / 127 (narrow range [-127, 127]; with
 * `bits` < 8, max|w| / (2^(bits-1) - 1)). `distribution: 'uniform'` draws U(-1, 1) instead.
 * Row-major [outputs x inputs].
 *
 * @param options shape, structure, sparsity and seed
 * @returns the int8 weights
 * @throws LabInputError on a bad shape, structure or sparsity
 * @see Stamenovic et al., arXiv 2111.02351 (weight / block / unit pruning of int8 weights).
 */
export function syntheticWeights(options: SyntheticWeightsOptions): Int8Array {
  const fn = 'syntheticWeights';
  const o = readOptions(fn, options, [
    'shape',
    'structure',
    'sparsity',
    'seed',
    'rng',
    'distribution',
    'bits',
  ]);
  const { shape, structure } = options;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new LabInputError(fn, 'options.shape', 'must be [outputs, inputs] of positive integers', shape);
  }
  if (!['dense', 'unstructured', 'block8x8', 'unit'].includes(structure)) {
    throw new LabInputError(
      fn,
      'options.structure',
      "must be 'dense', 'unstructured', 'block8x8' or 'unit'",
      structure,
    );
  }
  const sparsity = structure === 'dense' ? 0 : (options.sparsity ?? 0);
  if (!(typeof sparsity === 'number' && sparsity >= 0 && sparsity < 1)) {
    throw new LabInputError(fn, 'options.sparsity', 'must be a number in [0, 1)', options.sparsity);
  }
  const distribution = o.oneOf('distribution', ['gaussian', 'uniform'] as const, 'gaussian');
  const bits = o.integer('bits', 8, { min: 2, max: 8 });
  const [out, inp] = shape;
  const rng = o.rng();
  const n = out * inp;
  const wf = new Float64Array(n);
  if (distribution === 'gaussian') rng.fillNormal(wf);
  else rng.fillUniform(wf, -1, 1);

  const pruneLowest = (scores: Float64Array, apply: (k: number) => void): void => {
    const count = Math.round(sparsity * scores.length);
    const idx = Array.from({ length: scores.length }, (_, i) => i);
    idx.sort((a, b) => (scores[a] as number) - (scores[b] as number) || a - b);
    for (let t = 0; t < count; t++) apply(idx[t] as number);
  };
  if (structure === 'unstructured') {
    const s = wf.map(Math.abs);
    pruneLowest(s, (k) => {
      wf[k] = 0;
    });
  } else if (structure === 'block8x8') {
    const bo = Math.ceil(out / PRUNE_BLOCK);
    const bi = Math.ceil(inp / PRUNE_BLOCK);
    const s = new Float64Array(bo * bi);
    const cnt = new Float64Array(bo * bi);
    for (let r = 0; r < out; r++) {
      for (let c = 0; c < inp; c++) {
        const b = Math.floor(r / PRUNE_BLOCK) * bi + Math.floor(c / PRUNE_BLOCK);
        s[b] = (s[b] as number) + Math.abs(wf[r * inp + c] as number);
        cnt[b] = (cnt[b] as number) + 1;
      }
    }
    for (let b = 0; b < s.length; b++) s[b] = (s[b] as number) / (cnt[b] as number);
    pruneLowest(s, (b) => {
      const r0 = Math.floor(b / bi) * PRUNE_BLOCK;
      const c0 = (b % bi) * PRUNE_BLOCK;
      for (let r = r0; r < Math.min(out, r0 + PRUNE_BLOCK); r++) {
        for (let c = c0; c < Math.min(inp, c0 + PRUNE_BLOCK); c++) wf[r * inp + c] = 0;
      }
    });
  } else if (structure === 'unit') {
    const s = new Float64Array(out);
    for (let r = 0; r < out; r++) {
      let acc = 0;
      for (let c = 0; c < inp; c++) acc += (wf[r * inp + c] as number) ** 2;
      s[r] = acc;
    }
    pruneLowest(s, (r) => {
      wf.fill(0, r * inp, (r + 1) * inp);
    });
  }
  let maxAbs = 0;
  for (const v of wf) maxAbs = Math.max(maxAbs, Math.abs(v));
  const q = new Int8Array(n);
  if (maxAbs === 0) return q;
  const qmax = 2 ** (bits - 1) - 1;
  const scale = maxAbs / qmax;
  for (let i = 0; i < n; i++) q[i] = Math.max(-qmax, Math.min(qmax, Math.round((wf[i] as number) / scale)));
  return q;
}
