import {
  createRng,
  LabInputError,
  readOptions,
  type LabeledGraph,
  type NodeAttributes,
  stratifiedSplit,
  type Rng,
} from '@lab/core';
import Graph from 'graphology';

/** Option names of {@link ContextualSbmOptions}. */
const KNOWN = [
  'nodes',
  'classes',
  'avgDegree',
  'homophily',
  'featureDim',
  'featureSignal',
  'features',
  'featureDensity',
  'split',
  'seed',
  'rng',
] as const;

/** Options of {@link contextualSbm}. */
export interface ContextualSbmOptions {
  /** Number of nodes (>= 2 * classes). */
  nodes: number;
  /** Number of classes (>= 2); class sizes differ by at most one. */
  classes: number;
  /** Expected mean degree. */
  avgDegree: number;
  /** Expected fraction of edges whose endpoints share a class, in [0, 1]. */
  homophily: number;
  /** Feature dimension (>= classes for Gaussian features). */
  featureDim: number;
  /**
   * Gaussian: distance between any two class means in units of the noise standard deviation.
   * Binary: relative boost of a class's own feature block, `p = featureDensity * (1 + featureSignal)`.
   */
  featureSignal: number;
  /** `'gaussian'` (default) or `'binary'` (bag-of-words-like, for Jaccard-style baselines). */
  features?: 'gaussian' | 'binary';
  /** Binary features: base probability of a feature being on (default 0.05). */
  featureDensity?: number;
  /** Per-class split sizes passed to {@link stratifiedSplit} (default 10% train, 10% val, rest test). */
  split?: { train: number; val?: number; test?: number };

  /** Seed (default `DEFAULT_SEED`, 0); sub-seeds are derived from it as strings. */

  seed?: number | string;

  /** Generator to draw the root seed from instead (at most one of `seed` and `rng`). */

  rng?: Rng;
}

/**
 * A seeded contextual stochastic block model (CSBM): balanced classes, edges drawn independently
 * with probability `pIn` within a class and `pOut` across classes, chosen so that the expected
 * mean degree is `avgDegree` and the expected fraction of intra-class edges is `homophily`;
 * features drawn around a class mean (Gaussian: `x = mu_y + N(0, I)` with orthogonal class means
 * `featureSignal` apart; binary: Bernoulli with a per-class block of boosted features). Nodes
 * are keyed `'0'..'n-1'`, labels are assigned by a random permutation, and a stratified split is
 * stored in the `split` attributes. Graph attributes: `name`, `numClasses`, `pIn`, `pOut`.
 *
 * @param options - sizes, homophily, feature signal and the seed.
 * @returns an undirected {@link LabeledGraph}.
 * @throws LabInputError for bad sizes or when the requested degree and homophily need a
 *   probability above 1.
 * @see Deshpande, Sen, Montanari & Mossel, "Contextual Stochastic Block Models", NeurIPS 2018.
 */
export function contextualSbm(options: ContextualSbmOptions): LabeledGraph {
  const fn = 'contextualSbm';
  const o = readOptions(fn, options, KNOWN);
  // The split's seed is derived from the seed as a string (`${seed}/split`), as before.
  const seed = o.seedValue();
  const classes = o.integer('classes', undefined, { min: 2 });
  const n = o.integer('nodes', undefined, { min: 2 * classes });
  const avgDegree = o.number('avgDegree', undefined, { min: 0, max: n - 1, open: { min: true } });
  const homophily = o.number('homophily', undefined, { min: 0, max: 1 });
  const featureDim = o.integer('featureDim', undefined, { min: 1 });
  const featureSignal = o.number('featureSignal', undefined, { min: 0 });
  const kind = o.oneOf('features', ['gaussian', 'binary'], 'gaussian');
  o.nested('split', ['train', 'val', 'test']);
  if (kind === 'gaussian' && featureDim < classes) {
    throw new LabInputError(
      fn,
      'options.featureDim',
      `must be >= classes (${classes}) for orthogonal class means`,
      featureDim,
    );
  }
  const density = o.number('featureDensity', 0.05, { min: 0, max: 1, open: { min: true } });
  const rng = createRng(seed);

  // Balanced classes, assigned to nodes by a random permutation.
  const labels = new Int32Array(n);
  const perm = rng.fork('labels').permutation(n);
  for (let r = 0; r < n; r++) labels[perm[r] as number] = r % classes;
  const sizes = new Array<number>(classes).fill(0);
  for (const y of labels) sizes[y] = (sizes[y] as number) + 1;
  const intraPairs = sizes.reduce((s, m) => s + (m * (m - 1)) / 2, 0);
  const interPairs = (n * (n - 1)) / 2 - intraPairs;
  const expectedEdges = (n * avgDegree) / 2;
  const pIn = (homophily * expectedEdges) / intraPairs;
  const pOut = ((1 - homophily) * expectedEdges) / interPairs;
  if (pIn > 1 || pOut > 1) {
    throw new LabInputError(
      fn,
      'options.avgDegree',
      `must be reachable with edge probabilities <= 1 (needs pIn ${pIn.toFixed(3)}, pOut ${pOut.toFixed(3)})`,
      avgDegree,
    );
  }

  // Features.
  const fr = rng.fork('features');
  const features: Float32Array[] = [];
  if (kind === 'gaussian') {
    // Orthonormal directions (Gram-Schmidt on Gaussian vectors), scaled so means are featureSignal apart.
    const q: Float64Array[] = [];
    for (let c = 0; c < classes; c++) {
      const v = fr.fillNormal(new Float64Array(featureDim));
      for (const u of q) {
        let dot = 0;
        for (let j = 0; j < featureDim; j++) dot += (v[j] as number) * (u[j] as number);
        for (let j = 0; j < featureDim; j++) v[j] = (v[j] as number) - dot * (u[j] as number);
      }
      let norm = 0;
      for (let j = 0; j < featureDim; j++) norm += (v[j] as number) ** 2;
      norm = Math.sqrt(norm);
      for (let j = 0; j < featureDim; j++) v[j] = (v[j] as number) / norm;
      q.push(v);
    }
    const scale = featureSignal / Math.SQRT2;
    for (let i = 0; i < n; i++) {
      const mu = q[labels[i] as number] as Float64Array;
      const x = fr.fillNormal(new Float32Array(featureDim));
      for (let j = 0; j < featureDim; j++) x[j] = (x[j] as number) + scale * (mu[j] as number);
      features.push(x);
    }
  } else {
    const block = Math.floor(featureDim / classes);
    const pOn = Math.min(1, density * (1 + featureSignal));
    for (let i = 0; i < n; i++) {
      const y = labels[i] as number;
      const x = new Float32Array(featureDim);
      for (let j = 0; j < featureDim; j++) {
        const own = block > 0 && j >= y * block && j < (y + 1) * block;
        x[j] = fr.next() < (own ? pOn : density) ? 1 : 0;
      }
      features.push(x);
    }
  }

  const graph: LabeledGraph = new Graph<NodeAttributes>({
    type: 'undirected',
    multi: false,
    allowSelfLoops: false,
  });
  graph.replaceAttributes({ name: 'csbm', numClasses: classes, pIn, pOut });
  for (let i = 0; i < n; i++)
    graph.addNode(String(i), { features: features[i] as Float32Array, label: labels[i] as number });
  // Edges: one Bernoulli draw per pair.
  const er = rng.fork('edges');
  for (let i = 0; i < n; i++) {
    const yi = labels[i] as number;
    for (let j = i + 1; j < n; j++) {
      if (er.next() < (labels[j] === yi ? pIn : pOut)) graph.addEdge(String(i), String(j));
    }
  }
  const split = (o.raw('split') as ContextualSbmOptions['split']) ?? { train: 0.1, val: 0.1 };
  return stratifiedSplit(graph, { ...split, seed: `${String(seed)}/split` }).graph;
}
