import { LINK_PREDICTOR_SETTINGS } from '../linkPredictor.js';
import { type GraphArrays, LabInputError, readOptions } from '@lab/core';
import type {
  DetectAdversarialEdgesOptions,
  DetectionProgress,
  SignalWeights,
} from '../detectAdversarialEdges.js';
import type { AttackResult } from '../graphTypes.js';
import type { LinkPredictorOptions } from '../linkPredictor.js';
import type { LabeledGraph } from '@lab/core';

const FN = 'detectAdversarialEdges';

/** Option names of {@link DetectAdversarialEdgesOptions}; any other key is rejected. */
const KNOWN = [
  'numSubgraphs',
  'rate',
  'linkPredictor',
  'aggregation',
  'scoringGraph',
  'outlier',
  'autoHeterophily',
  'outlierFraction',
  'signalWeights',
  'threshold',
  'budget',
  'calibration',
  'labelModel',
  'classProbabilities',
  'seed',
  'rng',
  'onProgress',
] as const;

/** Default {@link SignalWeights}: our attack-agnostic choice, see the README ("EDoG detection"). */
export const DEFAULT_SIGNAL_WEIGHTS: Readonly<SignalWeights> = {
  link: 1,
  featureDissimilarity: 1,
  labelDistance: 0.5,
  outlier: 0.5,
};

/** The checked options of {@link detectAdversarialEdges}, defaults filled in. */
export interface ResolvedDetectOptions {
  k: number;
  rate: number;
  lp: Omit<LinkPredictorOptions, 'seed'>;
  aggregation: 'mean' | 'min';
  scoringGraph: 'full' | 'subgraph' | 'pruned';
  labelModel: 'features' | 'graph';
  outlier: 'on' | 'off' | 'auto';
  autoHeterophily: number;
  outlierFraction: number;
  weights: SignalWeights;
  threshold: number | undefined;
  budget: number | undefined;
  calibration:
    | { attack: (graph: LabeledGraph) => AttackResult | Promise<AttackResult>; suspects: number | undefined }
    | undefined;
  classProbabilities: Float32Array | undefined;
  /** Whether predicted labels are needed (outlier step, label distance or calibration). */
  needLabels: boolean;
  /** Root of the derived seeds (`${seed}-gcn`, `${seed}-lp-0`, ...): one draw of the caller's generator. */
  seed: string;
  report: (p: DetectionProgress) => void;
}

/**
 * Checks the options of {@link detectAdversarialEdges} against the graph `a` with core's
 * `readOptions` (unknown keys, wrong types and out-of-range values throw a `LabInputError`
 * naming `detectAdversarialEdges` and the option) and fills in the defaults.
 */
export function resolveDetectOptions(
  options: DetectAdversarialEdgesOptions | undefined,
  a: GraphArrays,
): ResolvedDetectOptions {
  const r = readOptions(FN, options, KNOWN);
  const m = a.numEdges;
  const k = r.integer('numSubgraphs', 8, { min: 1, max: 1000 });
  const rate = r.number('rate', 0.7, { min: 0, max: 1, open: { min: true, max: true } });
  r.nested('linkPredictor', LINK_PREDICTOR_SETTINGS); // their seed is derived per subgraph
  const lp = (r.raw('linkPredictor') ?? {}) as Omit<LinkPredictorOptions, 'seed'>;
  const aggregation = r.oneOf('aggregation', ['mean', 'min'], 'mean');
  const scoringGraph = r.oneOf('scoringGraph', ['full', 'subgraph', 'pruned'], 'full');
  const labelModel = r.oneOf('labelModel', ['features', 'graph'], 'features');
  const outlier = r.oneOf('outlier', ['on', 'off', 'auto'], 'on');
  const autoHeterophily = r.number('autoHeterophily', 0.25, { min: 0, max: 1 });
  const outlierFraction = r.number('outlierFraction', 0.1, { min: 0, max: 1, open: { max: true } });
  const sw = r.nested('signalWeights', Object.keys(DEFAULT_SIGNAL_WEIGHTS));
  const weights: SignalWeights = {
    link: sw.number('link', DEFAULT_SIGNAL_WEIGHTS.link, { min: 0 }),
    featureDissimilarity: sw.number('featureDissimilarity', DEFAULT_SIGNAL_WEIGHTS.featureDissimilarity, {
      min: 0,
    }),
    labelDistance: sw.number('labelDistance', DEFAULT_SIGNAL_WEIGHTS.labelDistance, { min: 0 }),
    outlier: sw.number('outlier', DEFAULT_SIGNAL_WEIGHTS.outlier, { min: 0 }),
  };
  const threshold = r.optionalNumber('threshold', { min: 0, max: 1 });
  const budget = r.optionalNumber('budget', { integer: true, min: 0, max: m });
  let calibration: ResolvedDetectOptions['calibration'];
  if (r.has('calibration')) {
    const c = r.nested('calibration', ['attack', 'suspects']);
    const attack = c.optionalFunction<NonNullable<ResolvedDetectOptions['calibration']>['attack']>('attack');
    if (attack === undefined) {
      throw new LabInputError(FN, 'options.calibration.attack', 'is required: (graph) => AttackResult');
    }
    calibration = { attack, suspects: c.optionalNumber('suspects', { integer: true, min: 0, max: m }) };
  }
  let classProbabilities: Float32Array | undefined;
  if (r.has('classProbabilities')) {
    const p = r.raw('classProbabilities');
    const size = a.numNodes * a.numClasses;
    if (!(p instanceof Float32Array) || p.length !== size) {
      throw new LabInputError(
        FN,
        'options.classProbabilities',
        `must be a Float32Array of numNodes x numClasses = ${size}`,
        p,
      );
    }
    classProbabilities = p;
  }
  const onProgress = r.optionalFunction<(p: DetectionProgress) => void>('onProgress');
  const seed = String(r.rng().nextSeed());
  return {
    k,
    rate,
    lp,
    aggregation,
    scoringGraph,
    labelModel,
    outlier,
    autoHeterophily,
    outlierFraction,
    weights,
    threshold,
    budget,
    calibration,
    classProbabilities,
    needLabels: outlier !== 'off' || calibration !== undefined || weights.labelDistance > 0,
    seed,
    report: (p) => onProgress?.(p),
  };
}
