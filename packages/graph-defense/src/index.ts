// Public API of @lab/graph-defense: named re-exports only, grouped by area. Each section is
// owned by one part of the package; edit only your own section.
export type { AttackResult, EdgeFlip, GraphArrays, LabeledGraph, NodeAttributes } from './graphTypes.js';

// data and victims
export { applyEdgeFlips } from './applyEdgeFlips.js';
export { graphArrays } from './graphArrays.js';
export { largestConnectedComponent } from './largestConnectedComponent.js';
export { graphFromFolderData, loadGraphFolder } from './loadGraphFolder.js';
export type { LoadGraphFolderOptions } from './loadGraphFolder.js';
export { planetoidSplit, stratifiedSplit } from './splits.js';
export type { SplitNodes, StratifiedSplitOptions, StratifiedSplitResult } from './splits.js';
export { contextualSbm } from './contextualSbm.js';
export type { ContextualSbmOptions } from './contextualSbm.js';
export { GcnModel, trainGcn } from './gcn.js';
export type { GcnEpochRecord, TrainGcnOptions, TrainGcnResult } from './gcn.js';
export { SgcModel, trainSgc } from './sgc.js';
export type { TrainSgcOptions, TrainSgcResult } from './sgc.js';
export type { NodeClassifier, NodeSelection } from './nodeClassifier.js';
export { evaluateAttack } from './evaluateAttack.js';
export type { EvaluateAttackOptions, EvaluateAttackResult, EvaluateAttackRun } from './evaluateAttack.js';

// attacks (random, dice, pgd)

// attacks (metattack, nettack)
export { metattack } from './metattack.js';
export type { MetattackApproximation, MetattackOptions, MetattackProgress, MetattackResult } from './metattack.js';
export { nettack, nettackTargets } from './nettack.js';
export type {
  NettackOptions,
  NettackResult,
  NettackTargetOutcome,
  NettackTargetsOptions,
  NettackTargetsResult,
} from './nettack.js';

// detection and defence
