// The bias-corrected estimator's foundation: at fresh representations the clients' surrogate
// gradients sum to the full-graph gradient, for GCN and APPNP, on random graphs and partitions.
import { createRng, glorotUniform, initBackend } from '@lab/core';
import { TOL } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClientModel, type FedModelSpec, type FedParams } from '../src/clientModel.js';
import { freshExchange } from '../src/freshExchange.js';
import { clientsOf, toyGraph } from './toyGraph.js';

beforeAll(async () => {
  await initBackend();
});

function initParams(spec: FedModelSpec, f: number, c: number, seed: number): FedParams {
  const rng = createRng(seed);
  const b1 = Float32Array.from({ length: spec.hidden }, () => rng.uniform(-0.1, 0.1));
  const b2 = Float32Array.from({ length: c }, () => rng.uniform(-0.1, 0.1));
  return {
    W1: tf.tensor2d(glorotUniform([f, spec.hidden], rng), [f, spec.hidden]),
    b1: tf.tensor1d(b1),
    W2: tf.tensor2d(glorotUniform([spec.hidden, c], rng), [spec.hidden, c]),
    b2: tf.tensor1d(b2),
  };
}

function gradOf(
  model: ClientModel,
  params: FedParams,
  halo: tf.Tensor2D[],
  gradIn: tf.Tensor2D[],
  w: number,
) {
  const names = Object.keys(params) as (keyof FedParams)[];
  const fn = (...ts: tf.Tensor[]) => {
    const p = Object.fromEntries(names.map((k, i) => [k, ts[i]!])) as FedParams;
    return model.surrogate(p, halo, gradIn, w);
  };
  const gs = tf.grads(fn)(names.map((k) => params[k]));
  return Object.fromEntries(names.map((k, i) => [k, gs[i]!.dataSync() as Float32Array]));
}

const SPECS: FedModelSpec[] = [
  { kind: 'gcn', hidden: 8, hops: 2, alpha: 0.1 },
  { kind: 'appnp', hidden: 8, hops: 4, alpha: 0.2 },
];

describe('freshExchange', () => {
  for (const spec of SPECS) {
    it(`${spec.kind}: clients' logits equal the full graph's and surrogate gradients sum to the full gradient`, () => {
      const g = toyGraph(3);
      const numClients = 4;
      const rng = createRng(7);
      const assignment = Int32Array.from({ length: g.n }, () => rng.int(numClients));
      const whole = new ClientModel(clientsOf(g, new Int32Array(g.n), 1)[0]!, spec, 'shared');
      const clients = clientsOf(g, assignment, numClients);
      const models = clients.map((d) => new ClientModel(d, spec, 'shared'));
      const totalTrain = models.reduce((s, m) => s + m.trainIndex.length, 0);
      const weights = models.map((m) => m.trainIndex.length / totalTrain);
      const params = initParams(spec, g.f, g.c, 11);
      const before = tf.memory().numTensors;

      const ex = freshExchange(
        models,
        models.map(() => params),
        weights,
      );
      // logits: each client's rows equal the full graph's rows of its nodes
      const full = tf.tidy(() => whole.forward(params, []).logits!.arraySync());
      models.forEach((m, k) => {
        const z = tf.tidy(() => m.forward(params, ex.halo[k]!).logits!.arraySync());
        m.data.nodes.forEach((key, r) => {
          const i = Number(key.slice(1));
          for (let j = 0; j < g.c; j++) expect(z[r]![j]!).toBeCloseTo(full[i]![j]!, 5);
        });
      });
      // gradients
      const target = tf.tidy(() => gradOf(whole, params, [], [], 1));
      const sum: Record<string, Float32Array> = {};
      models.forEach((m, k) => {
        const gk = tf.tidy(() => gradOf(m, params, ex.halo[k]!, ex.gradIn[k]!, weights[k]!));
        for (const [name, v] of Object.entries(gk)) {
          sum[name] ??= new Float32Array(v.length);
          const acc = sum[name];
          for (let i = 0; i < v.length; i++) acc[i]! += v[i]!;
        }
      });
      for (const name of Object.keys(target)) {
        const t = target[name]!;
        const s = sum[name]!;
        let maxAbs = 0;
        for (const v of t) maxAbs = Math.max(maxAbs, Math.abs(v));
        for (let i = 0; i < t.length; i++)
          expect(Math.abs(s[i]! - t[i]!)).toBeLessThanOrEqual(TOL.F32_REORDER * Math.max(1, maxAbs));
      }
      // the naive estimator (no received gradients) misses part of it
      let naiveGap = 0;
      const naive: Record<string, Float32Array> = {};
      models.forEach((m, k) => {
        const gk = tf.tidy(() => gradOf(m, params, ex.halo[k]!, [], weights[k]!));
        for (const [name, v] of Object.entries(gk)) {
          naive[name] ??= new Float32Array(v.length);
          const acc = naive[name];
          for (let i = 0; i < v.length; i++) acc[i]! += v[i]!;
        }
      });
      for (const name of Object.keys(target)) {
        const t = target[name]!;
        for (let i = 0; i < t.length; i++) naiveGap = Math.max(naiveGap, Math.abs(naive[name]![i]! - t[i]!));
      }
      expect(naiveGap).toBeGreaterThan(1e-3);

      tf.dispose([...ex.halo.flat(), ...ex.gradIn.flat()]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(Object.values(params));
      for (const m of models) m.dispose();
      whole.dispose();
    });
  }
});
