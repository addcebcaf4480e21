import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { checkInteger, checkRange, checkTensor, describeValue, LabInputError } from '../src/errors.js';

describe('LabInputError and checks', () => {
  beforeAll(async () => {
    await initBackend();
  });
  it('formats fn, argument, expectation and value', () => {
    const e = new LabInputError('f', 'options.k', 'must be positive', -1);
    expect(e.message).toBe("f: argument 'options.k' must be positive; got -1");
    expect(e).toBeInstanceOf(Error);
    expect(e.fn).toBe('f');
    expect(e.arg).toBe('options.k');
  });
  it('keeps an optional cause (backwards compatible: four-argument calls are unchanged)', async () => {
    const { LabFormatError } = await import('../src/io/LabFormatError.js');
    const sys = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const e = new LabInputError('f', 'path', 'must name a readable file', undefined, { cause: sys });
    expect(e.cause).toBe(sys);
    expect(e.message).toBe("f: argument 'path' must name a readable file");
    expect(new LabInputError('f', 'x', 'must be 1', 2).cause).toBeUndefined();
    const fe = new LabFormatError('g', 'bytes', { source: 's' }, 'must be valid', 3, { cause: sys });
    expect([fe.cause, fe.source, fe.message]).toEqual([
      sys,
      's',
      "g: argument 'bytes' (s) must be valid; got 3",
    ]);
  });
  it('describes values briefly', () => {
    expect(describeValue(new Float32Array(3))).toBe('Float32Array of length 3');
    expect(describeValue([1, 2])).toBe('[1, 2]');
    expect(describeValue(new Array(100).fill(0))).toBe('array of length 100');
    const t = tf.zeros([2, 3]);
    expect(describeValue(t)).toBe('tensor of shape [2, 3] and dtype float32');
    t.dispose();
  });
  it('checks integers, ranges and tensors', () => {
    expect(() => checkInteger('g', 'n', 1.5, 0)).toThrow("g: argument 'n' must be an integer >= 0; got 1.5");
    expect(() => checkRange('g', 'p', 1, 0, 1, { max: true })).toThrow(
      "g: argument 'p' must be in [0, 1); got 1",
    );
    expect(() => checkRange('g', 'p', 0.5, 0, 1)).not.toThrow();
    const t = tf.zeros([2]);
    expect(() => checkTensor('g', 'x', t, 2)).toThrow("g: argument 'x' must have rank 2");
    t.dispose();
    expect(() => checkTensor('g', 'x', t)).toThrow("g: argument 'x' must not be disposed");
    expect(() => checkTensor('g', 'x', [1, 2])).toThrow("g: argument 'x' must be a tf.Tensor");
  });
});
