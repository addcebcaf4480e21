import { fc, fuzzDecoder, fuzzRuns } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { encodeWav, parseWav } from '../src/io/wav.js';

beforeAll(async () => {
  await initBackend();
});

const tone = (n: number, k: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin((i + k) / 3) * 0.9);

describe('parseWav (fuzz)', () => {
  it('arbitrary bytes and mutated files: a valid result or a LabFormatError, fast, input unchanged', async () => {
    const valid = [
      encodeWav({ sampleRate: 8000, channels: [tone(40, 0)] }),
      encodeWav({ sampleRate: 16000, channels: [tone(24, 1), tone(24, 2)] }, { bitDepth: '32f' }),
      encodeWav({ sampleRate: 44100, channels: [new Float32Array(0)] }),
    ];
    await fuzzDecoder({
      decode: (bytes) => parseWav(bytes),
      valid,
      check: (w) => {
        expect(Number.isInteger(w.sampleRate) && w.sampleRate >= 1).toBe(true);
        expect(w.channels.length).toBeGreaterThanOrEqual(1);
        const n = w.channels[0]!.length;
        for (const ch of w.channels) {
          expect(ch).toBeInstanceOf(Float32Array);
          expect(ch.length).toBe(n);
          // Default policy: every sample finite.
          for (const v of ch) expect(Number.isFinite(v)).toBe(true);
        }
      },
    });
  });

  it('round trips: 32f exactly, 16-bit to the nearest step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 192000 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 64 }),
        fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 0, maxLength: 192 }),
        (sampleRate, nch, frames, pool) => {
          const channels = Array.from({ length: nch }, (_, c) =>
            Float32Array.from({ length: frames }, (_, i) =>
              pool.length === 0 ? 0 : (pool[(i * nch + c) % pool.length] as number),
            ),
          );
          const f = parseWav(encodeWav({ sampleRate, channels }, { bitDepth: '32f' }));
          expect(f.sampleRate).toBe(sampleRate);
          expect(f.bitDepth).toBe('32f');
          f.channels.forEach((ch, c) => {
            expect(Array.from(ch)).toEqual(Array.from(channels[c]!));
          });
          const p = parseWav(encodeWav({ sampleRate, channels }));
          p.channels.forEach((ch, c) => {
            ch.forEach((v, i) => {
              const x = channels[c]![i]!;
              const q = Math.max(-32768, Math.min(32767, Math.round(x * 32768))) / 32768;
              expect(v).toBe(q === 0 ? 0 : q); // 16-bit PCM has no -0
            });
          });
        },
      ),
      { numRuns: fuzzRuns(200), seed: 7 },
    );
  });
});
