// The bias-corrected estimator's foundation: at fresh representations the clients' surrogate
// gradients sum to the full-graph gradient, for GCN and APPNP, on random graphs and partitions.
import { createRng, glorotUniform, initBackend } from '@lab/core';
import { TOL } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientData } from '../src/clientData.js';
import { ClientModel, type FedModelSpec, type FedParams } from '../src/clientModel.js';
import { freshExchange } from '../src/freshExchange.js';

beforeAll(async () => {
  await initBackend();
});

interface Toy {
  n: number;
  f: number;
  c: number;
  edges: [number, number][];
  features: Float32Array;
  labels: Int32Array;
  split: Uint8Array;
}

function toyGraph(seed: number): Toy {
  const rng = createRng(seed);
  const n = 40;
  const f = 12;
  const c = 3;
  const set = new Set<string>();
  const edges: [number, number][] = [];
  while (edges.length < 90) {
    const u = rng.int(n);
    const v = rng.int(n);
    if (u === v) continue;
    const [a, b] = u < v ? [u, v] : [v, u];
    if (set.has(`${a},${b}`)) continue;
    set.add(`${a},${b}`);
    edges.push([a, b]);
  }
  const features = Float32Array.from({ length: n * f }, () => (rng.next() < 0.3 ? 1 : 0));
  const labels = Int32Array.from({ length: n }, () => rng.int(c));
  const split = Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 3));
  return { n, f, c, edges, features, labels, split };
}

/** Node i has key `n${i}`: keys sort differently from indices (n10 < n2), as real keys may. */
function clientsOf(g: Toy, assignment: Int32Array, numClients: number): ClientData[] {
  const local = new Int32Array(g.n);
  const members: number[][] = Array.from({ length: numClients }, () => []);
  for (let i = 0; i < g.n; i++) {
    local[i] = members[assignment[i]!]!.length;
    members[assignment[i]!]!.push(i);
  }
  return members.map((nodes, id) => {
    const le: number[] = [];
    const rl: number[] = [];
    const rn: string[] = [];
    const rc: number[] = [];
    for (const [u, v] of g.edges) {
      const cu = assignment[u]!;
      const cv = assignment[v]!;
      if (cu === id && cv === id) le.push(local[u]!, local[v]!);
      else if (cu === id) {
        rl.push(local[u]!);
        rn.push(`n${v}`);
        rc.push(cv);
      } else if (cv === id) {
        rl.push(local[v]!);
        rn.push(`n${u}`);
        rc.push(cu);
      }
    }
    const features = new Float32Array(nodes.length * g.f);
    nodes.forEach((i, r) => {
      features.set(g.features.subarray(i * g.f, (i + 1) * g.f), r * g.f);
    });
    return {
      id,
      numClients,
      numFeatures: g.f,
      numClasses: g.c,
      nodes: nodes.map((i) => `n${i}`),
      features,
      labels: Int32Array.from(nodes, (i) => g.labels[i]!),
      split: Uint8Array.from(nodes, (i) => g.split[i]!),
      localEdges: Int32Array.from(le),
      remoteEdges: { local: Int32Array.from(rl), remoteNode: rn, remoteClient: Int32Array.from(rc) },
    };
  });
}

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
