import { registerComplexGradients } from './spectral-grad.js';
import { registerWasmComplexKernels } from './spectral-wasm.js';

let registered = false;

/**
 * Fills tfjs-backend-wasm 4.22's complex and spectral gaps: stores complex64 tensors as
 * interleaved float32 in the wasm heap, registers the `Complex`, `Real`, `Imag`,
 * `ComplexAbs`, `FFT` and `IFFT` kernels (any length: radix-4 `fft.js` for powers of two,
 * Bluestein otherwise, float64 arithmetic), makes the wasm kernels that complex backprop
 * meets complex64-aware (Add, Sub, Multiply, RealDiv, Neg, Cast, OnesLike, Slice, Concat,
 * Transpose, Reverse, Tile, PadV2, SplitV, Pack, Unpack, Sum, GatherV2), and registers the
 * missing complex gradients so `tf.spectral.rfft/irfft/fft/ifft` and `tf.abs` of complex
 * tensors differentiate on every backend. Idempotent; called by `registerWasmKernels`.
 *
 * @see https://www.tensorflow.org/api_docs/python/tf/signal/fft
 */
export function registerSpectralKernels(): void {
  if (registered) return;
  registered = true;
  registerWasmComplexKernels();
  registerComplexGradients();
}
