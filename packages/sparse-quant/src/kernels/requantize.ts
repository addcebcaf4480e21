import { LabInputError, checkFinite } from '@lab/core';
import { checkDim } from './sparseMatrix.js';

/** Options for {@link requantize}. */
export interface RequantizeOptions {
  /** Scale of the int8 input activations. */
  inputScale: number;
  /** Weight scales: one, or one per output channel (per row of the kernel's output). */
  weightScales: Float32Array;
  /** Scale of the int8 output. */
  outputScale: number;
  /** Zero point of the int8 output (default 0). */
  outputZeroPoint?: number;
  /** Optional float bias per output channel, added before rounding. */
  bias?: Float32Array;
  /** Values per output channel: 1 for a matrix-vector result, the batch `n` for `m x n` (default 1). */
  n?: number;
}

/**
 * Turns int32 accumulators of an int8 kernel into int8 outputs:
 * `q = clamp(round((acc * inputScale * weightScale[i] + bias[i]) / outputScale) + outputZeroPoint, -128, 127)`,
 * with `i` the output channel (row) of each accumulator and round-half-away-from-zero in float64.
 *
 * @param acc - Accumulators from `csrMatVec`/`bsrMatVec` (length `m`) or `*MatMul` (`m * n`, row-major); not modified.
 * @param options - Scales, output zero point, bias and `n`.
 * @returns New Int8Array of the same length.
 * @throws LabInputError naming `requantize` for inconsistent lengths or non-finite scales.
 * @see Jacob et al., "Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference", CVPR 2018.
 */
export function requantize(acc: Int32Array, options: RequantizeOptions): Int8Array {
  const fn = 'requantize';
  if (!(acc instanceof Int32Array)) throw new LabInputError(fn, 'acc', 'must be an Int32Array', acc);
  const { inputScale, weightScales, outputScale, bias } = options;
  const zp = options.outputZeroPoint ?? 0;
  const n = options.n ?? 1;
  checkFinite(fn, 'options.inputScale', inputScale);
  checkFinite(fn, 'options.outputScale', outputScale);
  if (outputScale === 0) throw new LabInputError(fn, 'options.outputScale', 'must be non-zero', outputScale);
  checkDim(fn, 'options.outputZeroPoint', zp, -128, 127);
  checkDim(fn, 'options.n', n, 1);
  if (acc.length % n !== 0)
    throw new LabInputError(fn, 'acc', `must have a length divisible by options.n = ${n}`, acc);
  const m = acc.length / n;
  if (!(weightScales instanceof Float32Array) || (weightScales.length !== 1 && weightScales.length !== m)) {
    throw new LabInputError(
      fn,
      'options.weightScales',
      `must be a Float32Array of length 1 or ${m}`,
      weightScales,
    );
  }
  if (bias !== undefined && (!(bias instanceof Float32Array) || bias.length !== m)) {
    throw new LabInputError(fn, 'options.bias', `must be a Float32Array of length ${m}`, bias);
  }
  const out = new Int8Array(acc.length);
  for (let i = 0; i < m; i++) {
    const s = (inputScale * weightScales[weightScales.length === 1 ? 0 : i]) / outputScale;
    const b = bias === undefined ? 0 : bias[i] / outputScale;
    for (let j = 0; j < n; j++) {
      const r = acc[i * n + j] * s + b;
      const q = (r < 0 ? -Math.round(-r) : Math.round(r)) + zp;
      out[i * n + j] = Math.max(-128, Math.min(127, q));
    }
  }
  return out;
}
