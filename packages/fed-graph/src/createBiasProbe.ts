import { LabInputError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ClientData } from './clientData.js';
import { ClientModel, type FedParams, PARAM_NAMES, paramShapes } from './clientModel.js';
import { type FreshExchange, freshExchange } from './freshExchange.js';
import { type FedModelOptions, MODEL_KEYS, readModelSpec } from './modelOptions.js';
import type { LocalStep } from './runClient.js';

/** Options of {@link createBiasProbe}. */
export interface CreateBiasProbeOptions {
  /** The model the server trains (same options and defaults as `runServer`'s `model`). */
  model?: FedModelOptions;
  /** Measure rounds `0, every, 2 * every, ...` only (default 1: every round); each costs about one fresh exchange per local step. */
  every?: number;
}

/** Gradient bias of one round, relative to the exact full-graph gradient. */
export interface RoundBias {
  round: number;
  /**
   * At the round's first local step (every client at the global model `theta_r`):
   * `||sum_k g^_k - grad L(theta_r)|| / ||grad L(theta_r)||` over the clients that trained, where
   * `g^_k` is client k's estimator gradient and the reference is the sum of the exact shares
   * (the full centralised gradient when every client trains).
   */
  bias: number;
  /**
   * Over all local steps: `||sum_{k,e} (g^_k,e - g_k,e)|| / ||sum_{k,e} g_k,e||`, where `g_k,e` is
   * client k's exact share of the full gradient at the parameters it holds at step e (what it
   * would use if every representation were recomputed there): the staleness of the round's
   * exchanged rows.
   */
  biasAllSteps: number;
  /** Local steps observed (clients x steps). */
  steps: number;
}

/** A simulation-side gradient-bias meter; pass `onLocalStep` to every in-process client. */
export interface BiasProbe {
  /** The `runClient` hook. */
  readonly onLocalStep: (step: LocalStep) => void;
  /** One record per round that had local steps, in round order. */
  rounds(): RoundBias[];
  /** Frees the probe's tensors. */
  dispose(): void;
}

const FN = 'createBiasProbe';

interface Accumulator {
  hat0: Float64Array;
  fresh0: Float64Array;
  hat: Float64Array;
  fresh: Float64Array;
  steps: number;
}

/**
 * Measures how far each estimator's gradients are from the exact full-graph gradient, round by
 * round. It sees every client's data, so it is a diagnostic for simulations (in-process
 * transport), never part of a deployment. For each observed local step of client k at parameters
 * `theta`, it runs a fresh exchange with every client at `theta` and takes client k's exact share
 * `grad S_k` (the shares sum to the full gradient: see `freshExchange`), and compares it with the
 * gradient the client's estimator used (`LocalStep.gradient`). Dropout and weight decay are left
 * out of both, so the numbers isolate the bias from stale or missing cross-client terms.
 *
 * @see Wu, Zhang, Li, Yang, Li, "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 * @example
 * ```ts
 * import { loadGraphFolder, resolveDataDir } from '@lab/core';
 * const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
 * const { clients } = partitionGraph(cora, { numClients: 3, method: 'random', seed: 0 });
 * const probe = createBiasProbe(clients);
 * const transport = createInProcessTransport();
 * const server = await transport.connect('server');
 * const endpoints = await Promise.all(clients.map((c) => transport.connect(c.id)));
 * const running = clients.map((c, i) => runClient(endpoints[i]!, c, { onLocalStep: probe.onLocalStep }));
 * await runServer(server, { numClients: 3, rounds: 2, localSteps: 1, estimator: 'corrected', seed: 0 });
 * await Promise.all(running);
 * await transport.close();
 * // one local step from fresh rows: the corrected estimator is the full gradient (float32 rounding)
 * if (!probe.rounds().every((r) => r.bias < 1e-4)) throw new Error('corrected is unbiased at fresh rows');
 * probe.dispose();
 * ```
 */
export function createBiasProbe(clients: readonly ClientData[], options: CreateBiasProbeOptions = {}): BiasProbe {
  const o = readOptions(FN, options, ['model', 'every']);
  const spec = readModelSpec(o.nested('model', MODEL_KEYS));
  const every = o.integer('every', 1, { min: 1 });
  if (!Array.isArray(clients) || clients.length === 0) {
    throw new LabInputError(FN, 'clients', 'must be a non-empty array of ClientData', clients);
  }
  const models = clients.map((d) => new ClientModel(d, spec, 'shared'));
  const index = new Map(clients.map((d, i) => [d.id, i]));
  const totalTrain = models.reduce((s, m) => s + m.trainIndex.length, 0);
  const weights = models.map((m) => (totalTrain > 0 ? m.trainIndex.length / totalTrain : 0));
  const acc = new Map<number, Accumulator>();
  let cached: { theta: Record<string, Float32Array>; params: FedParams; exchange: FreshExchange } | undefined;
  let size = 0;

  const release = () => {
    if (cached === undefined) return;
    tf.dispose([...Object.values(cached.params), ...cached.exchange.halo.flat(), ...cached.exchange.gradIn.flat()]);
    cached = undefined;
  };
  const same = (a: Record<string, Float32Array>, b: Record<string, Float32Array>) =>
    PARAM_NAMES.every((k) => {
      const x = a[k]!;
      const y = b[k]!;
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      return true;
    });

  const onLocalStep = (step: LocalStep): void => {
    const k = index.get(step.client);
    if (k === undefined) throw new LabInputError(FN, 'step.client', 'must be one of the probed clients', step.client);
    if (step.round % every !== 0) return;
    if (cached === undefined || !same(cached.theta, step.params)) {
      release();
      const m = models[0]!;
      const shapes = paramShapes(spec, m.data.numFeatures, m.data.numClasses);
      const params = Object.fromEntries(PARAM_NAMES.map((n) => [n, tf.tensor(step.params[n]!, shapes[n])])) as FedParams;
      const exchange = freshExchange(
        models,
        models.map(() => params),
        weights,
      );
      cached = { theta: step.params, params, exchange };
    }
    const c = cached;
    const exact = tf.tidy(() => {
      const f = (...ts: tf.Tensor[]) => {
        const p = Object.fromEntries(PARAM_NAMES.map((n, i) => [n, ts[i]!])) as FedParams;
        return models[k]!.surrogate(p, c.exchange.halo[k]!, c.exchange.gradIn[k]!, weights[k]!);
      };
      return tf.grads(f)(PARAM_NAMES.map((n) => c.params[n])).map((g) => g.dataSync() as Float32Array);
    });
    if (size === 0) size = exact.reduce((s, g) => s + g.length, 0);
    let a = acc.get(step.round);
    if (a === undefined) {
      a = {
        hat0: new Float64Array(size),
        fresh0: new Float64Array(size),
        hat: new Float64Array(size),
        fresh: new Float64Array(size),
        steps: 0,
      };
      acc.set(step.round, a);
    }
    let off = 0;
    PARAM_NAMES.forEach((n, i) => {
      const g = exact[i]!;
      const h = step.gradient[n]!;
      for (let j = 0; j < g.length; j++) {
        a.hat[off + j]! += h[j] as number;
        a.fresh[off + j]! += g[j] as number;
        if (step.step === 0) {
          a.hat0[off + j]! += h[j] as number;
          a.fresh0[off + j]! += g[j] as number;
        }
      }
      off += g.length;
    });
    a.steps++;
  };

  return {
    onLocalStep,
    rounds() {
      return [...acc.entries()]
        .sort((x, y) => x[0] - y[0])
        .map(([round, a]) => ({
          round,
          bias: relativeDistance(a.hat0, a.fresh0),
          biasAllSteps: relativeDistance(a.hat, a.fresh),
          steps: a.steps,
        }));
    },
    dispose() {
      release();
      for (const m of models) m.dispose();
    },
  };
}

function relativeDistance(a: Float64Array, b: Float64Array): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = (a[i] as number) - (b[i] as number);
    d += x * x;
    n += (b[i] as number) ** 2;
  }
  return n > 0 ? Math.sqrt(d / n) : 0;
}
