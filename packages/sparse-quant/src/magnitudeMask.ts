import { checkTensor, LabInputError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { SparsityStructure } from './Int8Model.js';
import {
  type ScoreNorm,
  type ScorePooling,
  blockScores,
  bottomK,
  expandBlockMask,
  numel,
  prunedCount,
  view3,
} from './maskSelection.js';
import { checkSparsity } from './polynomialDecay.js';

/** Options of {@link magnitudeMask}. */
export interface MagnitudeMaskOptions {
  /** Target sparsity in [0, 1): the fraction of groups (elements, blocks or units) pruned. */
  sparsity: number;
  /** `'weight'` (default): elements; `'block'`: blocks over the last two axes; `'unit'`: output channels (last axis). */
  structure?: SparsityStructure;
  /** Block shape `[rows, cols]` over the last two axes (structure `'block'`); must divide them. Default `[8, 8]`. */
  block?: readonly [number, number];
  /** Element score: `'l1'` |w| (default) or `'l2'` w^2. */
  norm?: ScoreNorm;
  /** Pooling of element scores per block / unit: `'avg'` (default) or `'max'`. */
  pooling?: ScorePooling;
}

/** Result of {@link magnitudeMask}. */
export interface MagnitudeMaskResult {
  /** 1 keep, 0 pruned; row-major in the weight's shape. */
  mask: Uint8Array;
  /** Groups (elements, blocks or units) in the weight. */
  groups: number;
  /** Groups pruned: `groups - round((1 - sparsity) * groups)` (round half to even, as tfmot). */
  prunedGroups: number;
  /** Score of every group (row-major block order; unit order for `'unit'`). */
  scores: Float64Array;
}

/** @internal Validates a block shape against a weight shape. */
export function checkBlock(
  fn: string,
  arg: string,
  block: unknown,
  shape: readonly number[],
  what: string,
): asserts block is [number, number] {
  const ok = (d: unknown) => typeof d === 'number' && Number.isInteger(d) && d >= 1;
  if (!Array.isArray(block) || block.length !== 2 || !ok(block[0]) || !ok(block[1])) {
    throw new LabInputError(fn, arg, 'must be a block shape [rows, cols] of positive integers', block);
  }
  const { rows, cols } = view3(shape);
  if (rows % block[0] !== 0 || cols % block[1] !== 0) {
    throw new LabInputError(
      fn,
      arg,
      `must divide the last two axes [${rows}, ${cols}] of ${what} (shape [${shape.join(', ')}])`,
      block,
    );
  }
}

/** @internal Per-unit (last axis) scores of one weight. */
function unitScores(
  values: ArrayLike<number>,
  shape: readonly number[],
  norm: ScoreNorm,
  pooling: ScorePooling,
): Float64Array {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  return blockScores(values, [numel(shape) / cols, cols], [numel(shape) / cols, 1], norm, pooling);
}

/**
 * Magnitude pruning mask of one weight (any rank): scores every group, prunes the
 * lowest-scoring `prunedGroups` of them (ties broken by the lower group index, so masks are
 * deterministic) and returns the element mask.
 *
 * - `'weight'`: groups are elements, score |w| (or w^2).
 * - `'block'`: groups are `[br, bc]` blocks over the last two axes (leading axes are
 *   independent: a conv kernel `[kh, kw, in, out]` has `kh * kw * (in / br) * (out / bc)`
 *   blocks); score = AVG or MAX pooled |w| (L1) or w^2 (L2).
 * - `'unit'`: groups are output channels (last axis), pooled the same way. For LSTM/GRU
 *   hidden units (gate columns, recurrent rows, consumers) use a {@link CompressionPlan}.
 *
 * @param weight - A tensor, or `{ values, shape }` plain data (not modified).
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (weight, block and unit pruning).
 * @see Zhu & Gupta, arXiv 1710.01878 (magnitude pruning); tfmot `block_size`, `block_pooling_type`.
 */
export function magnitudeMask(
  weight: tf.Tensor | { values: ArrayLike<number>; shape: readonly number[] },
  options: MagnitudeMaskOptions,
): MagnitudeMaskResult {
  const fn = 'magnitudeMask';
  let values: ArrayLike<number>;
  let shape: readonly number[];
  if (weight instanceof tf.Tensor) {
    checkTensor(fn, 'weight', weight);
    values = weight.dataSync();
    shape = weight.shape;
  } else {
    if (
      weight === null ||
      typeof weight !== 'object' ||
      !Array.isArray(weight.shape) ||
      weight.values == null
    ) {
      throw new LabInputError(fn, 'weight', 'must be a tf.Tensor or { values, shape }', weight);
    }
    values = weight.values;
    shape = weight.shape;
    if (values.length !== numel(shape)) {
      throw new LabInputError(
        fn,
        'weight.values',
        `must have ${numel(shape)} elements for shape [${shape.join(', ')}]`,
        values.length,
      );
    }
  }
  const o = readOptions(fn, options, ['sparsity', 'structure', 'block', 'norm', 'pooling']);
  checkSparsity(fn, 'options.sparsity', options.sparsity);
  const structure = options.structure ?? 'weight';
  const norm = o.oneOf('norm', ['l1', 'l2'] as const, 'l1');
  const pooling = o.oneOf('pooling', ['avg', 'max'] as const, 'avg');
  let block: readonly [number, number];
  if (structure === 'weight') block = [1, 1];
  else if (structure === 'block') {
    block = options.block ?? [8, 8];
    checkBlock(fn, 'options.block', block, shape, 'the weight');
  } else if (structure === 'unit') {
    const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
    const rows = numel(shape) / cols;
    const scores = unitScores(values, shape, norm, pooling);
    const k = prunedCount(cols, options.sparsity);
    const keep = new Uint8Array(cols).fill(1);
    for (const u of bottomK(scores, k)) keep[u] = 0;
    return { mask: expandBlockMask(keep, [rows, cols], [rows, 1]), groups: cols, prunedGroups: k, scores };
  } else {
    throw new LabInputError(fn, 'options.structure', "must be 'weight', 'block' or 'unit'", structure);
  }
  const scores = blockScores(values, shape, block, norm, pooling);
  const k = prunedCount(scores.length, options.sparsity);
  const keep = new Uint8Array(scores.length).fill(1);
  for (const g of bottomK(scores, k)) keep[g] = 0;
  return { mask: expandBlockMask(keep, shape, block), groups: scores.length, prunedGroups: k, scores };
}
