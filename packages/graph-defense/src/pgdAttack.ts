import {
  checkRange,
  createRng,
  LabInputError,
  readOptions,
  SparseMatrix,
  graphArrays,
  type GraphArrays,
  type LabeledGraph,
  checkSameNodes,
  type Gcn,
  selectNodes,
  type Rng,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { ATTACK_BUDGET_KEYS, type AttackBudgetOptions, readAttackBudget } from './attackBudget.js';
import { FlipConstraints } from './flipConstraints.js';
import { fitGcnVictim, type VictimGcnOptions } from './victims.js';
import type { AttackResult } from './graphTypes.js';

/** Reads a tensor into a Float32Array and disposes it. */
function readAndDispose(t: tf.Tensor): Float32Array {
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

/** Options of {@link pgdAttack}. */
export interface PgdAttackOptions extends AttackBudgetOptions {
  /**
   * The victim GCN (`@lab/core`'s `Gcn`), fitted on the clean graph (evasion setting). Default:
   * one is fitted (Kipf settings, or `gcn`) and disposed afterwards.
   */
  model?: Gcn;
  /** Victim hyper-parameters when `model` is not given. */
  gcn?: VictimGcnOptions;
  /** Attack loss: `'ce'` cross-entropy (default) or `'cw'` Carlini-Wagner margin. */
  loss?: 'ce' | 'cw';
  /** Projected gradient steps (default 200, as DeepRobust). */
  epochs?: number;
  /** Bernoulli samples drawn from the relaxed solution; the best valid one is kept (default 20). */
  samples?: number;
  /**
   * Nodes in the attack loss. `'all'` (default): every node, labelled by its true label on
   * training nodes and by the victim's clean prediction elsewhere (self-training labels, as
   * Metattack uses); `'train'`: the training nodes with true labels (DeepRobust's example);
   * or explicit node indices (pseudo-labels off the training split).
   */
  targets?: 'all' | 'train' | Int32Array | readonly number[];
  /** Base step size eta, step t uses eta / sqrt(t + 1) (default 200 for CE, 0.1 for CW, as DeepRobust). */
  stepSize?: number;

  /** Seed (default `DEFAULT_SEED`, 0); sub-seeds are derived from it as strings. */

  seed?: number | string;

  /** Generator to draw the root seed from instead (at most one of `seed` and `rng`). */

  rng?: Rng;
  /** Called after every projected gradient step. */
  onEpoch?: (record: PgdEpochRecord) => void;
}

/** One projected gradient step of {@link pgdAttack}. */
export interface PgdEpochRecord {
  epoch: number;
  /** Attack loss of the relaxed perturbation before the step. */
  loss: number;
  /** `sum(s)` after the projection (<= budget). */
  relaxedSum: number;
  ms: number;
}

/** Result of {@link pgdAttack}. */
export interface PgdAttackResult extends AttackResult {
  /** Attack loss of the chosen sample (what the attack maximised). */
  loss: number;
  /** Attack loss of the clean graph, for comparison. */
  cleanLoss: number;
  /** Number of Bernoulli samples that were within the budget and evaluated. */
  validSamples: number;
  history: PgdEpochRecord[];
  /** Mean wall time of a projected gradient step, ms. */
  msPerEpoch: number;
}

/**
 * Euclidean projection of `values` onto `{s : 0 <= s <= 1, sum(s) <= budget}`, as in Xu et al.
 * (2019): `clamp(s, 0, 1)` if its sum is within budget, else `clamp(s - mu, 0, 1)` with `mu` found
 * by bisection on `sum(clamp(s - mu, 0, 1)) = budget` over `[min(s) - 1, max(s)]` to `epsilon`.
 * Returns a new array (the input is not modified).
 *
 * @param values - relaxed perturbation vector.
 * @param budget - the sum bound (>= 0).
 * @param epsilon - bisection tolerance on `mu` (default 1e-5, DeepRobust's).
 * @see Xu et al., "Topology Attack and Defense for Graph Neural Networks: An Optimization
 *   Perspective", IJCAI 2019, Prop. 1.
 */
export function projectOntoBudget(values: Float32Array, budget: number, epsilon = 1e-5): Float32Array {
  const fn = 'projectOntoBudget';
  if (!(values instanceof Float32Array))
    throw new LabInputError(fn, 'values', 'must be a Float32Array', values);
  checkRange(fn, 'budget', budget, 0, Number.POSITIVE_INFINITY);
  checkRange(fn, 'epsilon', epsilon, 0, Number.POSITIVE_INFINITY, { min: true });
  const out = new Float32Array(values.length);
  projectInto(values, budget, epsilon, out);
  return out;
}

/** Projection of `s` into `out` (may alias). Returns sum(out). */
function projectInto(s: Float32Array, budget: number, epsilon: number, out: Float32Array): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let sum0 = 0;
  for (let k = 0; k < s.length; k++) {
    const v = s[k] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (v > 0) sum0 += Math.min(v, 1);
  }
  let mu = 0;
  if (sum0 > budget) {
    // Bisection on f(x) = sum(clamp(s - x, 0, 1)) - budget, decreasing in x, keeping
    // f(a) > 0 >= f(b). DeepRobust brackets with [min - 1, max]; f(0) > 0 here, so the root is
    // > 0 and [max(min - 1, 0), max] holds the same root. Entries <= a contribute 0 and entries
    // >= b + 1 contribute 1 for every x in [a, b], so each step only scans the entries in
    // (a, b + 1): the same sums as a full scan, in a fraction of the time.
    let a = Math.max(lo - 1, 0);
    let b = hi;
    let active: Float32Array = s;
    let saturated = 0;
    const shrink = () => {
      const next = new Float32Array(active.length);
      let m = 0;
      for (let k = 0; k < active.length; k++) {
        const v = active[k] as number;
        if (v >= b + 1) saturated++;
        else if (v > a) next[m++] = v;
      }
      active = next.subarray(0, m);
    };
    const f = (x: number): number => {
      let sum = saturated;
      for (let k = 0; k < active.length; k++) {
        const v = (active[k] as number) - x;
        if (v > 0) sum += Math.min(v, 1);
      }
      return sum - budget;
    };
    shrink();
    let fa = f(a);
    mu = a;
    while (b - a >= epsilon) {
      mu = (a + b) / 2;
      const fm = f(mu);
      if (fm === 0) break;
      if (fm * fa < 0) b = mu;
      else {
        a = mu;
        fa = fm;
      }
      shrink();
    }
    // Land on the feasible side of the root so sum(out) <= budget holds.
    if (f(mu) > 0) mu = b;
  }
  let sum = 0;
  for (let k = 0; k < s.length; k++) {
    const c = Math.min(Math.max((s[k] as number) - mu, 0), 1);
    out[k] = c;
    sum += c;
  }
  return sum;
}

/** Attack loss (to maximise) of logits on the target nodes. */
function attackLoss(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  onehot: tf.Tensor2D,
  kind: 'ce' | 'cw',
): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.gather(tf.logSoftmax(logits), targets);
    if (kind === 'ce') return tf.neg(tf.mean(tf.sum(tf.mul(logp, onehot), 1))) as tf.Scalar;
    // Carlini-Wagner on log-probabilities (DeepRobust): -mean(max(0, logp_y - max_{c != y} logp_c)).
    const trueLogp = tf.sum(tf.mul(logp, onehot), 1);
    const bestOther = tf.max(tf.sub(logp, tf.mul(onehot, 1000)), 1);
    return tf.neg(tf.mean(tf.relu(tf.sub(trueLogp, bestOther)))) as tf.Scalar;
  });
}

/**
 * The PGD topology attack of Xu et al. (2019) on a GCN, in the evasion setting: relax the flip
 * indicator of every node pair to `s in [0, 1]^(N(N-1)/2)`, form `A' = A + (1 - 2A) * S` (S the
 * symmetric matrix of s), and run projected gradient ascent on the victim's CE or CW loss:
 * `s <- P(s + eta_t * dL/ds)`, `eta_t = eta / sqrt(t + 1)`, P the projection onto
 * `{0 <= s <= 1, sum(s) <= budget}` by bisection ({@link projectOntoBudget}). The gradient with
 * respect to every pair is exact: tf autodiff through the GCN (degree normalisation included)
 * gives it in factored form (`Gcn.adjacencyGradient`, equal to `tf.grad` of the dense
 * `N x N` formulation `Gcn.logitsFromDenseAdjacency`, which the tests check), and a loop over
 * the `N(N-1)/2` pairs applies the step. Finally draw 20 Bernoulli(s) samples, drop those over the
 * budget, and keep the one with the largest loss. Constraints: additions are applied first, then
 * removals in order of decreasing s, skipping any removal that would leave a node without
 * neighbours; so the result may hold fewer than `budget` flips (as DeepRobust's).
 *
 * Cost per step: one sparse GCN forward and backward plus O(N^2 (hidden + classes)) scalar work
 * and an O(N^2) projection; memory O(N^2) for `s` (Cora LCC: 3.1 M pairs, 12 MB) and the dense
 * 0/1 adjacency (6 MB). See the README's benchmark table for timings.
 *
 * @param graph - an undirected labelled graph with a training split (not modified).
 * @param options - budget, victim, loss, epochs, targets and seed.
 * @returns the perturbed copy, its flips, the budget and the attack's loss history.
 * @throws LabInputError for a budget above the number of node pairs, or a victim trained on other nodes.
 * @see Xu, Chen, Liu, Chen, Weng, Hong & Lin, "Topology Attack and Defense for Graph Neural
 *   Networks: An Optimization Perspective", IJCAI 2019; DeepRobust `PGDAttack`.
 */
export async function pgdAttack(graph: LabeledGraph, options: PgdAttackOptions): Promise<PgdAttackResult> {
  const fn = 'pgdAttack';
  const o = readOptions(fn, options, [
    ...ATTACK_BUDGET_KEYS,
    'model',
    'gcn',
    'loss',
    'epochs',
    'samples',
    'targets',
    'stepSize',
    'seed',
    'rng',
    'onEpoch',
  ]);
  // The victim's seed is derived from the seed as a string (`${seed}/victim`), as before.
  const seed = o.seedValue();
  const arrays = graphArrays(graph, fn);
  const n = arrays.numNodes;
  const numPairs = (n * (n - 1)) / 2;
  const budget = readAttackBudget(o, arrays.numEdges);
  if (budget > numPairs)
    throw new LabInputError(fn, 'options', `must ask for at most ${numPairs} flips (node pairs)`, budget);
  const kind = o.oneOf('loss', ['ce', 'cw'], 'ce');
  const epochs = o.integer('epochs', 200, { min: 0 });
  const samples = o.integer('samples', 20, { min: 1 });
  const eta = o.number('stepSize', kind === 'ce' ? 200 : 0.1, { min: 0, open: { min: true } });
  const onEpoch = o.optionalFunction<(record: PgdEpochRecord) => void>('onEpoch');
  o.nested('gcn');
  const given = o.raw('model') as Gcn | undefined;
  if (given !== undefined) {
    if (given === null || typeof given !== 'object' || typeof given.predict !== 'function') {
      throw new LabInputError(fn, 'options.model', 'must be a trained Gcn from @lab/core', given);
    }
    checkSameNodes(fn, given.nodes, arrays);
  }
  const rng = createRng(seed);
  const ownModel = given === undefined;
  const model =
    given ??
    (await fitGcnVictim(fn, arrays, o.raw('gcn') as VictimGcnOptions | undefined, `${String(seed)}/victim`))
      .model;
  if (model.numClasses !== arrays.numClasses) {
    if (ownModel) model.dispose();
    throw new LabInputError(
      fn,
      'options.model',
      `must predict ${arrays.numClasses} classes`,
      model.numClasses,
    );
  }
  const c = arrays.numClasses;

  // Target nodes and their labels (true on training nodes, clean predictions elsewhere).
  const targetsOpt = (o.raw('targets') as PgdAttackOptions['targets']) ?? 'all';
  let targetIdx: Int32Array;
  try {
    if (targetsOpt === 'all') targetIdx = Int32Array.from({ length: n }, (_, i) => i);
    else if (targetsOpt === 'train') targetIdx = arrays.train;
    else targetIdx = selectNodes(fn, arrays, targetsOpt);
    if (targetIdx.length === 0)
      throw new LabInputError(fn, 'options.targets', 'must select at least one node', 0);
  } catch (err) {
    if (ownModel) model.dispose();
    throw err;
  }
  const pseudo = model.predict();
  const isTrain = new Uint8Array(n);
  for (const i of arrays.train) isTrain[i] = 1;
  const onehotData = new Float32Array(targetIdx.length * c);
  targetIdx.forEach((i, r) => {
    onehotData[r * c + (isTrain[i] ? (arrays.labels[i] as number) : (pseudo[i] as number))] = 1;
  });
  const targets = tf.tensor1d(targetIdx, 'int32');
  const onehot = tf.tensor2d(onehotData, [targetIdx.length, c]);

  const adj0 = new Uint8Array(n * n);
  for (let e = 0; e < arrays.numEdges; e++) {
    const i = arrays.edges[2 * e] as number;
    const j = arrays.edges[2 * e + 1] as number;
    adj0[i * n + j] = 1;
    adj0[j * n + i] = 1;
  }
  const lossOfArrays = (g: GraphArrays): number =>
    tf.tidy(() => attackLoss(model.logits(g), targets, onehot, kind).dataSync()[0] as number);

  const s = new Float32Array(numPairs);
  const dense = new Float32Array(n * n);
  const history: PgdEpochRecord[] = [];
  const lossFn = (logits: tf.Tensor2D) => attackLoss(logits, targets, onehot, kind);
  try {
    const cleanLoss = lossOfArrays(arrays);
    let relaxedSum = 0;
    for (let t = 0; t < epochs; t++) {
      const t0 = performance.now();
      // A' = A + (1 - 2A) * S: 1 - s on edges, s on absent pairs. Sparse while few s are > 0 (CE
      // steps with projection), dense when most are (small CW steps that stay under budget).
      let nnz = 0;
      for (let q = 0; q < numPairs; q++) if ((s[q] as number) !== 0) nnz++;
      let relaxed: SparseMatrix | tf.Tensor2D;
      let k = 0;
      if (nnz + arrays.numEdges > numPairs / 8) {
        dense.fill(0);
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++, k++) {
            const sv = s[k] as number;
            const v = adj0[i * n + j] ? 1 - sv : sv;
            dense[i * n + j] = v;
            dense[j * n + i] = v;
          }
        }
        relaxed = tf.tensor2d(dense, [n, n]);
      } else {
        const rows = new Int32Array(2 * (nnz + arrays.numEdges));
        const cols = new Int32Array(rows.length);
        const vals = new Float32Array(rows.length);
        let p = 0;
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++, k++) {
            const sv = s[k] as number;
            const v = adj0[i * n + j] ? 1 - sv : sv;
            if (v !== 0) {
              rows[p] = i;
              cols[p] = j;
              vals[p++] = v;
              rows[p] = j;
              cols[p] = i;
              vals[p++] = v;
            }
          }
        }
        relaxed = SparseMatrix.fromCoo([n, n], rows.subarray(0, p), cols.subarray(0, p), vals.subarray(0, p));
      }
      // dL/dA'_ij = left_i . right_j + rowTerm_i (exact, see Gcn.adjacencyGradient), and
      // dL/ds_ij = (1 - 2 A_ij) (dL/dA'_ij + dL/dA'_ji).
      let grad: ReturnType<Gcn['adjacencyGradient']>;
      try {
        grad = model.adjacencyGradient(relaxed, lossFn);
      } finally {
        if (relaxed instanceof tf.Tensor) relaxed.dispose();
      }
      const { loss, left, right, k: width, rowTerm } = grad;
      const step = eta / Math.sqrt(t + 1);
      // H_ij = left_i . right_j + right_i . left_j = [left | right]_i . [right | left]_j: the
      // symmetric part of the gradient as one N x N product (tfjs), read outside any tf.tidy.
      const lrRows = new Float32Array(n * 2 * width);
      const rlRows = new Float32Array(n * 2 * width);
      for (let i = 0; i < n; i++) {
        const l = left.subarray(i * width, (i + 1) * width);
        const r = right.subarray(i * width, (i + 1) * width);
        lrRows.set(l, 2 * i * width);
        lrRows.set(r, (2 * i + 1) * width);
        rlRows.set(r, 2 * i * width);
        rlRows.set(l, (2 * i + 1) * width);
      }
      const lt = tf.tensor2d(lrRows, [n, 2 * width]);
      const rt = tf.tensor2d(rlRows, [n, 2 * width]);
      const h = readAndDispose(tf.matMul(lt, rt, false, true));
      tf.dispose([lt, rt]);
      k = 0;
      for (let i = 0; i < n; i++) {
        const ri = rowTerm[i] as number;
        const row = i * n;
        for (let j = i + 1; j < n; j++, k++) {
          const g = (h[row + j] as number) + ri + (rowTerm[j] as number);
          s[k] = (s[k] as number) + step * (adj0[row + j] ? -g : g);
        }
      }
      relaxedSum = projectInto(s, budget, 1e-5, s);
      const record = { epoch: t + 1, loss, relaxedSum, ms: performance.now() - t0 };
      history.push(record);
      onEpoch?.(record);
    }

    // Sampling: Bernoulli(s) on the pairs with s > 0.
    const cand: number[] = [];
    for (let q = 0; q < numPairs; q++) if ((s[q] as number) > 0) cand.push(q);
    const pairOf = new Int32Array(2 * cand.length);
    {
      let q = 0;
      let ci = 0;
      for (let i = 0; i < n && ci < cand.length; i++) {
        for (let j = i + 1; j < n && ci < cand.length; j++, q++) {
          if (q === cand[ci]) {
            pairOf[2 * ci] = i;
            pairOf[2 * ci + 1] = j;
            ci++;
          }
        }
      }
    }
    const build = (chosen: number[]): FlipConstraints => {
      const fc = new FlipConstraints(arrays);
      const removals: number[] = [];
      for (const ci of chosen) {
        const i = pairOf[2 * ci] as number;
        const j = pairOf[2 * ci + 1] as number;
        if (adj0[i * n + j]) removals.push(ci);
        else fc.flip(i, j);
      }
      removals.sort((x, y) => (s[cand[y] as number] as number) - (s[cand[x] as number] as number) || x - y);
      for (const ci of removals) {
        const i = pairOf[2 * ci] as number;
        const j = pairOf[2 * ci + 1] as number;
        if (fc.canFlip(i, j)) fc.flip(i, j);
      }
      return fc;
    };
    const perturbedArrays = (fc: FlipConstraints): GraphArrays => {
      const keep: number[] = [];
      for (let e = 0; e < arrays.numEdges; e++) {
        const i = arrays.edges[2 * e] as number;
        const j = arrays.edges[2 * e + 1] as number;
        if (fc.hasEdge(i, j)) keep.push(i, j);
      }
      for (const [i, j] of fc.flippedPairs()) if (!adj0[i * n + j]) keep.push(i, j);
      return { ...arrays, edges: Int32Array.from(keep), numEdges: keep.length / 2 };
    };
    const sr = rng.fork('samples');
    let best: FlipConstraints | undefined;
    let bestLoss = Number.NEGATIVE_INFINITY;
    let valid = 0;
    // DeepRobust draws 20 and skips those over budget; we keep drawing (up to 50x) until one is valid.
    for (let draw = 0; draw < 50 * samples && (draw < samples || valid === 0); draw++) {
      const chosen: number[] = [];
      for (let ci = 0; ci < cand.length; ci++)
        if (sr.next() < (s[cand[ci] as number] as number)) chosen.push(ci);
      if (chosen.length > budget) continue;
      valid++;
      const fc = build(chosen);
      const l = lossOfArrays(perturbedArrays(fc));
      if (l > bestLoss) {
        bestLoss = l;
        best = fc;
      }
    }
    if (best === undefined) {
      // Never happened in our runs: fall back to the `budget` pairs with the largest s.
      const order = cand
        .map((_, ci) => ci)
        .sort((x, y) => (s[cand[y] as number] as number) - (s[cand[x] as number] as number));
      best = build(order.slice(0, budget));
      bestLoss = lossOfArrays(perturbedArrays(best));
    }
    const result = best.result(graph, budget);
    return {
      ...result,
      loss: bestLoss,
      cleanLoss,
      validSamples: valid,
      history,
      msPerEpoch: history.length ? history.reduce((acc, h) => acc + h.ms, 0) / history.length : Number.NaN,
    };
  } finally {
    tf.dispose([targets, onehot]);
    if (ownModel) model.dispose();
  }
}
