import { LabInputError, type OptionReader, checkInteger, readOptions } from '@lab/core';
import type { SparsityStructure } from './Int8Model.js';
import { checkBlock } from './magnitudeMask.js';
import type { ScoreNorm, ScorePooling } from './maskSelection.js';
import { checkSparsity } from './polynomialDecay.js';
import { constantSparsity } from './constantSparsity.js';
import { type PruningSchedule, isPruningSchedule } from './PruningSchedule.js';

/** Layer families the plan understands (inferred from the parameter shapes when omitted). */
export type LayerKind = 'dense' | 'conv' | 'lstm' | 'gru';

/** Compression settings shared by a plan's defaults and its layers. */
export interface CompressionSettings {
  /** `'weight'`, `'block'`, `'unit'` or `'none'` (no pruning). Default `'none'`. */
  structure?: SparsityStructure | 'none';
  /** Final target sparsity in [0, 1). With no `schedule`, a {@link constantSparsity} at this target. */
  sparsity?: number;
  /** When the masks are updated and to what sparsity (its `finalSparsity` is the target). */
  schedule?: PruningSchedule;
  /** Block shape over the last two axes for `'block'` (default `[8, 8]`: Ethos-U's micro-block). */
  block?: readonly [number, number];
  /** Score norm: `'l1'` |w| (default) or `'l2'` w^2. */
  norm?: ScoreNorm;
  /** Score pooling per block / unit: `'avg'` (default) or `'max'`. */
  pooling?: ScorePooling;
  /** Weight bit width: 8 (default, int8 symmetric narrow range) or 32 (stay float). */
  weightBits?: 8 | 32;
  /** Per-output-channel weight scales (default false: per tensor). */
  perChannel?: boolean;
}

/** One layer of a {@link CompressionPlan}. */
export interface LayerCompression extends CompressionSettings {
  /** Layer name: the prefix of its parameters (`'lstm1'` for `lstm1.kernel`, ...). */
  layer: string;
  /** `'dense'`, `'conv'`, `'lstm'` or `'gru'`; inferred from the parameters when omitted. */
  kind?: LayerKind;
  /**
   * For `'unit'`: the parameters that read this layer's output, e.g. `['lstm2.kernel']` or
   * `['mask.kernel']`. Their input axis (`rank - 2`: rows of a `[in, out]` kernel, `inC` of a
   * conv kernel) must have one entry per unit; a pruned unit zeroes (and shrinking removes)
   * that row.
   */
  consumers?: readonly string[];
  /** Exclude from pruning (it is still quantised per `weightBits`). Default false. */
  exclude?: boolean;
}

/**
 * A compression plan: which layers are pruned with which structure, how fast, and how their
 * weights are quantised. Plan-level settings are defaults for every layer.
 */
export interface CompressionPlan extends CompressionSettings {
  /** The layers to compress; parameters of other layers stay float and untouched. */
  layers: readonly LayerCompression[];
  /**
   * `'layer'` (default): every layer reaches its own target. `'global'`: one ranking of all
   * groups of all pruned layers (by score, then layer order, then index) reaches the plan's
   * `sparsity` over their weights; layers may not set `sparsity`/`schedule` then.
   */
  scope?: 'layer' | 'global';
  /** Step from which weights are fake-quantised (default 0). Before it, training is float (masks still apply). */
  quantStartStep?: number;
  /**
   * Write masked weights back as zeros into the variables at each mask update (default true,
   * as tfmot), so optimiser momentum cannot revive them between updates.
   */
  zeroPrunedWeights?: boolean;
}

/** Indices `g * units + j` (g < gates) along `axis` of `parameter` belong to unit j. */
export interface UnitSlice {
  parameter: string;
  axis: number;
  gates: number;
  units: number;
}

/** A layer of a validated plan, with everything filled in. */
export interface ResolvedLayer {
  layer: string;
  kind: LayerKind;
  structure: SparsityStructure | 'none';
  /** Final target (0 for `'none'` or excluded). */
  sparsity: number;
  schedule: PruningSchedule | null;
  block: readonly [number, number] | null;
  norm: ScoreNorm;
  pooling: ScorePooling;
  weightBits: 8 | 32;
  perChannel: boolean;
  exclude: boolean;
  /** Matrix weights (pruned by weight/block, quantised): kernel (+ recurrentKernel). */
  weights: string[];
  /** Bias vectors (float; zeroed for pruned units). */
  biases: string[];
  /** Number of units (output channels / hidden size). */
  units: number;
  /** Slices scored for unit pruning (the unit's gate columns). */
  scoreSlices: UnitSlice[];
  /** Every slice a pruned unit zeroes: its own gate columns, biases, recurrent rows and consumer rows. */
  unitSlices: UnitSlice[];
  consumers: string[];
}

/** A plan checked against a model's parameter shapes. */
export interface ResolvedPlan {
  scope: 'layer' | 'global';
  layers: ResolvedLayer[];
  /** Global scope only: the plan's schedule. */
  globalSchedule: PruningSchedule | null;
  quantStartStep: number;
  zeroPrunedWeights: boolean;
}

/**
 * Validates a {@link CompressionPlan} on its own (types, ranges, names; no model) and returns
 * it unchanged, typed: use it to fail early when building plans. `applyCompression`,
 * `pruneInt8Model` and `shrinkUnits` re-validate against the model's parameter shapes
 * (unknown layers, block shapes that do not divide, consumers).
 *
 * @throws LabInputError naming `compressionPlan` and the offending field, e.g.
 *   `compressionPlan: argument 'plan.layers[1].sparsity' must be a sparsity in [0, 1); got 1`.
 * @example
 * ```ts
 * const plan = compressionPlan({
 *   structure: 'block', block: [8, 8], perChannel: true,
 *   schedule: polynomialDecay({ finalSparsity: 0.9, endStep: 2000, frequency: 100 }),
 *   layers: [{ layer: 'lstm1' }, { layer: 'lstm2' }, { layer: 'mask', exclude: true }],
 * });
 * ```
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351.
 */
export function compressionPlan(plan: CompressionPlan): CompressionPlan {
  checkPlanFields('compressionPlan', plan);
  return plan;
}

const STRUCTURES = ['none', 'weight', 'block', 'unit'] as const;
const KINDS = ['dense', 'conv', 'lstm', 'gru'] as const;
/** Keys of {@link CompressionSettings}, shared by a plan and its layer entries. */
const SETTINGS_KEYS = [
  'structure',
  'sparsity',
  'schedule',
  'block',
  'norm',
  'pooling',
  'weightBits',
  'perChannel',
] as const;
const PLAN_KEYS = [...SETTINGS_KEYS, 'layers', 'scope', 'quantStartStep', 'zeroPrunedWeights'];
const LAYER_KEYS = [...SETTINGS_KEYS, 'layer', 'kind', 'consumers', 'exclude'];

/** Checks the shared settings of a plan or layer entry `s`, read through `o` (unknown keys rejected). */
function checkSettings(o: OptionReader, s: CompressionSettings): void {
  const fn = o.fn;
  const at = o.path;
  if (o.has('structure')) o.oneOf('structure', STRUCTURES);
  if (s.sparsity !== undefined) checkSparsity(fn, `${at}.sparsity`, s.sparsity);
  if (s.schedule !== undefined && !isPruningSchedule(s.schedule)) {
    throw new LabInputError(
      fn,
      `${at}.schedule`,
      'must be a PruningSchedule (polynomialDecay or constantSparsity)',
      s.schedule,
    );
  }
  if (s.schedule !== undefined) checkSparsity(fn, `${at}.schedule.finalSparsity`, s.schedule.finalSparsity);
  if (s.sparsity !== undefined && s.schedule !== undefined && s.sparsity !== s.schedule.finalSparsity) {
    throw new LabInputError(
      fn,
      `${at}.sparsity`,
      `must equal schedule.finalSparsity (${s.schedule.finalSparsity}) when both are given`,
      s.sparsity,
    );
  }
  if (s.block !== undefined) {
    const b = s.block as unknown;
    const ok = (d: unknown) => typeof d === 'number' && Number.isInteger(d) && d >= 1;
    if (!Array.isArray(b) || b.length !== 2 || !ok(b[0]) || !ok(b[1])) {
      throw new LabInputError(
        fn,
        `${at}.block`,
        'must be a block shape [rows, cols] of positive integers',
        b,
      );
    }
  }
  if (o.has('norm')) o.oneOf('norm', ['l1', 'l2']);
  if (o.has('pooling')) o.oneOf('pooling', ['avg', 'max']);
  // 8: int8 weights, 32: float.
  if (o.has('weightBits')) o.oneOf('weightBits', [8, 32]);
  o.boolean('perChannel', false);
}

/** @internal Shape-free validation. */
function checkPlanFields(fn: string, plan: CompressionPlan): void {
  if (plan === undefined) throw new LabInputError(fn, 'plan', 'must be a CompressionPlan object', plan);
  const o = readOptions(fn, plan, PLAN_KEYS, 'plan');
  if (!Array.isArray(plan.layers) || plan.layers.length === 0) {
    throw new LabInputError(fn, 'plan.layers', 'must be a non-empty array of layer entries', plan.layers);
  }
  checkSettings(o, plan);
  const scope = o.oneOf('scope', ['layer', 'global'], 'layer');
  if (plan.quantStartStep !== undefined) checkInteger(fn, 'plan.quantStartStep', plan.quantStartStep, 0);
  o.boolean('zeroPrunedWeights', false);
  const seen = new Set<string>();
  plan.layers.forEach((l, i) => {
    const at = `plan.layers[${i}]`;
    if (l === undefined) throw new LabInputError(fn, at, 'must be a layer entry { layer, ... }', l);
    const lo = readOptions(fn, l, LAYER_KEYS, at);
    const name = lo.string('layer');
    if (seen.has(name)) throw new LabInputError(fn, `${at}.layer`, 'must appear once in the plan', name);
    seen.add(name);
    if (lo.has('kind')) lo.oneOf('kind', KINDS);
    checkSettings(lo, l);
    if (scope === 'global' && (l.sparsity !== undefined || l.schedule !== undefined)) {
      throw new LabInputError(
        fn,
        `${at}.sparsity`,
        "must not be set per layer with scope 'global' (set plan.sparsity / plan.schedule)",
        l.sparsity ?? l.schedule,
      );
    }
    lo.boolean('exclude', false);
    if (
      l.consumers !== undefined &&
      (!Array.isArray(l.consumers) || !(l.consumers as unknown[]).every((c) => typeof c === 'string'))
    ) {
      throw new LabInputError(fn, `${at}.consumers`, 'must be an array of parameter names', l.consumers);
    }
    const structure = l.structure ?? plan.structure ?? 'none';
    const pruned = structure !== 'none' && !l.exclude;
    const target =
      scope === 'global'
        ? (plan.schedule?.finalSparsity ?? plan.sparsity)
        : (l.schedule?.finalSparsity ?? l.sparsity ?? plan.schedule?.finalSparsity ?? plan.sparsity);
    if (pruned && target === undefined) {
      throw new LabInputError(
        fn,
        `${at}.sparsity`,
        `must be given (here or on the plan) for structure '${structure}'`,
        undefined,
      );
    }
    if (pruned && structure === 'unit' && (l.consumers === undefined || l.consumers.length === 0)) {
      throw new LabInputError(
        fn,
        `${at}.consumers`,
        "must name the parameters reading this layer's output (e.g. ['next.kernel']) for unit pruning",
        l.consumers,
      );
    }
  });
}

/** @internal Infers a layer's kind and parameters from shapes. */
function layerParams(
  fn: string,
  at: string,
  l: LayerCompression,
  shapeOf: (name: string) => readonly number[] | undefined,
): { kind: LayerKind; weights: string[]; biases: string[]; units: number; gates: number } {
  const k = shapeOf(`${l.layer}.kernel`);
  if (k === undefined) {
    throw new LabInputError(
      fn,
      `${at}.layer`,
      `must name a layer of the model (no parameter '${l.layer}.kernel')`,
      l.layer,
    );
  }
  const rk = shapeOf(`${l.layer}.recurrentKernel`);
  const has = (p: string) => shapeOf(`${l.layer}.${p}`) !== undefined;
  let kind: LayerKind;
  if (rk !== undefined) {
    const H = rk[0]!;
    kind = rk.length === 2 && rk[1] === 4 * H && !has('recurrentBias') ? 'lstm' : 'gru';
  } else kind = k.length === 2 ? 'dense' : 'conv';
  if (l.kind !== undefined && l.kind !== kind) {
    throw new LabInputError(
      fn,
      `${at}.kind`,
      `must match the parameters of '${l.layer}' (they look like '${kind}')`,
      l.kind,
    );
  }
  if (kind === 'lstm' || kind === 'gru') {
    const gates = kind === 'lstm' ? 4 : 3;
    const H = rk![0]!;
    const bad = (p: string, want: number[]) => {
      const s = shapeOf(`${l.layer}.${p}`);
      if (s === undefined || s.join(',') !== want.join(',')) {
        throw new LabInputError(
          fn,
          `${at}.layer`,
          `must have ${kind} parameter '${l.layer}.${p}' of shape [${want.join(', ')}]`,
          s,
        );
      }
    };
    bad('recurrentKernel', [H, gates * H]);
    bad('kernel', [k[0]!, gates * H]);
    bad('bias', [gates * H]);
    if (kind === 'gru') bad('recurrentBias', [gates * H]);
    return {
      kind,
      weights: [`${l.layer}.kernel`, `${l.layer}.recurrentKernel`],
      biases: kind === 'lstm' ? [`${l.layer}.bias`] : [`${l.layer}.bias`, `${l.layer}.recurrentBias`],
      units: H,
      gates,
    };
  }
  if (k.length < 2)
    throw new LabInputError(fn, `${at}.layer`, `must have a kernel of rank >= 2 ('${l.layer}.kernel')`, k);
  const units = k[k.length - 1]!;
  const b = shapeOf(`${l.layer}.bias`);
  if (b !== undefined && (b.length !== 1 || b[0] !== units)) {
    throw new LabInputError(fn, `${at}.layer`, `must have a bias '${l.layer}.bias' of shape [${units}]`, b);
  }
  return { kind, weights: [`${l.layer}.kernel`], biases: b ? [`${l.layer}.bias`] : [], units, gates: 1 };
}

/** @internal Validates a plan against parameter shapes and fills in every default. */
export function resolvePlan(
  fn: string,
  plan: CompressionPlan,
  shapeOf: (name: string) => readonly number[] | undefined,
): ResolvedPlan {
  checkPlanFields(fn, plan);
  const scope = plan.scope ?? 'layer';
  const layers = plan.layers.map((l, i): ResolvedLayer => {
    const at = `plan.layers[${i}]`;
    const p = layerParams(fn, at, l, shapeOf);
    const structure = l.structure ?? plan.structure ?? 'none';
    const exclude = l.exclude ?? false;
    const pruned = structure !== 'none' && !exclude;
    let schedule: PruningSchedule | null = null;
    let sparsity = 0;
    if (pruned && scope === 'layer') {
      schedule = l.schedule ?? (l.sparsity !== undefined ? null : (plan.schedule ?? null));
      const target =
        l.schedule?.finalSparsity ?? l.sparsity ?? plan.schedule?.finalSparsity ?? plan.sparsity!;
      schedule ??= constantSparsity({ targetSparsity: target });
      sparsity = target;
    } else if (pruned) {
      sparsity = plan.schedule?.finalSparsity ?? plan.sparsity!;
    }
    let block: readonly [number, number] | null = null;
    if (structure === 'block') {
      block = l.block ?? plan.block ?? [8, 8];
      for (const w of p.weights)
        checkBlock(fn, l.block ? `${at}.block` : 'plan.block', block, shapeOf(w)!, `'${w}'`);
    }
    const scoreSlices: UnitSlice[] = p.weights.map((w) => ({
      parameter: w,
      axis: shapeOf(w)!.length - 1,
      gates: p.gates,
      units: p.units,
    }));
    const unitSlices: UnitSlice[] = [
      ...scoreSlices,
      ...p.biases.map((b) => ({ parameter: b, axis: 0, gates: p.gates, units: p.units })),
    ];
    if (p.kind === 'lstm' || p.kind === 'gru')
      unitSlices.push({ parameter: `${l.layer}.recurrentKernel`, axis: 0, gates: 1, units: p.units });
    const consumers = pruned && structure === 'unit' ? [...(l.consumers ?? [])] : [];
    consumers.forEach((c, j) => {
      const s = shapeOf(c);
      const arg = `${at}.consumers[${j}]`;
      if (s === undefined) throw new LabInputError(fn, arg, 'must name a parameter of the model', c);
      if (s.length < 2 || s[s.length - 2] !== p.units) {
        throw new LabInputError(
          fn,
          arg,
          `must have rank >= 2 and ${p.units} rows on its input axis (rank - 2) to consume '${l.layer}'`,
          s,
        );
      }
      if (c.startsWith(`${l.layer}.`))
        throw new LabInputError(fn, arg, `must be a parameter of another layer than '${l.layer}'`, c);
      unitSlices.push({ parameter: c, axis: s.length - 2, gates: 1, units: p.units });
    });
    return {
      layer: l.layer,
      kind: p.kind,
      structure,
      sparsity,
      schedule,
      block,
      norm: l.norm ?? plan.norm ?? 'l1',
      pooling: l.pooling ?? plan.pooling ?? 'avg',
      weightBits: l.weightBits ?? plan.weightBits ?? 8,
      perChannel: l.perChannel ?? plan.perChannel ?? false,
      exclude,
      weights: p.weights,
      biases: p.biases,
      units: p.units,
      scoreSlices,
      unitSlices,
      consumers,
    };
  });
  let globalSchedule: PruningSchedule | null = null;
  if (scope === 'global' && layers.some((l) => l.structure !== 'none' && !l.exclude)) {
    globalSchedule = plan.schedule ?? constantSparsity({ targetSparsity: plan.sparsity! });
  }
  return {
    scope,
    layers,
    globalSchedule,
    quantStartStep: plan.quantStartStep ?? 0,
    zeroPrunedWeights: plan.zeroPrunedWeights ?? true,
  };
}
