import { LabInputError, type Rng, createRng, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  PSD_RTOL,
  checkDecoder,
  checkedJacobian,
  checkNonZeroRows,
  checkPoints,
  choleskyInPlace,
  metricScale,
} from './internal.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/** Options of {@link monteCarloMetric}. */
export interface MonteCarloMetricOptions {
  /** Number of Jacobian draws (default 2000). */
  samples?: number;
  /** Seed (default 0). */
  seed?: number | string;
  /** Generator to draw one seed from instead of `seed` (at most one of the two). */
  rng?: Rng;
  /**
   * `jacobian`: draws from `decoder.sampleJacobian` (exact also for non-isotropic decoders);
   * `moments`: rows of J drawn from N(E[J]_d, Sigma) with a float64 Cholesky factor. Default:
   * `jacobian` when the decoder implements `sampleJacobian`, else `moments`.
   */
  source?: 'jacobian' | 'moments';
}

/** Result of {@link monteCarloMetric}: per-point estimates and their standard errors. */
export interface MonteCarloMetricResult {
  /** Estimates of F(z, v) = E||J v||. */
  finsler: Float64Array;
  /** Standard errors of `finsler` (sample std / sqrt(samples)). */
  finslerStdError: Float64Array;
  /** Estimates of v^T G v = E||J v||^2. */
  riemannianSquared: Float64Array;
  /** Standard errors of `riemannianSquared`. */
  riemannianSquaredStdError: Float64Array;
  /** Source actually used. */
  source: 'jacobian' | 'moments';
}

/**
 * Monte Carlo estimates of the Finsler metric E||J v|| and of v^T G v = E||J v||^2 at a batch of
 * latent points `z` and directions `v` (`[n, q]`), from sampled Jacobians: a check of the closed forms
 * and the estimator to use for non-isotropic decoders (neural decoders with a learned sigma(z)).
 *
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 */
export function monteCarloMetric(
  decoder: StochasticDecoder,
  z: tf.Tensor2D,
  v: tf.Tensor2D,
  options: MonteCarloMetricOptions = {},
): MonteCarloMetricResult {
  const fn = 'monteCarloMetric';
  checkDecoder(fn, decoder);
  const n = checkPoints(fn, 'z', z, decoder.latentDim);
  checkPoints(fn, 'v', v, decoder.latentDim, n);
  checkNonZeroRows(fn, 'v', v);
  const o = readOptions(fn, options, ['samples', 'seed', 'rng', 'source']);
  const samples = options.samples ?? 2000;
  if (!Number.isInteger(samples) || samples < 2)
    throw new LabInputError(fn, 'options.samples', 'must be an integer >= 2', samples);
  const seed = o.seedValue();
  const source = options.source ?? (typeof decoder.sampleJacobian === 'function' ? 'jacobian' : 'moments');
  if (source !== 'jacobian' && source !== 'moments') {
    throw new LabInputError(fn, 'options.source', "must be 'jacobian' or 'moments'", source);
  }
  const q = decoder.latentDim;
  const D = decoder.outputDim;
  const vd = v.dataSync();
  // norms[s * n + i] = ||J_s(z_i) v_i||
  const norms = new Float64Array(samples * n);
  if (source === 'jacobian') {
    if (typeof decoder.sampleJacobian !== 'function') {
      throw new LabInputError(
        fn,
        'options.source',
        "is 'jacobian' but the decoder has no sampleJacobian method",
      );
    }
    const seedNum = typeof seed === 'number' ? seed : createRng(seed).nextSeed();
    const js = decoder.sampleJacobian(z, samples, seedNum);
    try {
      if (!tf.util.arraysEqual(js.shape, [samples, n, D, q])) {
        throw new LabInputError(
          fn,
          'decoder.sampleJacobian',
          `must return shape [${samples}, ${n}, ${D}, ${q}]`,
          js,
        );
      }
      const jd = js.dataSync();
      for (let s = 0; s < samples; s++) {
        for (let i = 0; i < n; i++) {
          let sq = 0;
          for (let d = 0; d < D; d++) {
            const o = ((s * n + i) * D + d) * q;
            let jv = 0;
            for (let a = 0; a < q; a++) jv += jd[o + a]! * vd[i * q + a]!;
            sq += jv * jv;
          }
          norms[s * n + i] = Math.sqrt(sq);
        }
      }
    } finally {
      js.dispose();
    }
  } else {
    const mom = checkedJacobian(fn, decoder, z);
    const md = mom.mean.dataSync();
    const cd = mom.covariance.dataSync();
    tf.dispose([mom.mean, mom.covariance]);
    const rng = createRng(seed);
    const eps = new Float64Array(q);
    for (let i = 0; i < n; i++) {
      // Smallest jitter that factorises Sigma (singular, e.g. zero, or slightly indefinite within the
      // tolerance checkedJacobian accepted): 1e-12 relative first, at most PSD_RTOL.
      const scale = metricScale(md, cd, i, D, q);
      let L = new Float64Array(0);
      for (const rel of [1e-12, 1e-9, 1e-6, PSD_RTOL]) {
        L = Float64Array.from(cd.subarray(i * q * q, (i + 1) * q * q));
        if (choleskyInPlace(L, q, rel * scale + 1e-300)) break;
      }
      // L^T v, so that (L eps) . v = eps . (L^T v)
      const ltv = new Float64Array(q);
      for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) ltv[a]! += L[b * q + a]! * vd[i * q + b]!;
      const mv = new Float64Array(D);
      for (let d = 0; d < D; d++)
        for (let a = 0; a < q; a++) mv[d]! += md[(i * D + d) * q + a]! * vd[i * q + a]!;
      for (let s = 0; s < samples; s++) {
        let sq = 0;
        for (let d = 0; d < D; d++) {
          rng.fillNormal(eps);
          let jv = mv[d]!;
          for (let a = 0; a < q; a++) jv += eps[a]! * ltv[a]!;
          sq += jv * jv;
        }
        norms[s * n + i] = Math.sqrt(sq);
      }
    }
  }
  const finsler = new Float64Array(n);
  const finslerStdError = new Float64Array(n);
  const riemannianSquared = new Float64Array(n);
  const riemannianSquaredStdError = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s1 = 0;
    let s2 = 0;
    for (let s = 0; s < samples; s++) {
      s1 += norms[s * n + i]!;
      s2 += norms[s * n + i]! ** 2;
    }
    const m1 = s1 / samples;
    const m2 = s2 / samples;
    let v1 = 0;
    let v2 = 0;
    for (let s = 0; s < samples; s++) {
      const x = norms[s * n + i]!;
      v1 += (x - m1) ** 2;
      v2 += (x * x - m2) ** 2;
    }
    finsler[i] = m1;
    finslerStdError[i] = Math.sqrt(v1 / (samples - 1) / samples);
    riemannianSquared[i] = m2;
    riemannianSquaredStdError[i] = Math.sqrt(v2 / (samples - 1) / samples);
  }
  return { finsler, finslerStdError, riemannianSquared, riemannianSquaredStdError, source };
}
