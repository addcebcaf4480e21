// Enhancement of whole utterances and their SI-SDR / SNR-SDR scores.
import * as tf from '@tensorflow/tfjs-core';
import { type FeatureStats, logPower, normalize } from './features.js';
import { siSdr } from './metrics/siSdr.js';
import { snrSdr } from './metrics/snrSdr.js';
import { resampleFft, stoi } from './metrics/stoi.js';
import type { Mixture } from './mixtures.js';
import type { MaskEstimator } from './model.js';
import { type Spectrogram, istft, stft } from './stft.js';

/** Scores of one evaluation (means over the mixtures, in dB). */
export interface EvaluateResult {
  /** Mean SI-SDR of the enhanced signals. */
  readonly siSdr: number;
  /** Mean SI-SDR of the noisy inputs. */
  readonly siSdrNoisy: number;
  /** Mean SI-SDR improvement (enhanced minus noisy, per mixture). */
  readonly siSdrImprovement: number;
  /** Mean SNR-style SDR of the enhanced signals. */
  readonly snrSdr: number;
  readonly snrSdrNoisy: number;
  readonly snrSdrImprovement: number;
  /** Mean SI-SDR improvement per noise type. */
  readonly siSdrImprovementByNoise: Record<string, number>;
  /**
   * STOI of the enhanced test set and of the noisy input, computed once over all mixtures
   * concatenated (single FSDD clips are often shorter than one 384 ms STOI segment).
   */
  readonly stoi: number;
  readonly stoiNoisy: number;
  readonly count: number;
}

/** Result of {@link enhance}: one enhanced signal per mixture. */
type EnhanceResult = Float32Array[];

/**
 * Enhances every mixture: STFT, normalised log-power features, the model's mask on |Y| (Nyquist
 * bin 0) with the
 * noisy phase, iSTFT. Utterances are batched after zero-padding at the end: the LSTMs are causal,
 * so the padded frames never change the outputs of the real ones.
 */
function enhance(model: MaskEstimator, mixtures: readonly Mixture[], stats: FeatureStats, batchSize = 32): EnhanceResult {
  const specs = mixtures.map((m) => stft(m.noisy));
  const F = model.bins;
  const out: Float32Array[] = new Array(specs.length);
  // Batches of similar lengths (less padding); results go back to the input order.
  const order = specs.map((_, i) => i).sort((a, b) => (specs[a] as Spectrogram).frames - (specs[b] as Spectrogram).frames || a - b);
  for (let start = 0; start < specs.length; start += batchSize) {
    const idx = order.slice(start, start + batchSize);
    const part = idx.map((i) => specs[i] as Spectrogram);
    const T = Math.max(...part.map((s) => s.frames));
    const x = new Float32Array(part.length * T * F);
    for (const [b, s] of part.entries()) x.set(normalize(logPower(s), stats), b * T * F);
    const mask = tf.tidy(() => model.apply(tf.tensor3d(x, [part.length, T, F])));
    const mv = mask.dataSync() as Float32Array;
    mask.dispose();
    part.forEach((s, b) => {
      // The Nyquist bin (not modelled) gets mask 0.
      const re = new Float32Array(s.re.length);
      const im = new Float32Array(s.im.length);
      for (let t = 0; t < s.frames; t++) {
        for (let f = 0; f < F; f++) {
          const g = mv[b * T * F + t * F + f] as number;
          const i = t * s.bins + f;
          re[i] = g * (s.re[i] as number);
          im[i] = g * (s.im[i] as number);
        }
      }
      out[idx[b] as number] = istft({ ...s, re, im });
    });
  }
  return out;
}

/** Enhances `mixtures` with `model` and scores the result against the clean signals. */
export function evaluate(model: MaskEstimator, mixtures: readonly Mixture[], stats: FeatureStats): EvaluateResult {
  const enhanced = enhance(model, mixtures, stats);
  let si = 0;
  let siN = 0;
  let sn = 0;
  let snN = 0;
  const byNoise: Record<string, { sum: number; n: number }> = {};
  mixtures.forEach((m, i) => {
    const e = enhanced[i] as Float32Array;
    const a = siSdr(e, m.clean);
    const a0 = siSdr(m.noisy, m.clean);
    si += a;
    siN += a0;
    sn += snrSdr(e, m.clean);
    snN += snrSdr(m.noisy, m.clean);
    const k = byNoise[m.noise] ?? { sum: 0, n: 0 };
    byNoise[m.noise] = k;
    k.sum += a - a0;
    k.n++;
  });
  const n = mixtures.length;
  // Each clip is resampled to STOI's 10 kHz on its own (small FFTs), then the set is concatenated.
  const concat10k = (xs: readonly Float32Array[]) => {
    const parts = xs.map((x) => resampleFft(Float64Array.from(x), 5, 4));
    const out = new Float64Array(parts.reduce((a, x) => a + x.length, 0));
    let o = 0;
    for (const x of parts) {
      out.set(x, o);
      o += x.length;
    }
    return out;
  };
  const clean = concat10k(mixtures.map((m) => m.clean));
  const stoiEnhanced = stoi(concat10k(enhanced), clean, 10000);
  const stoiNoisy = stoi(concat10k(mixtures.map((m) => m.noisy)), clean, 10000);
  const siSdrImprovementByNoise: Record<string, number> = {};
  for (const [k, v] of Object.entries(byNoise)) siSdrImprovementByNoise[k] = v.sum / v.n;
  return {
    siSdr: si / n,
    siSdrNoisy: siN / n,
    siSdrImprovement: (si - siN) / n,
    snrSdr: sn / n,
    snrSdrNoisy: snN / n,
    snrSdrImprovement: (sn - snN) / n,
    siSdrImprovementByNoise,
    stoi: stoiEnhanced,
    stoiNoisy,
    count: n,
  };
}
