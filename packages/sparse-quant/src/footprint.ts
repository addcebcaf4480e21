import type { Int8Model } from './Int8Model.js';
import { HEADER_BYTES, TRAILER_BYTES, type TensorEncoding } from './exportFormat.js';
import { type ExportModelOptions, planExport } from './exportModel.js';

/** Options for {@link footprint}: the same encoding choices as {@link exportModel}. */
export type FootprintOptions = ExportModelOptions;

/** One tensor's storage in three forms. */
export interface FootprintEntry {
  name: string;
  kind: 'int8' | 'float';
  shape: number[];
  /** Element count. */
  params: number;
  /** Non-zero elements (int8 values != 0; every element of a float tensor counts). */
  nonZeros: number;
  /** 1 - nonZeros / params (0 for float tensors and empty tensors). */
  sparsity: number;
  /** Bytes as dense float32: 4 per element. */
  fp32Bytes: number;
  /** Bytes as dense int8: 1 per element plus 4 per scale (zero points add 4 each when non-zero); float tensors stay 4 per element. */
  int8Bytes: number;
  /** Exact bytes of this tensor's record in the exported file (name, shape, scales and payload included). */
  exportedBytes: number;
  /** Encoding the exporter uses for an int8 weight (`undefined` for float tensors). */
  encoding?: TensorEncoding;
  /** Block shape of a `bsr` encoding. */
  block?: [number, number];
}

/** Sums over the tensors of one layer (tensor names up to their last `.`, e.g. `lstm1`). */
export interface FootprintLayer {
  layer: string;
  tensors: string[];
  params: number;
  nonZeros: number;
  fp32Bytes: number;
  int8Bytes: number;
  exportedBytes: number;
}

/** Per-tensor and total footprint; `total.exportedBytes` equals `exportModel(model, options).length`. */
export interface FootprintResult {
  /** One entry per tensor (int8 weights, then float tensors, in model order). */
  layers: FootprintEntry[];
  /** The same figures summed per layer (tensor name prefix before the last `.`), in first-seen order. */
  byLayer: FootprintLayer[];
  /** File header, trailer and activation records: exported bytes not attributed to a tensor. */
  overheadBytes: number;
  total: {
    params: number;
    nonZeros: number;
    fp32Bytes: number;
    int8Bytes: number;
    exportedBytes: number;
    /** fp32Bytes / exportedBytes. */
    compressionVsFp32: number;
    /** int8Bytes / exportedBytes. */
    compressionVsInt8: number;
  };
}

/**
 * Storage footprint of an {@link Int8Model}, per tensor and in total: bytes as dense float32,
 * as dense int8, and as exported by {@link exportModel} with the same options (exact: the total
 * equals the exported file's length, and each tensor's figure is its record's length).
 *
 * @param model - The integer model (not modified).
 * @param options - The exporter's encoding options.
 * @returns Per-tensor entries (weights then floats, in model order) and totals.
 * @throws LabInputError naming `footprint` for a malformed model or options.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351 (memory as exported, Table 1).
 */
export function footprint(model: Int8Model, options: FootprintOptions = {}): FootprintResult {
  const plan = planExport('footprint', model, options);
  const layers: FootprintEntry[] = [];
  for (const w of plan.weights) {
    const t = w.tensor;
    const params = t.values.length;
    const { nnz } = w.choice.stats;
    const hasZp = t.zeroPoints.some((z) => z !== 0);
    const entry: FootprintEntry = {
      name: t.name,
      kind: 'int8',
      shape: [...t.shape],
      params,
      nonZeros: nnz,
      sparsity: params === 0 ? 0 : 1 - nnz / params,
      fp32Bytes: 4 * params,
      int8Bytes: params + 4 * t.scales.length + (hasZp ? 4 * t.zeroPoints.length : 0),
      exportedBytes: w.recordBytes,
      encoding: w.choice.encoding,
    };
    if (w.choice.block !== undefined) entry.block = [...w.choice.block];
    layers.push(entry);
  }
  model.floats.forEach((t, i) => {
    const params = t.values.length;
    layers.push({
      name: t.name,
      kind: 'float',
      shape: [...t.shape],
      params,
      nonZeros: params,
      sparsity: 0,
      fp32Bytes: 4 * params,
      int8Bytes: 4 * params,
      exportedBytes: plan.floats[i].recordBytes,
    });
  });
  let overheadBytes = HEADER_BYTES + TRAILER_BYTES;
  for (const a of plan.activations) overheadBytes += a.recordBytes;
  const sum = (k: 'params' | 'nonZeros' | 'fp32Bytes' | 'int8Bytes' | 'exportedBytes') =>
    layers.reduce((s, l) => s + l[k], 0);
  const exportedBytes = sum('exportedBytes') + overheadBytes;
  const fp32Bytes = sum('fp32Bytes');
  const int8Bytes = sum('int8Bytes');
  const groups = new Map<string, FootprintLayer>();
  for (const l of layers) {
    const dot = l.name.lastIndexOf('.');
    const key = dot > 0 ? l.name.slice(0, dot) : l.name;
    let g = groups.get(key);
    if (g === undefined) {
      g = { layer: key, tensors: [], params: 0, nonZeros: 0, fp32Bytes: 0, int8Bytes: 0, exportedBytes: 0 };
      groups.set(key, g);
    }
    g.tensors.push(l.name);
    g.params += l.params;
    g.nonZeros += l.nonZeros;
    g.fp32Bytes += l.fp32Bytes;
    g.int8Bytes += l.int8Bytes;
    g.exportedBytes += l.exportedBytes;
  }
  return {
    layers,
    byLayer: [...groups.values()],
    overheadBytes,
    total: {
      params: sum('params'),
      nonZeros: sum('nonZeros'),
      fp32Bytes,
      int8Bytes,
      exportedBytes,
      compressionVsFp32: fp32Bytes / exportedBytes,
      compressionVsInt8: int8Bytes / exportedBytes,
    },
  };
}
