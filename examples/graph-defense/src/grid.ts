import { rocAuc } from '@lab/core';
import type { EdgeFlip } from '@lab/graph-defense';
import { nodePairKey } from '@lab/graph-defense';

/** The four global attacks of the grid, by metric-key name. */
export const ATTACKS = ['random', 'dice', 'pgd', 'metattack'] as const;
export type AttackName = (typeof ATTACKS)[number];

/**
 * Detectors scored on every attacked graph, by metric-key name: EDoG without attack knowledge,
 * EDoG calibrated on a self-attacked copy (attack knowledge), EDoG without its outlier step
 * (ablation), the baselines, and the true-label reference ({@link REFERENCE_DETECTORS}).
 */
export const DETECTORS = [
  'edog',
  'edogCalibrated',
  'edogNoOutlier',
  'jaccard',
  'gae',
  'labelOutlier',
  'degree',
  'trueLabels',
] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** Human-readable detector names for tables and charts. */
export const DETECTOR_LABELS: Record<DetectorName, string> = {
  edog: 'EDoG (no attack knowledge)',
  edogCalibrated: 'EDoG (calibrated, knows attack)',
  edogNoOutlier: 'EDoG without outlier step',
  jaccard: 'feature Jaccard',
  gae: 'GAE whole graph',
  labelOutlier: 'neighbourhood-label outlier',
  degree: 'degree',
  trueLabels: 'true-label reference',
};

/**
 * Detectors that are references, not competitors: `trueLabels` scores an edge 1 when its
 * endpoints' true classes differ (it knows every node's class, which no detector does). On a
 * CSBM under Random insertions the class pair is a sufficient statistic (edges and features are
 * independent given the classes), so its AUC is the best any detector can reach there.
 */
export const REFERENCE_DETECTORS: readonly DetectorName[] = ['trueLabels'];

/** A per-edge suspicion score (higher = more likely adversarial) for an existing edge. */
export interface ScoredEdge {
  source: string;
  target: string;
  score: number;
}

/** What a detector returns for one graph. */
export interface Detection {
  scores: ScoredEdge[];
  /** Edges the detector flags (used for the defence); may be empty. */
  flagged: Array<{ source: string; target: string }>;
}

/** Context handed to a detector: the attack that made the graph (only the calibrated variant may use it). */
export interface DetectContext {
  seed: number;
  attack: AttackName | 'given';
  rate: number;
  /** Quick mode (detectors may use fewer subgraphs). */
  quick: boolean;
  /** Class probabilities of the victim GCN trained on this (attacked) graph, row-major N x C, if any. */
  probabilities?: Float32Array;
}

/** What training the victim on a graph gives: test accuracy and, optionally, its class probabilities. */
export interface VictimResult {
  accuracy: number;
  probabilities?: Float32Array;
}

/** The operations the grid needs, implemented over @lab/graph-defense in `toolkit.ts` (fakes in tests). */
export interface Toolkit<G> {
  /** Runs a global attack with budget `round(rate * |E|)`. */
  attack(
    name: AttackName,
    graph: G,
    options: { rate: number; seed: number },
  ): Promise<{ graph: G; flips: EdgeFlip[] }>;
  /** Scores every existing edge of `graph`. */
  detect(name: DetectorName, graph: G, context: DetectContext): Promise<Detection>;
  /** Trains the victim GCN on `graph` (poisoning: train and test on the same graph). */
  victim(graph: G, seed: number): Promise<VictimResult>;
  /** `graph` with the given edges removed (a copy). */
  removeEdges(graph: G, edges: Array<{ source: string; target: string }>): G;
  numEdges(graph: G): number;
}

/** One dataset of the grid. */
export interface GridDataset<G> {
  /** Metric-key name, e.g. `cora`, `csbmHigh`. */
  name: string;
  description: string;
  graph: G;
}

/** Grid configuration. */
export interface GridConfig<G> {
  datasets: Array<GridDataset<G>>;
  /** Attacks to run, for every dataset or per dataset. */
  attacks: readonly AttackName[] | ((dataset: string) => readonly AttackName[]);
  /** Perturbation rates as fractions of |E| (0.05 = 5 %). */
  rates: readonly number[];
  /** Detectors to score, for every cell or per cell. */
  detectors:
    | readonly DetectorName[]
    | ((cell: { dataset: string; attack: AttackName; rate: number }) => readonly DetectorName[]);
  seed: number;
  quick: boolean;
  /**
   * Called after each finished cell with (done, total, label, the grid so far); a returned
   * promise is awaited (the grid's work is synchronous, so I/O such as a partial report only
   * runs if the grid waits for it).
   */
  onProgress?: (done: number, total: number, label: string, partial: GridResult) => void | Promise<void>;
}

/** Result of one (dataset, attack, rate) cell. */
export interface CellResult {
  dataset: string;
  attack: AttackName | 'given';
  /** Rate as a fraction; for a given perturbation, flips / |E|. */
  rate: number;
  /** Metric-key segment for the rate: percent (`'5'`), or `'given'`. */
  rateKey: string;
  added: number;
  removed: number;
  /** ROC-AUC per detector over the attacked graph's edges (positives: edges the attack added); null if undefined. */
  auc: Partial<Record<DetectorName, number | null>>;
  accuracy: { clean: number; attacked: number; defended: number | null };
  /** Edges the defence removed and how many of them were adversarial. */
  defence: { removed: number; adversarialRemoved: number } | null;
  /** True on the one cell where EDoG ran end to end (its own label GCN): its `detect.edog` time is the headline. */
  edogEndToEnd: boolean;
  timingsMs: { attack: number; detect: Partial<Record<DetectorName, number>>; accuracy: number };
}

/** Result of the whole grid. */
export interface GridResult {
  cells: CellResult[];
  cleanAccuracy: Record<string, number>;
  numEdges: Record<string, number>;
}

/**
 * The metric-key segment of a rate, in percent with `_` for a decimal point so keys stay
 * dot-separated: `0.05` becomes `'5'`, `0.005` becomes `'0_5'`.
 */
export function rateKey(rate: number): string {
  return String(Number((rate * 100).toPrecision(6))).replace('.', '_');
}

/**
 * Detection ROC-AUC of `scores` against the adversarial edges: positives are the attacked
 * graph's edges that the attack added. Removed edges cannot be scored (they are not in the
 * graph), so they do not enter. Returns null when no scored edge is adversarial or every one is.
 */
export function detectionAuc(scores: readonly ScoredEdge[], flips: readonly EdgeFlip[]): number | null {
  const added = new Set(flips.filter((f) => f.op === 'add').map((f) => nodePairKey(f.source, f.target)));
  const values = new Float64Array(scores.length);
  const labels = new Uint8Array(scores.length);
  let pos = 0;
  scores.forEach((e, i) => {
    values[i] = e.score;
    const y = added.has(nodePairKey(e.source, e.target)) ? 1 : 0;
    labels[i] = y;
    pos += y;
  });
  if (pos === 0 || pos === scores.length) return null;
  return rocAuc(values, labels);
}

/**
 * Scores one perturbation: every detector's AUC on the attacked graph, GCN accuracy attacked
 * (poisoning) and defended (EDoG's flagged edges removed, retrained).
 */
export async function scorePerturbation<G>(
  toolkit: Toolkit<G>,
  spec: {
    dataset: string;
    attack: AttackName | 'given';
    rate: number;
    rateKey: string;
    attacked: G;
    flips: EdgeFlip[];
    cleanAccuracy: number;
    attackMs: number;
    detectors: readonly DetectorName[];
    seed: number;
    quick: boolean;
    /** Time EDoG end to end on this cell (it trains its own label model). */
    endToEnd?: boolean;
  },
): Promise<CellResult> {
  const { attacked, flips, seed } = spec;
  const auc: CellResult['auc'] = {};
  const detectMs: CellResult['timingsMs']['detect'] = {};
  let defendWith: Detection | null = null;
  let t1 = performance.now();
  const victim = await toolkit.victim(attacked, seed);
  const accuracyMs = performance.now() - t1;
  for (const det of spec.detectors) {
    const t0 = performance.now();
    const context: DetectContext = {
      seed,
      attack: spec.attack,
      rate: spec.rate,
      quick: spec.quick,
    };
    if (victim.probabilities) context.probabilities = victim.probabilities;
    const detection = await toolkit.detect(det, attacked, context);
    detectMs[det] = performance.now() - t0;
    auc[det] = detectionAuc(detection.scores, flips);
    if (det === 'edog') defendWith = detection;
  }
  t1 = performance.now();
  let defended: number | null = null;
  let defence: CellResult['defence'] = null;
  if (defendWith) {
    const added = new Set(flips.filter((f) => f.op === 'add').map((f) => nodePairKey(f.source, f.target)));
    const cleaned = toolkit.removeEdges(attacked, defendWith.flagged);
    defended = (await toolkit.victim(cleaned, seed)).accuracy;
    defence = {
      removed: defendWith.flagged.length,
      adversarialRemoved: defendWith.flagged.filter((e) => added.has(nodePairKey(e.source, e.target))).length,
    };
  }
  return {
    dataset: spec.dataset,
    attack: spec.attack,
    rate: spec.rate,
    rateKey: spec.rateKey,
    added: flips.filter((f) => f.op === 'add').length,
    removed: flips.filter((f) => f.op === 'remove').length,
    auc,
    accuracy: { clean: spec.cleanAccuracy, attacked: victim.accuracy, defended },
    defence,
    edogEndToEnd: spec.endToEnd === true && spec.detectors.includes('edog'),
    timingsMs: { attack: spec.attackMs, detect: detectMs, accuracy: accuracyMs + (performance.now() - t1) },
  };
}

/** Runs every (dataset, attack, rate) cell: attack, detect with every detector, accuracy clean / attacked / defended. */
export async function runGrid<G>(toolkit: Toolkit<G>, config: GridConfig<G>): Promise<GridResult> {
  const cells: CellResult[] = [];
  const cleanAccuracy: Record<string, number> = {};
  const numEdges: Record<string, number> = {};
  const attacksOf = (ds: string): readonly AttackName[] =>
    typeof config.attacks === 'function' ? config.attacks(ds) : config.attacks;
  const total = config.datasets.reduce((s, ds) => s + attacksOf(ds.name).length * config.rates.length, 0);
  let done = 0;
  // EDoG runs end to end (timed) on the first dataset's first attack at 5 % (or the first rate).
  const e2eRate = config.rates.includes(0.05) ? 0.05 : config.rates[0];
  for (const ds of config.datasets) {
    numEdges[ds.name] = toolkit.numEdges(ds.graph);
    cleanAccuracy[ds.name] = (await toolkit.victim(ds.graph, config.seed)).accuracy;
    // Rates outer, attacks inner: a long run's partial report has every attack at the first rates.
    for (const rate of config.rates) {
      for (const attack of attacksOf(ds.name)) {
        const label = `${ds.name} ${attack} ${rateKey(rate)}%`;
        const t0 = performance.now();
        const { graph: attacked, flips } = await toolkit.attack(attack, ds.graph, {
          rate,
          seed: config.seed,
        });
        const attackMs = performance.now() - t0;
        cells.push(
          await scorePerturbation(toolkit, {
            dataset: ds.name,
            attack,
            rate,
            rateKey: rateKey(rate),
            attacked,
            flips,
            cleanAccuracy: cleanAccuracy[ds.name] as number,
            attackMs,
            detectors:
              typeof config.detectors === 'function'
                ? config.detectors({ dataset: ds.name, attack, rate })
                : config.detectors,
            seed: config.seed,
            quick: config.quick,
            endToEnd: ds === config.datasets[0] && attack === attacksOf(ds.name)[0] && rate === e2eRate,
          }),
        );
        done++;
        await config.onProgress?.(done, total, label, {
          cells: [...cells],
          cleanAccuracy: { ...cleanAccuracy },
          numEdges: { ...numEdges },
        });
      }
    }
  }
  return { cells: sortCells(cells), cleanAccuracy, numEdges };
}

/** Cells in table order: dataset as run, then attack (grid order), then increasing rate. */
function sortCells(cells: readonly CellResult[]): CellResult[] {
  const dsOrder = [...new Set(cells.map((c) => c.dataset))];
  const attackOrder: string[] = [...ATTACKS, 'given'];
  return [...cells].sort(
    (a, b) =>
      dsOrder.indexOf(a.dataset) - dsOrder.indexOf(b.dataset) ||
      attackOrder.indexOf(a.attack) - attackOrder.indexOf(b.attack) ||
      a.rate - b.rate,
  );
}

/**
 * Flattens a grid into the stable `report.json` metric keys:
 * `auc.<dataset>.<attack>.<rate>.<detector>`, `accuracy.<dataset>.<attack>.<rate>.{clean,attacked,defended}`,
 * `accuracy.<dataset>.clean`, `flips.<dataset>.<attack>.<rate>.{added,removed}`,
 * `defence.<dataset>.<attack>.<rate>.{removed,adversarialRemoved}`,
 * `timeMs.<dataset>.<attack>.<rate>.{attack,accuracy}`, `timeMs.<dataset>.<attack>.<rate>.detect.<detector>`,
 * `edges.<dataset>`. `<rate>` is the percentage (`1`, `5`, `10`, `20`) or `given`.
 */
export function gridMetrics(grid: GridResult): Record<string, number | null> {
  const m: Record<string, number | null> = {};
  for (const [ds, acc] of Object.entries(grid.cleanAccuracy)) m[`accuracy.${ds}.clean`] = acc;
  for (const [ds, e] of Object.entries(grid.numEdges)) m[`edges.${ds}`] = e;
  for (const c of grid.cells) {
    const p = `${c.dataset}.${c.attack}.${c.rateKey}`;
    for (const [det, v] of Object.entries(c.auc)) m[`auc.${p}.${det}`] = v ?? null;
    m[`accuracy.${p}.clean`] = c.accuracy.clean;
    m[`accuracy.${p}.attacked`] = c.accuracy.attacked;
    m[`accuracy.${p}.defended`] = c.accuracy.defended;
    m[`flips.${p}.added`] = c.added;
    m[`flips.${p}.removed`] = c.removed;
    if (c.defence) {
      m[`defence.${p}.removed`] = c.defence.removed;
      m[`defence.${p}.adversarialRemoved`] = c.defence.adversarialRemoved;
    }
    m[`timeMs.${p}.attack`] = c.timingsMs.attack;
    m[`timeMs.${p}.accuracy`] = c.timingsMs.accuracy;
    for (const [det, v] of Object.entries(c.timingsMs.detect)) m[`timeMs.${p}.detect.${det}`] = v ?? null;
  }
  return m;
}
