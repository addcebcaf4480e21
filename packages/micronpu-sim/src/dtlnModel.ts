import { readOptions, type Rng } from '@lab/core';
import type { NpuModel, NpuOp } from './model.js';

/** Options of {@link dtlnModel}. */
export interface DtlnModelOptions {
  /** Seed of the int8 weights (gaussian, clipped to [-127, 127]); default 0 (`SeedOptions`). */
  readonly seed?: number | string;
  /** Generator to draw the weights from instead of `seed` (`SeedOptions`). */
  readonly rng?: Rng;
  /** LSTM hidden units per layer (DTLN: 128). */
  readonly hidden?: number;
  /** STFT bins of stage 1 (DTLN: 257 for 512-sample frames). */
  readonly bins?: number;
  /** Frame length of stage 2's learned analysis/synthesis (DTLN: 512). */
  readonly frame?: number;
  /** Learned feature size of stage 2 (DTLN: 256). */
  readonly features?: number;
  /** Standard deviation of the int8 weights before rounding (default 30). */
  readonly weightStd?: number;
}

/**
 * A DTLN-sized streaming speech-enhancement model (Westhausen & Meyer 2020), one frame per call:
 * stage 1 = 2 x LSTM(hidden) on `bins` magnitude bins, dense mask (sigmoid) and mask multiply;
 * stage 2 = analysis FC [features, frame], instant layer norm (its affine part as Mul + Add),
 * 2 x LSTM(hidden), dense mask, mask multiply and synthesis FC [frame, features]. With the
 * defaults it has ~0.98 M int8 weights, the ~3.7 MB float32 model the paper compresses.
 * Weights are seeded gaussian int8 (so sparsity and encoding act on real integers).
 *
 * @see Stamenovic et al., arXiv 2111.02351; Westhausen & Meyer, "Dual-Signal Transformation LSTM
 * Network for Real-Time Noise Suppression", Interspeech 2020.
 */
export function dtlnModel(options: DtlnModelOptions): NpuModel {
  const fn = 'dtlnModel';
  const o = readOptions(fn, options, ['seed', 'rng', 'hidden', 'bins', 'frame', 'features', 'weightStd']);
  const H = o.integer('hidden', 128, { min: 1 });
  const B = o.integer('bins', 257, { min: 1 });
  const F = o.integer('frame', 512, { min: 1 });
  const E = o.integer('features', 256, { min: 1 });
  const std = o.number('weightStd', 30, { min: 0, open: { min: true } });
  const rng = o.rng();
  const w = (n: number): Int8Array => {
    const a = new Int8Array(n);
    for (let i = 0; i < n; i++) a[i] = Math.max(-127, Math.min(127, Math.round(rng.normal(0, std))));
    return a;
  };
  const lstm = (name: string, inputSize: number): NpuOp => ({
    kind: 'LSTM',
    name,
    inputSize,
    hiddenSize: H,
    inputWeights: w(4 * H * inputSize),
    recurrentWeights: w(4 * H * H),
  });
  const ops: NpuOp[] = [
    lstm('s1_lstm1', B),
    lstm('s1_lstm2', H),
    { kind: 'FullyConnected', name: 's1_mask_fc', shape: [B, H], weights: w(B * H) },
    { kind: 'Activation', name: 's1_mask_sigmoid', fn: 'sigmoid', size: B },
    { kind: 'Mul', name: 's1_apply_mask', size: B },
    { kind: 'FullyConnected', name: 's2_analysis_fc', shape: [E, F], weights: w(E * F) },
    { kind: 'Mul', name: 's2_norm_scale', size: E },
    { kind: 'Add', name: 's2_norm_shift', size: E },
    lstm('s2_lstm1', E),
    lstm('s2_lstm2', H),
    { kind: 'FullyConnected', name: 's2_mask_fc', shape: [E, H], weights: w(E * H) },
    { kind: 'Activation', name: 's2_mask_sigmoid', fn: 'sigmoid', size: E },
    { kind: 'Mul', name: 's2_apply_mask', size: E },
    { kind: 'FullyConnected', name: 's2_synthesis_fc', shape: [F, E], weights: w(F * E) },
  ];
  return { name: `dtln-h${H}`, ops };
}
