import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabInputError } from '../src/errors.js';
import { LabFormatError } from '../src/io/LabFormatError.js';
import { resolveDataDir } from '../src/io/resolveDataDir.js';
import { encodeWav, parseWav, readWav, writeWav } from '../src/io/wav.js';

const FSDD = resolveDataDir('speech', 'fsdd', 'recordings', '0_george_0.wav');

/** Raw little-endian int16 samples after the 44-byte canonical header (FSDD files have no extra chunks). */
function rawInt16(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(String.fromCharCode(...bytes.subarray(36, 40))).toBe('data');
  const n = view.getUint32(40, true) / 2;
  return Int16Array.from({ length: n }, (_, i) => view.getInt16(44 + 2 * i, true));
}

describe('readWav / parseWav', () => {
  it('decodes a real FSDD recording (8 kHz mono 16-bit) to x / 32768', async () => {
    const wav = await readWav(FSDD);
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
    await writeWav(pf, input, { bitDepth: '32f' });
    const f = await readWav(pf);
    expect(f.bitDepth).toBe('32f');
    expect(f.sampleRate).toBe(16000);
    f.channels.forEach((ch, k) => {
      expect(Array.from(ch)).toEqual(Array.from(input.channels[k]!));
    });
    const p16 = join(dir, 'i.wav');
    await writeWav(p16, input);
    const s = await readWav(p16);
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
    await expect(readWav('/nonexistent/x.wav')).rejects.toThrow(/readWav: cannot read path/);
  });
});
