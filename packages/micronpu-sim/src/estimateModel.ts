import { LabInputError } from '@lab/core';
import type { AcceleratorConfig } from './accelerators.js';
import { encodeWeights } from './encodeWeights.js';
import { type NpuDtype, type NpuModel, type PrimitiveOp, convOutput, expandModel } from './model.js';
import type { SystemConfig } from './systems.js';

/** Byte count of the encoded weight stream of a [out, in] int8 matrix on an accelerator. */
export type WeightBytesFn = (
  weights: Int8Array,
  shape: [number, number],
  accelerator: AcceleratorConfig,
) => number;

/** Options of {@link estimateModel}. */
export interface EstimateModelOptions {
  /**
   * Encoded weight-stream size. Defaults to {@link encodedWeightBytes} (Ethos-U's lossless
   * encoding via `encodeWeights`); inject another function to study other encoders, or
   * `(w) => w.length` for uncompressed weights.
   */
  readonly weightBytes?: WeightBytesFn;
  /**
   * What-if: a hypothetical NPU that skips all-zero weight blocks of `blockOut x blockIn`
   * (in the [out, in] matrix; conv kernels flattened to [Cout, kh*kw*Cin]): compute cycles scale
   * with the fraction of non-zero blocks. Real Ethos-U hardware does not do this.
   */
  readonly zeroSkipping?: { readonly blockOut: number; readonly blockIn: number };
  /** Throw when the activations do not fit the system's SRAM (default true). */
  readonly checkSram?: boolean;
}

/** Which resource bounds an op. */
export type Bottleneck = 'compute' | 'sram' | 'flash' | 'dram';

/** Estimate of one primitive op. */
export interface OpEstimate {
  readonly name: string;
  /** Model-level op this part belongs to (the LSTM for its unrolled parts). */
  readonly layer: string;
  readonly kind: PrimitiveOp['kind'];
  readonly macs: number;
  readonly rawWeightBytes: number;
  readonly encodedWeightBytes: number;
  /** Bias + scale bytes (10 per output channel, as Vela's 80-bit entries). */
  readonly biasBytes: number;
  readonly computeCycles: number;
  readonly sramBytes: number;
  readonly sramCycles: number;
  readonly offChipBytes: number;
  readonly offChipCycles: number;
  /** max(compute, SRAM, off-chip) cycles: weight transfers are double-buffered. */
  readonly cycles: number;
  readonly bottleneck: Bottleneck;
  /** Achieved MACs per cycle over `cycles`. */
  readonly macsPerCycle: number;
  /** macsPerCycle / accelerator peak. */
  readonly macUtilisation: number;
  /** Activation bytes live in SRAM during this op (inputs, output, persistent states, SRAM weights). */
  readonly liveSramBytes: number;
}

/** Result of {@link estimateModel}. */
export interface EstimateModelResult {
  readonly model: string;
  readonly system: string;
  readonly accelerator: string;
  readonly clockHz: number;
  readonly ops: OpEstimate[];
  /** Ops summed per model-level layer. */
  readonly layers: LayerEstimate[];
  readonly totals: LayerEstimate & { readonly latencySeconds: number };
  /** Peak activation (+ state + SRAM-resident weight) bytes in SRAM over the model. */
  readonly peakSramBytes: number;
}

/** Sums over a group of ops. */
export interface LayerEstimate {
  readonly name: string;
  readonly macs: number;
  readonly rawWeightBytes: number;
  readonly encodedWeightBytes: number;
  readonly computeCycles: number;
  readonly sramCycles: number;
  readonly offChipCycles: number;
  readonly cycles: number;
  readonly bottleneck: Bottleneck;
  readonly macsPerCycle: number;
  readonly macUtilisation: number;
}

const BIAS_BYTES_PER_CHANNEL = 10;
const bytesOf = (d: NpuDtype | undefined): number => (d === 'int16' ? 2 : 1);
const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/**
 * Default {@link WeightBytesFn}: the byte count of the Ethos-U weight stream from `encodeWeights`
 * for this accelerator's micro-block depths and core count.
 *
 * @see Stamenovic et al., arXiv 2111.02351; Vela's `mlw_codec`.
 */
export function encodedWeightBytes(
  weights: Int8Array,
  shape: [number, number],
  accelerator: AcceleratorConfig,
): number {
  return encodeWeights(weights, shape, {
    name: accelerator.name,
    macsPerCycle: accelerator.macsPerCycle,
    cores: accelerator.cores,
    ofmUblockDepth: accelerator.ofmMicroBlock.depth,
    ifmUblockDepth: accelerator.ifmMicroBlockDepth,
  }).byteCount;
}

/** Fraction of `bo x bi` blocks of a [out, in] matrix holding a non-zero weight. */
export function nonZeroBlockFraction(
  weights: Int8Array,
  out: number,
  inn: number,
  bo: number,
  bi: number,
): number {
  const nbo = ceilDiv(out, bo);
  const nbi = ceilDiv(inn, bi);
  let nz = 0;
  for (let b = 0; b < nbo; b++) {
    for (let c = 0; c < nbi; c++) {
      let found = false;
      for (let r = b * bo; r < Math.min(out, (b + 1) * bo) && !found; r++) {
        const row = r * inn;
        for (let k = c * bi; k < Math.min(inn, (c + 1) * bi); k++) {
          if (weights[row + k] !== 0) {
            found = true;
            break;
          }
        }
      }
      if (found) nz++;
    }
  }
  return nz / (nbo * nbi);
}

interface ConvGeometry {
  outH: number;
  outW: number;
  cout: number;
  cin: number;
  kernelElems: number;
  inputDtype: NpuDtype;
}

/**
 * Compute cycles of a convolution-like op (FC = 1x1 conv over `batch` positions), after Vela's
 * `_estimate_conv_cycles`: OFM blocks (FC: one position, depth min(Cout rounded to the
 * micro-block, 128); conv: up to 16x16 positions, one micro-block deep); per kernel element and
 * IFM block of 32 (int8) / 16 (int16) channels, each micro-block-deep slice of the block takes
 * max(weight decode = depth x 32 / 8, 4 cycles per micro-block), plus Vela's pipeline delays;
 * partial blocks cost full blocks; the last block adds a command tail of a quarter block.
 */
function convComputeCycles(acc: AcceleratorConfig, g: ConvGeometry, fc: boolean): number {
  let uw = acc.ofmMicroBlock.width;
  let uh = acc.ofmMicroBlock.height;
  const ud = acc.ofmMicroBlock.depth;
  if (uh === 2 && g.outH === 1 && g.outW % 2 === 0 && g.kernelElems === 1) {
    // Single-row OFMs use a 4x1 micro-block (same MAC count).
    uw *= 2;
    uh = 1;
  }
  const ifmBlockDepth = g.inputDtype === 'int16' ? 16 : 32;
  const bw = Math.min(g.outW, 16);
  const bh = Math.min(g.outH, 16);
  const bd = fc ? Math.min(ceilDiv(g.cout, ud) * ud, 128) : ud;
  const nBlocks = ceilDiv(g.outW, bw) * ceilDiv(g.outH, bh) * ceilDiv(g.cout, bd);
  const ublkXY = ceilDiv(bw, uw) * ceilDiv(bh, uh);
  const ublkZ = bd / ud;
  const decode = (ud * 32) / acc.weightDecoderWeightsPerCycle;
  // 4 cycles per micro-block per IFM block (8 channels per cycle over 32, or 16 at half rate).
  const mac = 4 * ublkXY;
  const K = g.kernelElems;
  let delay = 0;
  if (ublkXY === 1) delay = ublkZ === 1 ? acc.blockDelayCycles * K : acc.blockDelayCycles * (K - 1) * ublkZ;
  const blockCycles =
    ((Math.max(decode, mac) * K * ublkZ + delay) * ceilDiv(g.cin, ifmBlockDepth)) / acc.cores;
  return nBlocks * blockCycles + blockCycles / 4;
}

/** Depthwise: per OFM block, ceil(K/4) steps of max(decode, 4 cycles per micro-block, x2 for int16). */
function depthwiseComputeCycles(acc: AcceleratorConfig, g: ConvGeometry): number {
  const { width: uw, height: uh, depth: ud } = acc.ofmMicroBlock;
  const bw = Math.min(g.outW, 16);
  const bh = Math.min(g.outH, 16);
  const nBlocks = ceilDiv(g.outW, bw) * ceilDiv(g.outH, bh) * ceilDiv(g.cout, ud);
  const ublkXY = ceilDiv(bw, uw) * ceilDiv(bh, uh);
  const mac = 4 * ublkXY * (g.inputDtype === 'int16' ? 2 : 1);
  const decode = (ud * 32) / acc.weightDecoderWeightsPerCycle;
  const delay = ublkXY === 1 ? acc.blockDelayCycles * ceilDiv(g.kernelElems, 4) : 0;
  const blockCycles = (ceilDiv(g.kernelElems, 4) * Math.max(mac, decode) + delay) / acc.cores;
  return nBlocks * blockCycles + blockCycles / 4;
}

/**
 * Estimates per-op and total cycles of a model on an Ethos-U-class system, the way Vela does:
 * op cycles = max(compute cycles, SRAM cycles, off-chip (flash/DRAM) cycles), with weight
 * transfers double-buffered. Compute comes from the MAC array's micro-block utilisation and the
 * weight decoder (8 weights/cycle/core), so **zero weights never reduce compute**; sparsity helps
 * a memory-bound layer only through a smaller encoded weight stream (`options.weightBytes`), and
 * unit pruning only by shrinking the matrices. Throws `LabInputError` for unsupported ops, bad
 * shapes or activations that do not fit the configured SRAM.
 *
 * @example
 * ```ts
 * const r = estimateModel(model, systems['u55-high-end']);
 * r.totals.latencySeconds;
 * ```
 * @see Stamenovic et al., "Weight, Block or Unit? Exploring Sparsity Tradeoffs for Speech
 * Enhancement on Tiny Neural Accelerators", NeurIPS 2021 ENLSP (arXiv 2111.02351); Vela's
 * `npu_performance.py`.
 */
export function estimateModel(
  model: NpuModel,
  system: SystemConfig,
  options: EstimateModelOptions = {},
): EstimateModelResult {
  const fn = 'estimateModel';
  if (system === null || typeof system !== 'object' || !system.accelerator || !(system.clockHz > 0)) {
    throw new LabInputError(fn, 'system', 'must be a SystemConfig (see systems / defineSystem)', system);
  }
  if (options === null || typeof options !== 'object') {
    throw new LabInputError(fn, 'options', 'must be an object', options);
  }
  const zs = options.zeroSkipping;
  if (zs !== undefined) {
    for (const k of ['blockOut', 'blockIn'] as const) {
      const v = zs?.[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
        throw new LabInputError(fn, `options.zeroSkipping.${k}`, 'must be a positive integer', v);
      }
    }
  }
  const weightBytes: WeightBytesFn = options.weightBytes ?? encodedWeightBytes;
  const expanded = expandModel(model);
  const acc = system.accelerator;
  const sramPerCycle = system.sramBytesPerSecond / system.clockHz;
  const offPerCycle = system.offChip.bytesPerSecond / system.clockHz;

  // Persistent LSTM state (h int8, c int16) and SRAM-resident weights stay live all the time.
  let persistent = 0;
  for (const op of model.ops) {
    if (op.kind === 'LSTM') persistent += op.hiddenSize * (1 + bytesOf(op.cellDtype ?? 'int16'));
  }
  const encodedCache = new Map<Int8Array, number>();
  const encode = (w: Int8Array, shape: [number, number]): number => {
    const hit = encodedCache.get(w);
    if (hit !== undefined) return hit;
    const n = weightBytes(w, shape, acc);
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
      throw new LabInputError(fn, 'options.weightBytes', 'must return a non-negative byte count', n);
    }
    encodedCache.set(w, n);
    return n;
  };
  for (const { op } of expanded) {
    if ('weights' in op && op.weightPlacement === 'sram') {
      persistent += encode(op.weights, flatShape(op)) + BIAS_BYTES_PER_CHANNEL * flatShape(op)[0];
    }
  }

  const ops: OpEstimate[] = expanded.map(({ op, layer }) => {
    let macs = 0;
    let compute = 0;
    let ifmBytes = 0;
    let ofmBytes = 0;
    let raw = 0;
    let enc = 0;
    let bias = 0;
    if (op.kind === 'FullyConnected' || op.kind === 'Conv2D' || op.kind === 'DepthwiseConv2D') {
      const shape = flatShape(op);
      const inDt = op.inputDtype ?? 'int8';
      raw = op.weights.length;
      enc = encode(op.weights, shape);
      bias = BIAS_BYTES_PER_CHANNEL * shape[0];
      let g: ConvGeometry;
      if (op.kind === 'FullyConnected') {
        const batch = op.batch ?? 1;
        g = { outH: 1, outW: batch, cout: op.shape[0], cin: op.shape[1], kernelElems: 1, inputDtype: inDt };
        ifmBytes = batch * op.shape[1] * bytesOf(inDt);
        ofmBytes = batch * op.shape[0] * bytesOf(inDt);
      } else {
        const { outH, outW } = convOutput(op);
        const [h, w, c] = op.inputShape;
        const dw = op.kind === 'DepthwiseConv2D';
        const ws = op.weightShape;
        const cout = dw ? c : (ws[0] as number);
        const k = dw ? (ws[0] as number) * (ws[1] as number) : (ws[1] as number) * (ws[2] as number);
        g = { outH, outW, cout, cin: dw ? 1 : c, kernelElems: k, inputDtype: inDt };
        ifmBytes = h * w * c * bytesOf(inDt);
        ofmBytes = outH * outW * cout * bytesOf(inDt);
      }
      macs = g.outH * g.outW * g.cout * g.kernelElems * g.cin;
      compute =
        op.kind === 'DepthwiseConv2D'
          ? depthwiseComputeCycles(acc, g)
          : convComputeCycles(acc, g, op.kind === 'FullyConnected');
      if (zs) {
        compute *= nonZeroBlockFraction(op.weights, shape[0], shape[1], zs.blockOut, zs.blockIn);
      }
    } else {
      const b = bytesOf(op.dtype);
      // Vela's per-element output/activation cycle tables (advanced Add, Mul, LUT activation).
      const cpe = acc.elementwiseCyclesPerElement;
      const base = op.kind === 'Add' ? cpe.add : op.kind === 'Mul' ? cpe.mul : cpe.lut;
      // A fused LUT activation runs in the same output stage: the slower of the two.
      const fused = op.kind !== 'Activation' && op.activation !== undefined ? cpe.lut : 0;
      compute = Math.ceil(Math.max(base, fused) * op.size);
      ifmBytes = (op.kind === 'Activation' ? 1 : 2) * op.size * b;
      ofmBytes = op.size * b;
    }
    const weightsInSram = 'weights' in op && op.weightPlacement === 'sram';
    // Off-chip weights are DMA'd into SRAM (write) and read back by the NPU (read).
    const sramBytes = ifmBytes + ofmBytes + (weightsInSram ? enc + bias : 2 * (enc + bias));
    const offChipBytes = weightsInSram ? 0 : enc + bias;
    const sramCycles = sramBytes / sramPerCycle;
    const offChipCycles = offChipBytes / offPerCycle;
    const cycles = Math.max(compute, sramCycles, offChipCycles);
    const bottleneck: Bottleneck =
      cycles === compute ? 'compute' : cycles === offChipCycles ? system.offChip.kind : 'sram';
    return {
      name: op.name,
      layer,
      kind: op.kind,
      macs,
      rawWeightBytes: raw,
      encodedWeightBytes: enc,
      biasBytes: bias,
      computeCycles: compute,
      sramBytes,
      sramCycles,
      offChipBytes,
      offChipCycles,
      cycles,
      bottleneck,
      macsPerCycle: cycles > 0 ? macs / cycles : 0,
      macUtilisation: cycles > 0 ? macs / cycles / acc.macsPerCycle : 0,
      liveSramBytes: ifmBytes + ofmBytes + persistent,
    };
  });

  const peakSramBytes = Math.max(...ops.map((o) => o.liveSramBytes));
  if ((options.checkSram ?? true) && peakSramBytes > system.sramBytes) {
    const worst = ops.find((o) => o.liveSramBytes === peakSramBytes);
    throw new LabInputError(
      fn,
      'model',
      `must fit the system's ${system.sramBytes} bytes of SRAM (op '${worst?.name}' needs ${peakSramBytes})`,
      peakSramBytes,
    );
  }
  const layerNames = [...new Set(ops.map((o) => o.layer))];
  const layers = layerNames.map((name) =>
    sumOps(
      name,
      ops.filter((o) => o.layer === name),
      acc,
    ),
  );
  const total = sumOps('total', ops, acc);
  return {
    model: model.name,
    system: system.name,
    accelerator: acc.name,
    clockHz: system.clockHz,
    ops,
    layers,
    totals: { ...total, latencySeconds: total.cycles / system.clockHz },
    peakSramBytes,
  };
}

function flatShape(op: PrimitiveOp): [number, number] {
  if (op.kind === 'FullyConnected') return [op.shape[0], op.shape[1]];
  if (op.kind === 'Conv2D') {
    const [o, kh, kw, i] = op.weightShape;
    return [o, kh * kw * i];
  }
  if (op.kind === 'DepthwiseConv2D') {
    const [kh, kw, c] = op.weightShape;
    return [c, kh * kw];
  }
  return [0, 0];
}

function sumOps(name: string, ops: OpEstimate[], acc: AcceleratorConfig): LayerEstimate {
  let macs = 0;
  let raw = 0;
  let enc = 0;
  let compute = 0;
  let sram = 0;
  let off = 0;
  let cycles = 0;
  for (const o of ops) {
    macs += o.macs;
    raw += o.rawWeightBytes;
    enc += o.encodedWeightBytes;
    compute += o.computeCycles;
    sram += o.sramCycles;
    off += o.offChipCycles;
    cycles += o.cycles;
  }
  // The resource that bounds most of the layer's cycles.
  const by = new Map<Bottleneck, number>();
  for (const o of ops) by.set(o.bottleneck, (by.get(o.bottleneck) ?? 0) + o.cycles);
  let bottleneck: Bottleneck = 'compute';
  let best = -1;
  for (const [k, v] of by) {
    if (v > best) {
      best = v;
      bottleneck = k;
    }
  }
  return {
    name,
    macs,
    rawWeightBytes: raw,
    encodedWeightBytes: enc,
    computeCycles: compute,
    sramCycles: sram,
    offChipCycles: off,
    cycles,
    bottleneck,
    macsPerCycle: cycles > 0 ? macs / cycles : 0,
    macUtilisation: cycles > 0 ? macs / cycles / acc.macsPerCycle : 0,
  };
}
