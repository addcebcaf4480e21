/**
 * Internal pieces of the `.lsq8` export format shared by {@link exportModel}, {@link decodeModel}
 * and {@link footprint}: constants, the CRC-32, the matrix view of a weight and the exact byte
 * size of every encoding. The byte-level specification is in the package README ("Export format").
 */
import { LabInputError, readOptions } from '@lab/core';
import type {
  ActivationQuantParams,
  FloatTensor,
  Int8Model,
  Int8Tensor,
  SparsityStructure,
} from './Int8Model.js';

/** How one int8 weight is laid out in the file. */
export type TensorEncoding = 'dense' | 'bitmask' | 'csr' | 'bsr' | 'units';

/** File magic: ASCII `LSQ8`. */
export const MAGIC = [0x4c, 0x53, 0x51, 0x38] as const;
/** Current format version. */
export const FORMAT_VERSION = 1;
/** Header bytes: magic(4) version(2) flags(2) totalLength(4) and three record counts (4 each). */
export const HEADER_BYTES = 24;
/** Trailer bytes: the CRC-32 of everything before it. */
export const TRAILER_BYTES = 4;
/** Largest rank a stored shape may have. */
export const MAX_RANK = 8;

/** Encoding codes as stored in the file. Order = tie-break preference of the automatic choice. */
export const ENCODING_CODES: Record<TensorEncoding, number> = {
  dense: 0,
  bitmask: 1,
  csr: 2,
  bsr: 3,
  units: 4,
};
export const ENCODING_NAMES: readonly TensorEncoding[] = ['dense', 'bitmask', 'csr', 'bsr', 'units'];
/** Preference order when two encodings have the same size (simplest first). */
export const STRUCTURE_CODES: Record<SparsityStructure | 'none', number> = {
  none: 0,
  weight: 1,
  block: 2,
  unit: 3,
};
export const STRUCTURE_NAMES: readonly (SparsityStructure | undefined)[] = [
  undefined,
  'weight',
  'block',
  'unit',
];

/** Weight-record meta byte: bits 0-1 structure, bit 2 block shape present, bit 3 zero points present. */
export const META_HAS_BLOCK = 0b100;
export const META_HAS_ZERO_POINTS = 0b1000;

/** Narrowest unsigned width (1, 2 or 4 bytes) that holds `maxValue`. */
export function indexBytes(maxValue: number): 1 | 2 | 4 {
  return maxValue <= 0xff ? 1 : maxValue <= 0xffff ? 2 : 4;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib/PNG) of `bytes[start, end)`. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Rows and columns of the 2-D view of a weight: rows = product of all axes but the last. */
export function matrixView(shape: readonly number[]): { rows: number; cols: number } {
  if (shape.length === 0) return { rows: 1, cols: 1 };
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i++) rows *= shape[i];
  return { rows, cols: shape[shape.length - 1] };
}

/** Product of a shape's dimensions. */
function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const textEncoder = new TextEncoder();
/** UTF-8 bytes of a name. */
export function encodeName(name: string): Uint8Array {
  return textEncoder.encode(name);
}

/** Bytes of a stored name (u16 length + UTF-8) and shape (u8 rank + u32 dims). */
function nameAndShapeBytes(nameBytes: number, rank: number): number {
  return 2 + nameBytes + 1 + 4 * rank;
}

/** Counts that decide every encoding's size. */
interface WeightStats {
  rows: number;
  cols: number;
  nnz: number;
  keptRows: number;
  keptCols: number;
}

/** Non-zero counts of the matrix view. */
function weightStats(t: Int8Tensor): WeightStats {
  const { rows, cols } = matrixView(t.shape);
  const v = t.values;
  const colSeen = new Uint8Array(cols);
  let nnz = 0;
  let keptRows = 0;
  for (let i = 0; i < rows; i++) {
    let rowNnz = 0;
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      if (v[base + j] !== 0) {
        rowNnz++;
        colSeen[j] = 1;
      }
    }
    nnz += rowNnz;
    if (rowNnz > 0) keptRows++;
  }
  let keptCols = 0;
  for (let j = 0; j < cols; j++) keptCols += colSeen[j];
  return { rows, cols, nnz, keptRows, keptCols };
}

/** Number of blocks of shape `[br, bc]` that hold at least one non-zero. */
function countNonZeroBlocks(
  values: Int8Array,
  rows: number,
  cols: number,
  br: number,
  bc: number,
): number {
  const nbc = Math.ceil(cols / bc);
  const nbr = Math.ceil(rows / br);
  let count = 0;
  const seen = new Uint8Array(nbc);
  for (let bi = 0; bi < nbr; bi++) {
    seen.fill(0);
    const r1 = Math.min(rows, (bi + 1) * br);
    for (let i = bi * br; i < r1; i++) {
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        if (values[base + j] !== 0) seen[(j / bc) | 0] = 1;
      }
    }
    for (let b = 0; b < nbc; b++) count += seen[b];
  }
  return count;
}

/** Payload bytes of each encoding (not counting the record's encoding byte and length). */
function denseBytes(s: WeightStats): number {
  return s.rows * s.cols;
}
function bitmaskBytes(s: WeightStats): number {
  return 4 + Math.ceil((s.rows * s.cols) / 8) + s.nnz;
}
function csrBytes(s: WeightStats): number {
  return 2 + 4 + (s.rows + 1) * indexBytes(s.nnz) + s.nnz * indexBytes(Math.max(0, s.cols - 1)) + s.nnz;
}
function bsrBytes(s: WeightStats, br: number, bc: number, nBlocks: number): number {
  const nbr = Math.ceil(s.rows / br);
  const nbc = Math.ceil(s.cols / bc);
  return (
    2 +
    2 +
    1 +
    1 +
    4 +
    (nbr + 1) * indexBytes(nBlocks) +
    nBlocks * indexBytes(Math.max(0, nbc - 1)) +
    nBlocks * br * bc
  );
}
function unitsBytes(s: WeightStats): number {
  return Math.ceil(s.rows / 8) + Math.ceil(s.cols / 8) + s.keptRows * s.keptCols;
}

/** The encoding chosen for one weight, with its exact payload size. */
export interface EncodingChoice {
  encoding: TensorEncoding;
  payloadBytes: number;
  /** Block shape for `bsr`. */
  block?: [number, number];
  stats: WeightStats;
}

/** Options that steer the encoding choice (see `ExportModelOptions`). */
export interface EncodingOptions {
  encoding?: TensorEncoding | 'auto';
  encodings?: Readonly<Record<string, TensorEncoding | 'auto'>>;
  blockShapes?: readonly (readonly [number, number])[];
}

const DEFAULT_BLOCK_SHAPES: readonly (readonly [number, number])[] = [
  [8, 8],
  [4, 4],
];

/** Picks the encoding of one weight: the forced one, or the smallest (ties go to the first of dense, units, bsr, csr, bitmask: the order candidates are built in). */
export function chooseEncoding(t: Int8Tensor, options: EncodingOptions): EncodingChoice {
  const stats = weightStats(t);
  const wanted = options.encodings?.[t.name] ?? options.encoding ?? 'auto';
  const shapes: [number, number][] = [];
  const addShape = (b: readonly [number, number]) => {
    if (!shapes.some((s) => s[0] === b[0] && s[1] === b[1])) shapes.push([b[0], b[1]]);
  };
  if (t.block !== undefined) addShape(t.block);
  for (const b of options.blockShapes ?? DEFAULT_BLOCK_SHAPES) addShape(b);
  const candidates: EncodingChoice[] = [];
  const consider = (e: TensorEncoding) => wanted === 'auto' || wanted === e;
  if (consider('dense')) candidates.push({ encoding: 'dense', payloadBytes: denseBytes(stats), stats });
  if (consider('units')) candidates.push({ encoding: 'units', payloadBytes: unitsBytes(stats), stats });
  if (consider('bsr')) {
    let best: EncodingChoice | undefined;
    for (const [br, bc] of shapes) {
      const nb = countNonZeroBlocks(t.values, stats.rows, stats.cols, br, bc);
      const bytes = bsrBytes(stats, br, bc, nb);
      if (best === undefined || bytes < best.payloadBytes)
        best = { encoding: 'bsr', payloadBytes: bytes, block: [br, bc], stats };
    }
    if (best !== undefined) candidates.push(best);
  }
  if (consider('csr')) candidates.push({ encoding: 'csr', payloadBytes: csrBytes(stats), stats });
  if (consider('bitmask')) candidates.push({ encoding: 'bitmask', payloadBytes: bitmaskBytes(stats), stats });
  let chosen = candidates[0];
  for (const c of candidates) if (c.payloadBytes < chosen.payloadBytes) chosen = c;
  return chosen;
}

/** Exact record bytes of a weight, given its chosen payload. */
export function weightRecordBytes(t: Int8Tensor, nameBytes: number, payloadBytes: number): number {
  const hasZp = hasNonZero(t.zeroPoints);
  return (
    1 + // record kind
    nameAndShapeBytes(nameBytes, t.shape.length) +
    1 + // meta
    (t.block !== undefined ? 4 : 0) +
    4 + // scale count
    4 * t.scales.length +
    (hasZp ? 4 * t.zeroPoints.length : 0) +
    1 + // encoding
    4 + // payload length
    payloadBytes
  );
}

/** Exact record bytes of a float tensor. */
export function floatRecordBytes(t: FloatTensor, nameBytes: number): number {
  return 1 + nameAndShapeBytes(nameBytes, t.shape.length) + 4 * t.values.length;
}

/** Exact record bytes of an activation's parameters: kind, name, bits(1), scale f64(8), zero point i32(4). */
export function activationRecordBytes(nameBytes: number): number {
  return 1 + 2 + nameBytes + 1 + 8 + 4;
}

export const RECORD_WEIGHT = 1;
export const RECORD_FLOAT = 2;
export const RECORD_ACTIVATION = 3;

export function hasNonZero(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return true;
  return false;
}

const isDim = (d: unknown): d is number =>
  typeof d === 'number' && Number.isSafeInteger(d) && d >= 0 && d <= 0xffffffff;

function checkShape(fn: string, arg: string, shape: unknown): asserts shape is readonly number[] {
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every(isDim)) {
    throw new LabInputError(
      fn,
      arg,
      `must be an array of at most ${MAX_RANK} non-negative integer dimensions`,
      shape,
    );
  }
}

/** Names that would shadow `Object.prototype` members if a caller keyed a plain object by them. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why `name` cannot be a tensor name (empty, non-printable characters, a reserved name), or
 * `undefined` when it is fine. Shared by the encoder and the decoder so every file one writes
 * the other reads.
 */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u.test(name)) return 'has non-printable characters';
  if (RESERVED_NAMES.has(name)) return 'is reserved (__proto__, constructor, prototype)';
  return undefined;
}

function checkName(fn: string, arg: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || encodeName(name).length > 0xffff) {
    throw new LabInputError(fn, arg, 'must be a string of at most 65535 UTF-8 bytes', name);
  }
  const problem = nameProblem(name);
  if (problem !== undefined)
    throw new LabInputError(fn, arg, `must be a valid tensor name (this one ${problem})`, name);
}

/** Validates an `Int8Model` and the encoding options at a public boundary. */
export function validateModel(fn: string, model: Int8Model, options: EncodingOptions = {}): void {
  const o = readOptions(fn, options, ['encoding', 'encodings', 'blockShapes']);
  if (model == null || typeof model !== 'object')
    throw new LabInputError(fn, 'model', 'must be an Int8Model', model);
  for (const key of ['weights', 'floats', 'activations'] as const) {
    if (!Array.isArray(model[key]))
      throw new LabInputError(fn, `model.${key}`, 'must be an array', model[key]);
  }
  const names = new Set<string>();
  model.weights.forEach((t: Int8Tensor, i: number) => {
    const at = `model.weights[${i}]`;
    if (t == null || typeof t !== 'object') throw new LabInputError(fn, at, 'must be an Int8Tensor', t);
    checkName(fn, `${at}.name`, t.name);
    checkShape(fn, `${at}.shape`, t.shape);
    if (!(t.values instanceof Int8Array) || t.values.length !== numel(t.shape)) {
      throw new LabInputError(
        fn,
        `${at}.values`,
        `must be an Int8Array of length ${numel(t.shape)}`,
        t.values,
      );
    }
    const { cols } = matrixView(t.shape);
    if (!(t.scales instanceof Float32Array) || (t.scales.length !== 1 && t.scales.length !== cols)) {
      throw new LabInputError(fn, `${at}.scales`, `must be a Float32Array of length 1 or ${cols}`, t.scales);
    }
    if (!(t.zeroPoints instanceof Int32Array) || t.zeroPoints.length !== t.scales.length) {
      throw new LabInputError(
        fn,
        `${at}.zeroPoints`,
        `must be an Int32Array of length ${t.scales.length}`,
        t.zeroPoints,
      );
    }
    if (t.structure !== undefined && !['weight', 'block', 'unit'].includes(t.structure)) {
      throw new LabInputError(fn, `${at}.structure`, "must be 'weight', 'block' or 'unit'", t.structure);
    }
    if (t.block !== undefined) checkBlock(fn, `${at}.block`, t.block);
    names.add(t.name);
  });
  model.floats.forEach((t: FloatTensor, i: number) => {
    const at = `model.floats[${i}]`;
    if (t == null || typeof t !== 'object') throw new LabInputError(fn, at, 'must be a FloatTensor', t);
    checkName(fn, `${at}.name`, t.name);
    checkShape(fn, `${at}.shape`, t.shape);
    if (!(t.values instanceof Float32Array) || t.values.length !== numel(t.shape)) {
      throw new LabInputError(
        fn,
        `${at}.values`,
        `must be a Float32Array of length ${numel(t.shape)}`,
        t.values,
      );
    }
  });
  model.activations.forEach((a: ActivationQuantParams, i: number) => {
    const at = `model.activations[${i}]`;
    if (a == null || typeof a !== 'object')
      throw new LabInputError(fn, at, 'must be ActivationQuantParams', a);
    checkName(fn, `${at}.name`, a.name);
    if (a.bits !== 8 && a.bits !== 16) throw new LabInputError(fn, `${at}.bits`, 'must be 8 or 16', a.bits);
    if (typeof a.scale !== 'number') throw new LabInputError(fn, `${at}.scale`, 'must be a number', a.scale);
    if (!Number.isInteger(a.zeroPoint) || a.zeroPoint < -0x80000000 || a.zeroPoint > 0x7fffffff) {
      throw new LabInputError(fn, `${at}.zeroPoint`, 'must be an int32', a.zeroPoint);
    }
  });
  const validEncodings = ['auto', ...ENCODING_NAMES] as const;
  if (o.has('encoding')) o.oneOf('encoding', validEncodings);
  if (o.has('encodings')) {
    // A map from weight names to encodings: an object (not null, an array or a typed array).
    const encodings = o.nested('encodings');
    for (const name of Object.keys(options.encodings as object)) {
      if (!names.has(name))
        throw new LabInputError(fn, 'options.encodings', 'must only name weights of the model', name);
      encodings.oneOf(name, validEncodings);
    }
  }
  if (options.blockShapes !== undefined) {
    if (!Array.isArray(options.blockShapes) || options.blockShapes.length === 0) {
      throw new LabInputError(
        fn,
        'options.blockShapes',
        'must be a non-empty array of [rows, cols]',
        options.blockShapes,
      );
    }
    options.blockShapes.forEach((b, i) => {
      checkBlock(fn, `options.blockShapes[${i}]`, b);
    });
  }
}

function checkBlock(fn: string, arg: string, b: unknown): void {
  const ok = (d: unknown) => typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= 0xffff;
  if (!Array.isArray(b) || b.length !== 2 || !ok(b[0]) || !ok(b[1])) {
    throw new LabInputError(fn, arg, 'must be [rows, cols] with integers in [1, 65535]', b);
  }
}
