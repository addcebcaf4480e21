import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabInputError } from '../src/errors.js';
import { LabFormatError } from '../src/io/LabFormatError.js';
import { resolveDataDir } from '../src/io/resolveDataDir.js';
import { encodeWav, parseWav, loadWav, saveWav } from '../src/io/wav.js';

const FSDD = resolveDataDir('speech', 'fsdd', 'recordings', '0_george_0.wav');

/** Raw little-endian int16 samples after the 44-byte canonical header (FSDD files have no extra chunks). */
function rawInt16(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(String.fromCharCode(...bytes.subarray(36, 40))).toBe('data');
  const n = view.getUint32(40, true) / 2;
  return Int16Array.from({ length: n }, (_, i) => view.getInt16(44 + 2 * i, true));
}

describe('loadWav / parseWav', () => {
  it('decodes a real FSDD recording (8 kHz mono 16-bit) to x / 32768', async () => {
    const wav = await loadWav(FSDD);
    const raw = rawInt16(new Uint8Array(readFileSync(FSDD)));
    expect(wav.sampleRate).toBe(8000);
    expect(wav.bitDepth).toBe('16');
    expect(wav.channels.length).toBe(1);
    expect(wav.channels[0]!.length).toBe(raw.length);
    expect(Array.from(wav.channels[0]!)).toEqual(Array.from(raw, (v) => v / 32768));
    // Re-encoding at 16 bits gives back the identical bytes' samples.
    const again = parseWav(encodeWav(wav));
    expect(Array.from(again.channels[0]!)).toEqual(Array.from(wav.channels[0]!));
  });

  it('round-trips 16-bit and 32-bit float, mono and multichannel, through files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-wav-'));
    const n = 257;
    const a = Float32Array.from({ length: n }, (_, i) => Math.sin(i / 7) * 0.9);
    const b = Float32Array.from({ length: n }, (_, i) => ((i % 11) - 5) / 6);
    const c = Float32Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 0.999));
    const input = { sampleRate: 16000, channels: [a, b, c] };
    const copy = input.channels.map((ch) => ch.slice());
    const pf = join(dir, 'f.wav');
    await saveWav(pf, input, { bitDepth: '32f' });
    const f = await loadWav(pf);
    expect(f.bitDepth).toBe('32f');
    expect(f.sampleRate).toBe(16000);
    f.channels.forEach((ch, k) => {
      expect(Array.from(ch)).toEqual(Array.from(input.channels[k]!));
    });
    const p16 = join(dir, 'i.wav');
    await saveWav(p16, input);
    const s = await loadWav(p16);
    expect(s.bitDepth).toBe('16');
    // 16-bit quantisation error is at most half a step.
    const HALF_STEP = 0.5 / 32768;
    s.channels.forEach((ch, k) => {
      for (let i = 0; i < n; i++)
        expect(Math.abs(ch[i]! - input.channels[k]![i]!)).toBeLessThanOrEqual(HALF_STEP);
    });
    // Decoded 16-bit audio re-encodes bit-exactly.
    const round2 = parseWav(encodeWav(s));
    round2.channels.forEach((ch, k) => {
      expect(Array.from(ch)).toEqual(Array.from(s.channels[k]!));
    });
    // Mono, and the input was not modified.
    const mono = parseWav(encodeWav({ sampleRate: 8000, channels: [a] }, { bitDepth: '32f' }));
    expect(mono.channels.length).toBe(1);
    input.channels.forEach((ch, k) => {
      expect(Array.from(ch)).toEqual(Array.from(copy[k]!));
    });
  });

  it('clips out-of-range samples at 16 bits', () => {
    const w = parseWav(encodeWav({ sampleRate: 8000, channels: [new Float32Array([2, -2, 1, -1])] }));
    expect(Array.from(w.channels[0]!)).toEqual([32767 / 32768, -1, 32767 / 32768, -1]);
  });

  it('rejects malformed bytes with a LabFormatError', () => {
    const good = new Uint8Array(readFileSync(FSDD));
    const bad = (bytes: Uint8Array, pattern: RegExp) => {
      expect(() => parseWav(bytes, 'x.wav')).toThrow(LabFormatError);
      expect(() => parseWav(bytes, 'x.wav')).toThrow(pattern);
    };
    bad(new Uint8Array(0), /x\.wav\) must be a WAV file/);
    bad(new TextEncoder().encode('this is not a wav file at all, just text'), /must be a WAV file/);
    bad(good.slice(0, 100), /truncated/);
    bad(good.slice(0, 30), /must be a WAV file/);
    const noChannels = good.slice();
    noChannels[22] = 0;
    bad(noChannels, /at least one channel/);
    const alaw = good.slice();
    alaw[20] = 6; // audio format 6 = a-law
    alaw[34] = 8;
    alaw[32] = 1;
    expect(() => parseWav(alaw)).toThrow(LabInputError);
    let seed = 12345;
    for (let t = 0; t < 20; t++) {
      const junk = good.slice(0, 200);
      for (let i = 0; i < 20; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        junk[seed % 200] = seed & 255;
      }
      try {
        const w = parseWav(junk);
        for (const ch of w.channels) for (const v of ch) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      } catch (err) {
        expect(err).toBeInstanceOf(LabFormatError);
      }
    }
  });

  it('validates arguments', async () => {
    expect(() => parseWav([1, 2] as never)).toThrow(/parseWav: argument 'bytes' must be a Uint8Array/);
    expect(() => encodeWav({ sampleRate: 0, channels: [new Float32Array(1)] })).toThrow(/audio\.sampleRate/);
    expect(() => encodeWav({ sampleRate: 8000, channels: [] })).toThrow(/audio\.channels/);
    expect(() =>
      encodeWav({ sampleRate: 8000, channels: [new Float32Array(2), new Float32Array(3)] }),
    ).toThrow(/channels\[1\]' must have length 2/);
    expect(() => encodeWav({ sampleRate: 8000, channels: [new Float32Array([Number.NaN])] })).toThrow(
      /finite/,
    );
    expect(() =>
      encodeWav({ sampleRate: 8000, channels: [new Float32Array(1)] }, { bitDepth: '24' as never }),
    ).toThrow(/options\.bitDepth/);
    const missing = await loadWav('/nonexistent/x.wav').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(LabInputError);
    expect((missing as Error).message).toMatch(
      /loadWav: argument 'path' must name a readable file; cannot read '\/nonexistent\/x\.wav' \(ENOENT\)/,
    );
    expect(((missing as Error).cause as { code?: string }).code).toBe('ENOENT');
    // Options: null, non-objects, unknown keys and wrong types are LabInputErrors.
    const ok = encodeWav({ sampleRate: 8000, channels: [new Float32Array(2)] });
    for (const o of [null, 3, [], { sourc: 'x' }, { allowNonFinite: 1 }, { source: 3 }]) {
      expect(() => parseWav(ok, o as never)).toThrow(LabInputError);
    }
    expect(() => encodeWav({ sampleRate: 8000, channels: [new Float32Array(1)] }, null as never)).toThrow(
      /encodeWav: argument 'options' must be an options object/,
    );
    expect(() =>
      encodeWav({ sampleRate: 8000, channels: [new Float32Array(1)] }, { bits: '16' } as never),
    ).toThrow(/options\.bits' is not an option/);
    await expect(loadWav('/nonexistent/x.wav', { allowNonFinite: 'yes' } as never)).rejects.toThrow(
      /options\.allowNonFinite/,
    );
    expect(() =>
      encodeWav({ sampleRate: 8000, channels: [Float64Array.from([1e39]) as never] }, { bitDepth: '32f' }),
    ).toThrow(/must fit float32/);
  });

  it('accepts any Uint8Array view (Buffer, odd-offset subarray) and never modifies it', () => {
    const wav = encodeWav(
      { sampleRate: 8000, channels: [Float32Array.from([0.5, -0.25, 0])] },
      { bitDepth: '32f' },
    );
    const expected = [0.5, -0.25, 0];
    const pool = new Uint8Array(wav.length + 5).fill(0x5a);
    pool.set(wav, 3);
    const odd = pool.subarray(3, 3 + wav.length);
    const before = Uint8Array.from(pool);
    expect(Array.from(parseWav(odd).channels[0]!)).toEqual(expected);
    expect(Array.from(parseWav(Buffer.from(wav)).channels[0]!)).toEqual(expected);
    // A Buffer that is a window into a larger pooled ArrayBuffer.
    const big = Buffer.alloc(wav.length + 101, 7);
    big.set(wav, 101);
    expect(Array.from(parseWav(big.subarray(101)).channels[0]!)).toEqual(expected);
    expect(pool).toEqual(before);
  });

  it('rejects NaN/Infinity float samples by default, keeps them with allowNonFinite', () => {
    const wav = encodeWav(
      { sampleRate: 8000, channels: [Float32Array.from([0.5, 0.25])] },
      { bitDepth: '32f' },
    );
    const at = wav.length - 4; // last sample, float32 little-endian
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const b = wav.slice();
      new DataView(b.buffer).setFloat32(at, bad, true);
      expect(() => parseWav(b, { source: 's.wav' })).toThrow(LabFormatError);
      expect(() => parseWav(b, { source: 's.wav' })).toThrow(
        /s\.wav, column 1\) must hold finite samples .*frame 1, channel 1/,
      );
      const kept = parseWav(b, { allowNonFinite: true }).channels[0]!;
      expect(kept[0]).toBe(0.5);
      expect(Object.is(kept[1], bad)).toBe(true);
    }
  });

  it('does not loop on a cue chunk that declares 2^32 - 1 points', () => {
    const wav = encodeWav({ sampleRate: 8000, channels: [new Float32Array(4)] });
    const cue = new Uint8Array(12);
    cue.set([0x63, 0x75, 0x65, 0x20]); // 'cue '
    new DataView(cue.buffer).setUint32(4, 4, true);
    new DataView(cue.buffer).setUint32(8, 0xffffffff, true);
    const b = new Uint8Array(wav.length + 12);
    b.set(wav);
    b.set(cue, wav.length);
    new DataView(b.buffer).setUint32(4, b.length - 8, true);
    expect(Array.from(parseWav(b).channels[0]!)).toEqual([0, 0, 0, 0]);
    // A chunk declaring more bytes than the file holds is rejected before anything is allocated.
    const huge = b.slice();
    new DataView(huge.buffer).setUint32(16, 0xfffffff0, true); // fmt chunk size
    expect(() => parseWav(huge)).toThrow(/chunk 'fmt ' is truncated/);
  });
});
