import { createRng, graphArrays, initBackend, LabInputError, type LabeledGraph } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attackBudget } from '../src/attackBudget.js';
import { contextualSbm } from '../src/contextualSbm.js';
import { defend } from '../src/defend.js';
import { diceAttack } from '../src/diceAttack.js';
import { evaluateAttack } from '../src/evaluateAttack.js';
import { trainLinkPredictor } from '../src/linkPredictor.js';
import { metattack } from '../src/metattack.js';
import { nettack, nettackTargets } from '../src/nettack.js';
import { pgdAttack } from '../src/pgdAttack.js';
import { randomAttack } from '../src/randomAttack.js';
import { sampleSubgraphs } from '../src/sampleSubgraphs.js';

beforeAll(async () => {
  await initBackend();
});

const CSBM = {
  nodes: 40,
  classes: 2,
  avgDegree: 4,
  homophily: 0.9,
  featureDim: 4,
  featureSignal: 2,
  seed: 1,
};
const graph: LabeledGraph = contextualSbm(CSBM);
const arrays = graphArrays(graph);
const lpInput = {
  numNodes: arrays.numNodes,
  features: arrays.features,
  numFeatures: arrays.numFeatures,
  edges: arrays.edges,
};

/**
 * Every public function of the package with options, as `(options) => result`: the valid
 * options it is called with below are cheap (no training runs before the options are read).
 */
const cases: Array<{
  fn: string;
  call: (o: unknown) => unknown;
  valid: Record<string, unknown>;
  typed: [string, unknown];
}> = [
  {
    fn: 'attackBudget',
    call: (o) => attackBudget(10, o as never),
    valid: { rate: 0.1 },
    typed: ['rate', '0.1'],
  },
  { fn: 'contextualSbm', call: (o) => contextualSbm(o as never), valid: CSBM, typed: ['homophily', '0.9'] },
  {
    fn: 'randomAttack',
    call: (o) => randomAttack(graph, o as never),
    valid: { budget: 2, seed: 1 },
    typed: ['mode', 1],
  },
  {
    fn: 'diceAttack',
    call: (o) => diceAttack(graph, o as never),
    valid: { budget: 2, seed: 1 },
    typed: ['removeFraction', true],
  },
  {
    fn: 'sampleSubgraphs',
    call: (o) => sampleSubgraphs(arrays.numNodes, arrays.edges, o as never),
    valid: { numSubgraphs: 2, seed: 1 },
    typed: ['exclude', 3],
  },
  {
    fn: 'trainLinkPredictor',
    call: (o) => trainLinkPredictor(lpInput, o as never),
    valid: { epochs: 1, seed: 1 },
    typed: ['decoder', 'dot'],
  },
  {
    fn: 'metattack',
    call: (o) => metattack(graph, o as never),
    valid: { budget: 1, trainIters: 2, seed: 1 },
    typed: ['llConstraint', 1],
  },
  {
    fn: 'nettack',
    call: (o) => nettack(graph, o as never),
    valid: { target: '0', budget: 1, seed: 1 },
    typed: ['hidden', 2.5],
  },
  {
    fn: 'nettackTargets',
    call: (o) => nettackTargets(graph, o as never),
    valid: { targets: ['0'], budget: 1, seed: 1 },
    typed: ['features', 'no'],
  },
  {
    fn: 'pgdAttack',
    call: (o) => pgdAttack(graph, o as never),
    valid: { budget: 1, epochs: 1, seed: 1 },
    typed: ['loss', 'mse'],
  },
  {
    fn: 'defend',
    call: (o) => defend(graph, [], o as never),
    valid: { runs: 1, seed: 1 },
    typed: ['runs', '1'],
  },
  {
    fn: 'evaluateAttack',
    call: (o) => evaluateAttack(graph, graph, o as never),
    valid: { setting: 'evasion', seed: 1 },
    typed: ['victim', 'gat'],
  },
];

/** Runs `call` (sync or async) and returns the error it throws or rejects with. */
async function errorOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('option objects are read with readOptions', () => {
  for (const c of cases) {
    it(`${c.fn}: null and non-object options, misspelt keys and wrong types are LabInputErrors naming ${c.fn}`, async () => {
      for (const bad of [null, 5, 'options', [c.valid]]) {
        const err = await errorOf(() => c.call(bad));
        expect(err, `${c.fn}(${String(bad)})`).toBeInstanceOf(LabInputError);
        expect((err as Error).message).toMatch(
          new RegExp(`^${c.fn}: argument 'options' must be an options object`),
        );
      }
      const unknown = await errorOf(() => c.call({ ...c.valid, sede: 1 }));
      expect(unknown).toBeInstanceOf(LabInputError);
      expect((unknown as Error).message).toMatch(
        new RegExp(`^${c.fn}: argument 'options.sede' is not an option of ${c.fn}`),
      );
      const [key, value] = c.typed;
      const typed = await errorOf(() => c.call({ ...c.valid, [key]: value }));
      expect(typed, `${c.fn} options.${key} = ${JSON.stringify(value)}`).toBeInstanceOf(LabInputError);
      expect((typed as Error).message).toMatch(new RegExp(`^${c.fn}: argument 'options.${key}'`));
      // The caller's object is not written.
      const valid = structuredClone(c.valid);
      await errorOf(() => c.call(valid));
      expect(valid).toEqual(c.valid);
    });
  }

  it('the stochastic functions take { seed } or { rng }: rng: createRng(s) gives the same result as seed: s', () => {
    const bySeed = randomAttack(graph, { budget: 4, mode: 'flip', seed: 'x' }).flips;
    expect(randomAttack(graph, { budget: 4, mode: 'flip', rng: createRng('x') }).flips).toEqual(bySeed);
    const dice = diceAttack(graph, { budget: 4, seed: 3 }).flips;
    expect(diceAttack(graph, { budget: 4, rng: createRng(3) }).flips).toEqual(dice);
    const sub = sampleSubgraphs(arrays.numNodes, arrays.edges, { numSubgraphs: 2, seed: 2 }).heldOutCount;
    expect(
      sampleSubgraphs(arrays.numNodes, arrays.edges, { numSubgraphs: 2, rng: createRng(2) }).heldOutCount,
    ).toEqual(sub);
    // Neither: the default seed 0.
    expect(randomAttack(graph, { budget: 4 }).flips).toEqual(
      randomAttack(graph, { budget: 4, seed: 0 }).flips,
    );
    expect(() => randomAttack(graph, { budget: 4, seed: 1, rng: createRng(1) })).toThrow(
      /at most one of seed and rng/,
    );
  });

  it('functions that derive string sub-seeds: default seed 0, an rng gives one drawn seed', () => {
    const { seed: _s, ...noSeed } = CSBM;
    const labels = (g: ReturnType<typeof contextualSbm>) => g.mapNodes((_k, a) => a.label);
    const reference = contextualSbm({ ...noSeed, seed: 0 });
    expect(labels(contextualSbm(noSeed as never))).toEqual(labels(reference));
    expect(contextualSbm(noSeed as never).size).toBe(reference.size);
    // With an rng: the seed drawn from it, floor(next() * 2^32), so the same as passing that seed.
    const drawn = Math.floor(createRng(5).next() * 2 ** 32);
    const viaRng = contextualSbm({ ...noSeed, rng: createRng(5) } as never);
    const viaSeed = contextualSbm({ ...noSeed, seed: drawn });
    expect(labels(viaRng)).toEqual(labels(viaSeed));
    expect(viaRng.size).toBe(viaSeed.size);
    expect(() => contextualSbm({ ...noSeed, seed: 1, rng: createRng(1) } as never)).toThrow(
      /contextualSbm: argument 'options' must give at most one of seed and rng/,
    );
  });
});
