import * as tf from '@tensorflow/tfjs-core';
import { WASM, asWasm, registerIfAbsent, sizeOf } from './conv-backend.js';

/**
 * `UnsortedSegmentSum` for wasm: out[s, ...] = sum of x[i..., ...] over the leading index
 * tuples i... whose segmentIds[i...] equals s. `segmentIds` (int32) has the shape of a prefix
 * of `x`'s shape (1-D in every tfjs call site, e.g. the gradient of `gather`); the output has
 * shape [numSegments, ...x.shape.slice(segmentIds.rank)] and x's dtype. Ids outside
 * [0, numSegments) are dropped, as in TensorFlow. Sums accumulate in x's dtype.
 */
function unsortedSegmentSum(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = asWasm(args.backend);
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  const kernel = 'UnsortedSegmentSum';
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`${kernel} on wasm supports float32 and int32 data; got ${x.dtype}`);
  }
  if (segmentIds.dtype !== 'int32')
    throw new Error(`${kernel}: segmentIds must be int32; got ${segmentIds.dtype}`);
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`${kernel}: numSegments must be a non-negative integer; got ${numSegments}`);
  }
  const idRank = segmentIds.shape.length;
  const prefixOk =
    idRank <= x.shape.length &&
    segmentIds.shape.every((d, i) => d === x.shape[i]) &&
    (idRank > 0 || x.shape.length > 0);
  if (!prefixOk) {
    throw new Error(
      `${kernel}: segmentIds shape [${segmentIds.shape.join(', ')}] must be a prefix of x shape [${x.shape.join(', ')}]`,
    );
  }
  const inner = sizeOf(x.shape.slice(idRank));
  const outShape = [numSegments, ...x.shape.slice(idRank)];
  const out = backend.makeOutput(outShape, x.dtype);
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  const xV = backend.typedArrayFromHeap(x);
  const outV = backend.typedArrayFromHeap(out);
  const n = ids.length;
  // Accumulate in x's dtype straight into the output, as TensorFlow does (a fresh float64
  // scratch buffer cost more in page faults than the whole scatter).
  outV.fill(0);
  const isInt = x.dtype === 'int32';
  for (let i = 0; i < n; i++) {
    const s = ids[i] as number;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    if (isInt) {
      for (let k = 0; k < inner; k++)
        outV[dst + k] = ((outV[dst + k] as number) + (xV[src + k] as number)) | 0;
    } else {
      for (let k = 0; k < inner; k++) outV[dst + k] = (outV[dst + k] as number) + (xV[src + k] as number);
    }
  }
  return out;
}

/**
 * Registers `UnsortedSegmentSum` for the wasm backend (tfjs-backend-wasm 4.22 lacks it, so
 * `tf.unsortedSegmentSum` and the gradient of `tf.gather` failed there). One pass over the
 * data on the wasm heap. Left alone if a kernel is already registered. Idempotent.
 *
 * @see https://www.tensorflow.org/api_docs/python/tf/math/unsorted_segment_sum
 */
export function registerSegmentKernels(): void {
  registerIfAbsent({ kernelName: tf.UnsortedSegmentSum, backendName: WASM, kernelFunc: unsortedSegmentSum });
}
