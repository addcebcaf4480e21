import { initBackend } from '@lab/core';
import { fc, fuzzDecoder, fuzzRuns } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Int8Model } from '../src/Int8Model.js';
import { decodeModel } from '../src/decodeModel.js';
import { exportModel } from '../src/exportModel.js';
import { fixtureModel } from './exportFixtures.js';

const ENCODINGS = ['auto', 'dense', 'bitmask', 'csr', 'bsr', 'units'] as const;
/** Whatever decodes is a model exportModel accepts again (so every field is in range). */
const reexports = (m: Int8Model) => {
  exportModel(m);
};

describe('decodeModel (property tests)', () => {
  beforeAll(async () => {
    await initBackend();
  });
  const valid = ENCODINGS.map((encoding) => exportModel(fixtureModel(7), { encoding }));

  it('mutations with the checksum on: a LabFormatError or a valid model, fast, input unchanged', async () => {
    await fuzzDecoder({
      decode: (b) => decodeModel(b, { allowNonFinite: true, maxElements: 1 << 20 }),
      valid,
      check: reexports,
      runs: fuzzRuns(200),
    });
  });

  it('mutations with the checksum off reach the structural checks', async () => {
    await fuzzDecoder({
      decode: (b) => decodeModel(b, { verifyChecksum: false, allowNonFinite: true, maxElements: 1 << 20 }),
      valid,
      check: reexports,
      runs: fuzzRuns(300),
      seed: 7,
    });
  });

  it('round trip: random models under every encoding decode to the same values', () => {
    const dim = fc.integer({ min: 0, max: 12 });
    const model = fc
      .record({
        rows: dim,
        cols: fc.integer({ min: 1, max: 12 }),
        density: fc.double({ min: 0, max: 1, noNaN: true }),
        seed: fc.integer(),
        perChannel: fc.boolean(),
        encoding: fc.constantFrom(...ENCODINGS),
        float: fc.float({ noNaN: true, noDefaultInfinity: true }),
      })
      .map((r) => {
        let s = r.seed >>> 0;
        const rand = () => {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          return s / 2 ** 32;
        };
        const n = r.rows * r.cols;
        const values = Int8Array.from({ length: n }, () =>
          rand() < r.density ? Math.floor(rand() * 255) - 127 || 1 : 0,
        );
        const k = r.perChannel ? r.cols : 1;
        const m: Int8Model = {
          weights: [
            {
              name: 'w',
              shape: [r.rows, r.cols],
              values,
              scales: Float32Array.from({ length: k }, () => rand() + 0.01),
              zeroPoints: Int32Array.from({ length: k }, () => Math.floor(rand() * 5) - 2),
            },
          ],
          floats: [{ name: 'b', shape: [2], values: Float32Array.of(r.float, -r.float) }],
          activations: [{ name: 'a', bits: 8, scale: 0.5, zeroPoint: 1 }],
        };
        return { m, encoding: r.encoding };
      });
    fc.assert(
      fc.property(model, ({ m, encoding }) => {
        const bytes = exportModel(m, { encoding });
        // Decode through a Node Buffer at an odd offset of a larger ArrayBuffer.
        const view = Buffer.concat([Buffer.from([0]), Buffer.from(bytes)]).subarray(1);
        expect(decodeModel(view)).toEqual(m);
      }),
      { numRuns: fuzzRuns(200), seed: 11 },
    );
  });
});
