import { ceilDiv } from './common.js';

/** Fraction of `bo x bi` blocks of a [out, in] matrix holding a non-zero weight. */
export function nonZeroBlockFraction(
  weights: Int8Array,
  out: number,
  inn: number,
  bo: number,
  bi: number,
): number {
  const nbo = ceilDiv(out, bo);
  const nbi = ceilDiv(inn, bi);
  let nz = 0;
  for (let b = 0; b < nbo; b++) {
    for (let c = 0; c < nbi; c++) {
      let found = false;
      for (let r = b * bo; r < Math.min(out, (b + 1) * bo) && !found; r++) {
        const row = r * inn;
        for (let k = c * bi; k < Math.min(inn, (c + 1) * bi); k++) {
          if (weights[row + k] !== 0) {
            found = true;
            break;
          }
        }
      }
      if (found) nz++;
    }
  }
  return nz / (nbo * nbi);
}
