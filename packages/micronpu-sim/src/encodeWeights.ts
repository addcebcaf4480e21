import { LabInputError, readOptions } from '@lab/core';
import { type MlwStreamStats, mlwEncode, newStats } from './weightEncoding/mlwEncode.js';
import { type BrickOrder, reorderWeights } from './weightEncoding/reorderWeights.js';

/**
 * The accelerator fields the weight encoder needs. Any hardware config object with these fields
 * (extra fields are ignored) can be passed.
 */
export interface EncoderAccelerator {
  /** Display name, e.g. `'Ethos-U55-128'`. */
  name: string;
  /** MACs per cycle (32..512); only used to pick the default OFM micro-block depth. */
  macsPerCycle?: number;
  /**
   * Output channels per OFM block (the block the NPU computes at once). Vela chooses it per layer
   * with its block-config search; default {@link DEFAULT_OFM_BLOCK_DEPTH} (128), which is what that
   * search picks for a batch-1 FullyConnected layer on every Ethos-U55/U65 configuration (a block
   * deeper than the layer behaves like one as deep as the layer). Exception: U55-32 picks smaller
   * blocks for a few layers under 128 outputs (e.g. 16 for 24, 32 for 40, 64 for 72).
   */
  ofmBlockDepth?: number;
  /**
   * Output channels per micro-block: 4 on U55-32, 8 on every other Ethos-U55/U65. Default:
   * `ofmMicroBlock.depth` if given, else 4 when `macsPerCycle` is 32, else 8.
   */
  ofmUblockDepth?: number;
  /** The OFM micro-block of an `AcceleratorConfig` (only `depth` is used). */
  ofmMicroBlock?: { readonly depth: number };
  /** Input channels per micro-block: 8 on every Ethos-U55/U65. Default: `ifmMicroBlockDepth`, else 8. */
  ifmUblockDepth?: number;
  /** Same as `ifmUblockDepth` (the `AcceleratorConfig` field name). */
  ifmMicroBlockDepth?: number;
  /** Cores sharing the output channels (2 on U65-512, else 1). Each core gets its own stream. */
  cores?: number;
}

/**
 * Default OFM block depth when the accelerator config gives none: the depth Vela's block-config
 * search (`architecture_allocator.find_block_config`) returns for batch-1 FullyConnected layers.
 */
export const DEFAULT_OFM_BLOCK_DEPTH = 128;

/** Options of {@link encodeWeights}. */
export interface EncodeWeightsOptions {
  /**
   * Encode the output channels in separate streams of this many channels (Vela's `depth_offsets`,
   * used for weight streaming / double buffering). Default: one stream for all channels.
   */
  ofmDepthStep?: number;
}

/** One separately encoded stream (a depth slice on one core). */
export interface EncodedWeightPart {
  /** First output channel of the depth slice. */
  ofmStart: number;
  /** End (exclusive) of the depth slice. */
  ofmEnd: number;
  /** Core index (output channels `ofmStart + core`, step `cores`). */
  core: number;
  /** Byte offset of this part in {@link EncodeWeightsResult.stream}. */
  offset: number;
  /** Encoded bytes (a multiple of 16). */
  bytes: number;
  /** Values after brick reordering (with zero padding). */
  paddedValues: number;
  /** Bit accounting of the part. */
  stats: MlwStreamStats;
}

/** Result of {@link encodeWeights}. */
export interface EncodeWeightsResult {
  /** The encoded weight streams, concatenated in part order. */
  stream: Uint8Array;
  /** Total encoded weight bytes (`stream.length`). */
  byteCount: number;
  /** Raw int8 bytes (`out * in`). */
  rawBytes: number;
  /** `rawBytes / byteCount` (how many times smaller than raw int8). */
  compressionRatio: number;
  /** Fraction of zero weights in the input. */
  sparsity: number;
  /** Bias + scale bytes Vela stores next to the weights (10 per output channel, 16-byte aligned per part); not in `byteCount`. */
  scaleBiasBytes: number;
  /** Per-part statistics. */
  parts: EncodedWeightPart[];
  /** Bit accounting summed over parts. */
  stats: MlwStreamStats;
  /** The resolved ordering parameters. */
  order: BrickOrder & { cores: number; ofmDepthStep: number };
}

function positiveInt(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new LabInputError(fn, arg, 'must be a positive integer', v);
  }
  return v;
}

/** Resolves and checks the ordering parameters of an accelerator config. */
export function resolveBrickOrder(
  accelerator: EncoderAccelerator,
  fn = 'encodeWeights',
): BrickOrder & { cores: number } {
  if (accelerator === null || typeof accelerator !== 'object') {
    throw new LabInputError(fn, 'accelerator', 'must be an accelerator config object', accelerator);
  }
  const ofmUblockDefault = accelerator.ofmMicroBlock?.depth ?? (accelerator.macsPerCycle === 32 ? 4 : 8);
  const ofmBlockDepth = positiveInt(
    fn,
    'accelerator.ofmBlockDepth',
    accelerator.ofmBlockDepth ?? DEFAULT_OFM_BLOCK_DEPTH,
  );
  const ofmUblockDepth = positiveInt(
    fn,
    'accelerator.ofmUblockDepth',
    accelerator.ofmUblockDepth ?? ofmUblockDefault,
  );
  const ifmUblockDepth = positiveInt(
    fn,
    'accelerator.ifmUblockDepth',
    accelerator.ifmUblockDepth ?? accelerator.ifmMicroBlockDepth ?? 8,
  );
  const cores = positiveInt(fn, 'accelerator.cores', accelerator.cores ?? 1);
  if (32 % ifmUblockDepth !== 0) {
    throw new LabInputError(fn, 'accelerator.ifmUblockDepth', 'must divide 32', ifmUblockDepth);
  }
  return { ofmBlockDepth, ofmUblockDepth, ifmUblockDepth, cores };
}

/** Checks shape and values; returns a private int8 copy-free view or a converted copy. */
function checkWeightMatrix(fn: string, weights: unknown, shape: unknown): [Int8Array, number, number] {
  if (!Array.isArray(shape) || shape.length !== 2) {
    throw new LabInputError(fn, 'shape', 'must be [outputs, inputs]', shape);
  }
  const out = positiveInt(fn, 'shape[0]', shape[0]);
  const inp = positiveInt(fn, 'shape[1]', shape[1]);
  if (weights instanceof Int8Array) {
    if (weights.length !== out * inp) {
      throw new LabInputError(
        fn,
        'weights',
        `must have shape[0] * shape[1] = ${out * inp} values`,
        weights.length,
      );
    }
    return [weights, out, inp];
  }
  const isArrayLike =
    Array.isArray(weights) ||
    (ArrayBuffer.isView(weights) &&
      !(weights instanceof DataView) &&
      !(weights instanceof BigInt64Array) &&
      !(weights instanceof BigUint64Array));
  if (!isArrayLike) {
    throw new LabInputError(fn, 'weights', 'must be an Int8Array (or an array of int8 integers)', weights);
  }
  const arr = weights as ArrayLike<number>;
  if (arr.length !== out * inp) {
    throw new LabInputError(fn, 'weights', `must have shape[0] * shape[1] = ${out * inp} values`, arr.length);
  }
  const copy = new Int8Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -128 || v > 127) {
      throw new LabInputError(fn, `weights[${i}]`, 'must be an int8 integer in [-128, 127]', v);
    }
    copy[i] = v;
  }
  return [copy, out, inp];
}

/** Row (output channel) lists of every part, in Vela's order: depth slices, then cores. */
export function partRows(
  out: number,
  cores: number,
  ofmDepthStep: number,
  ofmBlockDepth: number,
): { ofmStart: number; ofmEnd: number; core: number; rows: number[]; blockDepth: number }[] {
  const parts = [];
  for (let start = 0; start < out; start += ofmDepthStep) {
    const end = Math.min(out, start + ofmDepthStep);
    for (let core = 0; core < Math.min(cores, out); core++) {
      const blockDepth = Math.floor((ofmBlockDepth + cores - 1 - core) / cores);
      if (blockDepth === 0) continue;
      const rows: number[] = [];
      for (let r = start + core; r < end; r += cores) rows.push(r);
      parts.push({ ofmStart: start, ofmEnd: end, core, rows, blockDepth });
    }
  }
  return parts;
}

function sumStats(all: MlwStreamStats[]): MlwStreamStats {
  const total = newStats();
  for (const s of all) for (const k of Object.keys(total) as (keyof MlwStreamStats)[]) total[k] += s[k];
  return total;
}

/**
 * Encodes a fully connected layer's int8 weights into the compressed weight stream an Ethos-U
 * microNPU reads, and measures its size: brick reordering (output block of `ofmBlockDepth` ->
 * input block of 32 -> micro-blocks of 8 outputs x 8 inputs), then Vela's lossless codec per
 * part (palette sections of up to 32 values, Golomb-Rice coded weight indices and zero runs,
 * end marker, 16-byte alignment). The stream is bit-identical to Vela's `mlw_codec` for the same
 * ordering parameters (see the package README, "How the encoder was validated").
 *
 * Zero weights do not cost compute on Ethos-U; they only shrink this stream, which is what
 * speeds up memory-bound (weight-streaming) layers.
 *
 * @param weights row-major [outputs x inputs] int8 weights (TFLite FullyConnected layout); not modified
 * @param shape `[outputs, inputs]`
 * @param accelerator the hardware config (see {@link EncoderAccelerator})
 * @param options depth-slicing of the stream
 * @returns the stream, its byte count and per-part statistics
 * @throws LabInputError on a bad shape, length, accelerator field or a non-int8 value
 * @example
 * ```ts
 * // 90% zeros (as after pruning): the stream is far smaller than the 512 KiB of raw int8.
 * const w = Int8Array.from({ length: 512 * 1024 }, (_, i) => (i % 10 === 0 ? (i % 255) - 127 : 0));
 * const r = encodeWeights(w, [512, 1024], { name: 'Ethos-U55-128', macsPerCycle: 128 });
 * console.log(r.byteCount, r.compressionRatio);
 * ```
 * @see Stamenovic et al., "Weight, Block or Unit? Exploring Sparsity Tradeoffs for Speech
 *   Enhancement on Tiny Neural Accelerators", NeurIPS 2021 ENLSP (arXiv 2111.02351).
 * @see Arm Vela, `ethosu/mlw_codec/mlw_encode.c` and `ethosu/vela/weight_compressor.py`.
 */
export function encodeWeights(
  weights: Int8Array,
  shape: [number, number],
  accelerator: EncoderAccelerator,
  options: EncodeWeightsOptions = {},
): EncodeWeightsResult {
  const fn = 'encodeWeights';
  const [w, out, inp] = checkWeightMatrix(fn, weights, shape);
  const order = resolveBrickOrder(accelerator, fn);
  const ofmDepthStep = readOptions(fn, options, ['ofmDepthStep']).integer('ofmDepthStep', out, { min: 1 });

  const parts: EncodedWeightPart[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  let scaleBiasBytes = 0;
  for (const part of partRows(out, order.cores, ofmDepthStep, order.ofmBlockDepth)) {
    const reordered = reorderWeights(w, part.rows, inp, { ...order, ofmBlockDepth: part.blockDepth });
    const { stream, stats } = mlwEncode(reordered);
    parts.push({
      ofmStart: part.ofmStart,
      ofmEnd: part.ofmEnd,
      core: part.core,
      offset,
      bytes: stream.length,
      paddedValues: reordered.length,
      stats,
    });
    chunks.push(stream);
    offset += stream.length;
    scaleBiasBytes += Math.ceil((10 * part.rows.length) / 16) * 16;
  }
  const stream = new Uint8Array(offset);
  let o = 0;
  for (const c of chunks) {
    stream.set(c, o);
    o += c.length;
  }
  let zeros = 0;
  for (const v of w) if (v === 0) zeros++;
  return {
    stream,
    byteCount: offset,
    rawBytes: out * inp,
    compressionRatio: (out * inp) / offset,
    sparsity: zeros / (out * inp),
    scaleBiasBytes,
    parts,
    stats: sumStats(parts.map((p) => p.stats)),
    order: { ...order, ofmDepthStep },
  };
}
