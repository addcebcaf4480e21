import { LabFormatError } from '@lab/core';
import type { FedModelSpec } from './clientModel.js';

/** How clients estimate the gradient, and which baselines the same protocol runs. */
export type Estimator = 'corrected' | 'naive' | 'dropped' | 'local';

/** The estimators in code order (the byte value in `settings` is the index). */
export const ESTIMATORS: readonly Estimator[] = ['corrected', 'naive', 'dropped', 'local'];

/** What the server tells every client at the start of a round (internal wire layout). */
export interface RoundSettings {
  estimator: Estimator;
  model: FedModelSpec;
  lr: number;
  weightDecay: number;
  dropout: number;
  localSteps: number;
  /** Whether this client trains in this round (client sampling). */
  train: boolean;
  /** The final evaluation round: exchange and metrics only. */
  evalOnly: boolean;
  /**
   * Whether representations (and, for `corrected`, their gradients) are exchanged this round;
   * otherwise clients reuse the last ones received (the refresh period).
   */
  exchange: boolean;
  seed: number;
  /** Training nodes over all clients (the weights `w_k = n_k / totalTrain`). */
  totalTrain: number;
}

const LENGTH = 15;
const LAYOUT = 2;

/** Number of values in a `settings` payload. */
export const SETTINGS_LENGTH = LENGTH;

/** `settings` payload (float32) of a `round` message. */
export function encodeSettings(s: RoundSettings): Float32Array {
  return Float32Array.from([
    ESTIMATORS.indexOf(s.estimator),
    s.model.kind === 'gcn' ? 0 : 1,
    s.model.hidden,
    s.model.hops,
    s.model.alpha,
    s.lr,
    s.weightDecay,
    s.dropout,
    s.localSteps,
    s.train ? 1 : 0,
    s.evalOnly ? 1 : 0,
    s.seed,
    s.totalTrain,
    s.exchange ? 1 : 0,
    LAYOUT,
  ]);
}

/** Reads and checks a `settings` payload. */
export function decodeSettings(fn: string, v: Float32Array): RoundSettings {
  const bad = (what: string) =>
    new LabFormatError(fn, 'message', { source: "'round' payload 'settings'" }, what);
  if (v.length !== LENGTH || v[LENGTH - 1] !== LAYOUT) throw bad(`must be ${LENGTH} values of layout ${LAYOUT}`);
  const int = (i: number, min: number, max: number, name: string) => {
    const x = v[i] as number;
    if (!Number.isInteger(x) || x < min || x > max)
      throw bad(`${name} must be an integer in [${min}, ${max}]`);
    return x;
  };
  const estimator = ESTIMATORS[int(0, 0, ESTIMATORS.length - 1, 'estimator')]!;
  const kind = int(1, 0, 1, 'model kind') === 0 ? 'gcn' : 'appnp';
  const alpha = v[4] as number;
  const lr = v[5] as number;
  const weightDecay = v[6] as number;
  const dropout = v[7] as number;
  if (!(alpha > 0 && alpha <= 1)) throw bad('alpha must be in (0, 1]');
  if (!(lr > 0)) throw bad('lr must be > 0');
  if (!(weightDecay >= 0)) throw bad('weightDecay must be >= 0');
  if (!(dropout >= 0 && dropout < 1)) throw bad('dropout must be in [0, 1)');
  return {
    estimator,
    model: { kind, hidden: int(2, 1, 1 << 16, 'hidden'), hops: int(3, 1, 64, 'hops'), alpha },
    lr,
    weightDecay,
    dropout,
    localSteps: int(8, 1, 1 << 16, 'localSteps'),
    train: int(9, 0, 1, 'train') === 1,
    evalOnly: int(10, 0, 1, 'evalOnly') === 1,
    seed: int(11, -(2 ** 24), 2 ** 24, 'seed'),
    totalTrain: int(12, 0, 2 ** 24, 'totalTrain'),
    exchange: int(13, 0, 1, 'exchange') === 1,
  };
}
