import { registerConvBackpropKernels } from './conv.js';
import { registerEinsumKernel } from './einsum.js';
import { registerMatMulTransposeFix } from './matmul.js';
import { registerSegmentKernels } from './segment.js';
import { registerSpectralKernels } from './spectral.js';

let registered = false;

/**
 * Registers the kernels that `@tensorflow/tfjs-backend-wasm` 4.22 lacks (FFT family, complex
 * numbers, Einsum, convolution backprops, UnsortedSegmentSum) and replaces its slow
 * transposed BatchMatMul path. Idempotent; called by {@link initBackend}.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  registerSpectralKernels();
  registerEinsumKernel();
  registerConvBackpropKernels();
  registerSegmentKernels();
  registerMatMulTransposeFix();
}
