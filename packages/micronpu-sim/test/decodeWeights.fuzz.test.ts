import { initBackend, LabFormatError } from '@lab/core';
import { fc, fuzzDecoder, fuzzRuns } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { accelerators } from '../src/accelerators.js';
import { encodeWeights } from '../src/encodeWeights.js';
import { decodeWeights } from '../src/weightEncoding/decodeWeights.js';
import { syntheticWeights } from '../src/weightEncoding/syntheticWeights.js';

const acc = accelerators['ethos-u55-128'];
const SHAPE: [number, number] = [24, 40];

describe('decodeWeights (property tests)', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('arbitrary bytes and mutations of valid streams: a LabFormatError or int8 weights of the shape', async () => {
    const valid = (['dense', 'unstructured', 'block8x8', 'unit'] as const).map(
      (structure, i) =>
        encodeWeights(syntheticWeights({ shape: SHAPE, structure, sparsity: 0.5, seed: i }), SHAPE, acc)
          .stream,
    );
    await fuzzDecoder({
      decode: (b) => decodeWeights(b, SHAPE, acc),
      valid,
      check: (w) => {
        expect(w).toBeInstanceOf(Int8Array);
        expect(w.length).toBe(SHAPE[0] * SHAPE[1]);
      },
      runs: fuzzRuns(200),
      maxLength: 512,
    });
  });

  it('hostile claimed shapes fail with a LabFormatError before allocating, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expect(() => decodeWeights(bytes, [46341, 46341], acc)).toThrow(LabFormatError);
      }),
      { numRuns: fuzzRuns(100), seed: 5 },
    );
  });

  it('round trip: encode then decode gives the same weights, for any shape, structure and depth step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('dense', 'unstructured', 'block8x8', 'unit' as const),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        (out, inp, structure, sparsity, bits, seed, step) => {
          const shape: [number, number] = [out, inp];
          const w = syntheticWeights({ shape, structure, sparsity, bits, seed });
          const opts = step === undefined ? {} : { ofmDepthStep: step };
          const r = encodeWeights(w, shape, acc, opts);
          expect(decodeWeights(Buffer.from(r.stream), shape, acc, opts)).toEqual(w);
        },
      ),
      { numRuns: fuzzRuns(100), seed: 3 },
    );
  });
});
