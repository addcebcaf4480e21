import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { LabFormatError } from '../io/LabFormatError.js';
import { checkBytes } from '../validation/checkBytes.js';
import { readOptions } from '../validation/readOptions.js';
import {
  BYTES_PER,
  PARAMETERS_MAX_DIM,
  PARAMETERS_MAX_RANK,
  badParameterName,
  LITTLE_ENDIAN,
  PARAMETERS_FORMAT,
  PARAMETERS_VERSION,
  type ParameterEntry,
  type ParametersManifest,
  type StoredDtype,
  swap32,
} from './parametersFormat.js';

/** What a model expects to load: name -> shape, or name -> `{ shape, dtype }`. */
export type ExpectedParameters = Record<
  string,
  number[] | { shape: number[]; dtype?: 'float32' | 'int32' | 'bool' }
>;

/** Options for {@link decodeParameters} / `loadParameters`. */
export interface DecodeParametersOptions {
  /**
   * Check names, shapes (and dtypes if given) before creating any tensor: every expected name
   * must be present with that shape, and (unless `allowExtra`) no other names may appear.
   */
  expected?: ExpectedParameters;
  /** Allow tensors not listed in `expected` (default `false`). */
  allowExtra?: boolean;
  /** Label for error messages (default `'<manifest>'`). */
  source?: string;
  /** Load float32 entries holding NaN or +-Infinity instead of rejecting them (default `false`). */
  allowNonFinite?: boolean;
}

/** Option names of {@link decodeParameters} / `loadParameters`. Internal. */
export const DECODE_OPTIONS = ['expected', 'allowExtra', 'source', 'allowNonFinite'] as const;

/** Decoded parameters: new tensors (owned by the caller) and the manifest metadata. */
export interface DecodedParameters {
  /** name -> tensor, a prototype-free record (`Object.create(null)`). */
  tensors: Record<string, tf.Tensor>;
  metadata: Record<string, unknown>;
}

const DTYPES: readonly StoredDtype[] = ['float32', 'int32', 'bool', 'int8', 'uint8'];

const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses and validates a manifest (object or JSON text) against a weights length. Internal. */
export function validateManifest(
  fn: string,
  manifest: unknown,
  weightsLength: number | null,
  source: string,
): ParametersManifest {
  const where = { source };
  let m: unknown = manifest;
  if (typeof manifest === 'string') {
    try {
      m = JSON.parse(manifest);
    } catch (err) {
      throw new LabFormatError(fn, 'manifest', where, `must be valid JSON (${(err as Error).message})`);
    }
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) {
    throw new LabFormatError(fn, 'manifest', where, 'must be a JSON object', m);
  }
  const o = m as Record<string, unknown>;
  if (o.format !== PARAMETERS_FORMAT) {
    throw new LabFormatError(fn, 'manifest', where, `must have format '${PARAMETERS_FORMAT}'`, o.format);
  }
  if (o.version !== PARAMETERS_VERSION) {
    throw new LabFormatError(
      fn,
      'manifest',
      where,
      `must have version ${PARAMETERS_VERSION} (the version this build reads)`,
      o.version,
    );
  }
  if (!isNonNegInt(o.byteLength))
    throw new LabFormatError(
      fn,
      'manifest',
      where,
      'must have a non-negative integer byteLength',
      o.byteLength,
    );
  if (
    o.metadata !== undefined &&
    (o.metadata === null || typeof o.metadata !== 'object' || Array.isArray(o.metadata))
  ) {
    throw new LabFormatError(fn, 'manifest', where, 'must have an object as metadata', o.metadata);
  }
  if (o.weightsPath !== undefined && typeof o.weightsPath !== 'string') {
    throw new LabFormatError(fn, 'manifest', where, 'must have a string weightsPath', o.weightsPath);
  }
  if (weightsLength !== null && weightsLength !== o.byteLength) {
    const what = weightsLength < o.byteLength ? 'is truncated' : 'has trailing bytes';
    throw new LabFormatError(
      fn,
      'weights',
      where,
      `${what}: the manifest declares ${o.byteLength} bytes, the weights hold`,
      weightsLength,
    );
  }
  if (!Array.isArray(o.entries))
    throw new LabFormatError(fn, 'manifest', where, 'must have an entries array', o.entries);
  const names = new Set<string>();
  const entries = o.entries as unknown[];
  entries.forEach((raw, k) => {
    const at = `entries[${k}]`;
    if (raw === null || typeof raw !== 'object')
      throw new LabFormatError(fn, 'manifest', where, `${at} must be an object`, raw);
    const e = raw as Record<string, unknown>;
    const badName = badParameterName(e.name);
    if (badName !== null) throw new LabFormatError(fn, 'manifest', where, `${at}.name ${badName}`, e.name);
    if (typeof e.name !== 'string')
      throw new LabFormatError(fn, 'manifest', where, `${at}.name must be a string`);
    const label = `${at} ('${e.name}')`;
    if (names.has(e.name))
      throw new LabFormatError(fn, 'manifest', where, `${label} must have a unique name`);
    names.add(e.name);
    if (!DTYPES.includes(e.dtype as StoredDtype)) {
      throw new LabFormatError(
        fn,
        'manifest',
        where,
        `${label}.dtype must be one of ${DTYPES.join(', ')}`,
        e.dtype,
      );
    }
    if (!Array.isArray(e.shape) || !e.shape.every(isNonNegInt)) {
      throw new LabFormatError(
        fn,
        'manifest',
        where,
        `${label}.shape must be an array of non-negative integers`,
        e.shape,
      );
    }
    if (e.shape.length > PARAMETERS_MAX_RANK || e.shape.some((d) => (d as number) > PARAMETERS_MAX_DIM)) {
      throw new LabFormatError(
        fn,
        'manifest',
        where,
        `${label}.shape must have rank <= ${PARAMETERS_MAX_RANK} and dimensions <= ${PARAMETERS_MAX_DIM}`,
        e.shape,
      );
    }
    if (!isNonNegInt(e.byteOffset) || !isNonNegInt(e.byteLength)) {
      throw new LabFormatError(
        fn,
        'manifest',
        where,
        `${label} must have non-negative integer byteOffset and byteLength`,
        `${e.byteOffset}, ${e.byteLength}`,
      );
    }
    const size = (e.shape as number[]).reduce((p, d) => p * d, 1);
    const need = size * BYTES_PER[e.dtype as StoredDtype];
    if (!Number.isSafeInteger(need) || e.byteLength !== need) {
      throw new LabFormatError(
        fn,
        'manifest',
        where,
        `${label}.byteLength must be ${need} for shape [${(e.shape as number[]).join(', ')}] and dtype ${e.dtype}`,
        e.byteLength,
      );
    }
    if ((e.byteOffset as number) + (e.byteLength as number) > (o.byteLength as number)) {
      throw new LabFormatError(
        fn,
        'manifest',
        where,
        `${label} byte range [${e.byteOffset}, ${(e.byteOffset as number) + (e.byteLength as number)}) must lie within the ${o.byteLength}-byte weights`,
      );
    }
  });
  const sorted = (entries as ParameterEntry[])
    .filter((e) => e.byteLength > 0)
    .sort((a, b) => a.byteOffset - b.byteOffset);
  for (let k = 1; k < sorted.length; k++) {
    const a = sorted[k - 1] as ParameterEntry;
    const b = sorted[k] as ParameterEntry;
    if (a.byteOffset + a.byteLength > b.byteOffset) {
      throw new LabFormatError(fn, 'manifest', where, `entries '${a.name}' and '${b.name}' must not overlap`);
    }
  }
  return { ...(o as unknown as ParametersManifest), metadata: (o.metadata as Record<string, unknown>) ?? {} };
}

/** Checks manifest entries against an expected spec; one error listing every problem. Internal. */
function checkExpected(
  fn: string,
  entries: ParameterEntry[],
  options: DecodeParametersOptions,
  source: string,
): void {
  const expected = options.expected;
  if (expected === undefined) return;
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected))
    throw new LabInputError(fn, 'options.expected', 'must be an object', expected);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(expected)) {
    const badName = badParameterName(name);
    if (badName !== null) throw new LabInputError(fn, 'options.expected', `keys ${badName}`, name);
    const shape = Array.isArray(spec) ? spec : (spec as { shape?: unknown } | null)?.shape;
    if (!Array.isArray(shape))
      throw new LabInputError(fn, `options.expected['${name}']`, 'must be a shape or { shape, dtype }', spec);
    const dtype = Array.isArray(spec) ? undefined : (spec as { dtype?: unknown }).dtype;
    const e = byName.get(name);
    if (e === undefined) {
      problems.push(`missing '${name}'`);
      continue;
    }
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      problems.push(`'${name}' has shape [${e.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    const loaded = e.dtype === 'int8' || e.dtype === 'uint8' ? 'int32' : e.dtype;
    if (dtype !== undefined && loaded !== dtype)
      problems.push(`'${name}' has dtype ${loaded}, expected ${dtype}`);
  }
  if (!options.allowExtra) {
    for (const e of entries) if (!Object.hasOwn(expected, e.name)) problems.push(`unexpected '${e.name}'`);
  }
  if (problems.length > 0) {
    throw new LabFormatError(
      fn,
      'options.expected',
      { source },
      `must match the stored parameters: ${problems.join('; ')}`,
    );
  }
}

/**
 * Rebuilds tensors from a manifest (object or JSON text) and its weights bytes (works in
 * browsers). Everything is validated before any tensor is created, so a failure leaks nothing:
 * bad JSON, wrong format or version, weights shorter or longer than declared, entries whose byte
 * range is out of bounds or overlaps another, unknown dtypes, `byteLength` disagreeing with the
 * shape, bool bytes other than 0/1, and (with `options.expected`) missing, unexpected or
 * mis-shaped parameters all throw a {@link LabFormatError}. Names must be printable, non-empty
 * and not `__proto__`/`constructor`/`prototype`; shapes have rank <= {@link PARAMETERS_MAX_RANK}
 * and dimensions <= {@link PARAMETERS_MAX_DIM}. float32 entries holding NaN or +-Infinity are
 * rejected (naming the entry and index) unless `options.allowNonFinite` is `true`. Values are
 * copied out of `weights` (never aliased); int8/uint8 entries load as int32 tensors. Options are
 * checked (`null`, unknown keys, wrong types: {@link LabInputError}).
 *
 * @param manifest - from {@link encodeParameters} or `JSON.parse`/text of a saved manifest.
 * @param weights - the weights bytes: any `Uint8Array` view (a Node `Buffer`, a `subarray`).
 * @param options - `expected` spec, `allowExtra`, `allowNonFinite`, error label.
 * @returns `{ tensors, metadata }`; `tensors` is a prototype-free record; the caller owns (and
 *   disposes) the tensors.
 */
export function decodeParameters(
  manifest: ParametersManifest | string,
  weights: Uint8Array,
  options?: DecodeParametersOptions,
): DecodedParameters {
  return decodeAs('decodeParameters', manifest, weights, options);
}

/** Shared implementation (error messages name `fn`). Internal. */
export function decodeAs(
  fn: string,
  manifest: ParametersManifest | string,
  weights: Uint8Array,
  options: DecodeParametersOptions | undefined,
): DecodedParameters {
  const o = readOptions(fn, options, DECODE_OPTIONS);
  const bytesIn = checkBytes(fn, 'weights', weights);
  const source = o.string('source', '<manifest>');
  const allowNonFinite = o.boolean('allowNonFinite', false);
  const allowExtra = o.boolean('allowExtra', false);
  const m = validateManifest(fn, manifest, bytesIn.length, source);
  checkExpected(
    fn,
    m.entries,
    { expected: o.raw('expected') as ExpectedParameters | undefined, allowExtra },
    source,
  );
  const arrays = m.entries.map((e) => {
    // slice() copies into a fresh, aligned buffer: no aliasing of the caller's bytes.
    const bytes = bytesIn.slice(e.byteOffset, e.byteOffset + e.byteLength);
    const size = e.shape.reduce((p, d) => p * d, 1);
    switch (e.dtype) {
      case 'float32': {
        if (!LITTLE_ENDIAN) swap32(bytes);
        const values = new Float32Array(bytes.buffer, bytes.byteOffset, size);
        if (!allowNonFinite) {
          const bad = values.findIndex((v) => !Number.isFinite(v));
          if (bad >= 0) {
            throw new LabFormatError(
              fn,
              'weights',
              { source },
              `entry '${e.name}' (float32) must hold finite values (pass allowNonFinite: true to keep NaN/Infinity); element ${bad} is`,
              values[bad],
            );
          }
        }
        return values;
      }
      case 'int32':
        if (!LITTLE_ENDIAN) swap32(bytes);
        return new Int32Array(bytes.buffer, bytes.byteOffset, size);
      case 'bool': {
        const bad = bytes.findIndex((b) => b > 1);
        if (bad >= 0)
          throw new LabFormatError(
            fn,
            'weights',
            { source },
            `entry '${e.name}' (bool) must hold bytes 0/1`,
            bytes[bad],
          );
        return bytes;
      }
      case 'int8':
        return Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      default:
        return Int32Array.from(bytes);
    }
  });
  // Prototype-free: no name can reach Object.prototype (names are validated as well).
  const tensors = Object.create(null) as Record<string, tf.Tensor>;
  m.entries.forEach((e, k) => {
    const dtype = e.dtype === 'int8' || e.dtype === 'uint8' ? 'int32' : e.dtype;
    tensors[e.name] = tf.tensor(arrays[k] as Float32Array | Int32Array | Uint8Array, e.shape.slice(), dtype);
  });
  return { tensors, metadata: m.metadata };
}
