// The gradient-bias meter and the refresh period: with representations fresh at the start of a
// round, the corrected estimator's first step is the full centralised gradient (bias at float32
// rounding), the naive one is not; stale rows (more local steps, or a refresh period above one)
// add bias; per-round traffic adds up to what the endpoints sent.
import { createRng, initBackend } from '@lab/core';
import { TOL } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBiasProbe, type RoundBias } from '../src/createBiasProbe.js';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import type { MessageType } from '../src/messages.js';
import { runClient } from '../src/runClient.js';
import { type RunServerOptions, type RunServerResult, runServer } from '../src/runServer.js';
import { clientsOf, toyGraph } from './toyGraph.js';

beforeAll(async () => {
  await initBackend();
});

const MODEL = { kind: 'gcn' as const, hidden: 8 };

async function probed(
  options: Omit<RunServerOptions, 'numClients'>,
  every = 1,
): Promise<{ result: RunServerResult; bias: RoundBias[]; sent: Record<MessageType, number>[] }> {
  const g = toyGraph(5);
  const rng = createRng(9);
  const numClients = 4;
  const assignment = Int32Array.from({ length: g.n }, () => rng.int(numClients));
  const clients = clientsOf(g, assignment, numClients);
  const probe = createBiasProbe(clients, { model: options.model ?? MODEL, every });
  const transport = createInProcessTransport();
  const server = await transport.connect('server');
  const endpoints = await Promise.all(clients.map((c) => transport.connect(c.id)));
  const runs = clients.map((c, i) =>
    runClient(endpoints[i]!, c, { timeoutMs: 20_000, onLocalStep: probe.onLocalStep }),
  );
  const result = await runServer(server, { numClients, model: MODEL, seed: 2, ...options });
  await Promise.all(runs);
  const sent = endpoints.map((e) => ({ ...e.traffic }));
  await transport.close();
  const bias = probe.rounds();
  probe.dispose();
  return { result, bias, sent };
}

describe('createBiasProbe', () => {
  it('corrected, fresh rows: first-step bias is float32 rounding every round; naive is biased every round', async () => {
    const opts = { rounds: 4, localSteps: 1, dropout: 0 };
    const before = tf.memory().numTensors;
    const corrected = await probed({ ...opts, estimator: 'corrected' });
    const naive = await probed({ ...opts, estimator: 'naive' });
    const dropped = await probed({ ...opts, estimator: 'dropped' });
    expect(tf.memory().numTensors).toBe(before);
    expect(corrected.bias.map((b) => b.round)).toEqual([0, 1, 2, 3]);
    for (const b of corrected.bias) {
      expect(b.steps).toBe(4);
      // float32 gradients of a 40-node graph, relative: ~1e3 ulp
      expect(b.bias).toBeLessThan(TOL.F32_REORDER);
      expect(b.biasAllSteps).toBe(b.bias); // one step: the same sums
    }
    for (const b of naive.bias) expect(b.bias).toBeGreaterThan(0.01);
    for (const b of dropped.bias) expect(b.bias).toBeGreaterThan(0.01);
  });

  // The correction is first order in the local drift: with small moves between refreshes (here
  // lr 0.1 x 4 steps, each client scaling by 1/w_k ~ 4) it is far below naive; with large ones
  // (lr 0.5-1 x 4 steps on this graph) it can exceed naive (README, "Gradient estimation").
  it('more local steps: corrected is biased by stale rows, but far less than naive in every round', async () => {
    const opts = { rounds: 4, localSteps: 4, dropout: 0, lr: 0.1 };
    const corrected = await probed({ ...opts, estimator: 'corrected' });
    const naive = await probed({ ...opts, estimator: 'naive' });
    for (let r = 0; r < 4; r++) {
      const c = corrected.bias[r]!;
      expect(c.steps).toBe(16);
      expect(c.biasAllSteps).toBeGreaterThan(TOL.F32_REORDER);
      expect(c.biasAllSteps).toBeLessThan(naive.bias[r]!.biasAllSteps / 3);
    }
  });

  it('every 2 measures the even rounds only, with the same numbers', async () => {
    const opts = { rounds: 4, localSteps: 2, dropout: 0, lr: 0.1, estimator: 'corrected' as const };
    const all = await probed(opts);
    const even = await probed(opts, 2);
    expect(even.bias).toEqual(all.bias.filter((b) => b.round % 2 === 0));
  });

  it('refreshEvery 2: rows exchanged in even rounds only; the stale rounds are biased; traffic adds up', async () => {
    const { result, bias, sent } = await probed({
      rounds: 5,
      localSteps: 1,
      dropout: 0,
      lr: 1,
      estimator: 'corrected',
      refreshEvery: 2,
    });
    expect(result.rounds.map((r) => r.exchanged)).toEqual([true, false, true, false, true, true]);
    for (const r of result.rounds) {
      for (const t of Object.values(r.traffic.fromClients)) {
        expect((t.repr ?? 0) > 0).toBe(r.exchanged);
        expect((t.grad ?? 0) > 0).toBe(r.exchanged);
      }
    }
    for (const b of bias) {
      if (b.round % 2 === 0) expect(b.bias).toBeLessThan(TOL.F32_REORDER);
      else expect(b.bias).toBeGreaterThan(10 * TOL.F32_REORDER);
    }
    // what the server counted per round is what each client endpoint sent
    sent.forEach((s, c) => {
      const total: Partial<Record<MessageType, number>> = {};
      for (const r of result.rounds) {
        for (const [t, n] of Object.entries(r.traffic.fromClients[c] ?? {})) {
          total[t as MessageType] = (total[t as MessageType] ?? 0) + n;
        }
      }
      for (const [t, n] of Object.entries(s)) expect(total[t as MessageType] ?? 0).toBe(n);
    });
  });

  it('rejects a step from a client it does not know', () => {
    const g = toyGraph(5);
    const clients = clientsOf(g, new Int32Array(g.n), 1);
    const probe = createBiasProbe(clients);
    expect(() =>
      probe.onLocalStep({ round: 0, step: 0, client: 7, estimator: 'naive', params: {}, gradient: {} }),
    ).toThrow(/createBiasProbe.*step\.client/);
    probe.dispose();
    expect(() => createBiasProbe([])).toThrow(/createBiasProbe.*clients/);
    expect(() => createBiasProbe(clients, { every: 0 })).toThrow(/createBiasProbe.*every/);
  });
});
