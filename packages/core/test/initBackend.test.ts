import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { LabInputError } from '../src/errors.js';

describe('initBackend', () => {
  afterAll(async () => {
    await initBackend();
  });

  it('defaults to the wasm backend with SIMD in Node', async () => {
    const r = await initBackend();
    expect(r.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.simd).toBe(true);
    expect(r.failed).toEqual([]);
    expect(r.reason).toBe('auto: the default in Node');
    expect((await initBackend({ backend: 'wasm' })).reason).toBe('requested');
  });

  it('selects the pure-JS cpu backend on request, and back', async () => {
    expect((await initBackend({ backend: 'cpu' })).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initBackend({ backend: 'wasm' })).backend).toBe('wasm');
  });

  it('registers every gradient tfjs-core ships and the chained ops', async () => {
    await initBackend();
    for (const kernel of ['BatchMatMul', 'Conv2D', 'GatherV2', 'Relu', 'Softmax', 'Sum', 'Transpose']) {
      expect(tf.getGradient(kernel), kernel).toBeDefined();
    }
    const x = tf.tensor1d([1, -2, 3]);
    const dx = tf.grad((a: tf.Tensor) => a.abs().sum())(x);
    expect(Array.from(dx.dataSync())).toEqual([1, -1, 1]);
    tf.dispose([x, dx]);
  });

  it('names the function and the argument on bad options', async () => {
    await expect(initBackend({ backend: 'tpu' as never })).rejects.toThrow(LabInputError);
    await expect(initBackend({ backend: 'tpu' as never })).rejects.toThrow(
      /initBackend: argument 'options.backend' must be one of "auto", "wasm", "cpu", "webgl", "webgpu"; got "tpu"/,
    );
    await expect(initBackend({ backnd: 'cpu' } as never)).rejects.toThrow(
      /'options.backnd' is not an option/,
    );
    await expect(initBackend({ wasmPaths: 3 } as never)).rejects.toThrow(
      /'options.wasmPaths' must be a non-empty string/,
    );
    await expect(initBackend(null as never)).rejects.toThrow(/initBackend: argument 'options'/);
    await expect(
      initBackend({ wasmPaths: { 'tfjs-backend-wasm.wasm': '/a.wasm' } } as never),
    ).rejects.toThrow(
      /'options.wasmPaths' must be .*missing 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'/,
    );
    await expect(initBackend({ wasmPaths: { 'simd.wasm': '/a.wasm' } } as never)).rejects.toThrow(
      /'options.wasmPaths\['simd.wasm'\]' is not a tfjs wasm binary/,
    );
    await expect(initBackend({ warn: 'no' } as never)).rejects.toThrow(
      /'options.warn' must be true or false/,
    );
  });

  it('reports failures and throws when a browser-only backend is asked for in Node', async () => {
    await expect(initBackend({ backend: 'webgpu' })).rejects.toThrow(
      /initBackend: no backend could be initialised/,
    );
    await expect(initBackend({ backend: 'webgl' })).rejects.toThrow(
      /webgl: backend 'webgl' is not registered: install @tensorflow\/tfjs-backend-webgl and import '@lab\/core\/webgl'/,
    );
    // The previous backend stays usable.
    expect(tf.getBackend()).toBe('wasm');
  });
});
