import {
  glorotUniform,
  LabFormatError,
  LabInputError,
  type Rng,
  readOptions,
  type SeedOptions,
} from '@lab/core';
import type { FedModelSpec } from './clientModel.js';
import { hopCount, hopWidth, PARAM_NAMES, paramShapes } from './clientModel.js';
import { encodeMessage } from './messageCodec.js';
import { type FedMessage, type MessageType, PAYLOADS, type PayloadEntry } from './messages.js';
import { type FedModelOptions, MODEL_KEYS, readModelSpec } from './modelOptions.js';
import { ESTIMATORS, type Estimator, encodeSettings, SETTINGS_LENGTH } from './protocolSettings.js';
import type { Endpoint } from './transport.js';

/** Options of {@link runServer} (the training settings, sent to every client). */
export interface RunServerOptions extends SeedOptions {
  /** Number of clients that will join. */
  numClients: number;
  /** Communication rounds (default 100); a final evaluation round follows. */
  rounds?: number;
  /** Local SGD steps per round E (default 3). */
  localSteps?: number;
  /**
   * Refresh period: representations (and their gradients) are exchanged in every
   * `refreshEvery`-th round (rounds 0, P, 2P, ...) and in the final evaluation round; in between,
   * clients reuse the last ones received (default 1: every round).
   */
  refreshEvery?: number;
  /** SGD learning rate (default 0.5). */
  lr?: number;
  /** L2 penalty on `W1`, gradient `weightDecay * W1` (default 5e-4). */
  weightDecay?: number;
  /** Dropout on the hidden layer during local steps (default 0.5). */
  dropout?: number;
  /** Model architecture. */
  model?: FedModelOptions;
  /**
   * `'corrected'` (hidden representations and their gradients shared; the bias-corrected
   * estimator), `'naive'` (representations shared, stale, no gradient correction), `'dropped'`
   * (FedAvg with cross-client edges dropped), `'local'` (each client trains alone). Default
   * `'corrected'`.
   */
  estimator?: Estimator;
  /** Fraction of clients sampled to train each round (default 1); all clients exchange representations. */
  clientFraction?: number;
  /** How long to wait for the messages of one phase, ms (default 30000). */
  timeoutMs?: number;
  /** Called after every round with its record (may be async). */
  onRound?: (record: RoundRecord) => void | Promise<void>;
}

/** What happened in one round. */
export interface RoundRecord {
  round: number;
  /** Accuracy of the round's starting global model (for `local`: the clients' own models) per split. */
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number;
  /** Clients whose update was aggregated. */
  aggregated: number[];
  /** Clients left out of this round (timeout or a rejected message). */
  leftOut: number[];
  /** Whether representations were exchanged in this round (see `refreshEvery`). */
  exchanged: boolean;
  /**
   * Bytes on the wire this round, by message type: what each client sent (keyed by client id,
   * as the server received it) and what the server sent.
   */
  traffic: {
    fromClients: Record<string, Partial<Record<MessageType, number>>>;
    fromServer: Partial<Record<MessageType, number>>;
  };
}

/** What the server measured in a run. */
export interface RunServerResult {
  /** One record per round; the last (`round === rounds`) evaluates the final model. */
  rounds: RoundRecord[];
  /** Test accuracy of the final model. */
  testAccuracy: number;
  valAccuracy: number;
  /**
   * Messages rejected, with the reason: wrong round or phase, a duplicate, a payload name outside
   * {@link PAYLOADS}, a wrong dtype or shape, a non-finite value, an unknown sender. Reasons of
   * malformed payloads are `LabFormatError` messages (`runServer: argument 'message' (...) must ...`).
   */
  rejected: { from: number | 'unknown'; reason: string }[];
  /** Final global parameters (`W1`, `b1`, `W2`, `b2`), row-major. */
  params: Record<string, { shape: number[]; data: Float32Array }>;
}

const FN = 'runServer';

/**
 * The server role: waits for `numClients` hellos (node counts and boundary layouts), then runs the
 * rounds: sends the global parameters and settings, relays the boundary representations of every
 * forward hop and (for `'corrected'`) the gradients of every backward hop among the clients,
 * collects the metrics, and aggregates the updates that arrive in time, weighted by the clients'
 * training-node counts (FedAvg). A client whose messages do not arrive within `timeoutMs`, or whose
 * message is malformed, is left out of that round's aggregate; the round goes on.
 *
 * @see Wu, Zhang, Li, Yang, Li, "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 * @see McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized Data", AISTATS 2017.
 */
export async function runServer(endpoint: Endpoint, options: RunServerOptions): Promise<RunServerResult> {
  const o = readOptions(FN, options, [
    'numClients',
    'rounds',
    'localSteps',
    'refreshEvery',
    'lr',
    'weightDecay',
    'dropout',
    'model',
    'estimator',
    'clientFraction',
    'timeoutMs',
    'onRound',
    'seed',
    'rng',
  ]);
  const numClients = o.integer('numClients', undefined, { min: 1 });
  const rounds = o.integer('rounds', 100, { min: 0 });
  const localSteps = o.integer('localSteps', 3, { min: 1 });
  const refreshEvery = o.integer('refreshEvery', 1, { min: 1 });
  const lr = o.number('lr', 0.5, { min: 0, open: { min: true } });
  const weightDecay = o.number('weightDecay', 5e-4, { min: 0 });
  const dropout = o.number('dropout', 0.5, { min: 0, max: 1, open: { max: true } });
  const estimator = o.oneOf('estimator', ESTIMATORS, 'corrected');
  const clientFraction = o.number('clientFraction', 1, { min: 0, max: 1, open: { min: true } });
  const timeoutMs = o.number('timeoutMs', 30_000, { min: 1 });
  const onRound = options.onRound;
  const model = readModelSpec(o.nested('model', MODEL_KEYS));
  const rng = o.rng();
  const seed = rng.int(2 ** 24);
  const hops = hopCount(model);
  const rejected: RunServerResult['rejected'] = [];
  /** Records a rejected message of client `from` with a named reason (a `LabFormatError` message). */
  const reject = (from: number, m: FedMessage, [place, expected, actual]: Problem) => {
    const hop = m.type === 'repr' || m.type === 'grad' ? ` hop ${m.phase}` : '';
    const source = `${m.type} of round ${m.round}${hop}${place}`;
    rejected.push({ from, reason: new LabFormatError(FN, 'message', { source }, expected, actual).message });
  };

  const inbox: FedMessage[] = [];
  let fromClients: RoundRecord['traffic']['fromClients'] = {};
  const count = (m: FedMessage) => {
    if (typeof m.from !== 'number') return;
    fromClients[m.from] ??= {};
    const t = fromClients[m.from]!;
    t[m.type] = (t[m.type] ?? 0) + encodeMessage(m).byteLength;
  };
  const collect = async (
    type: MessageType,
    round: number,
    phase: number,
    from: readonly number[],
  ): Promise<Map<number, FedMessage>> => {
    const got = new Map<number, FedMessage>();
    /** Senders whose message for this phase was rejected here: they are not waited for. */
    const failed = new Set<number>();
    const want = new Set(from);
    const take = (m: FedMessage, queued = false) => {
      if (!queued) count(m);
      const current = m.type === type && m.round === round && m.phase === phase;
      if (typeof m.from !== 'number' || !want.has(m.from)) {
        rejected.push({
          from: typeof m.from === 'number' ? m.from : 'unknown',
          reason: `unexpected ${m.type}`,
        });
      } else if (m.round > round) {
        // no honest client can be ahead of the server's round
        reject(m.from, m, ['', `must be of round ${round} or earlier (the current round)`, m.round]);
        if (m.type === type) failed.add(m.from);
      } else if (current && (got.has(m.from) || failed.has(m.from))) {
        reject(m.from, m, ['', 'must be sent once per phase (this is a duplicate)']);
        got.delete(m.from);
        failed.add(m.from);
      } else if (current) {
        const foreign = m.payload.find((e) => !payloadAllowed(m.type, e.name));
        if (foreign === undefined) got.set(m.from, m);
        else {
          reject(m.from, m, [`, payload '${foreign.name}'`, `must be named as PAYLOADS.${m.type} allows`]);
          failed.add(m.from);
        }
      } else if (m.round === round && m.type !== type) {
        inbox.push(m);
        return;
      } else {
        reject(m.from, m, ['', `must not be stale (the server is at round ${round}, ${type} ${phase})`]);
      }
    };
    const queued = inbox.splice(0, inbox.length);
    for (const m of queued) take(m, true);
    const deadline = Date.now() + timeoutMs;
    while (got.size + failed.size < want.size) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const m = await endpoint.receive(left);
      if (m === undefined) break;
      take(m);
    }
    // what is already queued (a duplicate sent right after the first copy) is judged in this phase
    for (let i = 0; i < MAX_DRAIN; i++) {
      const m = await endpoint.receive(0);
      if (m === undefined) break;
      take(m);
    }
    return got;
  };

  // join
  const hellos = await collect(
    'hello',
    0,
    0,
    Array.from({ length: numClients }, (_, i) => i),
  );
  const trainCount = new Map<number, number>();
  const dims = new Set<string>();
  let numFeatures = 0;
  let numClasses = 0;
  const layouts = new Map<number, Int32Array>();
  for (const [c, m] of hellos) {
    const counts = m.payload.find((e) => e.name === 'counts');
    const layout = m.payload.find((e) => e.name === 'layout');
    if (
      !(counts?.data instanceof Int32Array) ||
      !(layout?.data instanceof Int32Array) ||
      counts.data.length !== 4 ||
      layout.data.length !== numClients * 2 ||
      counts.data.some((v) => v < 0) ||
      layout.data.some((v) => v < 0)
    ) {
      reject(c, m, ['', `must carry int32 counts [4] and layout [${numClients}, 2], all >= 0`]);
      continue;
    }
    trainCount.set(c, counts.data[1] as number);
    dims.add(`${counts.data[2]}x${counts.data[3]}`);
    numFeatures = counts.data[2] as number;
    numClasses = counts.data[3] as number;
    layouts.set(c, layout.data as Int32Array);
  }
  // a client's declared sends must match what its neighbours expect
  for (const [c, lay] of layouts) {
    for (let d = 0; d < numClients; d++) {
      const other = layouts.get(d);
      if (other !== undefined && lay[d * 2] !== other[c * 2 + 1]) {
        rejected.push({ from: c, reason: `layout disagrees with client ${d}` });
      }
    }
  }
  const members = [...layouts.keys()].sort((a, b) => a - b);
  const totalTrain = members.reduce((s, c) => s + trainCount.get(c)!, 0);

  // parameters
  if (dims.size !== 1) {
    throw new LabInputError(
      FN,
      'clients',
      'must agree on the feature and class counts',
      [...dims].join(', '),
    );
  }
  let params = initParams(model, numFeatures, numClasses, rng);
  const records: RoundRecord[] = [];

  for (let r = 0; r <= rounds; r++) {
    const evalOnly = r === rounds;
    const exchange = evalOnly || r % refreshEvery === 0;
    const serverStart = { ...endpoint.traffic };
    const leftOut = new Set<number>();
    const sampled = new Set(
      clientFraction >= 1
        ? members
        : [...rng.sample(members.length, Math.max(1, Math.round(clientFraction * members.length)))].map(
            (i) => members[i]!,
          ),
    );
    for (const c of members) {
      await endpoint.send({
        type: 'round',
        round: r,
        from: 'server',
        to: c,
        phase: localSteps,
        step: 0,
        payload: [
          ...Object.entries(params).map(([name, p]) => ({ name, shape: p.shape, data: p.data })),
          {
            name: 'settings',
            shape: [SETTINGS_LENGTH],
            data: encodeSettings({
              estimator,
              model,
              lr,
              weightDecay,
              dropout,
              localSteps,
              train: sampled.has(c),
              evalOnly,
              exchange,
              seed,
              totalTrain,
            }),
          },
        ],
      });
    }
    const live = () => members.filter((c) => !leftOut.has(c));
    const relay = async (type: 'repr' | 'grad', l: number) => {
      const got = await collect(type, r, l, live());
      for (const c of live()) if (!got.has(c)) leftOut.add(c);
      const out = new Map<number, PayloadEntry[]>();
      const width = hopWidth(model, l, numClasses);
      for (const [c, m] of got) {
        const lay = layouts.get(c)!;
        const need = (d: number) => (type === 'repr' ? lay[d * 2]! : lay[d * 2 + 1]!);
        const missing = members.find((d) => need(d) > 0 && !m.payload.some((e) => e.name === `rows:${d}`));
        if (missing !== undefined) {
          reject(c, m, [`, payload 'rows:${missing}'`, 'must be present (the layout declares those rows)']);
          leftOut.add(c);
        }
        for (const e of m.payload) {
          const d = Number(e.name.slice(5));
          const bad =
            !e.name.startsWith('rows:') || !layouts.has(d) || d === c
              ? (['', 'must be addressed to another member'] as Problem)
              : checkFloat32(e, [need(d), width]);
          if (bad !== undefined) {
            reject(c, m, [`, payload '${e.name}'${bad[0]}`, bad[1], bad[2]]);
            leftOut.add(c);
            continue;
          }
          if (!out.has(d)) out.set(d, []);
          out.get(d)!.push({ name: `rows:${c}`, shape: e.shape, data: e.data });
        }
      }
      for (const d of members) {
        const entries = (out.get(d) ?? []).filter((e) => !leftOut.has(Number(e.name.slice(5))));
        await endpoint.send({ type, round: r, from: 'server', to: d, phase: l, step: 0, payload: entries });
      }
    };
    if (exchange && (estimator === 'corrected' || estimator === 'naive')) {
      for (let l = 0; l < hops; l++) await relay('repr', l);
      if (estimator === 'corrected') for (let l = hops - 1; l >= 0; l--) await relay('grad', l);
    }
    const metrics = await collect('metrics', r, 0, members);
    const sums = new Float64Array(6);
    for (const m of metrics.values()) {
      const c = m.payload.find((e) => e.name === 'counts');
      if (c?.data.length === 6) for (let i = 0; i < 6; i++) sums[i]! += c.data[i] as number;
    }
    const acc = (i: number) => (sums[i * 2 + 1]! > 0 ? sums[i * 2]! / sums[i * 2 + 1]! : 0);
    const aggregated: number[] = [];
    if (!evalOnly) {
      const trainers = members.filter((c) => sampled.has(c) && trainCount.get(c)! > 0 && !leftOut.has(c));
      const updates = await collect('update', r, 0, trainers);
      const ok = [...updates]
        .sort(([a], [b]) => a - b)
        .filter(([c, m]) => {
          const problem = updateProblem(m, params, trainCount.get(c)!);
          if (problem !== undefined) {
            reject(c, m, problem);
            leftOut.add(c);
          }
          return problem === undefined;
        });
      for (const c of trainers) if (!updates.has(c)) leftOut.add(c);
      const total = ok.reduce((s, [c]) => s + trainCount.get(c)!, 0);
      if (estimator !== 'local' && total > 0) {
        const next: typeof params = {};
        for (const [name, p] of Object.entries(params)) {
          const acc64 = new Float64Array(p.data.length);
          for (const [c, m] of ok) {
            const w = trainCount.get(c)! / total;
            const e = m.payload.find((x) => x.name === name)!.data;
            for (let i = 0; i < acc64.length; i++) acc64[i]! += w * (e[i] as number);
          }
          next[name] = { shape: p.shape, data: Float32Array.from(acc64) };
        }
        params = next;
      }
      aggregated.push(...ok.map(([c]) => c).sort((a, b) => a - b));
    }
    const record: RoundRecord = {
      round: r,
      trainAccuracy: acc(0),
      valAccuracy: acc(1),
      testAccuracy: acc(2),
      aggregated,
      leftOut: [...leftOut].sort((a, b) => a - b),
      exchanged: exchange,
      traffic: { fromClients, fromServer: trafficSince(serverStart, endpoint.traffic) },
    };
    records.push(record);
    fromClients = {};
    await onRound?.(record);
  }
  for (const c of members) {
    await endpoint.send({
      type: 'stop',
      round: rounds,
      from: 'server',
      to: c,
      phase: 0,
      step: 0,
      payload: [],
    });
  }
  const last = records[records.length - 1]!;
  return {
    rounds: records,
    testAccuracy: last.testAccuracy,
    valAccuracy: last.valAccuracy,
    rejected,
    params,
  };
}

/** Where a payload is wrong, what it must be, what it was: the parts of a `LabFormatError`. */
type Problem = [place: string, expected: string, actual?: unknown];

const PARAM_SET: ReadonlySet<string> = new Set(PARAM_NAMES);
/** Most already-queued messages read after a phase's last expected one (against a flooding sender). */
const MAX_DRAIN = 1024;

/** Whether a payload named `name` may be in a message of type `type` (see {@link PAYLOADS}). */
function payloadAllowed(type: MessageType, name: string): boolean {
  return PAYLOADS[type].some((a) =>
    a === 'param:*' ? PARAM_SET.has(name) : a === 'rows:*' ? /^rows:\d{1,10}$/.test(name) : a === name,
  );
}

/** Why `e` is not a float32 array of `shape` with finite values (undefined when it is). */
function checkFloat32(e: PayloadEntry, shape: readonly number[]): Problem | undefined {
  if (!(e.data instanceof Float32Array)) return ['', 'must be float32', 'int32'];
  if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
    return ['', `must have shape [${shape.join(', ')}]`, `[${e.shape.join(', ')}]`];
  }
  const i = e.data.findIndex((v) => !Number.isFinite(v));
  return i < 0 ? undefined : ['', 'must hold finite values', `${e.data[i]} at element ${i}`];
}

/** Why an `update` cannot be aggregated (undefined when it can). */
function updateProblem(
  m: FedMessage,
  params: Record<string, { shape: number[] }>,
  trainCount: number,
): Problem | undefined {
  for (const [name, p] of Object.entries(params)) {
    const e = m.payload.find((x) => x.name === name);
    const bad = e === undefined ? (['', 'must be present'] as Problem) : checkFloat32(e, p.shape);
    if (bad !== undefined) return [`, payload '${name}'`, bad[1], bad[2]];
  }
  const t = m.payload.find((x) => x.name === 'trainCount');
  if (t !== undefined && !(t.data instanceof Int32Array && t.data.length === 1 && t.data[0] === trainCount)) {
    return [", payload 'trainCount'", `must be int32 [1] holding the hello's count ${trainCount}`, t.data[0]];
  }
  return undefined;
}

function initParams(
  model: FedModelSpec,
  numFeatures: number,
  numClasses: number,
  rng: Rng,
): Record<string, { shape: number[]; data: Float32Array }> {
  const init = rng.fork('init');
  const s = paramShapes(model, numFeatures, numClasses);
  // W1 then W2 from the same stream, in this order (the seeded initial model depends on it)
  return {
    W1: { shape: s.W1, data: Float32Array.from(glorotUniform(s.W1, init)) },
    b1: { shape: s.b1, data: new Float32Array(model.hidden) },
    W2: { shape: s.W2, data: Float32Array.from(glorotUniform(s.W2, init)) },
    b2: { shape: s.b2, data: new Float32Array(numClasses) },
  };
}

function trafficSince(
  before: Readonly<Record<MessageType, number>>,
  now: Readonly<Record<MessageType, number>>,
): Partial<Record<MessageType, number>> {
  const out: Partial<Record<MessageType, number>> = {};
  for (const [t, n] of Object.entries(now) as [MessageType, number][]) {
    const d = n - (before[t] ?? 0);
    if (d > 0) out[t] = d;
  }
  return out;
}
