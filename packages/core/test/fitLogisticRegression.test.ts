import { createRng } from '../src/index.js';
import { TOL } from '@lab/test-utils';
import { describe, expect, it } from 'vitest';
import { fitLogisticRegression } from '../src/learn/fitLogisticRegression.js';

/** Seeded data from a known logistic model: x ~ N(0, I), P(y = 1) = sigmoid(b0 + beta . x). */
function sample(m: number, beta: number[], b0: number, seed: number): { x: Float64Array; y: Uint8Array } {
  const rng = createRng(seed);
  const d = beta.length;
  const x = new Float64Array(m * d);
  const y = new Uint8Array(m);
  for (let e = 0; e < m; e++) {
    let z = b0;
    for (let f = 0; f < d; f++) {
      x[e * d + f] = rng.normal();
      z += beta[f] * x[e * d + f];
    }
    y[e] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

/** The objective the fit minimises (mean class-weighted log-loss + L2 on the coefficients). */
function objective(
  w: number[],
  x: Float64Array,
  y: Uint8Array,
  mean: Float64Array,
  sd: Float64Array,
  lambda: number,
  weights: [number, number],
): number {
  const d = w.length - 1;
  let s = 0;
  for (let e = 0; e < y.length; e++) {
    let z = w[d];
    for (let f = 0; f < d; f++) z += w[f] * ((x[e * d + f] - mean[f]) / sd[f]);
    s += weights[y[e]] * (Math.log1p(Math.exp(z)) - y[e] * z);
  }
  let pen = 0;
  for (let f = 0; f < d; f++) pen += w[f] ** 2;
  return s / y.length + (lambda / 2) * pen;
}

describe('fitLogisticRegression', () => {
  it('reaches the minimum: the finite-difference gradient of its objective vanishes at the fit', () => {
    const { x, y } = sample(400, [1.5, -2, 0.3], -1, 3);
    const lambda = 1e-2;
    const model = fitLogisticRegression(x, 3, y, { lambda });
    const pos = y.reduce((s, v) => s + v, 0);
    const weights: [number, number] = [y.length / (2 * (y.length - pos)), y.length / (2 * pos)];
    const h = 1e-5;
    for (let i = 0; i < model.weights.length; i++) {
      const up = [...model.weights];
      const dn = [...model.weights];
      up[i] += h;
      dn[i] -= h;
      const g =
        (objective(up, x, y, model.mean, model.sd, lambda, weights) -
          objective(dn, x, y, model.mean, model.sd, lambda, weights)) /
        (2 * h);
      // Central differences in float64 with h = 1e-5: error ~1e-10 (truncation) + 1e-11 (rounding).
      expect(Math.abs(g)).toBeLessThan(TOL.FD_F64);
    }
    expect(model.iterations).toBeLessThan(50);
  });

  it('recovers the generating coefficients on a large sample without class weights or penalty', () => {
    const beta = [1, -0.5, 2];
    const { x, y } = sample(40000, beta, 0, 7);
    const model = fitLogisticRegression(x, 3, y, { lambda: 0, balanced: false });
    // On standardised columns the coefficient is beta * sd (sd ~ 1); the MLE's standard error at
    // m = 40000 is ~0.02, so 0.08 is four standard errors.
    model.weights.slice(0, 3).forEach((w, f) => {
      expect(Math.abs(w / model.sd[f] - beta[f])).toBeLessThan(0.08);
    });
    expect(Math.abs(model.weights[3])).toBeLessThan(0.08);
  });

  it('fits only the kept rows: the same as fitting the subset', () => {
    const { x, y } = sample(300, [1, 1], 0.5, 11);
    const keep = new Uint8Array(300);
    const rows: number[] = [];
    for (let e = 0; e < 300; e += 3) {
      keep[e] = 1;
      rows.push(e);
    }
    const xs = new Float64Array(rows.length * 2);
    const ys = new Uint8Array(rows.length);
    rows.forEach((e, q) => {
      xs[2 * q] = x[2 * e];
      xs[2 * q + 1] = x[2 * e + 1];
      ys[q] = y[e];
    });
    const a = fitLogisticRegression(x, 2, y, { keep });
    const b = fitLogisticRegression(xs, 2, ys);
    expect(a.weights).toEqual(b.weights);
    expect(Array.from(a.score(x))).toEqual(Array.from(b.score(x)));
  });

  it('separable classes with a penalty give a finite fit that ranks them perfectly', () => {
    const x = Float64Array.from([-2, -1, -0.5, 0.5, 1, 2]);
    const y = Uint8Array.from([0, 0, 0, 1, 1, 1]);
    const model = fitLogisticRegression(x, 1, y, { lambda: 1e-3 });
    expect(model.weights.every(Number.isFinite)).toBe(true);
    const s = model.score(x);
    for (let i = 1; i < 6; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
  });
});
