import * as tf from '@tensorflow/tfjs-core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { Adam, AdamW } from '../src/nn/Adam.js';
import { clipByGlobalNorm, clipByValue, globalNorm } from '../src/nn/clipGradients.js';
import { constantLr, cosineLr, exponentialLr, linearWarmupLr, stepLr } from '../src/nn/lrSchedules.js';
import { NO_DECAY_BIAS_AND_NORM } from '../src/nn/Optimizer.js';
import { ParameterStore } from '../src/nn/ParameterStore.js';
import { SGD } from '../src/nn/SGD.js';

/** float32 updates vs a float64 scalar recursion over a few steps: a few ulps of O(1) values. */
const STEP_TOL = 1e-6;

function makeStore(): ParameterStore {
  const s = new ParameterStore({ seed: 0 });
  s.create('fc.kernel', [3], (shape) => Float32Array.from([0.5, -1, 2]).slice(0, shape[0]));
  s.create('fc.bias', [3], (shape) => Float32Array.from([0.1, 0.2, -0.3]).slice(0, shape[0]));
  return s;
}
const GRADS = [
  [0.3, -0.2, 1.5],
  [-0.1, 0.4, 0.2],
  [0.05, 0.05, -0.7],
];

function run(opt: { step(g: Record<string, tf.Tensor>): unknown }, steps: number) {
  for (let t = 0; t < steps; t++) {
    const g = { 'fc.kernel': tf.tensor1d(GRADS[t]!), 'fc.bias': tf.tensor1d(GRADS[t]!) };
    opt.step(g);
    tf.dispose(Object.values(g));
  }
}

/** Reference Adam in float64, element-wise (PyTorch's formulas). */
function refAdam(
  w0: number[],
  lr: number,
  wd: number,
  mode: 'l2' | 'decoupled',
  steps: number,
  b1 = 0.9,
  b2 = 0.999,
  eps = 1e-8,
) {
  const w = w0.slice();
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < w.length; i++) {
      let g = GRADS[t - 1]![i]!;
      if (mode === 'l2') g += wd * w[i]!;
      else w[i]! -= lr * wd * w[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      const mh = m[i]! / (1 - b1 ** t);
      const vh = v[i]! / (1 - b2 ** t);
      w[i]! -= (lr * mh) / (Math.sqrt(vh) + eps);
    }
  }
  return w;
}

describe('optimizers', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('Adam first step moves each weight by lr * sign(g) (bias correction), then follows the formula', async () => {
    const s = makeStore();
    await expectNoLeaks(() => {
      const opt = new Adam(s, { lr: 0.01 });
      run(opt, 1);
      // After one step mHat = g and vHat = g^2, so the update is lr * g / (|g| + eps).
      expectAllClose(s.variable('fc.kernel'), [0.5 - 0.01, -1 + 0.01, 2 - 0.01], { atol: STEP_TOL });
      opt.dispose();
    });
    s.dispose();
  });

  it('Adam with L2 decay and AdamW with decoupled decay (biases excluded) match the reference over 3 steps', async () => {
    const s1 = makeStore();
    const s2 = makeStore();
    await expectNoLeaks(() => {
      const adam = new Adam(s1, { lr: 0.05, weightDecay: 0.1 });
      const adamw = new AdamW(s2, { lr: 0.05, weightDecay: 0.1, noDecay: NO_DECAY_BIAS_AND_NORM });
      expect(adam.decay).toBe('l2');
      expect(adamw.decay).toBe('decoupled');
      run(adam, 3);
      run(adamw, 3);
      expectAllClose(s1.variable('fc.kernel'), refAdam([0.5, -1, 2], 0.05, 0.1, 'l2', 3), { atol: STEP_TOL });
      expectAllClose(s1.variable('fc.bias'), refAdam([0.1, 0.2, -0.3], 0.05, 0.1, 'l2', 3), {
        atol: STEP_TOL,
      });
      expectAllClose(s2.variable('fc.kernel'), refAdam([0.5, -1, 2], 0.05, 0.1, 'decoupled', 3), {
        atol: STEP_TOL,
      });
      expectAllClose(s2.variable('fc.bias'), refAdam([0.1, 0.2, -0.3], 0.05, 0, 'decoupled', 3), {
        atol: STEP_TOL,
      });
      expect(adam.iterations).toBe(3);
      adam.dispose();
      adamw.dispose();
    });
    s1.dispose();
    s2.dispose();
  });

  it('SGD with momentum, nesterov and weight decay matches PyTorch recursion', async () => {
    for (const nesterov of [false, true]) {
      const s = makeStore();
      await expectNoLeaks(() => {
        const opt = new SGD(s, { lr: 0.1, momentum: 0.9, nesterov, weightDecay: 0.01 });
        run(opt, 3);
        const w = [0.5, -1, 2];
        const buf = [0, 0, 0];
        for (let t = 0; t < 3; t++) {
          for (let i = 0; i < 3; i++) {
            const g = GRADS[t]![i]! + 0.01 * w[i]!;
            buf[i] = t === 0 ? g : 0.9 * buf[i]! + g;
            w[i]! -= 0.1 * (nesterov ? g + 0.9 * buf[i]! : buf[i]!);
          }
        }
        expectAllClose(s.variable('fc.kernel'), w, { atol: STEP_TOL });
        opt.dispose();
      });
      s.dispose();
    }
    // Plain SGD, first step by hand: w - lr g.
    const s = makeStore();
    const opt = new SGD(s, { lr: 0.5 });
    run(opt, 1);
    expectAllClose(s.variable('fc.bias'), [0.1 - 0.15, 0.2 + 0.1, -0.3 - 0.75], { atol: STEP_TOL });
    opt.dispose();
    s.dispose();
  });

  it('minimize() converges on a quadratic and honours frozen parameters and the LR schedule', async () => {
    const s = new ParameterStore({ seed: 1 });
    s.create('w', [4], 'normal');
    s.create('frozen', [2], 'ones');
    s.setTrainable('frozen', false);
    const target = tf.tensor1d([1, -2, 3, 0.5]);
    const opt = new SGD(s, { lr: stepLr({ lr: 0.4, stepSize: 20, gamma: 0.5 }) });
    const losses: number[] = [];
    await expectNoLeaks(() => {
      for (let i = 0; i < 40; i++) {
        losses.push(
          opt.minimize(
            () => tf.add(tf.sum(tf.square(tf.sub(s.get('w'), target))), tf.sum(s.get('frozen'))) as tf.Scalar,
          ),
        );
      }
    });
    expect(losses[39]! - 2).toBeLessThan(1e-6); // frozen part contributes exactly 2
    expectAllClose(s.variable('w'), target, { atol: 1e-4 });
    expectAllClose(s.variable('frozen'), [1, 1], { atol: TOL.EXACT });
    expect(opt.currentLr()).toBeCloseTo(0.1, 12);
    opt.dispose();
    target.dispose();
    s.dispose();
  });

  it('clips gradients by global norm and by value', async () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) };
    await expectNoLeaks(() => {
      expect(globalNorm(g)).toBeCloseTo(5, 5);
      const c = clipByGlobalNorm(g, 1);
      expect(c.norm).toBeCloseTo(5, 5);
      expectAllClose(c.grads.a!, [0.6, 0], { atol: 1e-6 });
      expectAllClose(c.grads.b!, [0, 0.8], { atol: 1e-6 });
      const unchanged = clipByGlobalNorm(g, 10);
      expectAllClose(unchanged.grads.a!, [3, 0], { atol: TOL.EXACT });
      const v = clipByValue(g, 3.5);
      expectAllClose(v.b!, [0, 3.5], { atol: TOL.EXACT });
      return [c.grads, unchanged.grads, v];
    });
    // Through the optimizer: SGD with clipNorm 1 on the gradients above moves by exactly lr * g / 5.
    const s = new ParameterStore({ seed: 0 });
    s.create('a', [2], 'zeros');
    s.create('b', [1, 2], 'zeros');
    const opt = new SGD(s, { lr: 1, clipNorm: 1 });
    const r = opt.step(g);
    expect(r.gradNorm).toBeCloseTo(5, 5);
    expectAllClose(s.variable('a'), [-0.6, 0], { atol: 1e-6 });
    expect(g.a.isDisposed).toBe(false);
    expect(() => clipByGlobalNorm(g, 0)).toThrow(/clipByGlobalNorm: argument 'maxNorm'/);
    tf.dispose(Object.values(g));
    opt.dispose();
    s.dispose();
  });

  it('getState / setState resume training exactly (Adam and SGD momentum)', async () => {
    const make = [
      (s: ParameterStore) => new Adam(s, { lr: 0.05, weightDecay: 0.01 }),
      (s: ParameterStore) => new SGD(s, { lr: 0.05, momentum: 0.9 }),
    ];
    for (const mk of make) {
      const a = makeStore();
      const b = makeStore();
      const optA = mk(a);
      const optB = mk(b);
      run(optA, 2);
      const rec = a.toRecord();
      b.loadRecord(rec);
      const state = await expectNoLeaks(() => optA.getState(), { keepResult: true });
      expect(state.iterations!.dataSync()[0]).toBe(2);
      optB.setState(state);
      tf.dispose([...Object.values(rec), ...Object.values(state)]);
      expect(optB.iterations).toBe(2);
      const g = { 'fc.kernel': tf.tensor1d(GRADS[2]!), 'fc.bias': tf.tensor1d(GRADS[2]!) };
      optA.step(g);
      optB.step(g);
      expectAllClose(b.variable('fc.kernel'), a.variable('fc.kernel'), { atol: TOL.EXACT });
      expectAllClose(b.variable('fc.bias'), a.variable('fc.bias'), { atol: TOL.EXACT });
      const bad = { iterations: tf.scalar(1), 'm/fc.kernel': tf.zeros([2]) };
      expect(() => optB.setState(bad)).toThrow(/setState: argument 'record.m\/fc.kernel'/);
      tf.dispose([...Object.values(g), ...Object.values(bad)]);
      optA.dispose();
      optB.dispose();
      a.dispose();
      b.dispose();
    }
  });

  it('ignores gradients of frozen store parameters', () => {
    const s = makeStore();
    s.setTrainable('fc.bias', false);
    const opt = new SGD(s, { lr: 1 });
    run(opt, 1);
    expectAllClose(s.variable('fc.bias'), [0.1, 0.2, -0.3].map(Math.fround), { atol: TOL.EXACT });
    expectAllClose(s.variable('fc.kernel'), [0.2, -0.8, 0.5], { atol: STEP_TOL });
    opt.dispose();
    s.dispose();
  });

  it('rejects bad options and gradients', () => {
    const s = makeStore();
    expect(() => new Adam(s, { lr: -1 })).toThrow(/Adam: argument 'options.lr'/);
    expect(() => new Adam(s, { lr: 0.1, beta1: 1 })).toThrow(/options.beta1/);
    expect(() => new SGD(s, { lr: 0.1, nesterov: true })).toThrow(/SGD: argument 'options.nesterov'/);
    expect(() => new AdamW(s, { lr: 0.1, weightDecay: -0.1 })).toThrow(
      /AdamW: argument 'options.weightDecay'/,
    );
    const opt = new SGD(s, { lr: 0.1 });
    const bad = tf.zeros([2]);
    expect(() => opt.step({ 'fc.kernel': bad })).toThrow(
      /SGD.step: argument 'grads.fc.kernel' must be a tensor of shape \[3\]/,
    );
    expect(() => opt.step({ nope: bad })).toThrow(/grads.nope/);
    const sched = new SGD(s, { lr: () => Number.NaN });
    expect(() => sched.currentLr()).toThrow(/schedule must return/);
    opt.dispose();
    expect(() => opt.step({})).toThrow(/must not be disposed/);
    bad.dispose();
    s.dispose();
  });
});

describe('learning-rate schedules', () => {
  it('produce the documented values', () => {
    expect(constantLr(0.3)(1000)).toBe(0.3);
    const st = stepLr({ lr: 1, stepSize: 10, gamma: 0.5 });
    expect([0, 9, 10, 25].map(st)).toEqual([1, 1, 0.5, 0.25]);
    const ex = exponentialLr({ lr: 2, gamma: 0.5, decaySteps: 4 });
    expect(ex(0)).toBe(2);
    expect(ex(4)).toBeCloseTo(1, 12);
    expect(ex(2)).toBeCloseTo(2 * Math.SQRT1_2, 12);
    const wu = linearWarmupLr({ lr: 1, warmupSteps: 4 });
    expect([0, 1, 3, 4, 100].map(wu)).toEqual([0.25, 0.5, 1, 1, 1]);
    const wuAfter = linearWarmupLr({
      lr: 1,
      warmupSteps: 2,
      after: stepLr({ lr: 1, stepSize: 1, gamma: 0.5 }),
    });
    expect(wuAfter(3)).toBe(0.5);
    const cos = cosineLr({ lr: 1, totalSteps: 12, warmupSteps: 2, minLr: 0.1 });
    expect(cos(0)).toBe(0.5);
    expect(cos(2)).toBeCloseTo(1, 12);
    expect(cos(7)).toBeCloseTo(0.55, 12); // halfway: (1 + 0.1) / 2
    expect(cos(12)).toBeCloseTo(0.1, 12);
    expect(cos(50)).toBeCloseTo(0.1, 12);
    for (let t = 3; t < 12; t++) expect(cos(t)).toBeLessThan(cos(t - 1));
    expect(() => cosineLr({ lr: 1, totalSteps: 5, warmupSteps: 5 })).toThrow(
      /cosineLr: argument 'options.warmupSteps'/,
    );
    expect(() => stepLr({ lr: 1, stepSize: 0 })).toThrow(/stepLr: argument 'options.stepSize'/);
  });
});
