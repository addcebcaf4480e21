// The protocol end to end over the in-process transport: with one local SGD step per round and
// every client taking part, FedAvg of the corrected estimator is exactly centralised gradient
// descent (the surrogate gradients sum to the full gradient, and the train-count weights undo the
// per-client normalisation); the naive estimator is not; a vanished client is left out.
import { createRng, initBackend } from '@lab/core';
import { TOL } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import type { Estimator } from '../src/protocolSettings.js';
import { runClient } from '../src/runClient.js';
import { type RunServerOptions, type RunServerResult, runServer } from '../src/runServer.js';
import { clientsOf, toyGraph } from './toyGraph.js';

beforeAll(async () => {
  await initBackend();
});

async function federate(
  numClients: number,
  options: Omit<RunServerOptions, 'numClients'>,
  vanish?: { client: number; afterRound: number },
): Promise<RunServerResult> {
  const g = toyGraph(5);
  const rng = createRng(9);
  const assignment = Int32Array.from({ length: g.n }, () => (numClients === 1 ? 0 : rng.int(numClients)));
  const clients = clientsOf(g, assignment, numClients);
  const transport = createInProcessTransport();
  const server = await transport.connect('server');
  const endpoints = await Promise.all(clients.map((c) => transport.connect(c.id)));
  const runs = clients.map((c, i) => runClient(endpoints[i]!, c, { timeoutMs: 20_000 }));
  const result = await runServer(server, {
    numClients,
    ...options,
    onRound: (r) => {
      if (vanish !== undefined && r.round === vanish.afterRound) transport.disconnect(vanish.client);
    },
  });
  await Promise.all(runs);
  await transport.close();
  return result;
}

function maxDiff(a: RunServerResult, b: RunServerResult): number {
  let d = 0;
  for (const k of Object.keys(a.params)) {
    const x = a.params[k]!.data;
    const y = b.params[k]!.data;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  }
  return d;
}

describe('runServer + runClient (in-process)', () => {
  for (const kind of ['gcn', 'appnp'] as const) {
    it(`${kind}: corrected FedAvg with E = 1 equals centralised gradient descent; naive does not`, async () => {
      const base = {
        rounds: 5,
        localSteps: 1,
        lr: 0.5,
        dropout: 0,
        seed: 3,
        model: { kind, hidden: 8, hops: 3 },
      };
      const central = await federate(1, { ...base, estimator: 'corrected' });
      const corrected = await federate(4, { ...base, estimator: 'corrected' });
      const naive = await federate(4, { ...base, estimator: 'naive' as Estimator });
      // float32 sums in a different order across clients, accumulated over 5 steps
      expect(maxDiff(central, corrected)).toBeLessThan(TOL.F32_LONG_SUM);
      expect(maxDiff(central, naive)).toBeGreaterThan(10 * TOL.F32_LONG_SUM);
      expect(corrected.testAccuracy).toBeCloseTo(central.testAccuracy, 10);
      expect(central.rounds).toHaveLength(6);
    });
  }

  it('is deterministic for a seed, and a client that never answers is left out after the timeout', async () => {
    const opts = { rounds: 3, localSteps: 2, seed: 1, timeoutMs: 500 };
    const a = await federate(3, opts);
    const b = await federate(3, opts);
    expect(maxDiff(a, b)).toBe(0);
    const before = tf.memory().numTensors;
    const gone = await federate(3, { ...opts, rounds: 3 }, { client: 1, afterRound: 0 });
    expect(tf.memory().numTensors).toBe(before); // no tensor leaks, even with a client gone
    expect(gone.rounds).toHaveLength(4);
    expect(gone.rounds[0]!.aggregated).toEqual([0, 1, 2]);
    for (const r of gone.rounds.slice(1, -1)) {
      expect(r.aggregated).toEqual([0, 2]);
      expect(r.leftOut).toContain(1);
    }
  });

  it('client sampling: clientFraction 0.5 aggregates 2 of 4 clients per round, seeded, and every client still exchanges', async () => {
    const opts = { rounds: 6, localSteps: 1, seed: 4, clientFraction: 0.5 };
    const a = await federate(4, opts);
    const b = await federate(4, opts);
    expect(maxDiff(a, b)).toBe(0);
    const training = a.rounds.slice(0, -1);
    for (const r of training) {
      expect(r.aggregated).toHaveLength(2);
      expect(r.leftOut).toEqual([]);
      // every client sends its boundary rows, trained or not; only the sampled send updates
      for (let c = 0; c < 4; c++) {
        const t = r.traffic.fromClients[c] ?? {};
        expect((t.repr ?? 0) > 0).toBe(true);
        expect((t.update ?? 0) > 0).toBe(r.aggregated.includes(c));
      }
    }
    // the sample changes between rounds
    expect(new Set(training.map((r) => r.aggregated.join(','))).size).toBeGreaterThan(1);
    const all = await federate(4, { ...opts, clientFraction: 1 });
    expect(maxDiff(a, all)).toBeGreaterThan(0);
  });
});
