import { LabFormatError, checkBytes, readOptions } from '@lab/core';
import type {
  ActivationQuantParams,
  FloatTensor,
  Int8Model,
  Int8Tensor,
  SparsityStructure,
} from './Int8Model.js';
import {
  ENCODING_NAMES,
  FORMAT_VERSION,
  HEADER_BYTES,
  MAGIC,
  MAX_RANK,
  META_HAS_BLOCK,
  META_HAS_ZERO_POINTS,
  RECORD_ACTIVATION,
  RECORD_FLOAT,
  RECORD_WEIGHT,
  STRUCTURE_NAMES,
  TRAILER_BYTES,
  crc32,
  matrixView,
  nameProblem,
} from './exportFormat.js';

/** Options for {@link decodeModel}. */
export interface DecodeModelOptions {
  /** Check the CRC-32 trailer (default `true`). Structure is validated either way. */
  verifyChecksum?: boolean;
  /** Largest element count accepted for one tensor (default 2^27), a guard against hostile input. */
  maxElements?: number;
  /** Label for error messages (default `'<bytes>'`). */
  source?: string;
  /**
   * Accept NaN and +-Infinity in float tensors, scales and activation scales (default `false`:
   * a non-finite value is a `LabFormatError` naming the record).
   */
  allowNonFinite?: boolean;
}

/** Largest `maxElements` accepted (2^31 - 1): one tensor's values must fit one typed array. */
const DECODE_MODEL_MAX_ELEMENTS = 2 ** 31 - 1;
const OPTION_KEYS = ['verifyChecksum', 'maxElements', 'source', 'allowNonFinite'] as const;

const FN = 'decodeModel';
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Bounds-checked little-endian reader; every failure is a LabFormatError. */
class Reader {
  pos: number;
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly end: number,
    readonly source: string,
    start: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }
  fail(what: string, actual?: unknown): never {
    throw new LabFormatError(FN, 'bytes', { source: this.source, column: this.pos }, what, actual);
  }
  need(n: number, what: string): void {
    if (!(n >= 0) || this.pos + n > this.end)
      this.fail(`is truncated: ${what} needs ${n} bytes at offset ${this.pos}`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  uint(width: number, what: string): number {
    return width === 1 ? this.u8(what) : width === 2 ? this.u16(what) : this.u32(what);
  }
  /** Copies `n` bytes into a fresh array (never through `bytes.buffer`: a `Buffer` is a pool view). */
  raw(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = new Uint8Array(n);
    out.set(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
  /** Copies `n` bytes as int8 values. */
  int8s(n: number, what: string): Int8Array {
    const b = this.raw(n, what);
    return new Int8Array(b.buffer, b.byteOffset, b.length);
  }
  /** `n` float32 values by bit pattern. */
  f32s(n: number, what: string): Float32Array {
    this.need(4 * n, what);
    const bits = new Uint32Array(n);
    for (let i = 0; i < n; i++) bits[i] = this.view.getUint32(this.pos + 4 * i, true);
    this.pos += 4 * n;
    return new Float32Array(bits.buffer);
  }
  name(what: string): string {
    const n = this.u16(`${what} name length`);
    const b = this.raw(n, `${what} name`);
    let name: string;
    try {
      name = textDecoder.decode(b);
    } catch {
      return this.fail(`holds a ${what} name that is not valid UTF-8`);
    }
    // Names key records downstream: no empty, non-printable or prototype-shadowing names.
    const problem = nameProblem(name);
    if (problem !== undefined) this.fail(`holds a ${what} name that ${problem}`, name);
    return name;
  }
  shape(what: string, maxElements: number): number[] {
    const rank = this.u8(`${what} rank`);
    if (rank > MAX_RANK) this.fail(`holds a ${what} of rank > ${MAX_RANK}`, rank);
    const shape: number[] = [];
    let n = 1;
    for (let i = 0; i < rank; i++) {
      const d = this.u32(`${what} dimension`);
      shape.push(d);
      n *= d;
    }
    if (n > maxElements)
      this.fail(`holds a ${what} of ${n} elements, more than maxElements = ${maxElements}`);
    return shape;
  }
}

/**
 * Decodes bytes written by {@link exportModel} back into an {@link Int8Model}: identical integers,
 * bitwise-equal floats, the same names, shapes, structures and block shapes. Every length, index
 * and count is validated before use, so malformed, truncated or corrupted input raises a
 * `LabFormatError` (never a crash or an out-of-bounds read).
 *
 * @param bytes - File bytes (not modified).
 * @param options - See {@link DecodeModelOptions}.
 * @returns A new model whose arrays the caller owns.
 * Any `Uint8Array` view is accepted (a Node `Buffer` from `fs.readFileSync`, a `subarray` at any
 * offset). Sizes are checked against the bytes present before anything is allocated; names
 * must be non-empty, printable and not `__proto__`/`constructor`/`prototype`; non-finite floats
 * are rejected unless `allowNonFinite`.
 *
 * @throws LabFormatError for malformed input; LabInputError if `bytes` is not bytes or an option
 *   is invalid (`options` not an object, an unknown key, a wrong type).
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (the exported model).
 */
export function decodeModel(bytes: Uint8Array, options?: DecodeModelOptions): Int8Model {
  const o = readOptions(FN, options, OPTION_KEYS);
  bytes = checkBytes(FN, 'bytes', bytes);
  const source = o.string('source', '<bytes>');
  const maxElements = o.integer('maxElements', 2 ** 27, { min: 0, max: DECODE_MODEL_MAX_ELEMENTS });
  const verifyChecksum = o.boolean('verifyChecksum', true);
  const allowNonFinite = o.boolean('allowNonFinite', false);
  const where = { source };
  if (bytes.length < HEADER_BYTES + TRAILER_BYTES) {
    throw new LabFormatError(
      FN,
      'bytes',
      where,
      `must hold at least ${HEADER_BYTES + TRAILER_BYTES} bytes`,
      bytes.length,
    );
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i])
      throw new LabFormatError(FN, 'bytes', where, "must start with the magic 'LSQ8'");
  }
  const header = new Reader(bytes, bytes.length, source, 4);
  const version = header.u16('version');
  if (version !== FORMAT_VERSION)
    throw new LabFormatError(FN, 'bytes', where, `must have format version ${FORMAT_VERSION}`, version);
  const flags = header.u16('flags');
  if (flags !== 0) throw new LabFormatError(FN, 'bytes', where, 'must have zero (reserved) flags', flags);
  const total = header.u32('length');
  if (total !== bytes.length) {
    throw new LabFormatError(
      FN,
      'bytes',
      where,
      `must be ${total} bytes long as its header says (truncated or padded?)`,
      bytes.length,
    );
  }
  if (verifyChecksum) {
    const stored = new DataView(bytes.buffer, bytes.byteOffset + total - 4, 4).getUint32(0, true);
    const actual = crc32(bytes, 0, total - 4);
    if (stored !== actual)
      throw new LabFormatError(FN, 'bytes', where, 'must pass its CRC-32 check (the data is corrupt)');
  }
  const nWeights = header.u32('weight count');
  const nFloats = header.u32('float count');
  const nActivations = header.u32('activation count');
  const r = new Reader(bytes, total - TRAILER_BYTES, source, HEADER_BYTES);
  // Each record takes at least 4 bytes: reject absurd counts before looping.
  if (nWeights + nFloats + nActivations > (total - HEADER_BYTES) / 4)
    r.fail('holds more records than it has bytes for');
  const weights: Int8Tensor[] = [];
  for (let k = 0; k < nWeights; k++) weights.push(readWeight(r, maxElements, allowNonFinite));
  const floats: FloatTensor[] = [];
  for (let k = 0; k < nFloats; k++) {
    if (r.u8('record kind') !== RECORD_FLOAT)
      r.fail('holds a record of the wrong kind (expected float tensor)');
    const name = r.name('float tensor');
    const shape = r.shape('float tensor shape', maxElements);
    const values = r.f32s(numelOf(shape), 'float tensor values');
    if (!allowNonFinite) checkFiniteValues(r, values, `float tensor '${name}'`);
    floats.push({ name, shape, values });
  }
  const activations: ActivationQuantParams[] = [];
  for (let k = 0; k < nActivations; k++) {
    if (r.u8('record kind') !== RECORD_ACTIVATION)
      r.fail('holds a record of the wrong kind (expected activation)');
    const name = r.name('activation');
    const bits = r.u8('activation bits');
    if (bits !== 8 && bits !== 16) return r.fail('holds activation bits other than 8 or 16', bits);
    const scale = r.f64('activation scale');
    if (!allowNonFinite && !Number.isFinite(scale))
      r.fail(`holds a non-finite scale for activation '${name}' (allowNonFinite is false)`, scale);
    const zeroPoint = r.i32('activation zero point');
    activations.push({ name, bits, scale, zeroPoint });
  }
  if (r.pos !== r.end) r.fail(`has ${r.end - r.pos} unexpected bytes after the last record`);
  return { weights, floats, activations };
}

/** Throws unless every value is finite (the place is named in the message). */
function checkFiniteValues(r: Reader, values: Float32Array, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]))
      r.fail(`holds a non-finite value at index ${i} of ${what} (allowNonFinite is false)`, values[i]);
  }
}

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const bit = (mask: Uint8Array, i: number) => (mask[i >> 3] >> (i & 7)) & 1;

/** Throws unless the bits at and after `n` in `mask` are all zero. */
function checkPadding(r: Reader, mask: Uint8Array, n: number, what: string): void {
  for (let i = n; i < mask.length * 8; i++) if (bit(mask, i)) r.fail(`holds set padding bits in a ${what}`);
}

function readWeight(r: Reader, maxElements: number, allowNonFinite: boolean): Int8Tensor {
  if (r.u8('record kind') !== RECORD_WEIGHT)
    r.fail('holds a record of the wrong kind (expected int8 weight)');
  const name = r.name('weight');
  const shape = r.shape('weight shape', maxElements);
  const { rows, cols } = matrixView(shape);
  const n = rows * cols;
  const meta = r.u8('weight meta');
  if (meta & 0xf0) r.fail('holds reserved weight-meta bits', meta);
  const structure: SparsityStructure | undefined = STRUCTURE_NAMES[meta & 0b11];
  let block: [number, number] | undefined;
  if (meta & META_HAS_BLOCK) {
    block = [r.u16('block rows'), r.u16('block cols')];
    if (block[0] === 0 || block[1] === 0) r.fail('holds a zero block dimension');
  }
  const nScales = r.u32('scale count');
  if (nScales !== 1 && nScales !== cols)
    r.fail(`holds ${nScales} scales for a weight with ${cols} output channels`);
  const scales = r.f32s(nScales, 'scales');
  if (!allowNonFinite) checkFiniteValues(r, scales, `the scales of weight '${name}'`);
  const zeroPoints = new Int32Array(nScales);
  if (meta & META_HAS_ZERO_POINTS) for (let i = 0; i < nScales; i++) zeroPoints[i] = r.i32('zero points');
  const code = r.u8('encoding');
  const encoding = ENCODING_NAMES[code];
  if (encoding === undefined) r.fail('holds an unknown encoding code', code);
  const payloadBytes = r.u32('payload length');
  r.need(payloadBytes, `'${name}' payload`);
  const end = r.pos + payloadBytes;
  const sub = new Reader(r.bytes, end, r.source, r.pos);
  const values = new Int8Array(n);
  switch (encoding) {
    case 'dense': {
      values.set(sub.int8s(n, 'dense values'));
      break;
    }
    case 'bitmask': {
      const nnz = sub.u32('bitmask nnz');
      const mask = sub.raw(Math.ceil(n / 8), 'bitmask');
      checkPadding(sub, mask, n, 'bitmask');
      const vals = sub.int8s(nnz, 'bitmask values');
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (!bit(mask, i)) continue;
        if (k >= nnz) sub.fail('holds a bitmask with more set bits than values');
        if (vals[k] === 0) sub.fail('holds a zero among the non-zero values');
        values[i] = vals[k++];
      }
      if (k !== nnz) sub.fail('holds a bitmask with fewer set bits than values');
      break;
    }
    case 'csr': {
      const pb = sub.u8('CSR pointer width');
      const ib = sub.u8('CSR index width');
      if (![1, 2, 4].includes(pb) || ![1, 2, 4].includes(ib))
        sub.fail('holds an index width other than 1, 2 or 4');
      const nnz = sub.u32('CSR nnz');
      sub.need((rows + 1) * pb + nnz * (ib + 1), 'CSR arrays');
      const ptr = new Float64Array(rows + 1);
      for (let i = 0; i <= rows; i++) ptr[i] = sub.uint(pb, 'CSR row pointers');
      if (ptr[0] !== 0 || ptr[rows] !== nnz) sub.fail('holds CSR row pointers that do not span [0, nnz]');
      for (let i = 0; i < rows; i++) if (ptr[i + 1] < ptr[i]) sub.fail('holds decreasing CSR row pointers');
      const idx = new Float64Array(nnz);
      for (let p = 0; p < nnz; p++) idx[p] = sub.uint(ib, 'CSR column indices');
      const vals = sub.int8s(nnz, 'CSR values');
      for (let i = 0; i < rows; i++) {
        for (let p = ptr[i]; p < ptr[i + 1]; p++) {
          const j = idx[p];
          if (j >= cols || (p > ptr[i] && j <= idx[p - 1]))
            sub.fail('holds CSR column indices out of range or not increasing');
          if (vals[p] === 0) sub.fail('holds a zero among the non-zero values');
          values[i * cols + j] = vals[p];
        }
      }
      break;
    }
    case 'bsr': {
      const br = sub.u16('block rows');
      const bc = sub.u16('block cols');
      if (br === 0 || bc === 0) sub.fail('holds a zero block dimension');
      const pb = sub.u8('BSR pointer width');
      const ib = sub.u8('BSR index width');
      if (![1, 2, 4].includes(pb) || ![1, 2, 4].includes(ib))
        sub.fail('holds an index width other than 1, 2 or 4');
      const nBlocks = sub.u32('BSR block count');
      const nbr = Math.ceil(rows / br);
      const nbc = Math.ceil(cols / bc);
      const blockSize = br * bc;
      sub.need((nbr + 1) * pb + nBlocks * (ib + blockSize), 'BSR arrays');
      const ptr = new Float64Array(nbr + 1);
      for (let i = 0; i <= nbr; i++) ptr[i] = sub.uint(pb, 'BSR block-row pointers');
      if (ptr[0] !== 0 || ptr[nbr] !== nBlocks) sub.fail('holds BSR pointers that do not span [0, nBlocks]');
      for (let i = 0; i < nbr; i++) if (ptr[i + 1] < ptr[i]) sub.fail('holds decreasing BSR pointers');
      const idx = new Float64Array(nBlocks);
      for (let p = 0; p < nBlocks; p++) idx[p] = sub.uint(ib, 'BSR block-column indices');
      const vals = sub.int8s(nBlocks * blockSize, 'BSR values');
      for (let bi = 0; bi < nbr; bi++) {
        for (let p = ptr[bi]; p < ptr[bi + 1]; p++) {
          const bj = idx[p];
          if (bj >= nbc || (p > ptr[bi] && bj <= idx[p - 1]))
            sub.fail('holds BSR block indices out of range or not increasing');
          for (let rr = 0; rr < br; rr++) {
            const i = bi * br + rr;
            for (let c = 0; c < bc; c++) {
              const j = bj * bc + c;
              const v = vals[p * blockSize + rr * bc + c];
              if (i < rows && j < cols) values[i * cols + j] = v;
              else if (v !== 0) sub.fail('holds a non-zero in the padding of an edge block');
            }
          }
        }
      }
      break;
    }
    case 'units': {
      const rowMask = sub.raw(Math.ceil(rows / 8), 'row mask');
      const colMask = sub.raw(Math.ceil(cols / 8), 'column mask');
      checkPadding(sub, rowMask, rows, 'row mask');
      checkPadding(sub, colMask, cols, 'column mask');
      const keptCols: number[] = [];
      for (let j = 0; j < cols; j++) if (bit(colMask, j)) keptCols.push(j);
      let keptRows = 0;
      for (let i = 0; i < rows; i++) keptRows += bit(rowMask, i);
      const vals = sub.int8s(keptRows * keptCols.length, 'unit values');
      let k = 0;
      for (let i = 0; i < rows; i++) {
        if (!bit(rowMask, i)) continue;
        for (const j of keptCols) values[i * cols + j] = vals[k++];
      }
      break;
    }
  }
  if (sub.pos !== end) sub.fail(`holds ${end - sub.pos} unexpected bytes after the '${name}' payload`);
  r.pos = end;
  const t: { -readonly [K in keyof Int8Tensor]: Int8Tensor[K] } = { name, shape, values, scales, zeroPoints };
  if (structure !== undefined) t.structure = structure;
  if (block !== undefined) t.block = block;
  return t;
}
