import * as tf from '@tensorflow/tfjs-core';
import { TOL, expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { LabInputError } from '../src/errors.js';
import { accuracy } from '../src/metrics/accuracy.js';
import { meanAbsoluteError } from '../src/metrics/meanAbsoluteError.js';
import { meanSquaredError } from '../src/metrics/meanSquaredError.js';
import { pearsonCorrelation } from '../src/metrics/pearsonCorrelation.js';
import { rocAuc } from '../src/metrics/rocAuc.js';
import { createRng } from '../src/random/createRng.js';

/** float64 sums of O(100) terms of O(1) reordered: a few ulp. */
const F64 = 1e-12;

beforeAll(async () => {
  await initBackend();
});

function bruteAuc(scores: number[], labels: number[]): number {
  let good = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      good += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return good / pairs;
}

describe('rocAuc', () => {
  it('matches known values', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([1, 2, 3], [0, 1, 1])).toBe(1);
    expect(rocAuc([3, 2, 1], [false, true, true])).toBe(0);
    expect(rocAuc([5, 5, 5, 5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('equals the brute-force pair count with ties at 1/2, on arrays and tensors, for subsets', async () => {
    const rng = createRng('auc');
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + rng.int(60);
      const labels = Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
      labels[0] = 1;
      labels[1] = 0;
      // Coarse rounding creates many ties.
      const scores = Array.from({ length: n }, (_, i) => Math.round(rng.normal(labels[i]!, 1) * 2) / 2);
      expect(Math.abs(rocAuc(scores, labels) - bruteAuc(scores, labels))).toBeLessThanOrEqual(F64);
      const index = [0, 1, ...Array.from({ length: 10 }, () => rng.int(n))];
      const sub = bruteAuc(
        index.map((i) => scores[i]!),
        index.map((i) => labels[i]!),
      );
      const st = tf.tensor1d(scores);
      const lt = tf.tensor1d(labels, 'int32');
      const it_ = tf.tensor1d(index, 'int32');
      const got = await expectNoLeaks(() => rocAuc(st, lt, { index: it_ }));
      expect(Math.abs(got - sub)).toBeLessThanOrEqual(F64);
      const mask = labels.map((_, i) => (i % 3 !== 2 ? 1 : 0));
      const sel = labels.map((_, i) => i).filter((i) => mask[i]);
      expect(
        Math.abs(
          rocAuc(scores, labels, { mask }) -
            bruteAuc(
              sel.map((i) => scores[i]!),
              sel.map((i) => labels[i]!),
            ),
        ),
      ).toBeLessThanOrEqual(F64);
      tf.dispose([st, lt, it_]);
    }
  });

  it('rejects one-class input, bad labels and non-finite scores', () => {
    expect(() => rocAuc([1, 2], [1, 1])).toThrow(/both classes/);
    expect(() => rocAuc([1, 2, 3], [0, 1, 1], { index: [1, 2] })).toThrow(/both classes/);
    expect(() => rocAuc([1, 2], [0, 2])).toThrow(/labels\[1\]' must be 0\/1/);
    expect(() => rocAuc([1, Number.NaN], [0, 1])).toThrow(/scores\[1\]' must be finite/);
    expect(() => rocAuc([1, 2], [0, 1, 1])).toThrow(LabInputError);
    expect(() => rocAuc([[1], [2]], [0, 1])).toThrow(/1-D/);
  });
});

describe('accuracy', () => {
  it('from labels and from logits via argmax (first max on ties), matching tf.argMax', async () => {
    expect(accuracy([0, 1, 2, 2], [0, 1, 1, 2])).toBe(0.75);
    expect(
      accuracy(
        [
          [1, 1, 0],
          [0, 2, 2],
          [0, 0, 3],
        ],
        [0, 1, 1],
      ),
    ).toBe(2 / 3);
    const rng = createRng('acc');
    const n = 50;
    const c = 4;
    const logits = tf.tensor2d(
      Array.from({ length: n * c }, () => Math.round(rng.normal()) / 2),
      [n, c],
    );
    const labels = tf.tensor1d(
      Array.from({ length: n }, () => rng.int(c)),
      'int32',
    );
    const argmax = tf.argMax(logits, 1);
    const pred = Array.from(argmax.dataSync());
    const lab = Array.from(labels.dataSync());
    const brute = pred.filter((p, i) => p === lab[i]).length / n;
    expect(await expectNoLeaks(() => accuracy(logits, labels))).toBe(brute);
    expect(accuracy(pred, lab)).toBe(brute);
    // One-hot labels give the same answer.
    const onehot = tf.oneHot(labels, c);
    expect(await expectNoLeaks(() => accuracy(logits, onehot))).toBe(brute);
    // Subsets: index and mask.
    const index = Int32Array.from([3, 7, 7, 20, 49]);
    const subBrute = Array.from(index).filter((i) => pred[i] === lab[i]).length / index.length;
    expect(accuracy(logits, labels, { index })).toBe(subBrute);
    const mask = Array.from({ length: n }, (_, i) => i < 10);
    expect(accuracy(logits, labels, { mask })).toBe(
      pred.slice(0, 10).filter((p, i) => p === lab[i]).length / 10,
    );
    tf.dispose([logits, labels, argmax, onehot]);
  });

  it('validates inputs', () => {
    expect(() => accuracy([0, 1], [0])).toThrow(/must have 2 rows/);
    expect(() => accuracy([0, 1], [0, 1], { index: [2] })).toThrow(/options\.index\[0\]/);
    expect(() => accuracy([0, 1], [0, 1], { mask: [0, 0] })).toThrow(/at least one/);
    expect(() => accuracy([0, 1], [0, 1], { mask: [1, 2] })).toThrow(/options\.mask\[1\]/);
    expect(() => accuracy([0, 1], [0, 1], { mask: [1, 1], index: [0] })).toThrow(/both/);
    expect(() => accuracy('x' as never, [0])).toThrow(LabInputError);
    const t = tf.tensor1d([0, 1]);
    t.dispose();
    expect(() => accuracy(t, [0, 1])).toThrow(/disposed/);
  });
});

describe('regression metrics', () => {
  it('MSE and MAE match closed forms on arrays and tensors without leaks', async () => {
    const p = [1, 2, 3, 4];
    const t = [2, 2, 5, 0];
    expect(meanSquaredError(p, t)).toBe((1 + 0 + 4 + 16) / 4);
    expect(meanAbsoluteError(p, t)).toBe((1 + 0 + 2 + 4) / 4);
    const pt = tf.tensor2d(p, [2, 2]);
    const tt = tf.tensor2d(t, [2, 2]);
    expect(await expectNoLeaks(() => meanSquaredError(pt, tt))).toBe(21 / 4);
    expect(await expectNoLeaks(() => meanAbsoluteError(pt, tt))).toBe(7 / 4);
    // Against tfjs' own losses (float32 on the backend).
    const ref = tf.losses.meanSquaredError(tt, pt);
    expect(Math.abs(meanSquaredError(pt, tt) - ref.dataSync()[0]!)).toBeLessThanOrEqual(TOL.F32_REORDER);
    expect(() => meanSquaredError(pt, [1, 2, 3, 4])).toThrow(/shape of predictions \[2, 2\]/);
    expect(() => meanAbsoluteError([], [])).toThrow(/empty/);
    expect(() => meanAbsoluteError([Number.POSITIVE_INFINITY], [1])).toThrow(
      /predictions\[0\]' must be finite/,
    );
    tf.dispose([pt, tt, ref]);
  });

  it('Pearson r matches known values and is invariant to affine maps', async () => {
    expect(
      Math.abs(pearsonCorrelation([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]) - Math.sqrt(0.6)),
    ).toBeLessThanOrEqual(F64);
    expect(pearsonCorrelation([1, 2, 3], [7, 10, 13])).toBe(1);
    expect(pearsonCorrelation([1, 2, 3], [3, 2, 1])).toBe(-1);
    const rng = createRng('r');
    const x = Array.from({ length: 100 }, () => rng.normal());
    const y = x.map((v) => v + rng.normal());
    const r = pearsonCorrelation(x, y);
    const xt = tf.tensor1d(
      x.map((v) => 3 * v - 2),
      'float32',
    );
    const y64 = Float64Array.from(y, (v) => -0.5 * v + 1);
    // float32 rounding of the transformed x perturbs r at the 1e-7 level.
    expect(Math.abs(-(await expectNoLeaks(() => pearsonCorrelation(xt, y64))) - r)).toBeLessThanOrEqual(
      TOL.F32_REORDER,
    );
    expect(() => pearsonCorrelation([1, 1, 1], [1, 2, 3])).toThrow(/argument 'x' must not be constant/);
    expect(() => pearsonCorrelation([1, 2], [1, 2, 3])).toThrow(/'y' must have the shape of x/);
    xt.dispose();
  });
});
