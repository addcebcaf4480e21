import {
  asGraphArrays,
  Gcn,
  type GcnFitOptions,
  type GcnFitResult,
  type GcnOptions,
  type GraphArrays,
  type LabeledGraph,
  type Seed,
  Sgc,
  type SgcFitOptions,
  type SgcFitResult,
  type SgcOptions,
} from '@lab/core';

/**
 * Hyper-parameters of a victim GCN (`@lab/core`'s {@link Gcn}): its architecture options
 * without the sizes and seed (taken from the graph and the caller) plus its `fit` options.
 */
export type VictimGcnOptions = Pick<GcnOptions, 'hidden' | 'dropout' | 'normalizeFeatures'> &
  Pick<GcnFitOptions, 'epochs' | 'lr' | 'weightDecay' | 'trainNodes'>;

/** Hyper-parameters of a victim SGC (`@lab/core`'s {@link Sgc}), as {@link VictimGcnOptions}. */
export type VictimSgcOptions = Pick<SgcOptions, 'k' | 'normalizeFeatures'> &
  Pick<SgcFitOptions, 'lr' | 'weightDecay' | 'epochs' | 'trainNodes'>;

/**
 * Builds and fits a core `Gcn` on `graph` with one seed for initialisation and dropout (what the
 * former `trainGcn(graph, { ...options, seed })` did, same numbers). The caller disposes the model.
 * Internal.
 */
export async function fitGcnVictim(
  fn: string,
  graph: LabeledGraph | GraphArrays,
  options: VictimGcnOptions | undefined,
  seed: Seed,
): Promise<{ model: Gcn; result: GcnFitResult }> {
  const a = asGraphArrays(fn, graph);
  const { hidden, dropout, normalizeFeatures, ...fit } = options ?? {};
  const model = new Gcn({
    numFeatures: a.numFeatures,
    numClasses: a.numClasses,
    ...(hidden === undefined ? {} : { hidden }),
    ...(dropout === undefined ? {} : { dropout }),
    ...(normalizeFeatures === undefined ? {} : { normalizeFeatures }),
    seed,
  });
  try {
    const result = await model.fit(a, { ...fit, seed });
    return { model, result };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** Builds and fits a core `Sgc` (as the former `trainSgc`). The caller disposes the model. Internal. */
export async function fitSgcVictim(
  fn: string,
  graph: LabeledGraph | GraphArrays,
  options: VictimSgcOptions | undefined,
  seed: Seed,
): Promise<{ model: Sgc; result: SgcFitResult }> {
  const a = asGraphArrays(fn, graph);
  const { k, normalizeFeatures, ...fit } = options ?? {};
  const model = new Sgc({
    numFeatures: a.numFeatures,
    numClasses: a.numClasses,
    ...(k === undefined ? {} : { k }),
    ...(normalizeFeatures === undefined ? {} : { normalizeFeatures }),
    seed,
  });
  try {
    const result = await model.fit(a, fit);
    return { model, result };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
