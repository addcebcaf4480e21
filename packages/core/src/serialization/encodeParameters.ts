import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import {
  BYTES_PER,
  badParameterName,
  INT_RANGE,
  LITTLE_ENDIAN,
  PARAMETERS_FORMAT,
  PARAMETERS_VERSION,
  type ParameterEntry,
  type ParametersManifest,
  type StoredDtype,
  swap32,
} from './parametersFormat.js';

/** Options for {@link encodeParameters} / `saveParameters`. */
export interface EncodeParametersOptions {
  /**
   * Store some int32 tensors in a narrower type: `{ tokenIds: 'uint8' }`. Values must fit
   * (int8: [-128, 127], uint8: [0, 255]); they load back as int32 tensors.
   */
  storage?: Record<string, 'int8' | 'uint8'>;
}

/** Result of {@link encodeParameters}: the manifest object and the weights bytes. */
export interface EncodedParameters {
  manifest: ParametersManifest;
  weights: Uint8Array;
}

const ALIGN = 8;

/** Validates a tensor record (plain object of live float32/int32/bool tensors). Internal. */
function checkRecord(fn: string, record: unknown): Record<string, tf.Tensor> {
  if (record === null || typeof record !== 'object' || Array.isArray(record) || record instanceof tf.Tensor) {
    throw new LabInputError(fn, 'record', 'must be an object mapping names to tensors', record);
  }
  for (const [name, t] of Object.entries(record)) {
    if (name === '') throw new LabInputError(fn, 'record', 'must not have an empty name');
    const badName = badParameterName(name);
    if (badName !== null) throw new LabInputError(fn, 'record', `names ${badName}`, name);
    if (!(t instanceof tf.Tensor)) throw new LabInputError(fn, `record['${name}']`, 'must be a tf.Tensor', t);
    if (t.isDisposed) throw new LabInputError(fn, `record['${name}']`, 'must not be disposed', t);
    if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') {
      throw new LabInputError(fn, `record['${name}']`, 'must have dtype float32, int32 or bool', t);
    }
  }
  return record as Record<string, tf.Tensor>;
}

/** Validates that metadata is a plain JSON-serializable object and returns a deep copy. Internal. */
function checkMetadata(fn: string, metadata: unknown): Record<string, unknown> {
  if (metadata === undefined) return {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new LabInputError(fn, 'metadata', 'must be a plain object', metadata);
  }
  let text: string;
  try {
    text = JSON.stringify(metadata);
  } catch (err) {
    throw new LabInputError(fn, 'metadata', `must be JSON-serializable (${(err as Error).message})`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Serializes named tensors into a JSON-ready manifest plus one binary weights buffer (works in
 * browsers: no file system). Layout: each tensor's values little-endian at an 8-byte-aligned
 * `byteOffset`, described by `{ name, shape, dtype, byteOffset, byteLength }` entries in record
 * order; `bool` is stored as bytes 0/1; int32 tensors may be stored as int8/uint8 via
 * `options.storage`. The tensors are read (`await t.data()`), never disposed or modified.
 * Names must be ones {@link decodeParameters} accepts (printable, non-empty, not `__proto__`,
 * `constructor` or `prototype`). NaN/Infinity values are stored bit-exactly; decoding them needs
 * `allowNonFinite: true`.
 *
 * @param record - name -> tensor (e.g. a ParameterStore's record).
 * @param metadata - JSON-serializable object stored in the manifest (deep-copied).
 * @param options - narrow integer storage.
 * @returns `{ manifest, weights }`; write `JSON.stringify(manifest)` and `weights` anywhere.
 * @example
 * ```ts
 * const { manifest, weights } = await encodeParameters({ w: tf.ones([2, 2]) }, { epoch: 3 });
 * const { tensors } = decodeParameters(manifest, weights);
 * ```
 */
export async function encodeParameters(
  record: Record<string, tf.Tensor>,
  metadata?: Record<string, unknown>,
  options?: EncodeParametersOptions,
): Promise<EncodedParameters> {
  return encodeAs('encodeParameters', record, metadata, options);
}

/** Shared implementation (error messages name `fn`). Internal. */
export async function encodeAs(
  fn: string,
  record: Record<string, tf.Tensor>,
  metadata: Record<string, unknown> | undefined,
  options: EncodeParametersOptions | undefined,
): Promise<EncodedParameters> {
  const tensors = checkRecord(fn, record);
  const meta = checkMetadata(fn, metadata);
  const storage = (readOptions(fn, options, ['storage']).raw('storage') ?? {}) as Record<string, unknown>;
  if (storage === null || typeof storage !== 'object' || Array.isArray(storage))
    throw new LabInputError(fn, 'options.storage', 'must be an object', storage);
  for (const [name, s] of Object.entries(storage)) {
    if (!Object.hasOwn(tensors, name))
      throw new LabInputError(fn, `options.storage['${name}']`, 'must name a tensor in record');
    if (s !== 'int8' && s !== 'uint8')
      throw new LabInputError(fn, `options.storage['${name}']`, "must be 'int8' or 'uint8'", s);
    if (tensors[name]?.dtype !== 'int32') {
      throw new LabInputError(
        fn,
        `options.storage['${name}']`,
        'applies to int32 tensors only',
        tensors[name],
      );
    }
  }
  const entries: ParameterEntry[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const dtype: StoredDtype = Object.hasOwn(storage, name)
      ? (storage[name] as StoredDtype)
      : (t.dtype as StoredDtype);
    const byteLength = t.size * BYTES_PER[dtype];
    entries.push({ name, shape: t.shape.slice(), dtype, byteOffset: offset, byteLength });
    offset += Math.ceil(byteLength / ALIGN) * ALIGN;
  }
  const weights = new Uint8Array(offset);
  const values = await Promise.all(entries.map((e) => (tensors[e.name] as tf.Tensor).data()));
  entries.forEach((e, k) => {
    const src = values[k] as Float32Array | Int32Array | Uint8Array;
    if (e.dtype === 'int8' || e.dtype === 'uint8') {
      const [lo, hi] = INT_RANGE[e.dtype];
      for (let i = 0; i < src.length; i++) {
        const v = src[i] as number;
        if (v < lo || v > hi)
          throw new LabInputError(fn, `record['${e.name}']`, `must fit ${e.dtype} storage [${lo}, ${hi}]`, v);
        weights[e.byteOffset + i] = v & 0xff;
      }
    } else if (e.dtype === 'bool') {
      weights.set(src as Uint8Array, e.byteOffset);
    } else {
      // Raw bytes (bit-exact, NaN payloads included); stored little-endian.
      const bytes = new Uint8Array(src.buffer, src.byteOffset, e.byteLength);
      weights.set(bytes, e.byteOffset);
      if (!LITTLE_ENDIAN) swap32(weights.subarray(e.byteOffset, e.byteOffset + e.byteLength));
    }
  });
  return {
    manifest: {
      format: PARAMETERS_FORMAT,
      version: PARAMETERS_VERSION,
      byteLength: offset,
      entries,
      metadata: meta,
    },
    weights,
  };
}
