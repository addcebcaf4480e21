// Public API of @lab/graph-defense: named re-exports only, grouped by area. Each section is
// owned by one part of the package; edit only your own section.
// Graph types, loading, splits, GCN / SGC and the general learners live in @lab/core.
export type { AttackResult, EdgeFlip } from './graphTypes.js';

// data and victims
export { applyEdgeFlips } from './applyEdgeFlips.js';
export { contextualSbm } from './contextualSbm.js';
export type { ContextualSbmOptions } from './contextualSbm.js';
export type { VictimGcnOptions, VictimSgcOptions } from './victims.js';
export { evaluateAttack } from './evaluateAttack.js';
export type { EvaluateAttackOptions, EvaluateAttackResult, EvaluateAttackRun } from './evaluateAttack.js';

// attacks (random, dice, pgd)
export { attackBudget } from './attackBudget.js';
export type { AttackBudgetOptions } from './attackBudget.js';
export { FlipConstraints } from './flipConstraints.js';
export { randomAttack } from './randomAttack.js';
export type { RandomAttackOptions } from './randomAttack.js';
export { diceAttack } from './diceAttack.js';
export type { DiceAttackOptions } from './diceAttack.js';
export { pgdAttack, projectOntoBudget } from './pgdAttack.js';
export type { PgdAttackOptions, PgdAttackResult, PgdEpochRecord } from './pgdAttack.js';

// attacks (metattack, nettack)
export { metattack } from './metattack.js';
export type {
  MetattackApproximation,
  MetattackOptions,
  MetattackProgress,
  MetattackResult,
} from './metattack.js';
export { nettack, nettackTargets } from './nettack.js';
export type {
  NettackOptions,
  NettackResult,
  NettackTargetOutcome,
  NettackTargetsOptions,
  NettackTargetsResult,
} from './nettack.js';

// detection and defence
export { containmentProbability, unionBound } from './unionBound.js';
export type { ContainmentProbabilityOptions, UnionBoundResult } from './unionBound.js';
export { sampleSubgraphs } from './sampleSubgraphs.js';
export type { SampleSubgraphsOptions, SampleSubgraphsResult, Subgraph } from './sampleSubgraphs.js';
export { featureMatrix, trainLinkPredictor } from './linkPredictor.js';
export type { LinkPredictor, LinkPredictorInput, LinkPredictorOptions } from './linkPredictor.js';
export { edgeFeatures } from './edgeFeatures.js';
export { nodePairKey } from './nodePairKey.js';
export type { EdgeFeaturesInput, EdgeFeaturesResult } from './edgeFeatures.js';
export {
  DEFAULT_SIGNAL_WEIGHTS,
  detectAdversarialEdges,
} from './detectAdversarialEdges.js';
export type {
  DetectAdversarialEdgesOptions,
  DetectAdversarialEdgesResult,
  DetectionProgress,
  EdgeRef,
  SignalWeights,
  SubgraphDiagnostics,
} from './detectAdversarialEdges.js';
export {
  baselineEdgeScores,
  degreeScores,
  featureJaccardScores,
  gaeWholeGraphScores,
  neighbourhoodLabelOutlierScores,
} from './baselines.js';
export type { BaselineEdgeScoresOptions, BaselineEdgeScoresResult, BaselineMethod } from './baselines.js';
export { defend } from './defend.js';
export type { DefendOptions, DefendResult } from './defend.js';
