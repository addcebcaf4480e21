import { LabFormatError, LabInputError, createRng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../src/decodeModel.js';
import { crc32 } from '../src/exportFormat.js';
import { exportModel } from '../src/exportModel.js';
import { fixtureModel } from './exportFixtures.js';

/** Decoding must either succeed with a valid model or throw LabFormatError: never anything else. */
function decodeOrFormatError(bytes: Uint8Array, verifyChecksum: boolean): 'ok' | 'format-error' {
  try {
    const m = decodeModel(bytes, { verifyChecksum, maxElements: 1 << 20 });
    exportModel(m); // whatever decodes is a valid model
    return 'ok';
  } catch (err) {
    if (err instanceof LabFormatError) return 'format-error';
    throw err;
  }
}

describe('decodeModel', () => {
  const bytes = exportModel(fixtureModel(3));

  it('matches the zlib CRC-32 test vector', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('rejects every truncation with a LabFormatError', () => {
    const rng = createRng('truncate');
    const cuts = [
      0,
      1,
      3,
      4,
      23,
      24,
      27,
      bytes.length - 1,
      ...Array.from({ length: 200 }, () => rng.int(bytes.length)),
    ];
    for (const cut of cuts) {
      expect(() => decodeModel(bytes.subarray(0, cut))).toThrow(LabFormatError);
      // Without the checksum, structure alone still rejects it (the length field no longer matches).
      expect(decodeOrFormatError(bytes.subarray(0, cut), false)).toBe('format-error');
    }
  });

  it('rejects every single bit flip through the checksum', () => {
    const rng = createRng('flip');
    for (let k = 0; k < 300; k++) {
      const copy = bytes.slice();
      const pos = rng.int(copy.length);
      copy[pos] ^= 1 << rng.int(8);
      expect(() => decodeModel(copy)).toThrow(LabFormatError);
    }
  });

  it('never crashes on corrupt structure with the checksum disabled', () => {
    const rng = createRng('corrupt');
    const outcomes = { ok: 0, 'format-error': 0 };
    for (let k = 0; k < 400; k++) {
      const copy = bytes.slice();
      const flips = 1 + rng.int(4);
      for (let f = 0; f < flips; f++) {
        const pos = rng.int(copy.length);
        if (rng.next() < 0.5) copy[pos] ^= 1 << rng.int(8);
        else copy[pos] = rng.int(256);
      }
      outcomes[decodeOrFormatError(copy, false)]++;
    }
    // Both outcomes occur: flips in payload values decode, flips in structure are caught.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes['format-error']).toBeGreaterThan(0);
  });

  it('names the problem: magic, version, length, checksum', () => {
    const bad = (mutate: (b: Uint8Array) => void) => {
      const c = bytes.slice();
      mutate(c);
      return () => decodeModel(c);
    };
    expect(bad((b) => (b[0] = 0x58))).toThrow(/magic 'LSQ8'/);
    expect(bad((b) => (b[4] = 9))).toThrow(/format version 1/);
    expect(bad((b) => (b[bytes.length - 10] ^= 0x10))).toThrow(/CRC-32/);
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    expect(() => decodeModel(padded)).toThrow(/truncated or padded/);
  });

  it('rejects a non-Uint8Array argument with LabInputError', () => {
    expect(() => decodeModel([1, 2, 3] as unknown as Uint8Array)).toThrow(LabInputError);
    expect(() => decodeModel(bytes, { maxElements: -1 })).toThrow(/options.maxElements/);
  });

  it('does not modify the input bytes', () => {
    const copy = bytes.slice();
    decodeModel(bytes);
    expect(Array.from(bytes)).toEqual(Array.from(copy));
  });
});
