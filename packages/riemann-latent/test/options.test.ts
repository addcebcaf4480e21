import { createRng, initBackend, } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { expectLabError } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CubicSpline,
  createKernel,
  embedInDimensions,
  finslerVolume,
  GaussianProcessDecoder,
  graphGeodesic,
  monteCarloMetric,
  pinwheel,
  reparametrize,
  volumeGrid,
} from '../src/index.js';

// #12/#13: every options object of the package goes through core's readOptions: null and
// non-objects, misspelt keys and two seeds at once are LabInputErrors naming function and option.
describe('options are checked', () => {
  beforeAll(async () => {
    await initBackend();
  });

  const rejects = expectLabError;

  it('reject null, unknown keys and seed + rng', () => {
    rejects(() => pinwheel(null as never), /pinwheel: argument 'options' must be an options object/);
    rejects(() => pinwheel({ arm: 3 } as never), /pinwheel: argument 'options.arm' is not an option/);
    rejects(() => pinwheel({ seed: 1, rng: createRng(1) }), /at most one of seed and rng/);
    rejects(
      () => embedInDimensions([[0, 0]], { dim: 3, nois: 0.1 } as never),
      /'options.nois' is not an option/,
    );
    rejects(
      () => createKernel('rbf', { lengthScale: 1 } as never),
      /createKernel: argument 'options.lengthScale'/,
    );
    rejects(
      () => new CubicSpline({ begin: [0, 0], end: [1, 1], segment: 3 } as never),
      /CubicSpline: argument 'options.segment'/,
    );
    const gp = new GaussianProcessDecoder(
      [
        [0, 0],
        [1, 0],
        [0, 1],
      ],
      [[0], [1], [2]],
      { kernel: createKernel('rbf'), noiseVariance: 0.01 },
    );
    const z = tf.tensor2d([[0.2, 0.1]]);
    rejects(
      () => finslerVolume(gp, z, { direction: 8 } as never),
      /finslerVolume: argument 'options.direction'/,
    );
    rejects(
      () => monteCarloMetric(gp, z, z, { sample: 10 } as never),
      /monteCarloMetric: argument 'options.sample'/,
    );
    rejects(
      () => volumeGrid(gp, { bounds: [-1, 1, -1, 1], resolutions: 3 } as never),
      /volumeGrid: argument 'options.resolutions'/,
    );
    rejects(
      () => graphGeodesic(gp, [0, 0], [1, 1], { bound: [-1, 1, -1, 1] } as never),
      /graphGeodesic: argument 'options.bound'/,
    );
    const line = CubicSpline.line([0, 0], [1, 1]);
    rejects(
      () => reparametrize(gp, line, { counts: 4 } as never),
      /reparametrize: argument 'options.counts'/,
    );
    tf.dispose(z);
    gp.dispose();
  });

  it('seeds: default 0, and an rng equals its seed', () => {
    expect(pinwheel({ pointsPerArm: 3 }).points).toEqual(pinwheel({ pointsPerArm: 3, seed: 0 }).points);
    expect(pinwheel({ pointsPerArm: 3, rng: createRng(4) }).points).toEqual(
      pinwheel({ pointsPerArm: 3, seed: 4 }).points,
    );
  });
});
