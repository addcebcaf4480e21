import { readOptions } from '@lab/core';
import { FORECASTER_LIMITS } from './forecasterConfig.js';

/** Kind of fixed pattern functions. */
export type PatternBasisKind = 'fourier' | 'polynomial';

/** Options of {@link patternBasis}. */
export interface PatternBasisOptions {
  /** Basis family. */
  kind: PatternBasisKind;
  /** Patch length P (at most `FORECASTER_LIMITS.patchLength`). */
  patchLength: number;
  /** Number of functions K (1 <= K <= P). */
  numPatterns: number;
}

/**
 * `K` fixed pattern functions on a patch of `P` steps, as the orthonormal columns of a
 * row-major `P x K` matrix (modified Gram-Schmidt in float64). `'fourier'`: constant, then
 * cos/sin pairs of increasing frequency (the seasonality basis of N-BEATS / FEDformer's
 * Fourier modes); `'polynomial'`: discrete Legendre polynomials of degree 0..K-1 (the trend
 * basis of N-BEATS).
 *
 * @param options - `kind` (basis family), `patchLength` P, `numPatterns` K (1 <= K <= P).
 * @see Oreshkin et al., "N-BEATS", ICLR 2020 (trend and seasonality bases).
 */
export function patternBasis(options: PatternBasisOptions): Float32Array {
  const fn = 'patternBasis';
  const o = readOptions(fn, options, ['kind', 'patchLength', 'numPatterns']);
  const kind = o.oneOf('kind', ['fourier', 'polynomial'] as const);
  const patchLength = o.integer('patchLength', undefined, { min: 1, max: FORECASTER_LIMITS.patchLength });
  const numPatterns = o.integer('numPatterns', undefined, { min: 1, max: patchLength });
  const P = patchLength;
  const candidates: Float64Array[] = [];
  if (kind === 'fourier') {
    candidates.push(new Float64Array(P).fill(1));
    for (let f = 1; f <= P / 2; f++) {
      candidates.push(Float64Array.from({ length: P }, (_, t) => Math.cos((2 * Math.PI * f * t) / P)));
      candidates.push(Float64Array.from({ length: P }, (_, t) => Math.sin((2 * Math.PI * f * t) / P)));
    }
  } else {
    for (let d = 0; d < P; d++) {
      candidates.push(
        Float64Array.from({ length: P }, (_, t) => (P === 1 ? 1 : ((2 * t) / (P - 1) - 1) ** d)),
      );
    }
  }
  const cols: Float64Array[] = [];
  for (const c of candidates) {
    if (cols.length === numPatterns) break;
    const v = Float64Array.from(c);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of cols) {
        let dot = 0;
        for (let t = 0; t < P; t++) dot += v[t]! * q[t]!;
        for (let t = 0; t < P; t++) v[t]! -= dot * q[t]!;
      }
    }
    let norm = 0;
    for (let t = 0; t < P; t++) norm += v[t]! * v[t]!;
    norm = Math.sqrt(norm);
    if (norm < 1e-8 * Math.sqrt(P)) continue; // e.g. sin at the Nyquist frequency is zero
    for (let t = 0; t < P; t++) v[t]! /= norm;
    cols.push(v);
  }
  const out = new Float32Array(P * numPatterns);
  cols.forEach((v, k) => {
    for (let t = 0; t < P; t++) out[t * numPatterns + k] = v[t]!;
  });
  return out;
}
