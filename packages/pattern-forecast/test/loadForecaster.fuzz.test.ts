import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, LabFormatError, LabInputError } from '@lab/core';
import { expectNoLeaks, fc, fuzzDecoder, fuzzRuns } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DLinearForecaster,
  decodeForecaster,
  FORECASTER_LIMITS,
  LinearForecaster,
  loadForecaster,
  type NeuralForecaster,
  PatternForecaster,
} from '../src/index.js';

const L = 12;
const H = 4;
const N = 2;
const makers: Record<string, () => NeuralForecaster> = {
  linear: () =>
    new LinearForecaster({ lookback: L, horizon: H, numSeries: N, seed: 1, instanceNorm: 'last' }),
  dlinear: () => new DLinearForecaster({ lookback: L, horizon: H, numSeries: N, seed: 2, kernel: 5 }),
  pattern: () =>
    new PatternForecaster({
      lookback: L,
      horizon: H,
      numSeries: N,
      seed: 3,
      patchLength: 4,
      attentionDim: 3,
      embeddingDim: 2,
    }),
  patternFixed: () =>
    new PatternForecaster({
      lookback: L,
      horizon: H,
      numSeries: N,
      seed: 4,
      patchLength: 6,
      patchStride: 3,
      numPatterns: 4,
      patterns: 'fixed',
      seriesCorrelation: false,
    }),
};

/** A deterministic input batch [3, L, N]. */
const input = () =>
  tf.tensor3d(
    Float32Array.from({ length: 3 * L * N }, (_, i) => Math.sin(i * 0.7) + 0.1 * i),
    [3, L, N],
  );
const predictionOf = (m: NeuralForecaster) =>
  tf.tidy(() => m.predict(input()).dataSync() as Float32Array).slice();

interface Saved {
  name: string;
  dir: string;
  manifestPath: string;
  manifestText: string;
  manifest: Record<string, unknown>;
  weights: Uint8Array;
  prediction: Float32Array;
}

const saved: Saved[] = [];

/** The saved manifest's JSON with `field` set to `value` (a number, or raw JSON/non-JSON text such as `NaN`). */
const withField = (s: Saved, field: string, value: number | string): string =>
  JSON.stringify(s.manifest).replace(
    '"config":{',
    `"config":{${JSON.stringify(field)}:${typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '1e400') : value},`,
  );
const enc = new TextEncoder();
const dec = new TextDecoder();

describe('loadForecaster / decodeForecaster (property tests)', () => {
  beforeAll(async () => {
    await initBackend();
    const dir = await mkdtemp(join(tmpdir(), 'pf-fuzz-'));
    for (const [name, make] of Object.entries(makers)) {
      const m = make();
      const manifestPath = join(dir, `${name}.json`);
      await m.save(manifestPath);
      const manifestText = await readFile(manifestPath, 'utf8');
      const buf = await readFile(join(dir, `${name}.weights.bin`));
      saved.push({
        name,
        dir,
        manifestPath,
        manifestText,
        manifest: JSON.parse(manifestText),
        weights: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
        prediction: predictionOf(m),
      });
      m.dispose();
    }
  });

  it('round trip: save then load / decode gives identical predictions, no leaks, Buffer and odd offsets accepted', async () => {
    for (const s of saved) {
      await expectNoLeaks(async () => {
        const loaded = await loadForecaster(s.manifestPath);
        expect(predictionOf(loaded)).toEqual(s.prediction);
        loaded.dispose();
        // A Buffer view and an odd-offset subarray of a larger buffer.
        const pool = new Uint8Array(s.weights.length + 3);
        pool.set(s.weights, 1);
        for (const w of [Buffer.from(s.weights), pool.subarray(1, 1 + s.weights.length)]) {
          const d = decodeForecaster(s.manifestText, w);
          expect(predictionOf(d)).toEqual(s.prediction);
          d.dispose();
        }
        const fromObject = decodeForecaster(JSON.parse(s.manifestText), s.weights);
        expect(predictionOf(fromObject)).toEqual(s.prediction);
        fromObject.dispose();
      });
    }
  });

  it('manifest bytes: arbitrary, mutated (bit flips, truncation, extreme integers): a named error or a valid model', async () => {
    for (const s of saved.slice(0, 3)) {
      await fuzzDecoder({
        decode: (b) => decodeForecaster(dec.decode(b), s.weights),
        valid: [enc.encode(s.manifestText)],
        check: (m) => expect(m.lookback).toBeLessThanOrEqual(FORECASTER_LIMITS.lookback),
        dispose: (m) => m.dispose(),
        runs: fuzzRuns(150),
        seed: 17,
      });
    }
  });

  it('weights bytes: truncated, flipped, arbitrary: a named error or a valid model', async () => {
    const s = saved[2]!;
    await fuzzDecoder({
      decode: (b) => decodeForecaster(s.manifestText, b),
      valid: [s.weights],
      dispose: (m) => m.dispose(),
      runs: fuzzRuns(150),
      seed: 23,
    });
  });

  const hostile = fc.oneof(
    fc.constantFrom(2e7, 1e9, 1e300, -1, 0, 0.5, Number.MAX_SAFE_INTEGER, 2 ** 31, -(2 ** 31)),
    fc.constantFrom('NaN', 'Infinity', '"12"', 'null', 'true', '[]', '{}', '"__proto__"'),
    fc.integer(),
    fc.double(),
  );
  const fields = [
    'lookback',
    'horizon',
    'numSeries',
    'seed',
    'instanceNorm',
    'kernel',
    'patchLength',
    'patchStride',
    'numPatterns',
    'patterns',
    'basis',
    'diversityWeight',
    'subsequenceCorrelation',
    'attentionDim',
    'seriesCorrelation',
    'embeddingDim',
    'rng',
    '__proto__',
    'extra',
  ];

  it('config fields set to huge, negative, NaN or wrong-type values: LabFormatError or a valid model, input unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: saved.length - 1 }),
        fc.constantFrom(...fields),
        hostile,
        async (k, field, value) => {
          const s = saved[k]!;
          const text = withField(s, field, value);
          const weightsBefore = s.weights.slice();
          const before = tf.memory().numTensors;
          try {
            const m = decodeForecaster(text, s.weights);
            m.dispose();
          } catch (err) {
            expect(err).toBeInstanceOf(LabFormatError);
          }
          expect(tf.memory().numTensors).toBe(before);
          expect(s.weights).toEqual(weightsBefore);
        },
      ),
      { numRuns: fuzzRuns(200), seed: 5 },
    );
  });

  it('loadForecaster on mutated manifest files: LabFormatError / LabInputError, never another error', async () => {
    const s = saved[0]!;
    const path = join(s.dir, 'mutated.json');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('lookback', 'horizon', 'numSeries', 'instanceNorm'),
        hostile,
        async (field, value) => {
          await writeFile(path, withField(s, field, value));
          const before = tf.memory().numTensors;
          try {
            (await loadForecaster(path)).dispose();
          } catch (err) {
            expect(err).toBeInstanceOf(LabInputError);
          }
          expect(tf.memory().numTensors).toBe(before);
        },
      ),
      { numRuns: fuzzRuns(60), seed: 9 },
    );
  });
});

describe('loadForecaster: claimed sizes are checked before anything is built', () => {
  beforeAll(async () => {
    await initBackend();
  });

  for (const lookback of [2e7, 1e9]) {
    it(`lookback ${lookback} in the manifest is a LabFormatError`, async () => {
      const s = saved.find((x) => x.name === 'dlinear')!;
      const m = structuredClone(s.manifest) as {
        metadata: { config: Record<string, unknown> };
        weightsPath: string;
      };
      m.metadata.config.lookback = lookback;
      const path = join(s.dir, `huge-${lookback}.json`);
      await writeFile(path, JSON.stringify(m));
      await expect(loadForecaster(path)).rejects.toBeInstanceOf(LabFormatError);
      await expect(loadForecaster(path)).rejects.toThrow(/lookback/);
      expect(() => decodeForecaster(JSON.stringify(m), s.weights)).toThrow(LabFormatError);
    });
  }

  it('a consistent manifest whose shapes disagree with its options is a LabFormatError', () => {
    const s = saved.find((x) => x.name === 'linear')!;
    const m = structuredClone(s.manifest) as { metadata: { config: Record<string, unknown> } };
    m.metadata.config.lookback = L + 1; // within limits, but the stored kernel is [L, H]
    expect(() => decodeForecaster(JSON.stringify(m), s.weights)).toThrow(LabFormatError);
  });

  it('wrong argument types are a LabInputError', async () => {
    const s = saved[0]!;
    expect(() => decodeForecaster(s.manifestText, [1, 2] as unknown as Uint8Array)).toThrow(LabInputError);
    expect(() => decodeForecaster(42 as unknown as string, s.weights)).toThrow(LabInputError);
    await expect(loadForecaster('')).rejects.toBeInstanceOf(LabInputError);
    await expect(loadForecaster(join(s.dir, 'missing.json'))).rejects.toBeInstanceOf(LabInputError);
  });
});
