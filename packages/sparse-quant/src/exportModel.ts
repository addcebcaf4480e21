import type { Int8Model, Int8Tensor } from './Int8Model.js';
import {
  ENCODING_CODES,
  type EncodingChoice,
  type EncodingOptions,
  FORMAT_VERSION,
  HEADER_BYTES,
  MAGIC,
  META_HAS_BLOCK,
  META_HAS_ZERO_POINTS,
  RECORD_ACTIVATION,
  RECORD_FLOAT,
  RECORD_WEIGHT,
  STRUCTURE_CODES,
  TRAILER_BYTES,
  type TensorEncoding,
  activationRecordBytes,
  chooseEncoding,
  crc32,
  encodeName,
  floatRecordBytes,
  hasNonZero,
  indexBytes,
  validateModel,
  weightRecordBytes,
} from './exportFormat.js';

export type { TensorEncoding } from './exportFormat.js';

/** Options for {@link exportModel} (and {@link footprint}, which reports the same choices). */
export interface ExportModelOptions {
  /**
   * Encoding of every weight: `'auto'` (default) picks the smallest of dense, bitmask, CSR,
   * block-CSR and units for each weight; a name forces it.
   */
  encoding?: TensorEncoding | 'auto';
  /** Per-weight override of `encoding`, by weight name. */
  encodings?: Readonly<Record<string, TensorEncoding | 'auto'>>;
  /**
   * Block shapes `[rows, cols]` (over the weight's 2-D view `[prod(leading axes), last axis]`)
   * that block-CSR tries, in addition to the weight's own `block`. Default `[[8, 8], [4, 4]]`.
   */
  blockShapes?: readonly (readonly [number, number])[];
}

/** A complete export plan: per-weight choices and the exact byte layout. Internal. */
export interface ExportPlan {
  weights: { tensor: Int8Tensor; name: Uint8Array; choice: EncodingChoice; recordBytes: number }[];
  floats: { name: Uint8Array; recordBytes: number }[];
  activations: { name: Uint8Array; recordBytes: number }[];
  totalBytes: number;
}

/** Plans an export (validates the model, chooses encodings, sizes every record). Internal. */
export function planExport(fn: string, model: Int8Model, options: ExportModelOptions): ExportPlan {
  validateModel(fn, model, options as EncodingOptions);
  const weights = model.weights.map((tensor) => {
    const name = encodeName(tensor.name);
    const choice = chooseEncoding(tensor, options as EncodingOptions);
    return { tensor, name, choice, recordBytes: weightRecordBytes(tensor, name.length, choice.payloadBytes) };
  });
  const floats = model.floats.map((t) => {
    const name = encodeName(t.name);
    return { name, recordBytes: floatRecordBytes(t, name.length) };
  });
  const activations = model.activations.map((a) => {
    const name = encodeName(a.name);
    return { name, recordBytes: activationRecordBytes(name.length) };
  });
  let totalBytes = HEADER_BYTES + TRAILER_BYTES;
  for (const r of [...weights, ...floats, ...activations]) totalBytes += r.recordBytes;
  return { weights, floats, activations, totalBytes };
}

class Writer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;
  constructor(n: number) {
    this.bytes = new Uint8Array(n);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(v: number) {
    this.view.setUint8(this.pos, v);
    this.pos += 1;
  }
  u16(v: number) {
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }
  u32(v: number) {
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  i32(v: number) {
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }
  f64(v: number) {
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  uint(v: number, width: 1 | 2 | 4) {
    if (width === 1) this.u8(v);
    else if (width === 2) this.u16(v);
    else this.u32(v);
  }
  raw(b: Uint8Array) {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
  }
  /** Float32 values by their bit patterns (NaN payloads and -0 survive). */
  f32s(a: Float32Array) {
    const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < bits.length; i++) this.u32(bits[i]);
  }
  name(b: Uint8Array) {
    this.u16(b.length);
    this.raw(b);
  }
  shape(s: readonly number[]) {
    this.u8(s.length);
    for (const d of s) this.u32(d);
  }
}

/**
 * Serialises an {@link Int8Model} to the compact, versioned `.lsq8` binary format: int8 weights
 * (each in the smallest of dense, bitmask, CSR, block-CSR or "units" encodings, or a forced one),
 * scales, zero points, float tensors and activation quantisation parameters, little-endian, with
 * a CRC-32 trailer. {@link decodeModel} reverses it exactly (identical integers, bitwise-equal
 * floats); {@link footprint} reports the same per-weight choices and byte counts without writing.
 *
 * @param model - The integer model (not modified).
 * @param options - Encoding choice; see {@link ExportModelOptions}.
 * @returns The file bytes.
 * @throws LabInputError naming `exportModel` and the offending argument for a malformed model.
 * @example
 * ```ts
 * const store = new ParameterStore({ seed: 1 });
 * new Dense(store, 'dense1', { inputDim: 16, units: 8 });
 * const c = applyCompression(store, { structure: 'block', block: [8, 8], sparsity: 0.5, layers: [{ layer: 'dense1' }] });
 * const int8Model = c.toInt8Model();
 * const bytes = exportModel(int8Model);             // smallest encoding per weight
 * const same = decodeModel(bytes);                  // identical integers
 * exportModel(int8Model, { encodings: { 'dense1.kernel': 'bsr' } });
 * ```
 * @see Stamenovic et al., "Weight, Block or Unit? Exploring Sparsity Tradeoffs for Speech
 *   Enhancement on Tiny Neural Accelerators", NeurIPS 2021 ENLSP, arXiv 2111.02351.
 */
export function exportModel(model: Int8Model, options: ExportModelOptions = {}): Uint8Array {
  const plan = planExport('exportModel', model, options);
  const w = new Writer(plan.totalBytes);
  for (const m of MAGIC) w.u8(m);
  w.u16(FORMAT_VERSION);
  w.u16(0);
  w.u32(plan.totalBytes);
  w.u32(model.weights.length);
  w.u32(model.floats.length);
  w.u32(model.activations.length);
  for (const rec of plan.weights) {
    const start = w.pos;
    writeWeight(w, rec.tensor, rec.name, rec.choice);
    if (w.pos - start !== rec.recordBytes)
      throw new Error(`exportModel: internal size mismatch for '${rec.tensor.name}'`);
  }
  model.floats.forEach((t, i) => {
    w.u8(RECORD_FLOAT);
    w.name(plan.floats[i].name);
    w.shape(t.shape);
    w.f32s(t.values);
  });
  model.activations.forEach((a, i) => {
    w.u8(RECORD_ACTIVATION);
    w.name(plan.activations[i].name);
    w.u8(a.bits);
    w.f64(a.scale);
    w.i32(a.zeroPoint);
  });
  w.u32(crc32(w.bytes, 0, w.pos));
  if (w.pos !== plan.totalBytes) throw new Error('exportModel: internal size mismatch');
  return w.bytes;
}

function writeWeight(w: Writer, t: Int8Tensor, name: Uint8Array, choice: EncodingChoice): void {
  w.u8(RECORD_WEIGHT);
  w.name(name);
  w.shape(t.shape);
  const hasZp = hasNonZero(t.zeroPoints);
  const meta =
    STRUCTURE_CODES[t.structure ?? 'none'] |
    (t.block !== undefined ? META_HAS_BLOCK : 0) |
    (hasZp ? META_HAS_ZERO_POINTS : 0);
  w.u8(meta);
  if (t.block !== undefined) {
    w.u16(t.block[0]);
    w.u16(t.block[1]);
  }
  w.u32(t.scales.length);
  w.f32s(t.scales);
  if (hasZp) for (let i = 0; i < t.zeroPoints.length; i++) w.i32(t.zeroPoints[i]);
  w.u8(ENCODING_CODES[choice.encoding]);
  w.u32(choice.payloadBytes);
  const start = w.pos;
  const { rows, cols, nnz } = choice.stats;
  const v = t.values;
  switch (choice.encoding) {
    case 'dense':
      w.raw(new Uint8Array(v.buffer, v.byteOffset, v.length));
      break;
    case 'bitmask': {
      w.u32(nnz);
      const n = v.length;
      const mask = new Uint8Array(Math.ceil(n / 8));
      for (let i = 0; i < n; i++) if (v[i] !== 0) mask[i >> 3] |= 1 << (i & 7);
      w.raw(mask);
      for (let i = 0; i < n; i++) if (v[i] !== 0) w.u8(v[i] & 0xff);
      break;
    }
    case 'csr': {
      const pb = indexBytes(nnz);
      const ib = indexBytes(Math.max(0, cols - 1));
      w.u8(pb);
      w.u8(ib);
      w.u32(nnz);
      let count = 0;
      w.uint(0, pb);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) if (v[i * cols + j] !== 0) count++;
        w.uint(count, pb);
      }
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (v[i * cols + j] !== 0) w.uint(j, ib);
      for (let i = 0; i < rows * cols; i++) if (v[i] !== 0) w.u8(v[i] & 0xff);
      break;
    }
    case 'bsr': {
      const [br, bc] = choice.block as [number, number];
      const nbr = Math.ceil(rows / br);
      const nbc = Math.ceil(cols / bc);
      // Non-zero blocks per block row, in column order.
      const blocks: number[][] = [];
      let nBlocks = 0;
      const seen = new Uint8Array(nbc);
      for (let bi = 0; bi < nbr; bi++) {
        seen.fill(0);
        for (let i = bi * br; i < Math.min(rows, (bi + 1) * br); i++) {
          for (let j = 0; j < cols; j++) if (v[i * cols + j] !== 0) seen[(j / bc) | 0] = 1;
        }
        const row: number[] = [];
        for (let bj = 0; bj < nbc; bj++) if (seen[bj]) row.push(bj);
        blocks.push(row);
        nBlocks += row.length;
      }
      const pb = indexBytes(nBlocks);
      const ib = indexBytes(Math.max(0, nbc - 1));
      w.u16(br);
      w.u16(bc);
      w.u8(pb);
      w.u8(ib);
      w.u32(nBlocks);
      let count = 0;
      w.uint(0, pb);
      for (const row of blocks) {
        count += row.length;
        w.uint(count, pb);
      }
      for (const row of blocks) for (const bj of row) w.uint(bj, ib);
      for (let bi = 0; bi < nbr; bi++) {
        for (const bj of blocks[bi]) {
          for (let r = 0; r < br; r++) {
            const i = bi * br + r;
            for (let c = 0; c < bc; c++) {
              const j = bj * bc + c;
              w.u8(i < rows && j < cols ? v[i * cols + j] & 0xff : 0);
            }
          }
        }
      }
      break;
    }
    case 'units': {
      const rowMask = new Uint8Array(Math.ceil(rows / 8));
      const colMask = new Uint8Array(Math.ceil(cols / 8));
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          if (v[i * cols + j] !== 0) {
            rowMask[i >> 3] |= 1 << (i & 7);
            colMask[j >> 3] |= 1 << (j & 7);
          }
        }
      }
      w.raw(rowMask);
      w.raw(colMask);
      for (let i = 0; i < rows; i++) {
        if (!(rowMask[i >> 3] & (1 << (i & 7)))) continue;
        for (let j = 0; j < cols; j++) if (colMask[j >> 3] & (1 << (j & 7))) w.u8(v[i * cols + j] & 0xff);
      }
      break;
    }
  }
  if (w.pos - start !== choice.payloadBytes)
    throw new Error(`exportModel: internal payload size mismatch (${choice.encoding})`);
}
