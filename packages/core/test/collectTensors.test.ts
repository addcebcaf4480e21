import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectTensors } from '@lab/test-utils';
import { initBackend } from '../src/index.js';

// @lab/test-utils has no backend of its own (it peers on tfjs-core only), so its leak-check
// walker is tested here, where core provides one.

describe('collectTensors', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('finds tensors in arrays, Maps, plain and null-prototype records, once each', () => {
    const [a, b, c] = [tf.scalar(1), tf.scalar(2), tf.scalar(3)];
    const record: Record<string, unknown> = Object.create(null);
    record.w = a;
    record.nested = { b, again: [a] };
    const found = collectTensors([record, new Map([['c', c]])]);
    expect(new Set(found)).toEqual(new Set([a, b, c]));
    expect(found).toHaveLength(3);
    c.dispose();
    expect(collectTensors(record)).toHaveLength(2);
    tf.dispose([a, b]);
  });

  it('does not walk class instances (they own their tensors)', () => {
    class Holder {
      t = tf.scalar(1);
    }
    const h = new Holder();
    expect(collectTensors(h)).toEqual([]);
    h.t.dispose();
  });
});
