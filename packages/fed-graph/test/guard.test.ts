// The malformed-message guard: a rogue client (a real client whose endpoint is wrapped so that
// `send` corrupts one message of round BAD) sends NaN, Inf, wrongly shaped, too wide, oversized,
// misdated, duplicated or foreign-named payloads, or disconnects mid-round. For each, the server
// names the reason, leaves the client out of that round, and ends with exactly (bit for bit) the
// parameters of a run in which the rogue was silent instead (a timeout), which are FedAvg of the
// honest clients' updates of that round. A server or relayed message with non-finite rows is
// treated by a client as missing.
import { createRng, initBackend, LabFormatError } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInProcessTransport, type InProcessTransportOptions } from '../src/inProcessTransport.js';
import type { FedMessage, PayloadEntry } from '../src/messages.js';
import { type RunClientResult, runClient } from '../src/runClient.js';
import { type RunServerResult, runServer } from '../src/runServer.js';
import type { Endpoint } from '../src/transport.js';
import { clientsOf, toyGraph } from './toyGraph.js';

/** Sends `m` (possibly changed, twice or not at all) through `send`; `endpoint` is the real one. */
type Mutate = (m: FedMessage, send: (m: FedMessage) => Promise<void>, endpoint: Endpoint) => Promise<void>;

const NUM_CLIENTS = 3;
const ROGUE = 1;
/** The round of the bad message: the last training round, so the final params are its aggregate. */
const BAD = 1;
const ROUNDS = 2;
/** Short, so the silent references and the disconnect stay quick; far above a toy phase's compute. */
const TIMEOUT_MS = 400;
const HIDDEN = 8;
const F = 12;
const C = 3;

interface Run {
  result: RunServerResult;
  clients: RunClientResult[];
  /** Every client's `update` of round BAD as it left the client (before any corruption). */
  updates: Map<number, FedMessage>;
  ms: number;
  transportRejects: unknown[];
}

function wrap(endpoint: Endpoint, mutate: Mutate): Endpoint {
  return {
    address: endpoint.address,
    get traffic() {
      return endpoint.traffic;
    },
    receive: (ms) => endpoint.receive(ms),
    close: () => endpoint.close(),
    send: (m) => mutate(m, (x) => endpoint.send(x), endpoint),
  };
}

const pass: Mutate = (m, send) => send(m);

async function federate(
  setup: { rogue?: Mutate; server?: Mutate; transport?: InProcessTransportOptions } = {},
): Promise<Run> {
  const g = toyGraph(5);
  const rng = createRng(9);
  const clients = clientsOf(
    g,
    Int32Array.from({ length: g.n }, () => rng.int(NUM_CLIENTS)),
    NUM_CLIENTS,
  );
  const transportRejects: unknown[] = [];
  const transport = createInProcessTransport({
    allowNonFinite: true, // so NaN/Inf reach runServer's guard instead of the decoder's
    onReject: (e) => transportRejects.push(e),
    ...setup.transport,
  });
  const server = await transport.connect('server');
  const updates = new Map<number, FedMessage>();
  const endpoints = await Promise.all(
    clients.map(async (c) => {
      const mutate = (c.id === ROGUE ? setup.rogue : undefined) ?? pass;
      return wrap(await transport.connect(c.id), (m, send, e) => {
        if (m.type === 'update' && m.round === BAD) updates.set(c.id, m);
        return mutate(m, send, e);
      });
    }),
  );
  const start = Date.now();
  const runs = clients.map((c, i) => runClient(endpoints[i]!, c, { timeoutMs: 20_000 }));
  const result = await runServer(setup.server === undefined ? server : wrap(server, setup.server), {
    numClients: NUM_CLIENTS,
    rounds: ROUNDS,
    localSteps: 2,
    seed: 3,
    timeoutMs: TIMEOUT_MS,
    model: { kind: 'gcn', hidden: HIDDEN },
  });
  const clientResults = await Promise.all(runs);
  const ms = Date.now() - start;
  await transport.close();
  return { result, clients: clientResults, updates, ms, transportRejects };
}

/** `federate`, asserting that no tensor leaks. */
async function federateNoLeak(setup?: Parameters<typeof federate>[0]): Promise<Run> {
  const before = tf.memory().numTensors;
  const run = await federate(setup);
  expect(tf.memory().numTensors).toBe(before);
  return run;
}

const isAt = (m: FedMessage, type: FedMessage['type'], phase = 0) =>
  m.type === type && m.round === BAD && m.phase === phase;

/** Replaces the entry `name` (or the first entry) of the matching message. */
function corrupt(type: FedMessage['type'], change: (e: PayloadEntry) => PayloadEntry, name?: string): Mutate {
  return (m, send) => {
    if (!isAt(m, type)) return send(m);
    const i = name === undefined ? 0 : m.payload.findIndex((e) => e.name === name);
    return send({ ...m, payload: m.payload.map((e, k) => (k === i ? change(e) : e)) });
  };
}

const silent =
  (type: FedMessage['type']): Mutate =>
  (m, send) =>
    isAt(m, type) ? Promise.resolve() : send(m);

/** FedAvg (train-count weights, float64 sums in client-id order, as the server does) of the honest updates. */
function fedAvg(updates: Map<number, FedMessage>, honest: number[]): Record<string, Float32Array> {
  const count = (c: number) => updates.get(c)!.payload.find((e) => e.name === 'trainCount')!.data[0]!;
  const total = honest.reduce((s, c) => s + count(c), 0);
  const out: Record<string, Float32Array> = {};
  for (const name of ['W1', 'b1', 'W2', 'b2']) {
    const first = updates.get(honest[0]!)!.payload.find((e) => e.name === name)!;
    const acc = new Float64Array(first.data.length);
    for (const c of honest) {
      const w = count(c) / total;
      const e = updates.get(c)!.payload.find((x) => x.name === name)!.data;
      for (let i = 0; i < acc.length; i++) acc[i]! += w * e[i]!;
    }
    out[name] = Float32Array.from(acc);
  }
  return out;
}

function paramsOf(r: RunServerResult): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(r.params).map(([k, p]) => [k, p.data]));
}

const references = new Map<string, Promise<Run>>();
/** The run in which the rogue is silent at `type` hop 0 of round BAD (a timeout), computed once. */
function silentRun(type: 'update' | 'repr'): Promise<Run> {
  if (!references.has(type)) references.set(type, federate({ rogue: silent(type) }));
  return references.get(type)!;
}

let honestMs = 0;

beforeAll(async () => {
  await initBackend();
  honestMs = (await federate()).ms; // also warms the kernels up before the timed runs
});

describe('runServer guard: a rogue client is rejected with a reason and does not change the model', () => {
  const cases: { name: string; rogue: Mutate; phase: 'update' | 'repr'; reason: RegExp }[] = [
    {
      name: 'NaN in an update',
      phase: 'update',
      rogue: corrupt(
        'update',
        (e) => {
          const data = Float32Array.from(e.data);
          data[5] = Number.NaN;
          return { ...e, data };
        },
        'W1',
      ),
      reason:
        /^runServer: argument 'message' \(update of round 1, payload 'W1'\) must hold finite values; got .*NaN at element 5/,
    },
    {
      name: 'Inf in a repr block',
      phase: 'repr',
      rogue: corrupt('repr', (e) => {
        const data = Float32Array.from(e.data);
        data[0] = Number.POSITIVE_INFINITY;
        return { ...e, data };
      }),
      reason:
        /\(repr of round 1 hop 0, payload 'rows:\d'\) must hold finite values; got .*Infinity at element 0/,
    },
    {
      name: 'a wrongly shaped update (W2 transposed, same length)',
      phase: 'update',
      rogue: corrupt('update', (e) => ({ ...e, shape: [C, HIDDEN] }), 'W2'),
      reason: /\(update of round 1, payload 'W2'\) must have shape \[8, 3\]; got .*\[3, 8\]/,
    },
    {
      name: 'a repr block one column too wide',
      phase: 'repr',
      rogue: corrupt('repr', (e) => {
        const rows = e.shape[0]!;
        return { ...e, shape: [rows, HIDDEN + 1], data: new Float32Array(rows * (HIDDEN + 1)).fill(0.5) };
      }),
      reason: /\(repr of round 1 hop 0, payload 'rows:\d'\) must have shape \[\d+, 8\]; got .*\[\d+, 9\]/,
    },
    {
      name: 'an oversized update (W1 with 100x the rows)',
      phase: 'update',
      rogue: corrupt(
        'update',
        (e) => ({ ...e, shape: [100 * F, HIDDEN], data: new Float32Array(100 * F * HIDDEN).fill(0.01) }),
        'W1',
      ),
      reason: /\(update of round 1, payload 'W1'\) must have shape \[12, 8\]; got .*\[1200, 8\]/,
    },
    {
      name: 'an update tagged with the next round',
      phase: 'update',
      rogue: (m, send) => send(isAt(m, 'update') ? { ...m, round: BAD + 1 } : m),
      reason: /\(update of round 2\) must be of round 1 or earlier/,
    },
    {
      name: 'an update tagged with the previous round (stale; then a timeout)',
      phase: 'update',
      rogue: (m, send) => send(isAt(m, 'update') ? { ...m, round: BAD - 1 } : m),
      reason: /\(update of round 0\) must not be stale \(the server is at round 1, (metrics|update) 0\)/,
    },
    {
      name: 'a duplicate update',
      phase: 'update',
      rogue: async (m, send) => {
        await send(m);
        if (isAt(m, 'update')) await send(m);
      },
      reason: /\(update of round 1\) must be sent once per phase \(this is a duplicate\)/,
    },
    {
      name: 'an update with a payload outside PAYLOADS.update',
      phase: 'update',
      rogue: (m, send) =>
        send(
          isAt(m, 'update')
            ? { ...m, payload: [...m.payload, { name: 'features', shape: [1], data: Float32Array.of(1) }] }
            : m,
        ),
      reason: /\(update of round 1, payload 'features'\) must be named as PAYLOADS\.update allows/,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const run = await federateNoLeak({ rogue: c.rogue });
      const ref = await silentRun(c.phase);
      const { result } = run;
      // (a) left out of round BAD, with the named reason; nobody else is
      expect(result.rounds[BAD]!.leftOut).toEqual([ROGUE]);
      expect(result.rounds[BAD]!.aggregated).toEqual([0, 2]);
      const reasons = result.rejected.filter((x) => x.from === ROGUE).map((x) => x.reason);
      expect(
        reasons.some((r) => c.reason.test(r)),
        reasons.join('\n'),
      ).toBe(true);
      expect(result.rejected.every((x) => x.from === ROGUE)).toBe(true);
      // (b) bit-identical to the run in which the rogue was silent, which is FedAvg of the honest updates
      expect(ref.result.rounds[BAD]!.leftOut).toEqual([ROGUE]);
      expect(paramsOf(result)).toEqual(paramsOf(ref.result));
      expect(paramsOf(result)).toEqual(fedAvg(run.updates, [0, 2]));
      for (const p of Object.values(result.params)) expect(p.data.every(Number.isFinite)).toBe(true);
      // the round before is untouched: everybody was aggregated
      expect(result.rounds[0]!.aggregated).toEqual([0, 1, 2]);
    }, 30_000);
  }

  it('an update beyond the transport maxBytes is dropped by the decoder: a timeout, same model', async () => {
    const run = await federateNoLeak({ rogue: cases[4]!.rogue, transport: { maxBytes: 16 * 1024 } });
    expect(run.transportRejects).toHaveLength(1);
    expect(run.transportRejects[0]).toBeInstanceOf(LabFormatError);
    expect(String(run.transportRejects[0])).toMatch(/decodeMessage.*must be at most 16384 bytes/);
    expect(run.result.rounds[BAD]!.leftOut).toEqual([ROGUE]);
    expect(paramsOf(run.result)).toEqual(paramsOf((await silentRun('update')).result));
  }, 30_000);

  it('a client that disconnects after its hop-0 repr is left out, and the run goes on', async () => {
    let sentHop0 = false;
    const run = await federateNoLeak({
      rogue: async (m, send, endpoint) => {
        await send(m);
        if (isAt(m, 'repr')) await endpoint.close();
      },
    });
    // reference: the same client, alive but silent from that moment on
    const ref = await federate({
      rogue: async (m, send) => {
        if (sentHop0) return;
        await send(m);
        if (isAt(m, 'repr')) sentHop0 = true;
      },
    });
    for (const r of run.result.rounds.slice(BAD)) expect(r.leftOut).toEqual([ROGUE]);
    expect(run.result.rounds[BAD]!.aggregated).toEqual([0, 2]);
    expect(paramsOf(run.result)).toEqual(paramsOf(ref.result));
    expect(paramsOf(run.result)).toEqual(fedAvg(run.updates, [0, 2]));
    // phases that waited out the timeout: round BAD repr hop 1 and metrics; the eval round's repr
    // hop 0 and metrics. A generous bound: twice the timeout for each, plus an honest run's time.
    const affected = 4;
    expect(run.ms).toBeLessThan(2 * TIMEOUT_MS * affected + 2 * honestMs + 1000);
  }, 30_000);
});

describe('runClient guard: non-finite relayed rows are counted as rejected and treated as missing', () => {
  for (const type of ['repr', 'grad'] as const) {
    it(`NaN rows in a relayed ${type} block`, async () => {
      // the server's relay to client 0 at round BAD, hop 0: NaN in the first block, or no block
      const toClient0 = (m: FedMessage) => isAt(m, type) && m.to === 0 && m.payload.length > 0;
      const bad = await federateNoLeak({
        server: (m, send) => {
          if (!toClient0(m)) return send(m);
          const [first, ...rest] = m.payload;
          const data = Float32Array.from(first!.data).fill(Number.NaN, 0, 2);
          return send({ ...m, payload: [{ ...first!, data }, ...rest] });
        },
      });
      const ref = await federateNoLeak({
        server: (m, send) => send(toClient0(m) ? { ...m, payload: m.payload.slice(1) } : m),
      });
      expect(bad.clients[0]!.rejected).toBe(1);
      expect(ref.clients[0]!.rejected).toBe(0);
      expect(bad.result.rounds[BAD]!.aggregated).toEqual([0, 1, 2]);
      expect(paramsOf(bad.result)).toEqual(paramsOf(ref.result));
      for (const p of Object.values(bad.result.params)) expect(p.data.every(Number.isFinite)).toBe(true);
    }, 30_000);
  }
});
