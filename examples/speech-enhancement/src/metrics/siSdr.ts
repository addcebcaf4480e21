import { LabInputError } from '@lab/core';
import { checkPair } from './checkPair.js';

/**
 * Scale-invariant signal-to-distortion ratio in dB:
 * `SI-SDR = 10 log10(||a s||^2 / ||a s - s_hat||^2)`, `a = <s_hat, s> / ||s||^2`.
 * No mean removal (the signals here are zero-mean speech and noise). A perfect estimate up to a
 * positive or negative scale gives `+Infinity`; an estimate orthogonal to `s` gives `-Infinity`.
 *
 * @param estimate - enhanced signal `s_hat`.
 * @param reference - clean signal `s` (must not be all zeros).
 * @see Le Roux, Wisdom, Erdogan, Hershey, "SDR - half-baked or well done?", ICASSP 2019.
 * @see Stamenovic et al., arXiv 2111.02351 (the metric family it reports).
 */
export function siSdr(estimate: Float32Array | Float64Array, reference: Float32Array | Float64Array): number {
  checkPair('siSdr', estimate, reference);
  let ss = 0;
  let se = 0;
  for (let i = 0; i < reference.length; i++) {
    const s = reference[i] as number;
    ss += s * s;
    se += s * (estimate[i] as number);
  }
  if (!(ss > 0)) throw new LabInputError('siSdr', 'reference', 'must not be all zeros', reference.length);
  const a = se / ss;
  let target = 0;
  let err = 0;
  for (let i = 0; i < reference.length; i++) {
    const t = a * (reference[i] as number);
    const d = t - (estimate[i] as number);
    target += t * t;
    err += d * d;
  }
  return 10 * Math.log10(target / err);
}
