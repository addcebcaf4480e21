import * as tf from '@tensorflow/tfjs-core';
import { fc, fuzzDecoder, fuzzRuns } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { decodeParameters } from '../src/serialization/decodeParameters.js';
import { encodeParameters } from '../src/serialization/encodeParameters.js';

beforeAll(async () => {
  await initBackend();
});

const utf8 = new TextEncoder();

/** One byte string holding both parts, so mutations hit the manifest and the weights: u32 length, JSON, weights. */
function pack(manifest: unknown, weights: Uint8Array): Uint8Array {
  const json = utf8.encode(JSON.stringify(manifest));
  const out = new Uint8Array(4 + json.length + weights.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(weights, 4 + json.length);
  return out;
}

function unpackAndDecode(bytes: Uint8Array) {
  if (bytes.length < 4) return null;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (n > bytes.length - 4) return null;
  const json = new TextDecoder().decode(bytes.subarray(4, 4 + n));
  return decodeParameters(json, bytes.subarray(4 + n));
}

describe('decodeParameters (fuzz)', () => {
  it('arbitrary bytes and mutated files: a valid result or a LabFormatError, fast, no leak, input unchanged', async () => {
    const records: Record<string, tf.Tensor>[] = [
      {
        w: tf.tensor2d([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        b: tf.tensor1d([0.5]),
        m: tf.tensor1d([1, 0], 'bool'),
      },
      { ids: tf.tensor1d([1, 200, 3], 'int32'), z: tf.zeros([0, 4]) },
    ];
    const valid = [
      pack(...(Object.values(await encodeParameters(records[0]!, { epoch: 1 })) as [unknown, Uint8Array])),
      pack(
        ...(Object.values(await encodeParameters(records[1]!, {}, { storage: { ids: 'uint8' } })) as [
          unknown,
          Uint8Array,
        ]),
      ),
    ];
    for (const r of records) tf.dispose(Object.values(r));
    await fuzzDecoder({
      decode: unpackAndDecode,
      valid,
      check: (d) => {
        if (d === null) return;
        expect(Object.getPrototypeOf(d.tensors)).toBe(null);
        for (const [name, t] of Object.entries(d.tensors)) {
          expect(['__proto__', 'constructor', 'prototype', '']).not.toContain(name);
          expect(t).toBeInstanceOf(tf.Tensor);
          if (t.dtype === 'float32') for (const v of t.dataSync()) expect(Number.isFinite(v)).toBe(true);
        }
      },
      // The result's tensors live in a null-prototype record: dispose them here.
      dispose: (d) => {
        if (d !== null) tf.dispose(Object.values(d.tensors));
      },
    });
  });

  it('round trips: encode then decode gives the same names, shapes, dtypes and bits', async () => {
    const name = fc
      .stringMatching(/^[a-z][a-z0-9/_]{0,11}$/)
      .filter((n) => n !== 'constructor' && n !== 'prototype');
    const shape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.tuple(
            name,
            shape,
            fc.constantFrom('float32', 'int32', 'bool') as fc.Arbitrary<'float32' | 'int32' | 'bool'>,
          ),
          {
            selector: (e) => e[0],
            maxLength: 5,
          },
        ),
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 64 }),
        async (specs, pool) => {
          const before = tf.memory().numTensors;
          const record: Record<string, tf.Tensor> = {};
          for (const [n, s, dtype] of specs) {
            const size = s.reduce((p, d) => p * d, 1);
            const vals = Array.from({ length: size }, (_, i) => pool[i % pool.length] as number);
            const data =
              dtype === 'float32'
                ? vals
                : dtype === 'int32'
                  ? vals.map((v) => Math.trunc(v) | 0)
                  : vals.map((v) => (v > 0 ? 1 : 0));
            record[n] = tf.tensor(data, s, dtype);
          }
          const { manifest, weights } = await encodeParameters(record);
          const d = decodeParameters(JSON.stringify(manifest), weights);
          expect(Object.keys(d.tensors)).toEqual(Object.keys(record));
          for (const [n, t] of Object.entries(record)) {
            const u = d.tensors[n]!;
            expect([u.shape, u.dtype]).toEqual([t.shape, t.dtype]);
            const a = t.dataSync() as Float32Array | Int32Array | Uint8Array;
            const b = u.dataSync() as Float32Array | Int32Array | Uint8Array;
            expect(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).toEqual(
              new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
            );
          }
          tf.dispose([...Object.values(record), ...Object.values(d.tensors)]);
          expect(tf.memory().numTensors).toBe(before);
        },
      ),
      { numRuns: fuzzRuns(150), seed: 5 },
    );
  });
});
