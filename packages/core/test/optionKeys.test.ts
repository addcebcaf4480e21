import * as tf from '@tensorflow/tfjs-core';
import { expectLabError } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  AdamW,
  ParameterStore,
  SGD,
  SparseMatrix,
  accuracy,
  createRng,
  fit,
  initBackend,
  normalizeAdjacency,
  randomUniformTensor,
  rocAuc,
} from '../src/index.js';

// #13 item 5: every options object of core's public API rejects keys it does not read (a
// misspelt option fails instead of being ignored) and non-objects, with a LabInputError that
// names the function and the option.
describe('unknown option keys are rejected', () => {
  beforeAll(async () => {
    await initBackend();
  });

  const rejects = expectLabError;

  it('optimizers: base keys, the subclass keys, nothing else', () => {
    const store = new ParameterStore({ seed: 1 });
    store.create('w', [2, 2]);
    rejects(
      () => new Adam(store, { lr: 0.1, beta3: 0.9 } as never),
      /Adam: argument 'options.beta3' is not an option/,
    );
    rejects(
      () => new SGD(store, { lr: 0.1, beta1: 0.9 } as never),
      /SGD: argument 'options.beta1' is not an option/,
    );
    rejects(() => new AdamW(store, null as never), /AdamW: argument 'options' must be an options object/);
    rejects(
      () => new AdamW(store, { lr: 0.1, weightdecay: 0 } as never),
      /'options.weightdecay' is not an option/,
    );
    // Every documented key is accepted.
    new Adam(store, {
      lr: 0.1,
      weightDecay: 0,
      noDecay: [],
      clipNorm: 1,
      clipValue: 1,
      beta1: 0.9,
      beta2: 0.99,
      epsilon: 1e-7,
      decay: 'l2',
    }).dispose();
    new SGD(store, { lr: 0.1, momentum: 0.5, dampening: 0, nesterov: true }).dispose();
    store.dispose();
  });

  it('ParameterStore: { seed } or { rng } (an Rng as seed as before), optional, checked', () => {
    rejects(
      () => new ParameterStore({ sed: 1 } as never),
      /ParameterStore: argument 'options.sed' is not an option/,
    );
    rejects(() => new ParameterStore({ seed: 1, rng: createRng(1) }), /at most one of seed and rng/);
    const w = (s: ParameterStore) => {
      const v = Array.from(s.create('w', [3, 2]).dataSync());
      s.dispose();
      return v;
    };
    const reference = w(new ParameterStore({ seed: 0 }));
    expect(w(new ParameterStore())).toEqual(reference);
    expect(w(new ParameterStore({ rng: createRng(0) }))).toEqual(reference);
    expect(w(new ParameterStore({ seed: createRng(0) }))).toEqual(reference);
    const store = new ParameterStore({ seed: 1 });
    rejects(
      () => store.create('a', [1], 'zeros', { trainabel: false } as never),
      /'options.trainabel' is not an option/,
    );
    rejects(
      () => store.create('a', [1], 'zeros', { trainable: 0 } as never),
      /'options.trainable' must be true or false/,
    );
    rejects(
      () => store.toRecord({ transform: true } as never),
      /ParameterStore.toRecord: argument 'options.transform'/,
    );
    rejects(() => store.loadRecord({}, { strict: 'no' } as never), /'options.strict' must be true or false/);
    rejects(() => store.numParameters({ trainable: true } as never), /'options.trainable' is not an option/);
    store.dispose();
  });

  it('fit: its keys and earlyStopping keys; seed or rng', async () => {
    const store = new ParameterStore({ seed: 1 });
    const w = store.create('w', [1]);
    const optimizer = new SGD(store, { lr: 0.1 });
    const base = {
      store,
      optimizer,
      epochs: 1,
      trainData: {},
      loss: () => tf.sum(tf.square(w)) as tf.Scalar,
    };
    await expect(fit({ ...base, epoch: 2 } as never)).rejects.toThrow(
      /fit: argument 'options.epoch' is not an option/,
    );
    await expect(fit({ ...base, earlyStopping: { patience: 1, minDetla: 0 } } as never)).rejects.toThrow(
      /'options.earlyStopping.minDetla' is not an option/,
    );
    await expect(fit({ ...base, seed: 1, rng: createRng(1) })).rejects.toThrow(/at most one of seed and rng/);
    await expect(fit({ ...base, shuffle: 1 } as never)).rejects.toThrow(
      /'options.shuffle' must be true or false/,
    );
    const history = await fit({ ...base, rng: createRng(3) });
    expect(history.loss).toHaveLength(1);
    optimizer.dispose();
    store.dispose();
  });

  it('metrics, random tensors and sparse helpers', () => {
    rejects(
      () => accuracy([0, 1], [0, 1], { indices: [0] } as never),
      /accuracy: argument 'options.indices' is not an option/,
    );
    rejects(() => rocAuc([0.2, 0.8], [0, 1], { masks: [1, 1] } as never), /rocAuc: argument 'options.masks'/);
    rejects(() => randomUniformTensor([2], { seed: 1, hi: 2 } as never), /'options.hi' is not an option/);
    const a = SparseMatrix.fromCoo([2, 2], [0, 1], [1, 0]);
    rejects(
      () => normalizeAdjacency(a, { selfLoop: 1 } as never),
      /normalizeAdjacency: argument 'options.selfLoop'/,
    );
    rejects(
      () => normalizeAdjacency(a, null as never),
      /normalizeAdjacency: argument 'options' must be an options object/,
    );
  });
});
