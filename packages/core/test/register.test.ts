import * as tf from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import {
  PATCHED_TFJS_BACKEND_VERSION,
  checkPatchedBackendVersions,
} from '../src/backend/kernels/registerWasmKernels.js';
import { LabInputError } from '../src/errors.js';

describe('@lab/core/register and the tfjs backend version check', () => {
  it('accepts the installed backends (the release the patches were written for)', () => {
    expect(version_wasm).toBe(PATCHED_TFJS_BACKEND_VERSION);
    expect(version_cpu).toBe(PATCHED_TFJS_BACKEND_VERSION);
    expect(() => checkPatchedBackendVersions()).not.toThrow();
  });

  it('names the package, the expected and the installed version on a mismatch', () => {
    const bad = () => checkPatchedBackendVersions({ wasm: '4.23.0', cpu: PATCHED_TFJS_BACKEND_VERSION });
    expect(bad).toThrow(LabInputError);
    expect(bad).toThrow(
      /initBackend: argument 'installed @tensorflow\/tfjs-backend-wasm' must be version 4\.22\.0.*; got "4\.23\.0"/,
    );
    expect(() => checkPatchedBackendVersions({ wasm: PATCHED_TFJS_BACKEND_VERSION, cpu: '5.0.0' })).toThrow(
      /installed @tensorflow\/tfjs-backend-cpu' must be version 4\.22\.0.*; got "5\.0\.0"/,
    );
  });

  it('initBackend registers through the register entry, which exports the kernel fill API', async () => {
    await initBackend();
    const register = await import('../src/register.js');
    expect(typeof register.registerWasmKernels).toBe('function');
    expect(() => register.registerWasmKernels()).not.toThrow(); // idempotent
    expect(tf.getKernel('Einsum', 'wasm')).toBeDefined();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });
});
