import { createRng, initBackend } from '@lab/core';
import { TOL, expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CubicSpline } from '../src/CubicSpline.js';
import { curveEnergy } from '../src/curveEnergy.js';
import { measureTf, resolveMeasureOptions } from '../src/curveTerms.js';
import { curveLength } from '../src/curveLength.js';
import { expectedNorm } from '../src/expectedNorm.js';
import { reparametrize } from '../src/reparametrize.js';
import { LINEAR_A, LINEAR_SIGMA, LinearGaussianDecoder, RidgeDecoder } from './decoders.js';

/** float32 metric evaluation and sums of <= a few hundred terms. */
const F32 = TOL.F32_LONG_SUM;

const A = LINEAR_A;
const SIGMA = LINEAR_SIGMA;

beforeAll(async () => {
  await initBackend();
});

function randomSpline(seed: number, K = 6): CubicSpline {
  const rng = createRng(seed);
  return new CubicSpline({
    begin: [-1, 0.5],
    end: [2, -1],
    segments: K,
    coefficients: Array.from({ length: (K + 1) * 2 }, () => rng.normal(0, 0.5)),
  });
}

describe('CubicSpline', () => {
  it('hits its end points and is C2 at the knots for any coefficients', () => {
    for (const seed of [1, 2, 3]) {
      const s = randomSpline(seed, 5);
      const [p0, p1] = s.evaluate([0, 1]);
      expect(p0![0]).toBeCloseTo(-1, 12);
      expect(p0![1]).toBeCloseTo(0.5, 12);
      expect(p1![0]).toBeCloseTo(2, 12);
      expect(p1![1]).toBeCloseTo(-1, 12);
      for (let k = 1; k < 5; k++) {
        const e = 1e-11;
        const t = [k / 5 - e, k / 5 + e];
        for (const f of [s.evaluate(t), s.derivative(t), s.secondDerivative(t)]) {
          // one-sided limits differ by O(e * next derivative), next derivative <= ~1e3 here
          expect(Math.abs(f[0]![0]! - f[1]![0]!)).toBeLessThan(1e-6 * (1 + Math.abs(f[0]![0]!)));
          expect(Math.abs(f[0]![1]! - f[1]![1]!)).toBeLessThan(1e-6 * (1 + Math.abs(f[0]![1]!)));
        }
      }
      // derivative vs central differences (float64, h = 1e-6: error ~1e-10)
      const t0 = 0.37;
      const [a, b] = s.evaluate([t0 - 1e-6, t0 + 1e-6]);
      const d = s.derivative([t0])[0]!;
      expect(Math.abs((b![0]! - a![0]!) / 2e-6 - d[0]!)).toBeLessThan(TOL.FD_F64 * 100);
    }
  });

  it('has K + 1 free directions: distinct coefficients give distinct curves, zero is the line', () => {
    const line = CubicSpline.line([0, 0], [1, 2], 4);
    const pts = line.evaluate([0.25, 0.5]);
    expect(pts[0]![0]).toBeCloseTo(0.25, 12);
    expect(pts[1]![1]).toBeCloseTo(1, 12);
    // Basis orthonormal in coefficient space -> fitting recovers the coefficients exactly.
    const s = randomSpline(7, 6);
    const t = Array.from({ length: 50 }, (_, i) => i / 49);
    const fitted = CubicSpline.fit(s.begin, s.end, s.evaluate(t), { segments: 6, t });
    for (let i = 0; i < s.coefficients.length; i++)
      expect(Math.abs(fitted.coefficients[i]! - s.coefficients[i]!)).toBeLessThan(1e-6);
  });

  it('tensors() matches the float64 evaluation and does not leak', async () => {
    const s = randomSpline(4);
    const t = [0, 0.1, 0.5, 0.93, 1];
    const r = await expectNoLeaks(() => s.tensors(t), { keepResult: true });
    const p = s.evaluate(t).flat();
    const v = s.derivative(t).flat();
    const pd = r.points.dataSync();
    const vd = r.velocities.dataSync();
    for (let i = 0; i < p.length; i++) {
      expect(Math.abs(pd[i]! - p[i]!)).toBeLessThan(TOL.F32_REORDER * 10);
      expect(Math.abs(vd[i]! - v[i]!)).toBeLessThan(TOL.F32_REORDER * 100);
    }
    tf.dispose([r.points, r.velocities]);
  });

  it('rejects bad input', () => {
    expect(() => new CubicSpline({ begin: [0, 0], end: [1], segments: 3 })).toThrow(/dimension mismatch/);
    expect(() => new CubicSpline({ begin: [0, 0], end: [1, 1], segments: 0 })).toThrow(/options.segments/);
    expect(() => new CubicSpline({ begin: [0, 0], end: [1, 1], segments: 2, coefficients: [1, 2] })).toThrow(
      /coefficients/,
    );
    expect(() => CubicSpline.line([0, Number.NaN], [1, 1])).toThrow(/finite/);
  });
});

describe('curveLength / curveEnergy', () => {
  const dec = new LinearGaussianDecoder(A, SIGMA);
  const a = [-1, 0.5];
  const b = [2, -1];
  const delta = [3, -1.5];
  const m = A.reduce((s, row) => s + (row[0]! * delta[0]! + row[1]! * delta[1]!) ** 2, 0);
  const s2 = SIGMA[0]![0]! * 9 + 2 * SIGMA[0]![1]! * 3 * -1.5 + SIGMA[1]![1]! * 2.25;

  it('straight line under a constant metric: closed forms (quadrature and discrete, both metrics)', async () => {
    const line = CubicSpline.line(a, b, 4);
    const F = expectedNorm({ dim: 3, variance: s2, meanSquaredNorm: m });
    const R = Math.sqrt(m + 3 * s2);
    const poly = Array.from({ length: 11 }, (_, i) => a.map((x, d) => x + (i / 10) * delta[d]!));
    for (const [metric, L] of [
      ['finsler', F],
      ['riemannian', R],
    ] as const) {
      const lq = await expectNoLeaks(() => curveLength(dec, line, { metric }));
      const eq = await expectNoLeaks(() => curveEnergy(dec, line, { metric }));
      const ld = await expectNoLeaks(() => curveLength(dec, poly, { metric }));
      const ed = curveEnergy(dec, poly, { metric });
      for (const x of [lq, ld]) expect(Math.abs(x - L) / L).toBeLessThan(F32);
      for (const x of [eq, ed]) expect(Math.abs(x - L * L) / (L * L)).toBeLessThan(F32);
      const ls = curveLength(dec, line, { metric, method: 'discrete', intervals: 7 });
      expect(Math.abs(ls - L) / L).toBeLessThan(F32);
    }
  });

  it('curved spline, Riemannian, constant G: Gauss quadrature equals the float64 integral of c^T G c', () => {
    const s = randomSpline(11, 5);
    const G = [0, 1].map((i) =>
      [0, 1].map((j) => A.reduce((acc, r) => acc + r[i]! * r[j]!, 0) + 3 * SIGMA[i]![j]!),
    );
    // dense midpoint rule (float64) as the reference
    const n = 20000;
    const t = Array.from({ length: n }, (_, i) => (i + 0.5) / n);
    const v = s.derivative(t);
    let E = 0;
    let L = 0;
    for (const [x, y] of v as [number, number][]) {
      const q = G[0]![0]! * x * x + 2 * G[0]![1]! * x * y + G[1]![1]! * y * y;
      E += q / n;
      L += Math.sqrt(q) / n;
    }
    expect(Math.abs(curveEnergy(dec, s, { metric: 'riemannian' }) - E) / E).toBeLessThan(F32);
    // length: sqrt is not polynomial; order-5 Gauss on 5 pieces is still accurate to ~1e-4
    expect(Math.abs(curveLength(dec, s, { metric: 'riemannian', quadratureOrder: 5 }) - L) / L).toBeLessThan(
      F32,
    );
    // Cauchy-Schwarz: E >= L^2
    expect(E).toBeGreaterThanOrEqual(L * L);
  });

  it('discrete energies converge to the quadrature ones on a curved metric (ridge decoder)', () => {
    const ridge = new RidgeDecoder(2, 0.5, 0.8, 0.05);
    const s = CubicSpline.fit(
      [-2, 0],
      [2, 0],
      [
        [-2, 0],
        [0, 1],
        [2, 0],
      ],
      { segments: 4 },
    );
    for (const metric of ['finsler', 'riemannian'] as const) {
      const q = curveEnergy(ridge, s, { metric });
      const qL = curveLength(ridge, s, { metric });
      const d = curveEnergy(ridge, s, { metric, method: 'discrete', intervals: 400 });
      const dL = curveLength(ridge, s, { metric, method: 'discrete', intervals: 400 });
      // discretisation error O(1/N) with N = 400 plus float32 sums.
      expect(Math.abs(d - q) / q).toBeLessThan(1e-2);
      expect(Math.abs(dL - qL) / qL).toBeLessThan(1e-2);
    }
    // Finsler <= Riemannian pointwise, hence for lengths
    expect(curveLength(ridge, s)).toBeLessThanOrEqual(curveLength(ridge, s, { metric: 'riemannian' }));
  });

  it('energy gradients in the spline coefficients (customGrad through the metric) match finite differences', () => {
    const ridge = new RidgeDecoder(2, 0.6, 0.8, 0.2);
    const s = randomSpline(21, 3);
    for (const [metric, method] of [
      ['finsler', 'quadrature'],
      ['riemannian', 'quadrature'],
      ['finsler', 'discrete'],
    ] as const) {
      const opts = resolveMeasureOptions('test', { metric, method, intervals: 24 }, true);
      const c = tf.tensor2d(Float32Array.from(s.coefficients), [4, 2]);
      const g = tf.grad(
        (x: tf.Tensor) => measureTf(ridge, s, opts, (z) => ridge.jacobian(z), x as tf.Tensor2D).energy,
      )(c);
      const gd = g.dataSync();
      const h = 1e-2;
      for (const k of [0, 3, 5, 6]) {
        const cp = Float64Array.from(s.coefficients);
        const cm = Float64Array.from(s.coefficients);
        cp[k]! += h;
        cm[k]! -= h;
        const fd =
          (curveEnergy(ridge, s.withCoefficients(cp), { metric, method, intervals: 24 }) -
            curveEnergy(ridge, s.withCoefficients(cm), { metric, method, intervals: 24 })) /
          (2 * h);
        expect(Math.abs(fd - gd[k]!), `${metric} ${method} k=${k}`).toBeLessThan(
          TOL.FD_F32 * (1 + Math.abs(fd)),
        );
      }
      tf.dispose([c, g]);
    }
  });

  it('cpu and wasm backends agree on lengths and energies', async () => {
    const ridge = new RidgeDecoder(2, 0.6, 0.8, 0.2);
    const s = randomSpline(5, 4);
    const wasm = [curveLength(ridge, s), curveEnergy(ridge, s, { metric: 'riemannian' })];
    await initBackend({ backend: 'cpu' });
    try {
      const cpu = [curveLength(ridge, s), curveEnergy(ridge, s, { metric: 'riemannian' })];
      for (let i = 0; i < 2; i++)
        expect(Math.abs(cpu[i]! - wasm[i]!) / wasm[i]!).toBeLessThan(TOL.F32_REORDER);
    } finally {
      await initBackend();
    }
  });

  it('reparametrize gives points equally spaced in metric length', async () => {
    const ridge = new RidgeDecoder(2, 0.5, 0.8, 0.05);
    const s = CubicSpline.fit(
      [-2, 0],
      [2, 0.5],
      [
        [-2, 0],
        [-0.5, 1],
        [2, 0.5],
      ],
      { segments: 4 },
    );
    const r = await expectNoLeaks(() => reparametrize(ridge, s, { count: 9, resolution: 512 }));
    expect(r.points.length).toBe(9);
    expect(r.points[0]).toEqual(s.evaluate([0])[0]);
    const total = curveLength(ridge, s);
    expect(Math.abs(r.length - total) / total).toBeLessThan(1e-2);
    // each sub-arc has length total / 8
    for (let k = 0; k < 8; k++) {
      const sub = s.evaluate(
        Array.from({ length: 41 }, (_, i) => r.t[k]! + ((r.t[k + 1]! - r.t[k]!) * i) / 40),
      );
      const l = curveLength(ridge, sub);
      expect(Math.abs(l - total / 8) / (total / 8)).toBeLessThan(2e-2);
    }
    // point lists: straight polyline with uneven spacing under a constant metric -> even spacing
    const poly = [
      [0, 0],
      [0.1, 0],
      [0.2, 0],
      [2, 0],
    ];
    const rp = reparametrize(dec, poly, { count: 5 });
    rp.points.forEach((p, k) => {
      expect(p[0]).toBeCloseTo((2 * k) / 4, 4);
    });
  });

  it('rejects bad options and mismatched curves', () => {
    const s3 = new CubicSpline({ begin: [0, 0, 0], end: [1, 1, 1] });
    expect(() => curveLength(dec, s3)).toThrow(/dimension mismatch/);
    expect(() => curveLength(dec, CubicSpline.line(a, b), { metric: 'l1' as never })).toThrow(
      /options.metric/,
    );
    expect(() =>
      curveLength(
        dec,
        [
          [0, 0],
          [1, 1],
        ],
        { method: 'quadrature' },
      ),
    ).toThrow(/options.method/);
    expect(() => curveEnergy(dec, [[0, 0]])).toThrow(/>= 2 points/);
    expect(() => curveEnergy(dec, [[0, 0], [1]])).toThrow(/dimension mismatch/);
    expect(() => reparametrize(dec, CubicSpline.line(a, b), { count: 1 })).toThrow(/options.count/);
  });
});
