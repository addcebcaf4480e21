import { describe, expect, it, vi } from 'vitest';
import { LabInputError } from '../src/errors.js';

// An installed tfjs-backend-wasm of another release than the one core's BackendWasm.prototype
// patch was written for: initBackend (through `@lab/core/register`) must refuse with a named
// error before patching anything.
vi.mock('@tensorflow/tfjs-backend-wasm', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@tensorflow/tfjs-backend-wasm')>()),
  version_wasm: '4.23.0',
}));

describe('a tfjs-backend-wasm release the patch was not written for', () => {
  it('makes initBackend and the register entry reject with a LabInputError naming the versions', async () => {
    const { initBackend } = await import('../src/backend/initBackend.js');
    await expect(initBackend()).rejects.toThrow(LabInputError);
    await expect(initBackend()).rejects.toThrow(
      /installed @tensorflow\/tfjs-backend-wasm' must be version 4\.22\.0.*; got "4\.23\.0"/,
    );
    await expect(import('../src/register.js')).rejects.toThrow(LabInputError);
    // Nothing was filled: the check runs before any kernel is registered or patched.
    const tf = await import('@tensorflow/tfjs-core');
    expect(tf.getKernel('Einsum', 'wasm')).toBeUndefined();
  });
});
