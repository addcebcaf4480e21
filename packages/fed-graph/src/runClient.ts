import { createRng, LabFormatError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ClientData } from './clientData.js';
import {
  ClientModel,
  type FedParams,
  hopCount,
  hopWidth,
  PARAM_NAMES,
  type ParamName,
  paramShapes,
} from './clientModel.js';
import type { FedMessage, PayloadEntry } from './messages.js';
import { decodeSettings, type Estimator, type RoundSettings } from './protocolSettings.js';
import type { Endpoint } from './transport.js';

/** What {@link RunClientOptions.onLocalStep} sees before each local step. */
export interface LocalStep {
  round: number;
  /** Local step `e` in `[0, localSteps)`. */
  step: number;
  client: number;
  estimator: Estimator;
  /** The client's parameters before this step (`W1`, `b1`, `W2`, `b2`, row-major copies). */
  params: Record<string, Float32Array>;
  /**
   * The gradient this client's estimator uses at `params`, in global units (`w_k` times its own
   * loss gradient, plus for `corrected` the received-gradient term), without dropout and weight
   * decay, so it can be compared with the exact share of the full gradient.
   */
  gradient: Record<string, Float32Array>;
}

/** Options of {@link runClient}. */
export interface RunClientOptions {
  /** How long to wait for the server's next message before leaving, ms (default 600000). */
  timeoutMs?: number;
  /**
   * Called before every local step with the parameters and the estimator's gradient (a
   * diagnostic for simulations, e.g. {@link createBiasProbe}; costs one extra gradient per step).
   */
  onLocalStep?: (step: LocalStep) => void;
}

/** What a client did in a run. */
export interface RunClientResult {
  /** Rounds this client trained in. */
  roundsTrained: number;
  /** Messages it received and ignored, or rows it treated as missing (wrong shape, non-finite values). */
  rejected: number;
}

const FN = 'runClient';

function entry(message: FedMessage, name: string): PayloadEntry | undefined {
  return message.payload.find((e) => e.name === name);
}

/**
 * The client role: joins through `endpoint` (a `hello` with its node counts and boundary layout),
 * then follows the server's rounds until `stop`:
 * 1. `round`: the global parameters and the settings (estimator, model, lr, local steps ...);
 * 2. forward hops (estimators `corrected` and `naive`): sends the hidden representations of its
 *    boundary nodes for each neighbour client (pre-scaled by `d^-1/2`, relayed by the server) and
 *    receives its halo rows; rows that do not arrive in time, or arrive wrongly shaped or with
 *    non-finite values, are the last ones received (zeros at first);
 * 3. backward hops (`corrected`): sends the gradient of its objective w.r.t. each received block,
 *    from the last hop to the first, and receives the gradients of the others' objectives w.r.t.
 *    its own boundary rows;
 * 4. `metrics`: correct predictions of the round's global model per split (counts only);
 * 5. when sampled: `localSteps` SGD steps on its own nodes with the received rows held fixed
 *    (stale), on `l_k + (1/w_k) sum_l <Gin_l, B_l(theta)> + weightDecay/2 ||W1||^2` (`corrected`)
 *    or `l_k + ...` without the middle term (`naive`, `dropped`, `local`), then `update`.
 * All settings come from the server: a client needs only its data and a connection. Raw features
 * and labels never leave it.
 *
 * @see Wu, Zhang, Li, Yang, Li, "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 */
export async function runClient(
  endpoint: Endpoint,
  data: ClientData,
  options: RunClientOptions = {},
): Promise<RunClientResult> {
  const o = readOptions(FN, options, ['timeoutMs', 'onLocalStep']);
  const onLocalStep = o.optionalFunction<(step: LocalStep) => void>('onLocalStep');
  const timeoutMs = o.number('timeoutMs', 600_000, { min: 1 });
  const me = data.id;
  const nTrain = countTrain(data);
  const probe = new ClientModel(data, { kind: 'gcn', hidden: 1, hops: 2, alpha: 0.1 }, 'shared');
  const layout = new Int32Array(data.numClients * 2);
  probe.neighbours.forEach((c, i) => {
    layout[c * 2] = probe.sendIndex[i]!.length;
    layout[c * 2 + 1] = probe.receiveCount[i]!;
  });
  probe.dispose();
  await endpoint.send({
    type: 'hello',
    round: 0,
    from: me,
    to: 'server',
    phase: 0,
    step: 0,
    payload: [
      { name: 'layout', shape: [data.numClients, 2], data: layout },
      {
        name: 'counts',
        shape: [4],
        data: Int32Array.from([data.nodes.length, nTrain, data.numFeatures, data.numClasses]),
      },
    ],
  });

  let model: ClientModel | undefined;
  let own: FedParams | undefined; // kept across rounds by the `local` baseline
  let stale: tf.Tensor2D[] = [];
  let staleGrad: tf.Tensor2D[] = [];
  let roundsTrained = 0;
  let rejected = 0;
  const pending: FedMessage[] = [];

  const next = async (accept: (m: FedMessage) => boolean, ms: number): Promise<FedMessage | undefined> => {
    const i = pending.findIndex(accept);
    if (i >= 0) return pending.splice(i, 1)[0];
    const deadline = Date.now() + ms;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      const m = await endpoint.receive(left);
      if (m === undefined) return undefined;
      if (m.type === 'stop' || accept(m)) return m;
      pending.push(m);
      if (pending.length > 1024) pending.shift();
    }
  };

  try {
    for (;;) {
      const msg = await next((m) => m.type === 'round', timeoutMs);
      if (msg === undefined || msg.type === 'stop') break;
      const r = msg.round;
      pending.splice(0, pending.length, ...pending.filter((m) => m.round >= r));
      const settingsEntry = entry(msg, 'settings');
      if (settingsEntry === undefined || !(settingsEntry.data instanceof Float32Array)) {
        rejected++;
        continue;
      }
      const s: RoundSettings = decodeSettings(FN, settingsEntry.data);
      const mode = s.estimator === 'corrected' || s.estimator === 'naive' ? 'shared' : 'dropped';
      if (model === undefined) model = new ClientModel(data, s.model, mode);
      const hops = hopCount(s.model);
      const global = readParams(msg, data, s);
      if (s.estimator === 'local') {
        if (own === undefined) own = global;
        else tf.dispose(Object.values(global));
      } else {
        if (own !== undefined) tf.dispose(Object.values(own));
        own = global;
      }
      const params = own;
      const weight = s.totalTrain > 0 ? nTrain / s.totalTrain : 0;
      const m = model;

      // forward hops
      const halo: tf.Tensor2D[] = [];
      if (mode === 'shared' && !s.exchange) {
        for (let l = 0; l < hops; l++) {
          const width = hopWidth(s.model, l, data.numClasses);
          const old = stale[l];
          halo[l] = old !== undefined && old.shape[1] === width ? tf.clone(old) : tf.zeros([m.haloRows, width]);
        }
      } else if (mode === 'shared') {
        for (let l = 0; l < hops; l++) {
          const blocks = tf.tidy(() => {
            const b = m.forward(params, halo, l).boundary[l]!;
            return m.sendIndex.length === 0
              ? []
              : tf.split(
                  b,
                  m.sendIndex.map((x) => x.length),
                  0,
                );
          });
          await endpoint.send({
            type: 'repr',
            round: r,
            from: me,
            to: 'server',
            phase: l,
            step: 0,
            payload: m.neighbours.map((c, i) => ({
              name: `rows:${c}`,
              shape: blocks[i]!.shape,
              data: blocks[i]!.dataSync() as Float32Array,
            })),
          });
          tf.dispose(blocks);
          const width = hopWidth(s.model, l, data.numClasses);
          const got = await next((x) => x.type === 'repr' && x.round === r && x.phase === l, timeoutMs);
          const parts = m.neighbours.map((c, i) => {
            const e = got?.payload.find((p) => p.name === `rows:${c}`);
            const rows = m.receiveCount[i]!;
            if (
              e !== undefined &&
              e.shape[0] === rows &&
              e.shape[1] === width &&
              e.data instanceof Float32Array &&
              allFinite(e.data)
            ) {
              return tf.tensor2d(e.data, [rows, width]);
            }
            if (e !== undefined) rejected++;
            const old = stale[l];
            return old !== undefined && old.shape[1] === width
              ? tf.slice(old, [offsetOf(m.receiveCount, i), 0], [rows, width])
              : tf.zeros([rows, width]);
          });
          halo[l] = (parts.length > 0 ? tf.concat(parts, 0) : tf.zeros([0, width])) as tf.Tensor2D;
          tf.dispose(parts);
        }
        tf.dispose(stale);
        stale = halo.map((h) => tf.clone(h));
      }

      // backward hops
      const gradIn: tf.Tensor2D[] = new Array(hops);
      if (s.estimator === 'corrected' && !s.exchange) {
        for (let l = 0; l < hops; l++) {
          const width = halo[l]!.shape[1];
          const old = staleGrad[l];
          gradIn[l] = old !== undefined && old.shape[1] === width ? tf.clone(old) : tf.zeros([m.sendRows, width]);
        }
      } else if (s.estimator === 'corrected') {
        for (let l = hops - 1; l >= 0; l--) {
          const h = halo[l]!;
          const blocks = tf.tidy(() => {
            if (m.haloRows === 0) return [];
            const f = (x: tf.Tensor) => {
              const hs = halo.slice();
              hs[l] = x as tf.Tensor2D;
              return m.surrogate(params, hs, gradIn, weight);
            };
            return tf.split(tf.grad(f)(h), m.receiveCount, 0);
          });
          await endpoint.send({
            type: 'grad',
            round: r,
            from: me,
            to: 'server',
            phase: l,
            step: 0,
            payload: m.neighbours.map((c, i) => ({
              name: `rows:${c}`,
              shape: blocks[i]!.shape,
              data: blocks[i]!.dataSync() as Float32Array,
            })),
          });
          tf.dispose(blocks);
          const width = h.shape[1];
          const got = await next((x) => x.type === 'grad' && x.round === r && x.phase === l, timeoutMs);
          const parts = m.neighbours.map((c, i) => {
            const e = got?.payload.find((p) => p.name === `rows:${c}`);
            const rows = m.sendIndex[i]!.length;
            if (
              e !== undefined &&
              e.shape[0] === rows &&
              e.shape[1] === width &&
              e.data instanceof Float32Array &&
              allFinite(e.data)
            ) {
              return tf.tensor2d(e.data, [rows, width]);
            }
            if (e !== undefined) rejected++;
            return tf.zeros([rows, width]);
          });
          gradIn[l] = (parts.length > 0 ? tf.concat(parts, 0) : tf.zeros([0, width])) as tf.Tensor2D;
          tf.dispose(parts);
        }
        tf.dispose(staleGrad);
        staleGrad = gradIn.map((g) => tf.clone(g));
      }

      // metrics of the round's model
      const counts = tf.tidy(() => {
        const pred = tf.argMax(m.forward(params, halo).logits!, 1).dataSync();
        const c = new Int32Array(6);
        for (let i = 0; i < data.nodes.length; i++) {
          const sp = data.split[i] as number;
          if (sp < 1 || sp > 3 || (data.labels[i] as number) < 0) continue;
          c[(sp - 1) * 2 + 1]!++;
          if (pred[i] === data.labels[i]) c[(sp - 1) * 2]!++;
        }
        return c;
      });
      await endpoint.send({
        type: 'metrics',
        round: r,
        from: me,
        to: 'server',
        phase: 0,
        step: 0,
        payload: [{ name: 'counts', shape: [3, 2], data: counts }],
      });

      // local steps
      if (s.train && !s.evalOnly && nTrain > 0) {
        const vars = Object.fromEntries(PARAM_NAMES.map((k) => [k, tf.variable(params[k])])) as unknown as Record<
          ParamName,
          tf.Variable
        >;
        const rng = createRng(`${s.seed}/dropout/${me}/${r}`);
        const useG = s.estimator === 'corrected';
        for (let e = 0; e < s.localSteps; e++) {
          if (onLocalStep !== undefined) {
            const snap = (t: Record<string, tf.Tensor>) =>
              Object.fromEntries(PARAM_NAMES.map((k) => [k, t[k]!.dataSync().slice() as Float32Array]));
            const gradient = tf.tidy(() => {
              const { grads } = tf.variableGrads(
                () => m.surrogate(vars, halo, useG ? gradIn : [], weight),
                Object.values(vars),
              );
              return snap(Object.fromEntries(PARAM_NAMES.map((k) => [k, grads[vars[k].name]!])));
            });
            onLocalStep({ round: r, step: e, client: me, estimator: s.estimator, params: snap(vars), gradient });
          }
          tf.tidy(() => {
            const mask = hiddenMask(rng, data.nodes.length, s.model.hidden, s.dropout);
            const { grads } = tf.variableGrads(() => {
              const surrogate = m.surrogate(vars, halo, useG ? gradIn : [], weight, mask);
              const own = tf.div(surrogate, weight);
              return tf.add(own, tf.mul(tf.sum(tf.square(vars.W1)), s.weightDecay / 2)) as tf.Scalar;
            }, Object.values(vars));
            for (const k of PARAM_NAMES) vars[k].assign(tf.sub(vars[k], tf.mul(grads[vars[k].name]!, s.lr)));
          });
        }
        await endpoint.send({
          type: 'update',
          round: r,
          from: me,
          to: 'server',
          phase: 0,
          step: 0,
          payload: [
            ...PARAM_NAMES.map((k) => ({
              name: k,
              shape: vars[k].shape,
              data: vars[k].dataSync() as Float32Array,
            })),
            { name: 'trainCount', shape: [1], data: Int32Array.of(nTrain) },
          ],
        });
        if (s.estimator === 'local') {
          const old = Object.values(own);
          for (const k of PARAM_NAMES) own[k] = tf.clone(vars[k]);
          tf.dispose(old);
        }
        tf.dispose(Object.values(vars));
        roundsTrained++;
      }
      tf.dispose([...halo, ...gradIn.filter((g) => g !== undefined)]);
    }
  } finally {
    tf.dispose(stale);
    tf.dispose(staleGrad);
    if (own !== undefined) tf.dispose(Object.values(own));
    model?.dispose();
  }
  return { roundsTrained, rejected };
}

function offsetOf(sizes: readonly number[], i: number): number {
  let o = 0;
  for (let j = 0; j < i; j++) o += sizes[j]!;
  return o;
}

function allFinite(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

function countTrain(data: ClientData): number {
  let n = 0;
  for (let i = 0; i < data.nodes.length; i++) if (data.split[i] === 1 && (data.labels[i] as number) >= 0) n++;
  return n;
}

function hiddenMask(
  rng: ReturnType<typeof createRng>,
  n: number,
  hidden: number,
  rate: number,
): tf.Tensor | undefined {
  if (rate === 0) return undefined;
  const keep = 1 / (1 - rate);
  const out = new Float32Array(n * hidden);
  for (let i = 0; i < out.length; i++) out[i] = rng.next() < rate ? 0 : keep;
  return tf.tensor2d(out, [n, hidden]);
}

function readParams(msg: FedMessage, data: ClientData, s: RoundSettings): FedParams {
  const shapes = paramShapes(s.model, data.numFeatures, data.numClasses);
  const out: Partial<FedParams> = {};
  for (const k of PARAM_NAMES) {
    const e = entry(msg, k);
    const shape = shapes[k];
    if (
      e === undefined ||
      !(e.data instanceof Float32Array) ||
      e.shape.join(',') !== shape.join(',') ||
      !allFinite(e.data)
    ) {
      tf.dispose(Object.values(out));
      throw new LabFormatError(
        FN,
        'message',
        { source: `'round' payload '${k}'` },
        `must be float32 [${shape.join(', ')}] with finite values`,
      );
    }
    out[k] = tf.tensor(e.data, shape);
  }
  return out as FedParams;
}
