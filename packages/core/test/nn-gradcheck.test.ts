import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks, TOL } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { gradientCheck } from '../src/nn/gradientCheck.js';
import { ParameterStore } from '../src/nn/ParameterStore.js';

describe('gradientCheck', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('passes on correct gradients (inputs and variables) with errors far below the tolerance', async () => {
    const x = tf.tensor1d([0.3, -1.2, 0.7, 2]);
    const y = tf.tensor2d([
      [1, 0.5],
      [-0.4, 0.2],
    ]);
    const store = new ParameterStore({ seed: 0 });
    const v = store.create('v', [2], 'normal');
    const before = Array.from(v.dataSync());
    const res = await expectNoLeaks(() =>
      gradientCheck(
        (a, b) => tf.add(tf.sum(tf.pow(a, 3)), tf.sum(tf.mul(tf.sin(b), v))) as tf.Scalar,
        [x, y],
        {
          variables: { v },
        },
      ),
    );
    expect(res.passed).toBe(true);
    expect(res.inputs.map((e) => e.checked)).toEqual([4, 4]);
    expect(res.variables.v!.checked).toBe(2);
    // Truncation of the central difference of x^3 is exactly h^2 = (h * max(1, |x|))^2 per element.
    expect(res.maxAbsError).toBeLessThan(TOL.FD_F32);
    // Caller tensors untouched; variables restored.
    expect(Array.from(x.dataSync())).toEqual([0.3, -1.2, 0.7, 2].map(Math.fround));
    expect(Array.from(v.dataSync())).toEqual(before);
    tf.dispose([x, y]);
    store.dispose();
  });

  it('fails on a wrong gradient and points at the bad element', async () => {
    const x = tf.tensor1d([0.5, 1.5, -1]);
    // Custom gradient that is wrong (2x instead of 3x^2) for x^3.
    const wrong = tf.customGrad((...args) => {
      const a = args[0] as tf.Tensor;
      return { value: tf.pow(a, 3), gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.mul(a, 2)) };
    });
    const res = await expectNoLeaks(() =>
      gradientCheck((a) => tf.sum(wrong(a) as tf.Tensor) as tf.Scalar, [x]),
    );
    expect(res.passed).toBe(false);
    // Errors |3x^2 - 2x|: 0.25, 3.75, 5 -> worst is index 2.
    expect(res.inputs[0]!.worstIndex).toBe(2);
    expect(res.inputs[0]!.maxAbsError).toBeGreaterThan(4.9);
    x.dispose();
  });

  it('samples a seeded subset of large inputs and validates arguments', async () => {
    const x = tf.randomNormal([50], 0, 1, 'float32', 1);
    const res = await expectNoLeaks(() =>
      gradientCheck((a) => tf.sum(tf.tanh(a)) as tf.Scalar, [x], { maxElements: 7 }),
    );
    expect(res.inputs[0]!.checked).toBe(7);
    expect(res.passed).toBe(true);
    const xi = tf.tensor1d([1, 2], 'int32');
    expect(() => gradientCheck((a) => tf.sum(a) as tf.Scalar, [xi])).toThrow(
      /gradientCheck: argument 'inputs\[0\]'/,
    );
    expect(() => gradientCheck((a) => a as tf.Scalar, [x])).toThrow(/must return a scalar/);
    expect(() => gradientCheck((a) => tf.sum(a) as tf.Scalar, [x], { eps: 0 })).toThrow(/options.eps/);
    expect(() => gradientCheck((a) => tf.sum(a) as tf.Scalar, [])).toThrow(/argument 'inputs'/);
    tf.dispose([x, xi]);
  });
});
