import {
  readOptions,
  type GraphArrays,
  type LabeledGraph,
  asGraphArrays,
  checkSameNodes,
  type NodeClassifier,
  type NodeSelection,
  type Rng,
} from '@lab/core';
import { fitGcnVictim, fitSgcVictim, type VictimGcnOptions, type VictimSgcOptions } from './victims.js';

/** Options of {@link evaluateAttack}. */
export interface EvaluateAttackOptions {
  /**
   * `'evasion'`: train on the clean graph, evaluate the same model on the clean and on the
   * perturbed graph. `'poisoning'`: train one model on the clean graph and one on the perturbed
   * graph, each evaluated on the graph it was trained on.
   */
  setting: 'evasion' | 'poisoning';
  /** Victim model (default `'gcn'`). */
  victim?: 'gcn' | 'sgc';
  /** Hyper-parameters of the victim (defaults: Kipf's GCN, SGC's reference settings). */
  gcn?: VictimGcnOptions;
  sgc?: VictimSgcOptions;
  /** Nodes to score (default `'test'`). */
  nodes?: NodeSelection;
  /** Independent trainings, seeds `seed/0, seed/1, ...` (default 1); accuracies are averaged. */
  runs?: number;

  /** Seed (default `DEFAULT_SEED`, 0); sub-seeds are derived from it as strings. */

  seed?: number | string;

  /** Generator to draw the root seed from instead (at most one of `seed` and `rng`). */

  rng?: Rng;
}

/** One training run of {@link evaluateAttack}. */
export interface EvaluateAttackRun {
  seed: string;
  cleanAccuracy: number;
  attackedAccuracy: number;
}

/** Result of {@link evaluateAttack}: mean accuracies over the runs. */
export interface EvaluateAttackResult {
  setting: 'evasion' | 'poisoning';
  victim: 'gcn' | 'sgc';
  cleanAccuracy: number;
  attackedAccuracy: number;
  /** `cleanAccuracy - attackedAccuracy`. */
  drop: number;
  runs: EvaluateAttackRun[];
}

/**
 * Measures what a structure perturbation does to a victim's accuracy, in the evasion or the
 * poisoning setting (Zügner & Günnemann's terms): the clean and the perturbed graph must hold the
 * same nodes in the same order (as every attack of this package and {@link applyEdgeFlips} return).
 * Models are disposed before returning.
 *
 * @param clean - the clean graph (with a `'train'` split).
 * @param perturbed - the attacked graph.
 * @param options - setting, victim, runs and seed.
 * @see Zügner & Günnemann, "Adversarial Attacks on Graph Neural Networks via Meta Learning", ICLR 2019.
 */
export async function evaluateAttack(
  clean: LabeledGraph | GraphArrays,
  perturbed: LabeledGraph | GraphArrays,
  options: EvaluateAttackOptions,
): Promise<EvaluateAttackResult> {
  const fn = 'evaluateAttack';
  const o = readOptions(fn, options, ['setting', 'victim', 'gcn', 'sgc', 'nodes', 'runs', 'seed', 'rng']);
  const setting = o.oneOf('setting', ['evasion', 'poisoning']);
  const victim = o.oneOf('victim', ['gcn', 'sgc'], 'gcn');
  const runs = o.integer('runs', 1, { min: 1 });
  // Run r trains with the string seed `${seed}/${r}`, as before.
  const rootSeed = o.seedValue();
  o.nested('gcn');
  o.nested('sgc');
  const gcn = o.raw('gcn') as VictimGcnOptions | undefined;
  const sgc = o.raw('sgc') as VictimSgcOptions | undefined;
  const a = asGraphArrays(fn, clean);
  const b = asGraphArrays(fn, perturbed);
  checkSameNodes(fn, a.nodes, b);
  const nodes = (o.raw('nodes') as NodeSelection | undefined) ?? 'test';
  const train = async (g: GraphArrays, seed: string): Promise<NodeClassifier> =>
    victim === 'gcn'
      ? (await fitGcnVictim(fn, g, gcn, seed)).model
      : (await fitSgcVictim(fn, g, sgc, seed)).model;
  const out: EvaluateAttackRun[] = [];
  for (let r = 0; r < runs; r++) {
    const seed = `${String(rootSeed)}/${r}`;
    const model = await train(a, seed);
    try {
      const cleanAccuracy = model.accuracy(a, nodes);
      let attackedAccuracy: number;
      if (setting === 'evasion') attackedAccuracy = model.accuracy(b, nodes);
      else {
        const poisoned = await train(b, seed);
        try {
          attackedAccuracy = poisoned.accuracy(b, nodes);
        } finally {
          poisoned.dispose();
        }
      }
      out.push({ seed, cleanAccuracy, attackedAccuracy });
    } finally {
      model.dispose();
    }
  }
  const mean = (k: 'cleanAccuracy' | 'attackedAccuracy') => out.reduce((s, r) => s + r[k], 0) / out.length;
  const cleanAccuracy = mean('cleanAccuracy');
  const attackedAccuracy = mean('attackedAccuracy');
  return {
    setting,
    victim,
    cleanAccuracy,
    attackedAccuracy,
    drop: cleanAccuracy - attackedAccuracy,
    runs: out,
  };
}
