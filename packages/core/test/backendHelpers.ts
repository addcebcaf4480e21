// Shared by the wasm-kernel tests: run the same computation on the cpu (reference) and wasm
// backends, checking that the wasm run leaks neither tensors nor wasm-heap buffers.
import { expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { createRng } from '../src/random/createRng.js';

/** Seeded standard-normal values for a tensor of `shape`. */
export function randn(seed: number, shape: readonly number[]): Float32Array {
  return createRng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
}

/** Number of live data buffers on the active backend (wasm heap allocations on wasm). */
export function heapIds(): number {
  return (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
}

/** Copies each tensor out as float32 and disposes it. */
function readAndDispose(ts: tf.Tensor[]): Float32Array[] {
  return ts.map((t) => {
    const d = Float32Array.from(t.dataSync());
    t.dispose();
    return d;
  });
}

/** Runs `build` on the cpu backend and returns its outputs as arrays. */
export async function onCpu(build: () => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend({ backend: 'cpu' });
  return readAndDispose(tf.tidy(build));
}

/** Runs `build` on wasm, asserting no tensor or heap leaks, and returns its outputs as arrays. */
export async function onWasm(build: () => tf.Tensor[]): Promise<Float32Array[]> {
  expect((await initBackend()).backend).toBe('wasm');
  const ids = heapIds();
  const outs = await expectNoLeaks(() => tf.tidy(build), { keepResult: true });
  const wasm = readAndDispose(outs);
  expect(heapIds()).toBe(ids);
  return wasm;
}

/** Runs `build` on cpu, then on wasm; returns both outputs as arrays. */
export async function onBothBackends(
  build: () => tf.Tensor[],
): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const cpu = await onCpu(build);
  const wasm = await onWasm(build);
  return { cpu, wasm };
}
