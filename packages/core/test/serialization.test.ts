import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { LabInputError } from '../src/errors.js';
import { LabFormatError } from '../src/io/LabFormatError.js';
import { decodeParameters } from '../src/serialization/decodeParameters.js';
import { encodeParameters } from '../src/serialization/encodeParameters.js';
import { loadParameters } from '../src/serialization/loadParameters.js';
import type { ParametersManifest } from '../src/serialization/parametersFormat.js';
import { saveParameters } from '../src/serialization/saveParameters.js';

beforeAll(async () => {
  await initBackend();
});

/** The raw bytes of a tensor's values, for bit-identity checks (NaN payloads, -0). */
function bits(t: tf.Tensor): number[] {
  const d = t.dataSync() as Float32Array | Int32Array | Uint8Array;
  return Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
}

function makeRecord(): Record<string, tf.Tensor> {
  const weird = new Float32Array([1.5, -0, Number.NaN, 1e-45, -3.4e38, Number.POSITIVE_INFINITY]);
  new Uint32Array(weird.buffer)[2] = 0x7fc12345; // NaN with a payload
  return {
    'layer1/kernel': tf.tensor(weird, [2, 3]),
    'layer1/bias': tf.tensor1d([0.1, 0.2, 0.3]),
    counts: tf.tensor2d(
      [
        [1, -2147483648],
        [2147483647, 0],
      ],
      [2, 2],
      'int32',
    ),
    mask: tf.tensor1d([1, 0, 1], 'bool'),
    scalar: tf.scalar(42),
    empty: tf.zeros([0, 4]),
    small: tf.tensor1d([-128, 0, 127], 'int32'),
    bytes: tf.tensor1d([0, 200, 255], 'int32'),
  };
}

describe('encodeParameters / decodeParameters', () => {
  it('round-trips float32, int32, bool, int8 and uint8 storage bit-identically without leaks', async () => {
    const record = makeRecord();
    const before = Object.fromEntries(Object.entries(record).map(([k, t]) => [k, bits(t)]));
    const { manifest, weights } = await expectNoLeaks(() =>
      encodeParameters(
        record,
        { epoch: 3, config: { hidden: [16] } },
        { storage: { small: 'int8', bytes: 'uint8' } },
      ),
    );
    expect(manifest.format).toBe('lab-parameters');
    expect(manifest.version).toBe(1);
    expect(manifest.byteLength).toBe(weights.length);
    const dt = Object.fromEntries(manifest.entries.map((e) => [e.name, e.dtype]));
    expect(dt).toEqual({
      'layer1/kernel': 'float32',
      'layer1/bias': 'float32',
      counts: 'int32',
      mask: 'bool',
      scalar: 'float32',
      empty: 'float32',
      small: 'int8',
      bytes: 'uint8',
    });
    for (const e of manifest.entries) expect(e.byteOffset % 8).toBe(0);
    // JSON text round trip of the manifest, as a file would do.
    // The record holds NaN and Infinity on purpose: rejected by default, kept bit-exactly on opt-in.
    expect(() => decodeParameters(JSON.stringify(manifest), weights)).toThrow(
      /entry 'layer1\/kernel' \(float32\) must hold finite values .*element 2 is; got NaN/,
    );
    const decoded = await expectNoLeaks(
      () => {
        const d = decodeParameters(JSON.stringify(manifest), weights, { allowNonFinite: true });
        expect(Object.getPrototypeOf(d.tensors)).toBe(null);
        // expectNoLeaks walks plain objects only: hand it a plain copy of the null-prototype record.
        return { ...d, tensors: { ...d.tensors } };
      },
      { keepResult: true },
    );
    expect(decoded.metadata).toEqual({ epoch: 3, config: { hidden: [16] } });
    for (const [name, t] of Object.entries(record)) {
      const d = decoded.tensors[name]!;
      expect(d.shape, name).toEqual(t.shape);
      expect(d.dtype, name).toBe(t.dtype);
      expect(bits(d), name).toEqual(bits(t));
      expect(bits(t), `${name} unchanged`).toEqual(before[name]);
      expect(t.isDisposed).toBe(false);
    }
    tf.dispose(Object.values(decoded.tensors));
    tf.dispose(Object.values(record));
  });

  it('rejects malformed manifests and weights with clear errors and creates no tensors', async () => {
    const record = makeRecord();
    const { manifest, weights } = await encodeParameters(record);
    tf.dispose(Object.values(record));
    const clone = (): ParametersManifest => JSON.parse(JSON.stringify(manifest));
    const fails = (
      m: ParametersManifest | string,
      w: Uint8Array,
      pattern: RegExp,
      opts = { allowNonFinite: true },
    ) => {
      const n = tf.memory().numTensors;
      expect(() => decodeParameters(m, w, opts)).toThrow(LabFormatError);
      expect(() => decodeParameters(m, w, opts)).toThrow(pattern);
      expect(tf.memory().numTensors).toBe(n);
    };
    fails('{"format": "lab-parameters",', weights, /must be valid JSON/);
    fails('[1]', weights, /must be a JSON object/);
    fails({ ...clone(), format: 'tfjs' as never }, weights, /format 'lab-parameters'; got "tfjs"/);
    fails({ ...clone(), version: 2 as never }, weights, /version 1.*got 2/);
    fails(
      clone(),
      weights.subarray(0, weights.length - 1),
      /truncated: the manifest declares \d+ bytes, the weights hold; got \d+/,
    );
    fails(clone(), new Uint8Array(weights.length + 8), /trailing bytes/);
    const unknown = clone();
    unknown.entries[0]!.dtype = 'float16' as never;
    fails(unknown, weights, /entries\[0\] \('layer1\/kernel'\)\.dtype must be one of/);
    const mismatch = clone();
    mismatch.entries[1]!.shape = [4];
    fails(mismatch, weights, /byteLength must be 16 for shape \[4\]/);
    const outOfBounds = clone();
    outOfBounds.entries[1]!.byteOffset = manifest.byteLength - 4;
    fails(outOfBounds, weights, /byte range .* must lie within/);
    const overlap = clone();
    overlap.entries[1]!.byteOffset = 8;
    fails(overlap, weights, /must not overlap/);
    const dup = clone();
    dup.entries[1]!.name = 'layer1/kernel';
    fails(dup, weights, /unique name/);
    const negative = clone();
    negative.entries[0]!.shape = [-2, -3];
    fails(negative, weights, /shape must be an array of non-negative integers/);
    const badBool = weights.slice();
    const maskEntry = manifest.entries.find((e) => e.name === 'mask')!;
    badBool[maskEntry.byteOffset] = 7;
    fails(clone(), badBool, /'mask' \(bool\) must hold bytes 0\/1; got 7/);
    expect(() => decodeParameters(clone(), [1, 2] as never)).toThrow(LabInputError);
    const deep = clone();
    deep.entries[0]!.shape = new Array(33).fill(1);
    fails(deep, weights, /rank <= 32/);
    const wide = clone();
    wide.entries[0]!.shape = [0, 2 ** 40];
    fails(wide, weights, /dimensions <= 2147483647/);
    for (const name of ['__proto__', 'constructor', 'prototype', 'a\u0000b', 'tab\there', '\ud800']) {
      const m = clone();
      m.entries[1]!.name = name;
      fails(m, weights, /name must/);
    }
  });

  it('accepts any byte view and option checks; a parameter named __proto__ cannot pollute', async () => {
    const record = { w: tf.tensor1d([1, 2, 3]), b: tf.tensor1d([4], 'int32') };
    const { manifest, weights } = await encodeParameters(record);
    tf.dispose(Object.values(record));
    const pool = new Uint8Array(weights.length + 6).fill(0xee);
    pool.set(weights, 3);
    const before = Uint8Array.from(pool);
    for (const view of [pool.subarray(3, 3 + weights.length), Buffer.from(weights)]) {
      const d = decodeParameters(manifest, view);
      expect(Array.from(d.tensors.w!.dataSync())).toEqual([1, 2, 3]);
      expect(Array.from(d.tensors.b!.dataSync())).toEqual([4]);
      tf.dispose(Object.values(d.tensors));
    }
    expect(pool).toEqual(before);
    for (const o of [
      null,
      3,
      [],
      { expectd: {} },
      { allowExtra: 'yes' },
      { source: 1 },
      { allowNonFinite: 0 },
    ]) {
      expect(() => decodeParameters(manifest, weights, o as never)).toThrow(LabInputError);
    }
    // A hostile manifest: the name __proto__ would replace the record's prototype with a tensor.
    const hostile = JSON.parse(JSON.stringify(manifest)) as ParametersManifest;
    hostile.entries[0]!.name = '__proto__';
    const n = tf.memory().numTensors;
    expect(() => decodeParameters(hostile, weights)).toThrow(/entries\[0\]\.name must not be __proto__/);
    expect(() => decodeParameters(JSON.stringify(hostile), weights)).toThrow(LabFormatError);
    expect(tf.memory().numTensors).toBe(n);
    // An expected spec cannot be fooled by inherited keys ('toString' in {} is true).
    const named = JSON.parse(JSON.stringify(manifest)) as ParametersManifest;
    named.entries[0]!.name = 'toString';
    expect(() => decodeParameters(named, weights, { expected: { b: [1] } })).toThrow(/unexpected 'toString'/);
    const ok = decodeParameters(named, weights);
    expect(Object.keys(ok.tensors).sort()).toEqual(['b', 'toString']);
    tf.dispose(Object.values(ok.tensors));
    expect(tf.memory().numTensors).toBe(n);
    const t = tf.ones([1]);
    await expect(encodeParameters({ ['__proto__']: t } as never)).rejects.toThrow(
      /names must not be __proto__/,
    ); // computed key: an own property
    await expect(encodeParameters(Object.fromEntries([['constructor', t]]))).rejects.toThrow(
      /names must not be/,
    );
    await expect(encodeParameters({ a: t }, undefined, null as never)).rejects.toThrow(/argument 'options'/);
    await expect(encodeParameters({ a: t }, undefined, { storag: {} } as never)).rejects.toThrow(
      /options\.storag'/,
    );
    t.dispose();
  });

  it('checks an expected spec (names, shapes, dtypes) before creating tensors', async () => {
    const record = { w: tf.ones([2, 3]), b: tf.zeros([3]), step: tf.scalar(1, 'int32') };
    const { manifest, weights } = await encodeParameters(record);
    tf.dispose(Object.values(record));
    const ok = decodeParameters(manifest, weights, {
      expected: { w: [2, 3], b: { shape: [3], dtype: 'float32' }, step: [] },
    });
    expect(Object.keys(ok.tensors).sort()).toEqual(['b', 'step', 'w']);
    tf.dispose(Object.values(ok.tensors));
    const n = tf.memory().numTensors;
    expect(() => decodeParameters(manifest, weights, { expected: { w: [3, 2], b: [3], c: [1] } })).toThrow(
      /'w' has shape \[2, 3\], expected \[3, 2\]; missing 'c'; unexpected 'step'/,
    );
    expect(() =>
      decodeParameters(manifest, weights, {
        expected: { step: { shape: [], dtype: 'float32' } },
        allowExtra: true,
      }),
    ).toThrow(/'step' has dtype int32, expected float32/);
    const extra = decodeParameters(manifest, weights, { expected: { w: [2, 3] }, allowExtra: true });
    expect(Object.keys(extra.tensors).length).toBe(3);
    tf.dispose(Object.values(extra.tensors));
    expect(tf.memory().numTensors).toBe(n);
  });

  it('validates encode inputs', async () => {
    const t = tf.ones([2]);
    await expect(encodeParameters([t] as never)).rejects.toThrow(/argument 'record'/);
    await expect(encodeParameters({ a: [1] as never })).rejects.toThrow(/record\['a'\]' must be a tf.Tensor/);
    await expect(encodeParameters({ a: t }, { f: () => 1, n: 1n } as never)).rejects.toThrow(/metadata/);
    await expect(encodeParameters({ a: t }, undefined, { storage: { a: 'int8' } })).rejects.toThrow(
      /int32 tensors only/,
    );
    const big = tf.tensor1d([300], 'int32');
    await expect(encodeParameters({ big }, undefined, { storage: { big: 'uint8' } })).rejects.toThrow(
      /fit uint8/,
    );
    await expect(encodeParameters({ s: tf.tensor1d(['x'] as never, 'string') })).rejects.toThrow(/dtype/);
    const gone = tf.ones([1]);
    gone.dispose();
    await expect(encodeParameters({ gone })).rejects.toThrow(/disposed/);
    tf.dispose([t, big]);
  });
});

describe('saveParameters / loadParameters', () => {
  it('writes a JSON manifest + binary weights and loads them back bit-identically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-params-'));
    const record = makeRecord();
    const path = join(dir, 'nested', 'model.json');
    const res = await expectNoLeaks(() =>
      saveParameters(path, record, { note: 'hi' }, { storage: { bytes: 'uint8' } }),
    );
    expect(res.weightsPath).toBe(join(dir, 'nested', 'model.weights.bin'));
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    expect(manifest).toMatchObject({
      format: 'lab-parameters',
      version: 1,
      weightsPath: 'model.weights.bin',
      metadata: { note: 'hi' },
    });
    expect(manifest.entries[0]).toEqual({
      name: 'layer1/kernel',
      shape: [2, 3],
      dtype: 'float32',
      byteOffset: 0,
      byteLength: 24,
    });
    expect(readFileSync(res.weightsPath).length).toBe(res.byteLength);
    await expect(loadParameters(path)).rejects.toThrow(LabFormatError);
    const loaded = await expectNoLeaks(
      async () => {
        const l = await loadParameters(path, { allowNonFinite: true });
        return { ...l, tensors: { ...l.tensors } };
      },
      { keepResult: true },
    );
    expect(loaded.metadata).toEqual({ note: 'hi' });
    for (const [name, t] of Object.entries(record))
      expect(bits(loaded.tensors[name]!), name).toEqual(bits(t));
    tf.dispose(Object.values(loaded.tensors));

    // Truncated weights file, bad JSON, unsafe weightsPath, missing files: errors naming the files.
    const raw = readFileSync(res.weightsPath);
    writeFileSync(res.weightsPath, raw.subarray(0, 10));
    await expect(loadParameters(path)).rejects.toThrow(/model\.json \+ model\.weights\.bin\) is truncated/);
    writeFileSync(res.weightsPath, raw);
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    await expect(loadParameters(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json\) must be valid JSON/);
    writeFileSync(join(dir, 'evil.json'), JSON.stringify({ ...manifest, weightsPath: '../x.bin' }));
    await expect(loadParameters(join(dir, 'evil.json'))).rejects.toThrow(/weights file in the same folder/);
    writeFileSync(join(dir, 'orphan.json'), JSON.stringify({ ...manifest, weightsPath: 'gone.bin' }));
    const orphan = await loadParameters(join(dir, 'orphan.json')).catch((e: unknown) => e);
    expect(orphan).toBeInstanceOf(LabInputError);
    expect((orphan as Error).message).toMatch(
      /must name a readable weights file .*cannot read '.*gone\.bin' \(ENOENT\)/,
    );
    expect(((orphan as Error).cause as { code?: string }).code).toBe('ENOENT');
    const none = await loadParameters(join(dir, 'none.json')).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(LabInputError);
    expect((none as Error).message).toMatch(
      /must name a readable manifest file; cannot read '.*none\.json' \(ENOENT\)/,
    );
    expect(((none as Error).cause as { code?: string }).code).toBe('ENOENT');
    // A weights file larger than declared fails on its size, before it is read.
    writeFileSync(res.weightsPath, new Uint8Array(raw.length + 8));
    await expect(loadParameters(path)).rejects.toThrow(/has trailing bytes/);
    writeFileSync(res.weightsPath, raw);
    await expect(loadParameters(path, null as never)).rejects.toThrow(
      /argument 'options' must be an options object/,
    );
    await expect(loadParameters(path, { alowExtra: true } as never)).rejects.toThrow(
      /options\.alowExtra' is not an option/,
    );
    await expect(
      loadParameters(path, { expected: { 'layer1/kernel': [3, 2] }, allowExtra: true, allowNonFinite: true }),
    ).rejects.toThrow(/expected \[3, 2\]/);
    await expect(saveParameters('', record)).rejects.toThrow(/argument 'path'/);
    tf.dispose(Object.values(record));
  });
});
