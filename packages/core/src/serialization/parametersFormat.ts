/** Format name written in every parameters manifest. */
export const PARAMETERS_FORMAT = 'lab-parameters';
/** Manifest version this build writes and reads. */
export const PARAMETERS_VERSION = 1;

/** Element types stored in a weights buffer. `int8`/`uint8` entries load as int32 tensors. */
export type StoredDtype = 'float32' | 'int32' | 'bool' | 'int8' | 'uint8';

/** One tensor's slot in the weights buffer. */
export interface ParameterEntry {
  name: string;
  shape: number[];
  /** Stored element type (little-endian); `bool` is one byte 0/1. */
  dtype: StoredDtype;
  /** Offset of the first byte in the weights buffer (a multiple of 8 when written by `encodeParameters`). */
  byteOffset: number;
  /** `product(shape) * bytesPerElement(dtype)`. */
  byteLength: number;
}

/** The JSON manifest that describes a weights buffer. */
export interface ParametersManifest {
  format: typeof PARAMETERS_FORMAT;
  version: typeof PARAMETERS_VERSION;
  /** Total size of the weights buffer in bytes. */
  byteLength: number;
  /** File name of the weights next to the manifest (set by `saveParameters`). */
  weightsPath?: string;
  entries: ParameterEntry[];
  /** User metadata (JSON-serializable), e.g. model config, epoch, metrics. */
  metadata: Record<string, unknown>;
}

/** Bytes per element of each stored dtype. Internal. */
export const BYTES_PER: Record<StoredDtype, number> = { float32: 4, int32: 4, bool: 1, int8: 1, uint8: 1 };

/** Value range of the narrow integer storage types. Internal. */
export const INT_RANGE: Record<'int8' | 'uint8', [number, number]> = { int8: [-128, 127], uint8: [0, 255] };

/** Little-endian check: typed-array views are used directly only on little-endian hosts. Internal. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the byte order of each 4-byte group in place (big-endian hosts only). Internal. */
export function swap32(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i] as number;
    const b = bytes[i + 1] as number;
    bytes[i] = bytes[i + 3] as number;
    bytes[i + 1] = bytes[i + 2] as number;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

/** Largest rank of a stored tensor; deeper shapes are rejected as malformed. */
export const PARAMETERS_MAX_RANK = 32;
/** Largest dimension of a stored tensor (tfjs sizes are int32). */
export const PARAMETERS_MAX_DIM = 2 ** 31 - 1;
/** Longest manifest file `loadParameters` reads (64 MiB); larger files are rejected unread. */
export const PARAMETERS_MAX_MANIFEST_BYTES = 64 * 2 ** 20;

const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why `name` cannot be a parameter name, or `null` when it can: names must be non-empty, at most
 * 1024 characters, printable (no control characters) and not `__proto__`, `constructor` or
 * `prototype` (records are keyed by these names). Internal.
 */
export function badParameterName(name: unknown): string | null {
  if (typeof name !== 'string' || name === '') return 'must be a non-empty string';
  if (name.length > 1024) return 'must be at most 1024 characters';
  if (RESERVED_NAMES.has(name)) return 'must not be __proto__, constructor or prototype';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name))
    return 'must be printable (no control characters)';
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) {
    return 'must be valid Unicode (no lone surrogates)';
  }
  return null;
}
