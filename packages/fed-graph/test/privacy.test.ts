// The privacy guard as a test: every message of full federations (GCN and APPNP, every estimator,
// random partitions of the toy graph) is tapped through the in-process transport's `inspect` hook
// and checked: payload names are in the PAYLOADS allow-list of their type, no payload contains a
// client's raw feature row or its label vector (as a contiguous run of values), and no entry other
// than a model parameter has the feature width F as its row length. Negative controls show that the
// checker catches each kind of leak, also when a client really sends one through the transport.
import { createRng, initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientData } from '../src/clientData.js';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import { type FedMessage, MESSAGE_TYPES, PAYLOADS } from '../src/messages.js';
import type { Estimator } from '../src/protocolSettings.js';
import { runClient } from '../src/runClient.js';
import { type RunServerResult, runServer } from '../src/runServer.js';
import type { Endpoint } from '../src/transport.js';
import { clientsOf, type Toy, toyGraph } from './toyGraph.js';

beforeAll(async () => {
  await initBackend();
});

const PARAM_NAMES = new Set(['W1', 'b1', 'W2', 'b2']);
const HIDDEN = 8;

/**
 * The toy graph with continuous features: its 0/1 features would make the content check
 * meaningless (a 12-long run of zeros sits in every zero-initialised bias), while an exact copy
 * of a row of normal draws cannot appear in a payload by chance.
 */
function privateGraph(seed: number): Toy {
  const g = toyGraph(seed);
  const rng = createRng(`${seed}/features`);
  g.features = Float32Array.from(g.features, () => rng.normal());
  return g;
}

/** What no message may carry: every client's raw feature rows and its label vector (as given and one-hot). */
interface Secrets {
  numFeatures: number;
  /** Needle length -> keys (`values.join(',')`) of the needles of that length, with what they are. */
  needles: Map<number, Map<string, string>>;
}

function secretsOf(clients: readonly ClientData[]): Secrets {
  const needles = new Map<number, Map<string, string>>();
  const add = (values: ArrayLike<number>, what: string) => {
    if (values.length === 0) return;
    if (!needles.has(values.length)) needles.set(values.length, new Map());
    needles.get(values.length)!.set(Array.from(values).join(','), what);
  };
  const f = clients[0]!.numFeatures;
  for (const c of clients) {
    for (let i = 0; i < c.nodes.length; i++)
      add(c.features.subarray(i * f, (i + 1) * f), `feature row of ${c.nodes[i]}`);
    add(c.labels, `label vector of client ${c.id}`);
    const oneHot = new Float32Array(c.labels.length * c.numClasses);
    c.labels.forEach((y, i) => {
      if (y >= 0) oneHot[i * c.numClasses + y] = 1;
    });
    add(oneHot, `one-hot labels of client ${c.id}`);
  }
  return { numFeatures: f, needles };
}

function allowed(type: FedMessage['type'], name: string): boolean {
  return PAYLOADS[type].some((a) =>
    a === 'param:*' ? PARAM_NAMES.has(name) : a === 'rows:*' ? /^rows:\d+$/.test(name) : a === name,
  );
}

/** Every privacy violation of one message (empty when clean). */
function violations(m: FedMessage, secrets: Secrets): string[] {
  const out: string[] = [];
  const where = `${m.type} ${String(m.from)}->${String(m.to)} round ${m.round}`;
  for (const e of m.payload) {
    if (!allowed(m.type, e.name)) out.push(`${where}: payload '${e.name}' is not in PAYLOADS.${m.type}`);
    const width = e.shape[e.shape.length - 1];
    if (width === secrets.numFeatures && !PARAM_NAMES.has(e.name)) {
      out.push(`${where}: payload '${e.name}' has the feature width ${width} as its row length`);
    }
    const data = Array.from(e.data);
    for (const [length, keys] of secrets.needles) {
      for (let at = 0; at + length <= data.length; at++) {
        const what = keys.get(data.slice(at, at + length).join(','));
        if (what !== undefined) out.push(`${where}: payload '${e.name}' contains the ${what} at ${at}`);
      }
    }
  }
  return out;
}

interface Tapped {
  result: RunServerResult;
  messages: FedMessage[];
  secrets: Secrets;
}

async function tappedFederation(
  kind: 'gcn' | 'appnp',
  estimator: Estimator,
  seed: number,
  wrap?: (id: number, endpoint: Endpoint, data: ClientData) => Endpoint,
): Promise<Tapped> {
  const numClients = 3;
  const g = privateGraph(seed);
  const rng = createRng(`${seed}/assignment`);
  const clients = clientsOf(
    g,
    Int32Array.from({ length: g.n }, () => rng.int(numClients)),
    numClients,
  );
  const messages: FedMessage[] = [];
  const transport = createInProcessTransport({ inspect: (_bytes, m) => messages.push(m) });
  const server = await transport.connect('server');
  const endpoints = await Promise.all(clients.map((c) => transport.connect(c.id)));
  const runs = clients.map((c, i) =>
    runClient(wrap === undefined ? endpoints[i]! : wrap(c.id, endpoints[i]!, c), c, { timeoutMs: 20_000 }),
  );
  const result = await runServer(server, {
    numClients,
    rounds: 2,
    localSteps: 2,
    estimator,
    seed,
    timeoutMs: 20_000,
    model: { kind, hidden: HIDDEN, hops: 3 },
  });
  await Promise.all(runs);
  await transport.close();
  return { result, messages, secrets: secretsOf(clients) };
}

function fedMessage(overrides: Partial<FedMessage>): FedMessage {
  return { type: 'repr', round: 0, from: 0, to: 'server', phase: 0, step: 0, payload: [], ...overrides };
}

describe('privacy: no message carries a raw feature row or a label', () => {
  const estimators: Estimator[] = ['corrected', 'naive', 'dropped', 'local'];
  for (const kind of ['gcn', 'appnp'] as const) {
    for (const [i, estimator] of estimators.entries()) {
      it(`${kind}, ${estimator}: every message passes the checker`, async () => {
        const before = tf.memory().numTensors;
        const { result, messages, secrets } = await tappedFederation(kind, estimator, 11 + i);
        expect(tf.memory().numTensors).toBe(before);
        expect(result.rejected).toEqual([]);
        const types = new Set(messages.map((m) => m.type));
        const expected = MESSAGE_TYPES.filter(
          (t) =>
            (t !== 'repr' || estimator === 'corrected' || estimator === 'naive') &&
            (t !== 'grad' || estimator === 'corrected'),
        );
        expect([...types].sort()).toEqual([...expected].sort());
        // hello (3), round (3 per round), stop (3) at least
        expect(messages.length).toBeGreaterThan(9 + 3 * 3);
        expect(messages.flatMap((m) => violations(m, secrets))).toEqual([]);
      });
    }
  }

  it('negative controls: the checker catches a feature row, a label vector, a foreign name and the feature width', () => {
    const g = privateGraph(11);
    const clients = clientsOf(
      g,
      Int32Array.from({ length: g.n }, (_, i) => i % 2),
      2,
    );
    const secrets = secretsOf(clients);
    const c = clients[1]!;
    const f = c.numFeatures;
    // a feature row hidden inside a parameter-shaped update entry (no width hint)
    const w2 = new Float32Array(HIDDEN * 3);
    w2.set(c.features.subarray(2 * f, 3 * f), 5);
    const leakRow = fedMessage({
      type: 'update',
      payload: [{ name: 'W2', shape: [HIDDEN, 3], data: w2 }],
    });
    expect(violations(leakRow, secrets)).toEqual([
      `update 0->server round 0: payload 'W2' contains the feature row of ${c.nodes[2]} at 5`,
    ]);
    // the label vector, as int32 counts and as float32 rows of width 1
    const labels = fedMessage({
      type: 'metrics',
      payload: [{ name: 'counts', shape: [c.labels.length + 1], data: Int32Array.from([7, ...c.labels]) }],
    });
    expect(violations(labels, secrets)).toEqual([
      `metrics 0->server round 0: payload 'counts' contains the label vector of client 1 at 1`,
    ]);
    const floatLabels = fedMessage({
      payload: [{ name: 'rows:0', shape: [c.labels.length, 1], data: Float32Array.from(c.labels) }],
    });
    expect(violations(floatLabels, secrets)).toHaveLength(1);
    // a name outside the allow-list, and a repr block as wide as the features (values not raw)
    const foreign = fedMessage({
      type: 'hello',
      payload: [{ name: 'degrees', shape: [2], data: Int32Array.of(3, 4) }],
    });
    expect(violations(foreign, secrets)).toEqual([
      `hello 0->server round 0: payload 'degrees' is not in PAYLOADS.hello`,
    ]);
    const wide = fedMessage({
      payload: [{ name: 'rows:1', shape: [2, f], data: new Float32Array(2 * f).fill(0.25) }],
    });
    expect(violations(wide, secrets)).toEqual([
      `repr 0->server round 0: payload 'rows:1' has the feature width ${f} as its row length`,
    ]);
    // while a real W1 ([F, hidden]) and a raw-looking but fresh row pass
    const w1 = fedMessage({
      type: 'round',
      from: 'server',
      to: 0,
      payload: [{ name: 'W1', shape: [f, HIDDEN], data: new Float32Array(f * HIDDEN).fill(0.5) }],
    });
    expect(violations(w1, secrets)).toEqual([]);
  });

  it('negative control through the transport: a client that puts its raw rows in a repr block is caught by the tap', async () => {
    // client 0 replaces its first boundary block of every hop-0 repr with raw feature rows of its own
    const leak = (id: number, endpoint: Endpoint, data: ClientData): Endpoint => {
      if (id !== 0) return endpoint;
      return {
        address: endpoint.address,
        traffic: endpoint.traffic,
        receive: (ms) => endpoint.receive(ms),
        close: () => endpoint.close(),
        send: (m) => {
          const first = m.payload[0];
          if (m.type !== 'repr' || m.phase !== 0 || first === undefined) return endpoint.send(m);
          const rows = first.shape[0]!;
          const f = data.numFeatures;
          const raw = { name: first.name, shape: [rows, f], data: data.features.slice(0, rows * f) };
          return endpoint.send({ ...m, payload: [raw, ...m.payload.slice(1)] });
        },
      };
    };
    const { result, messages, secrets } = await tappedFederation('gcn', 'corrected', 11, leak);
    const caught = messages.filter((m) => m.from === 0 && violations(m, secrets).length > 0);
    expect(caught.length).toBeGreaterThan(0);
    for (const m of caught) {
      expect(m.type).toBe('repr');
      expect(m.from).toBe(0);
      const found = violations(m, secrets).join('\n');
      expect(found).toMatch(/has the feature width/);
      expect(found).toMatch(/contains the feature row of n\d+/);
    }
    // and the server's guard does not relay it (wrong width): every other message is clean
    expect(messages.filter((m) => m.from !== 0).flatMap((m) => violations(m, secrets))).toEqual([]);
    const reasons = result.rejected.filter((x) => x.from === 0).map((x) => x.reason);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons[0]).toMatch(
      /^runServer: argument 'message' \(repr of round 0 hop 0, payload 'rows:\d'\) must have shape \[\d+, 8\]; got .*\[\d+, 12\]/,
    );
    for (const r of result.rounds.slice(0, -1)) expect(r.leftOut).toContain(0);
  });
});
