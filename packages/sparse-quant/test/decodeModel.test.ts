import { LabFormatError, LabInputError, createRng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../src/decodeModel.js';
import { crc32 } from '../src/exportFormat.js';
import { exportModel } from '../src/exportModel.js';
import { fixtureModel } from './exportFixtures.js';

/** Decoding must either succeed with a valid model or throw LabFormatError: never anything else. */
function decodeOrFormatError(bytes: Uint8Array, verifyChecksum: boolean): 'ok' | 'format-error' {
  try {
    const m = decodeModel(bytes, { verifyChecksum, maxElements: 1 << 20, allowNonFinite: true });
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
    decodeModel(bytes, { allowNonFinite: true });
    expect(Array.from(bytes)).toEqual(Array.from(copy));
  });

  // Every encoding, so dense, bitmask, CSR, BSR and units payloads are all read through a view.
  const encodings = ['auto', 'dense', 'bitmask', 'csr', 'bsr', 'units'] as const;

  it('accepts a Node Buffer in a shared pool and an odd-offset subarray, for every encoding', () => {
    for (const encoding of encodings) {
      const file = exportModel(fixtureModel(5), { encoding });
      const expected = decodeModel(file, { allowNonFinite: true });
      // Buffer.from(...) of a small payload lands in Node's shared 8 KiB pool at a non-zero offset;
      // a concatenation gives a Buffer at an arbitrary offset of a larger ArrayBuffer.
      const pooled = Buffer.concat([Buffer.from([7, 7, 7]), Buffer.from(file)]).subarray(3);
      expect(pooled.byteOffset % 2).toBe(1);
      expect(decodeModel(pooled, { allowNonFinite: true })).toEqual(expected);
      const host = new Uint8Array(file.length + 5);
      host.fill(0xaa);
      host.set(file, 1);
      const odd = host.subarray(1, 1 + file.length);
      expect(decodeModel(odd, { allowNonFinite: true })).toEqual(expected);
      expect(host[0]).toBe(0xaa);
    }
  });

  it('rejects null, wrong types and unknown keys in options with LabInputError', () => {
    const f = exportModel(fixtureModel(2));
    expect(() => decodeModel(f, null as never)).toThrow(LabInputError);
    expect(() => decodeModel(f, null as never)).toThrow(/options/);
    expect(() => decodeModel(f, { verifyChecksum: 0 as never })).toThrow(/options.verifyChecksum/);
    expect(() => decodeModel(f, { allowNonFinite: 'yes' as never })).toThrow(/options.allowNonFinite/);
    expect(() => decodeModel(f, { maxElements: 1.5 })).toThrow(/options.maxElements/);
    expect(() => decodeModel(f, { source: 3 as never })).toThrow(/options.source/);
    expect(() => decodeModel(f, { verifyCheckSum: false } as never)).toThrow(/not an option/);
    // verifyChecksum: 0 used to switch the checksum off silently: it must not decode a corrupt file.
    const corrupt = f.slice();
    corrupt[30] ^= 1;
    expect(() => decodeModel(corrupt, { verifyChecksum: 0 as never })).toThrow(LabInputError);
  });

  it('rejects non-finite floats by default and names the tensor; allowNonFinite opts in', () => {
    const m = fixtureModel(3);
    const f = exportModel(m);
    expect(() => decodeModel(f)).toThrow(LabFormatError);
    expect(() => decodeModel(f)).toThrow(/non-finite value at index 1 of float tensor 'odd'/);
    const back = decodeModel(f, { allowNonFinite: true });
    expect(Object.is(back.floats[1].values[1], Number.POSITIVE_INFINITY)).toBe(true);
    const finite = { ...m, floats: m.floats.filter((t) => t.name !== 'odd') };
    expect(decodeModel(exportModel(finite)).floats.map((t) => t.name)).toEqual([
      'dense.bias',
      'ünïcode/名前',
    ]);
    const infScale = {
      ...finite,
      activations: [{ name: 'a', bits: 8 as const, scale: Number.NaN, zeroPoint: 0 }],
    };
    expect(() => decodeModel(exportModel(infScale))).toThrow(/non-finite scale for activation 'a'/);
    const w = finite.weights[0];
    const badScales = {
      ...finite,
      weights: [{ ...w, scales: Float32Array.of(Number.NEGATIVE_INFINITY), zeroPoints: new Int32Array(1) }],
    };
    expect(() => decodeModel(exportModel(badScales))).toThrow(/scales of weight 'dense.kernel'/);
  });

  it('rejects reserved, empty and non-printable names on both sides', () => {
    for (const name of ['__proto__', 'constructor', '', 'a\u0000b', 'x\u202e']) {
      const m = { weights: [], floats: [{ name, shape: [1], values: Float32Array.of(1) }], activations: [] };
      expect(() => exportModel(m)).toThrow(LabInputError);
      // Forge the file: a valid name of the same byte length, patched, with the CRC redone.
      const enc = new TextEncoder().encode(name);
      const stand = 'q'.repeat(enc.length === 0 ? 1 : enc.length);
      const file = exportModel({ ...m, floats: [{ ...m.floats[0], name: stand }] });
      const at = file.indexOf(stand.charCodeAt(0), 24);
      const forged = new Uint8Array(file.length - stand.length + enc.length);
      forged.set(file.subarray(0, at - 2));
      new DataView(forged.buffer).setUint16(at - 2, enc.length, true);
      forged.set(enc, at);
      forged.set(file.subarray(at + stand.length, file.length - 4), at + enc.length);
      new DataView(forged.buffer).setUint32(8, forged.length, true);
      new DataView(forged.buffer).setUint32(forged.length - 4, crc32(forged, 0, forged.length - 4), true);
      expect(() => decodeModel(forged)).toThrow(LabFormatError);
      expect(() => decodeModel(forged)).toThrow(/name that/);
    }
  });
});
