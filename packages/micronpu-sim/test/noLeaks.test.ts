import { initBackend } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, it } from 'vitest';
import {
  type SystemConfig,
  conv2dInt8,
  defineAccelerator,
  defineSystem,
  dtlnModel,
  elementwiseInt8,
  estimateModel,
  expandModel,
  formatReport,
  fullyConnectedInt8,
  lstmInt8,
  multiplyByQuantizedMultiplier,
  nonZeroBlockFraction,
  quantizeMultiplier,
  systemFor,
  validateModel,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

describe('public functions create no tensors', () => {
  it('config, model, estimate and report functions', async () => {
    const model = dtlnModel({ seed: 1, hidden: 8, bins: 17, frame: 32, features: 16 });
    const sys = systems();
    await expectNoLeaks(() =>
      defineAccelerator({ name: 'a', ofmMicroBlock: { width: 2, height: 2, depth: 8 } }),
    );
    await expectNoLeaks(() =>
      defineSystem({
        name: 's',
        accelerator: 'ethos-u55-64',
        clockHz: 1e8,
        sramBytesPerSecond: 1e9,
        sramBytes: 1e6,
        offChip: { kind: 'flash', bytesPerSecond: 1e8 },
      }),
    );
    await expectNoLeaks(() => validateModel(model));
    await expectNoLeaks(() => expandModel(model));
    const r = await expectNoLeaks(() => estimateModel(model, sys));
    await expectNoLeaks(() => formatReport(r));
    await expectNoLeaks(() => nonZeroBlockFraction(new Int8Array(64), 8, 8, 4, 4));
  });

  it('integer kernels', async () => {
    const q = quantizeMultiplier(0.01);
    await expectNoLeaks(() => multiplyByQuantizedMultiplier(12345, q.multiplier, q.shift));
    await expectNoLeaks(() =>
      fullyConnectedInt8({
        input: new Int8Array(4),
        weights: new Int8Array(8),
        shape: [2, 4],
        inputZeroPoint: 0,
        outputZeroPoint: 0,
        multiplier: q,
      }),
    );
    await expectNoLeaks(() =>
      conv2dInt8({
        input: new Int8Array(27),
        inputShape: [3, 3, 3],
        weights: new Int8Array(54),
        weightShape: [2, 3, 3, 3],
        inputZeroPoint: 0,
        outputZeroPoint: 0,
        multiplier: q,
      }),
    );
    const a = { values: new Int8Array([1, 2]), scale: 0.1, zeroPoint: 0 };
    await expectNoLeaks(() =>
      lstmInt8({
        input: new Int8Array(2),
        inputScale: 0.1,
        inputZeroPoint: 0,
        hidden: new Int8Array(1),
        hiddenScale: 0.01,
        hiddenZeroPoint: 0,
        cell: new Int16Array(1),
        inputWeights: new Int8Array(8),
        inputWeightScales: 0.01,
        recurrentWeights: new Int8Array(4),
        recurrentWeightScales: 0.01,
      }),
    );
    await expectNoLeaks(() => elementwiseInt8({ op: 'add', a, b: a, outputScale: 0.2, outputZeroPoint: 0 }));
  });
});

function systems(): SystemConfig {
  return systemFor('u55-high-end', 'ethos-u55-128');
}
