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
