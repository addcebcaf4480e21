import { LabInputError } from '@lab/core';
import { checkPair } from './checkPair.js';

/**
 * SNR-style signal-to-distortion ratio in dB: `10 log10(||s||^2 / ||s - s_hat||^2)` (not
 * scale-invariant: a gain error counts as distortion). This is not BSS-Eval's SDR (which allows a
 * 512-tap distortion filter); the README says which one each number is.
 *
 * @param estimate - enhanced signal `s_hat`.
 * @param reference - clean signal `s` (must not be all zeros).
 * @see Stamenovic et al., arXiv 2111.02351.
 */
export function snrSdr(estimate: Float32Array | Float64Array, reference: Float32Array | Float64Array): number {
  checkPair('snrSdr', estimate, reference);
  let ss = 0;
  let err = 0;
  for (let i = 0; i < reference.length; i++) {
    const s = reference[i] as number;
    const d = s - (estimate[i] as number);
    ss += s * s;
    err += d * d;
  }
  if (!(ss > 0)) throw new LabInputError('snrSdr', 'reference', 'must not be all zeros', reference.length);
  return 10 * Math.log10(ss / err);
}
