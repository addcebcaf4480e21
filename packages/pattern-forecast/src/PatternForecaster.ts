import * as tf from '@tensorflow/tfjs-core';
import { Dense } from '@lab/core';
import { PATTERN_KEYS, readPatternConfig } from './forecasterConfig.js';
import { NeuralForecaster, type NeuralForecasterOptions } from './NeuralForecaster.js';
import { type PatternBasisKind, patternBasis } from './patternBasis.js';

/** Options of {@link PatternForecaster}. */
export interface PatternForecasterOptions extends NeuralForecasterOptions {
  /** Patch (subsequence) length P (default min(16, L); at most min(L, `FORECASTER_LIMITS.patchLength`)). */
  patchLength?: number;
  /** Step between patch starts (default P / 2, rounded down, at least 1). */
  patchStride?: number;
  /** Pattern functions per patch K (default P). */
  numPatterns?: number;
  /**
   * `'diverse'` (default): a learned `P x K` basis per series, initialised at the fixed basis,
   * with a diversity penalty; `'fixed'`: one fixed basis shared by every series.
   */
  patterns?: 'fixed' | 'diverse';
  /** Fixed basis (and initialisation of the diverse one): default `'fourier'`. */
  basis?: PatternBasisKind;
  /** Weight of the diversity penalty (mean squared off-diagonal cosine; default 0.01). */
  diversityWeight?: number;
  /** Correlations among subsequences by attention over the patch responses (default true). */
  subsequenceCorrelation?: boolean;
  /** Query/key size of that attention (default 16). */
  attentionDim?: number;
  /** Learnable N x N correlation matrix among series (default true). */
  seriesCorrelation?: boolean;
  /** Embedding size of the correlation matrix `softmax(relu(E1 E2^T))` (default 10). */
  embeddingDim?: number;
}

/**
 * Pattern-discovery forecaster, our reading of Cheng, Guo et al. (arXiv 2212.10306):
 *
 * 1. each series' look-back (instance-normalised; default: last value subtracted) is cut into
 *    M patches of length P (stride S, aligned to the end of the look-back);
 * 2. pattern functions map every patch to K responses: a fixed basis shared by all series
 *    (Fourier or polynomial), or a learned basis per series with a penalty on the off-diagonal
 *    of its normalised Gram matrix keeping the K functions diverse;
 * 3. correlations among subsequences across the whole look-back: single-head attention over the
 *    M patch-response vectors of a series (queries/keys from the responses plus a learned
 *    position code), added as a residual;
 * 4. a learnable N x N correlation matrix `C = softmax(relu(E1 E2^T))` mixes the series'
 *    features, scaled by a learned per-series gate (initialised at 0) and added as a residual;
 * 5. a linear head maps the M K features of each series to the H forecasts (shared by series).
 *
 * Parts 2 (fixed vs diverse), 3 and 4 can be switched off for ablations.
 *
 * @see Cheng, Guo, Yang, Jensen et al., "A Pattern Discovery Approach to Multivariate Time Series Forecasting", arXiv 2212.10306.
 * @see Wu et al., "Graph WaveNet", IJCAI 2019 (adaptive adjacency); Nie et al., "PatchTST", ICLR 2023 (patching).
 */
export class PatternForecaster extends NeuralForecaster {
  readonly name: string = 'PatternForecaster';
  readonly patchLength: number;
  readonly patchStride: number;
  readonly numPatches: number;
  readonly numPatterns: number;
  readonly patterns: 'fixed' | 'diverse';
  readonly basis: PatternBasisKind;
  readonly diversityWeight: number;
  readonly subsequenceCorrelation: boolean;
  readonly attentionDim: number;
  readonly seriesCorrelation: boolean;
  readonly embeddingDim: number;
  private readonly patchIndex: tf.Tensor1D;
  private readonly fixedBasis: tf.Tensor2D | null;
  private readonly head: Dense;

  constructor(options: PatternForecasterOptions) {
    const fn = 'PatternForecaster';
    const c = readPatternConfig(fn, options);
    super(fn, options, 'last', PATTERN_KEYS);
    this.patchLength = c.patchLength;
    this.patchStride = c.patchStride;
    this.numPatterns = c.numPatterns;
    this.numPatches = c.numPatches;
    this.patterns = c.patterns;
    this.basis = c.basis;
    this.diversityWeight = c.diversityWeight;
    this.subsequenceCorrelation = c.subsequenceCorrelation;
    this.attentionDim = c.attentionDim;
    this.seriesCorrelation = c.seriesCorrelation;
    this.embeddingDim = c.embeddingDim;

    const { patchLength: P, numPatterns: K, numPatches: M, numSeries: N } = this;
    // Patches aligned to the end of the look-back (the most recent step is always used).
    const idx = new Int32Array(M * P);
    const first = this.lookback - P - (M - 1) * this.patchStride;
    for (let m = 0; m < M; m++) for (let p = 0; p < P; p++) idx[m * P + p] = first + m * this.patchStride + p;
    this.patchIndex = tf.tensor1d(idx, 'int32');
    const base = patternBasis({ kind: this.basis, patchLength: P, numPatterns: K });
    if (this.patterns === 'fixed') {
      this.fixedBasis = tf.tensor2d(base, [P, K]);
    } else {
      this.fixedBasis = null;
      // Per-series basis initialised at the fixed one plus small noise, so series can diverge.
      this.store.create('patterns.basis', [N, P, K], (shape, rng) => {
        const out = new Float32Array(N * P * K);
        for (let n = 0; n < N; n++)
          for (let i = 0; i < P * K; i++) out[n * P * K + i] = base[i]! + 0.05 * rng.normal();
        void shape;
        return out;
      });
    }
    if (this.subsequenceCorrelation) {
      const d = this.attentionDim;
      this.store.create('subseq.query', [K, d], 'glorotUniform');
      this.store.create('subseq.key', [K, d], 'glorotUniform');
      this.store.create('subseq.value', [K, K], 'glorotUniform');
      this.store.create('subseq.position', [M, d], { constant: 0 });
    }
    if (this.seriesCorrelation) {
      this.store.create('series.e1', [N, this.embeddingDim], 'glorotUniform');
      this.store.create('series.e2', [N, this.embeddingDim], 'glorotUniform');
      this.store.create('series.gate', [N], 'zeros');
    }
    this.head = new Dense(this.store, 'head', { inputDim: M * K, units: this.horizon });
  }

  /** Patch responses `[B, N, M, K]` for normalised `x` `[B, L, N]`. */
  patternResponses(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const [b] = x.shape as [number, number, number];
      const { patchLength: P, numPatterns: K, numPatches: M, numSeries: N } = this;
      const xt = tf.transpose(x, [0, 2, 1]); // [B, N, L]
      // Non-overlapping patches are a reshape of the last M P steps (cheaper than a gather).
      const patches =
        this.patchStride === P
          ? tf.reshape(tf.slice(xt, [0, 0, this.lookback - M * P], [b, N, M * P]), [b, N, M, P])
          : tf.reshape(tf.gather(xt, this.patchIndex, 2), [b, N, M, P]);
      if (this.fixedBasis !== null) {
        return tf.reshape(tf.matMul(tf.reshape(patches, [b * N * M, P]), this.fixedBasis), [
          b,
          N,
          M,
          K,
        ]) as tf.Tensor4D;
      }
      const perSeries = tf.reshape(tf.transpose(patches, [1, 0, 2, 3]), [N, b * M, P]);
      const r = tf.matMul(perSeries, this.store.get('patterns.basis')); // [N, B M, K]
      return tf.transpose(tf.reshape(r, [N, b, M, K]), [1, 0, 2, 3]) as tf.Tensor4D;
    });
  }

  /** The N x N series correlation matrix `softmax(relu(E1 E2^T))` (rows sum to 1), or null. */
  correlationMatrix(): tf.Tensor2D | null {
    if (!this.seriesCorrelation) return null;
    return tf.tidy(
      () =>
        tf.softmax(
          tf.relu(tf.matMul(this.store.get('series.e1'), this.store.get('series.e2'), false, true)),
        ) as tf.Tensor2D,
    );
  }

  /**
   * Diversity penalty of the learned bases: mean over series of the squared off-diagonal
   * entries of `W_n^T W_n` with unit-norm columns (0 for orthogonal functions); 0 when fixed.
   */
  diversityPenalty(): tf.Scalar {
    return tf.tidy(() => {
      if (this.fixedBasis !== null) return tf.scalar(0);
      const K = this.numPatterns;
      if (K < 2) return tf.scalar(0);
      const w = this.store.get('patterns.basis');
      const wn = tf.div(w, tf.sqrt(tf.add(tf.sum(tf.square(w), 1, true), 1e-8)));
      const g = tf.matMul(wn, wn, true, false); // [N, K, K]
      const off = tf.sub(g, tf.mul(g, tf.eye(K)));
      return tf.div(tf.sum(tf.square(off)), this.numSeries * K * (K - 1)) as tf.Scalar;
    });
  }

  protected override regularizer(): tf.Scalar | null {
    if (this.fixedBasis !== null || this.diversityWeight === 0) return null;
    return tf.tidy(() => tf.mul(this.diversityPenalty(), this.diversityWeight) as tf.Scalar);
  }

  protected forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const b = x.shape[0]!;
      const { numPatterns: K, numPatches: M, numSeries: N } = this;
      let z: tf.Tensor = tf.reshape(this.patternResponses(x), [b * N, M, K]);
      if (this.subsequenceCorrelation) {
        const pos = this.store.get('subseq.position');
        const flat = tf.reshape(z, [b * N * M, K]);
        const q = tf.add(
          tf.reshape(tf.matMul(flat, this.store.get('subseq.query')), [b * N, M, this.attentionDim]),
          pos,
        );
        const k = tf.add(
          tf.reshape(tf.matMul(flat, this.store.get('subseq.key')), [b * N, M, this.attentionDim]),
          pos,
        );
        const v = tf.reshape(tf.matMul(flat, this.store.get('subseq.value')), [b * N, M, K]);
        const att = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(this.attentionDim)));
        z = tf.add(z, tf.matMul(att, v));
      }
      const F = M * K;
      let feats = tf.reshape(z, [b, N, F]);
      if (this.seriesCorrelation) {
        const c = this.correlationMatrix()!;
        const mixed = tf.matMul(c, tf.reshape(tf.transpose(feats, [1, 0, 2]), [N, b * F]));
        const back = tf.transpose(tf.reshape(mixed, [N, b, F]), [1, 0, 2]);
        feats = tf.add(feats, tf.mul(tf.reshape(this.store.get('series.gate'), [1, N, 1]), back));
      }
      const out = this.head.apply(feats); // [B, N, H]
      return tf.transpose(out, [0, 2, 1]);
    });
  }

  config(): Record<string, unknown> {
    return {
      ...this.baseConfig(),
      patchLength: this.patchLength,
      patchStride: this.patchStride,
      numPatterns: this.numPatterns,
      patterns: this.patterns,
      basis: this.basis,
      diversityWeight: this.diversityWeight,
      subsequenceCorrelation: this.subsequenceCorrelation,
      attentionDim: this.attentionDim,
      seriesCorrelation: this.seriesCorrelation,
      embeddingDim: this.embeddingDim,
    };
  }

  override dispose(): void {
    this.patchIndex.dispose();
    this.fixedBasis?.dispose();
    super.dispose();
  }
}
