import { LabInputError, readOptions } from '@lab/core';
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
  /**
   * DMA cycles the NPU waits for before it can start (as Vela's estimate): the LUT of an int8
   * sigmoid/tanh op, and for off-chip conv/depthwise weights the first 16-channel weight slice
   * (later slices are double-buffered); minus the previous op's cycles, under which the DMA runs.
   */
  readonly dmaStallCycles: number;
  readonly sramBytes: number;
  readonly sramCycles: number;
  readonly offChipBytes: number;
  readonly offChipCycles: number;
  /** max(compute + DMA stall, SRAM, off-chip) cycles: weight transfers are double-buffered. */
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

/** An OFM block (width x height x depth). */
interface Block {
  w: number;
  h: number;
  d: number;
}

/** Fixed OFM blocks for FC (one position, <= 128 deep) and conv (<= 16 x 16, one micro-block deep). */
function convBlock(acc: AcceleratorConfig, g: ConvGeometry, fc: boolean): Block {
  const ud = acc.ofmMicroBlock.depth;
  return {
    w: Math.min(g.outW, 16),
    h: Math.min(g.outH, 16),
    d: fc ? Math.min(ceilDiv(g.cout, ud) * ud, 128) : ud,
  };
}

/**
 * Compute cycles of a convolution-like op (FC = 1x1 conv over `batch` positions), after Vela's
 * `_estimate_conv_cycles`: per kernel element and IFM block of 32 (int8) / 16 (int16) channels,
 * each micro-block-deep slice of the OFM block takes max(weight decode = depth x 32 / 8,
 * 4 cycles per micro-block), plus Vela's pipeline delays; partial blocks cost full blocks; the
 * last block adds a command tail of a quarter block.
 */
function convComputeCycles(
  acc: AcceleratorConfig,
  g: ConvGeometry,
  fc: boolean,
  blk: Block,
  io: BlockIo,
): number {
  let uw = acc.ofmMicroBlock.width;
  let uh = acc.ofmMicroBlock.height;
  const ud = acc.ofmMicroBlock.depth;
  if (uh === 2 && g.outH === 1 && g.outW % 2 === 0 && g.kernelElems === 1) {
    // Single-row OFMs use a 4x1 micro-block (same MAC count).
    uw *= 2;
    uh = 1;
  }
  const ifmBlockDepth = g.inputDtype === 'int16' ? 16 : 32;
  const { w: bw, h: bh, d: bd } = blk;
  const nBlocks = ceilDiv(g.outW, bw) * ceilDiv(g.outH, bh) * ceilDiv(g.cout, bd);
  const ublkXY = ceilDiv(bw, uw) * ceilDiv(bh, uh);
  const ublkZ = bd / ud;
  const decode = (ud * 32) / acc.weightDecoderWeightsPerCycle;
  // 4 cycles per micro-block per IFM block (8 channels per cycle over 32, or 16 at half rate).
  const mac = 4 * ublkXY;
  const K = g.kernelElems;
  let delay = 0;
  if (ublkXY === 1) delay = ublkZ === 1 ? acc.blockDelayCycles * K : acc.blockDelayCycles * (K - 1) * ublkZ;
  const dpu = ((Math.max(decode, mac) * K * ublkZ + delay) * ceilDiv(g.cin, ifmBlockDepth)) / acc.cores;
  // IFM block: the OFM block's receptive field (FC: Vela's 2-wide block over one position).
  const ifmBlockElems = fc
    ? Math.min(g.cin, ifmBlockDepth)
    : Math.min((bh - 1) * io.stride + io.kh, (g.outH - 1) * io.stride + io.kh) *
      Math.min((bw - 1) * io.stride + io.kw, (g.outW - 1) * io.stride + io.kw) *
      Math.min(g.cin, ifmBlockDepth);
  const ofmBlockElems = Math.min(bw, g.outW) * Math.min(bh, g.outH) * Math.min(bd, g.cout);
  return velaBlockPipeline(acc, dpu, nBlocks, ofmBlockElems, Math.min(bd, g.cout), ifmBlockElems, io);
}

/** Where an op's tensors live, for Vela's per-block output stage and command overhead. */
interface BlockIo {
  /** Read latency (cycles) of the memory holding the biases/scales: SRAM 32, flash 64, DRAM 500. */
  constLatency: number;
  /** SRAM bytes per cycle. */
  sramPerCycle: number;
  nhwcIn: boolean;
  nhwcOut: boolean;
  int16: boolean;
  kh: number;
  kw: number;
  stride: number;
}

const SRAM_LATENCY = 32;

/**
 * Vela's block pipeline (`_estimate_conv_cycles`): per OFM block the MAC stage (`dpu`) overlaps
 * the output stage (cycles per element, or the bias/scale fetch at the constants' latency) and
 * the command overhead (IFM and OFM block transfers at SRAM latency); the slower stage runs for
 * every block, the other once.
 */
function velaBlockPipeline(
  acc: AcceleratorConfig,
  dpuIn: number,
  nBlocks: number,
  ofmBlockElems: number,
  blockDepth: number,
  ifmBlockElems: number,
  io: BlockIo,
): number {
  const eb = io.int16 ? 2 : 1;
  let out = Math.ceil(outputCyclesPerElement(acc, io.int16) * ofmBlockElems);
  out = Math.max(out, (10 * blockDepth * io.constLatency) / 256);
  // NHWC reads burst over the IFM block depth (<= 32 B); NHWC writes over min(16 x cores, depth) B.
  const readFactor = io.nhwcIn ? 32 / Math.min(32, Math.min(32, ifmBlockElems) * eb) : 1;
  const writeFactor = io.nhwcOut ? ofmWriteFactor(acc, blockDepth, eb) : 1;
  const ifmCycles = SRAM_LATENCY + (ifmBlockElems * eb * readFactor) / io.sramPerCycle;
  const ofmCycles = SRAM_LATENCY + (ofmBlockElems * eb * writeFactor) / io.sramPerCycle;
  const cmd = (ifmCycles + ofmCycles + out + dpuIn) / 4;
  const dpu = Math.max(dpuIn, cmd);
  out = Math.max(out, cmd);
  return dpu > out ? dpu * nBlocks + out : out * nBlocks + dpu;
}

/** SHRAM of one core, from Vela's `architecture_features.py` (by MACs per core). */
function shramOf(acc: AcceleratorConfig): {
  banks: number;
  ifmGranule: [number, number];
  accGranule: [number, number];
} {
  const perCore = acc.macsPerCycle / acc.cores;
  if (perCore >= 256) return { banks: 48, ifmGranule: [8, 8], accGranule: [16, 20] };
  if (perCore >= 128) return { banks: 24, ifmGranule: [4, 4], accGranule: [8, 12] };
  if (perCore >= 64) return { banks: 16, ifmGranule: [2, 2], accGranule: [4, 8] };
  return { banks: 16, ifmGranule: [2, 2], accGranule: [4, 4] };
}

/** Vela's output-stage cycles per element of a conv-like op (32-bit / 40-bit accumulators). */
function outputCyclesPerElement(acc: AcceleratorConfig, int16: boolean): number {
  const perCore = acc.macsPerCycle / acc.cores;
  const base = perCore >= 256 ? 0.25 : perCore >= 128 ? 0.5 : perCore >= 64 ? 1 : 2;
  return (int16 ? 1.5 * base : base) / acc.cores;
}

const roundUp = (a: number, b: number): number => Math.ceil(a / b) * b;

/**
 * Vela's `find_block_config` for a convolution or depthwise convolution: searches OFM blocks
 * (up to 64 wide, 32 high, 128 deep, in micro-block steps) whose IFM and accumulator buffers fit
 * the SHRAM, and keeps the one with the least IFM + weight fetch per output element.
 */
function searchBlock(
  acc: AcceleratorConfig,
  g: ConvGeometry,
  kh: number,
  kw: number,
  stride: number,
  depthwise: boolean,
): Block {
  const { width: uw, height: uh, depth: ud } = acc.ofmMicroBlock;
  const int16 = g.inputDtype === 'int16';
  const bits = int16 ? 16 : 8;
  const shram = shramOf(acc);
  const reservedEnd = shram.banks > 16 ? 2 : 0;
  const lutStart = shram.banks - reservedEnd;
  const ifmGranule = shram.ifmGranule[int16 ? 1 : 0];
  const accGranule = shram.accGranule[int16 ? 1 : 0];
  const accBits = int16 ? 40 : 32;
  const ssH = roundUp(Math.min(g.outH, 32), uh);
  const ssW = roundUp(Math.min(g.outW, 64), uw);
  const ssD = roundUp(Math.min(g.cout, 128), ud);
  const ofmElems = g.outH * g.outW * g.cout;
  const ifmH0 = (g.outH - 1) * stride + kh;
  const ifmW0 = (g.outW - 1) * stride + kw;
  const inDepth = depthwise ? g.cout : g.cin;
  const ifmElems = ifmH0 * ifmW0 * inDepth;
  // Conv IFM block depth: 32 int8 channels (16 for part-kernel-first traversal, 16 int16).
  let partKernel = inDepth <= 8;
  if (!partKernel) {
    const depthUtil = inDepth / roundUp(inDepth, int16 ? 16 : 32);
    const partUtil = (inDepth * kh * kw) / (roundUp(inDepth, 8) * roundUp(kh * kw, int16 ? 2 : 4));
    partKernel = partUtil > depthUtil;
  }
  const convIfmDepth = int16
    ? roundUp(Math.min(inDepth, 16), 4)
    : roundUp(Math.min(inDepth, partKernel ? 16 : 32), 8);
  const repeats = ceilDiv(kw, 8) * ceilDiv(kh, 8);
  let best: Block = { w: uw, h: uh, d: ud };
  let bestCost = Number.POSITIVE_INFINITY;
  let bestCoverage = Number.POSITIVE_INFINITY;
  let depth = Math.max(ud, Math.min(ssD, 16));
  if (depth < g.cout) depth = roundUp(depth, 16);
  while (depth <= ssD) {
    const wontFit = new Set<string>();
    for (let height = uh; height <= ssH; height += uh) {
      for (let width = uw; width <= ssW; width += uw) {
        if (wontFit.has(`${height},${width}`)) continue;
        const ifmBh = roundUp((height - 1) * stride + Math.min(kh, 8), uh);
        const ifmBw = roundUp((width - 1) * stride + Math.min(kw, 8), uw);
        const oh = g.outH === 1 && kh === 1 && uh === 2 ? Math.min(height, g.outH) : height;
        const ifmBd = depthwise ? depth : convIfmDepth;
        const ifmBanks = roundUp(
          ceilDiv(ifmBw * ifmBh * roundUp((ifmBd * bits) / 8, 8), 1024) * 2,
          ifmGranule,
        );
        const accBanks = roundUp(
          ceilDiv((width * oh * roundUp(depth, 8) * accBits) / 8, 1024) * 2,
          accGranule,
        );
        if (2 + ifmBanks > lutStart - accBanks) {
          wontFit.add(`${width},${height}`);
          continue;
        }
        const fullWH = ceilDiv(g.outH, oh) * ceilDiv(g.outW, width);
        const blocksWH = (g.outH / oh) * (g.outW / width);
        let weightFetch = kh * kw * inDepth * fullWH;
        let ifmFetch = ifmBw * ifmBh * inDepth * repeats * blocksWH;
        if (!depthwise) {
          weightFetch *= depth * (g.cout / depth);
          ifmFetch *= ceilDiv(g.cout, depth);
        }
        let cost = (ifmFetch + weightFetch) / ofmElems;
        if (ifmElems < ifmBw * ifmBh * ifmBd * 2) cost /= 2;
        if (cost <= bestCost) {
          let take = false;
          if (cost === bestCost) {
            const coverage = (ifmH0 * ifmW0) / (Math.min(ifmH0, ifmBh) * Math.min(ifmW0, ifmBw));
            if (coverage <= bestCoverage && height <= 4 && width <= 4) {
              bestCoverage = coverage;
              take = true;
            }
          } else {
            bestCoverage = Number.POSITIVE_INFINITY;
            take = true;
          }
          if (take) {
            bestCost = cost;
            best = { w: width, h: height, d: depth };
          }
        }
      }
    }
    depth += ud;
    if (depth < g.cout) depth = roundUp(depth, 16);
  }
  return best;
}

/**
 * Cycles the NPU waits for buffered (conv/depthwise) weights, after Vela's
 * `propose_weight_buffering` and `estimate_full_op_performance`: what the previous op's `slack`
 * cycles cannot prefetch is split into OFM-depth slices, a first slice of >= 16 channels and then
 * slices sized so that each transfer hides under the previous slice's compute; the NPU waits for
 * the first slice, and the whole transfer plus the last slice's compute bounds the op.
 */
function weightBufferingStall(
  compute: number,
  bytes: number,
  cout: number,
  blockDepth: number,
  offPerCycle: number,
  latency: number,
  slack: number,
): number {
  const full = Math.floor(bytes / offPerCycle) + latency;
  if (full <= slack) return 0;
  const ratio = slack / full;
  let pre = Math.max(16, Math.floor((cout * ratio) / 16) * 16);
  if (pre >= cout) {
    // Everything fits the first transfer: single buffer, the NPU waits for what slack leaves.
    return Math.max(0, full - slack);
  }
  pre = Math.min(pre, cout);
  const preOp = (compute * pre) / cout;
  let depth = roundUp((cout * preOp) / full, blockDepth);
  depth = depth > blockDepth ? Math.floor(depth / blockDepth) * blockDepth : Math.floor(depth / 16) * 16;
  depth = Math.max(depth, 16);
  let lastStart = pre;
  while (lastStart + depth < cout) lastStart += depth;
  const tail = (compute * (cout - lastStart)) / cout;
  const first = Math.floor((bytes * pre) / cout / offPerCycle) + latency;
  const npu = Math.max(full - slack + tail, compute + Math.max(first - slack, 0));
  return npu - compute;
}

/** SRAM write-burst efficiency of an NHWC OFM (Vela: 32-byte bursts, `min(16 x cores, depth)` bytes per write). */
function ofmWriteFactor(acc: AcceleratorConfig, blockDepth: number, elementBytes: number): number {
  const burst = Math.min(64, 16 * elementBytes * acc.cores, blockDepth * elementBytes);
  return 32 / Math.min(32, burst);
}

/**
 * Depthwise compute cycles after Vela's `_estimate_conv_cycles` with the block from
 * {@link depthwiseBlock}: per block, ceil(K / 4) kernel steps of max(weight decode, 4 cycles per
 * micro-block, x2 for int16) per micro-block-deep slice, against the output stage (cycles per
 * element, or the bias/scale fetch) and the command overhead (IFM/OFM block transfer latency).
 */
function depthwiseComputeCycles(acc: AcceleratorConfig, g: ConvGeometry, blk: Block): number {
  const { width: uw, height: uh, depth: ud } = acc.ofmMicroBlock;
  const int16 = g.inputDtype === 'int16';
  const bw = Math.min(blk.w, g.outW);
  const bh = Math.min(blk.h, g.outH);
  const bd = Math.min(blk.d, g.cout);
  const ux = ceilDiv(bw, uw);
  const uy = ceilDiv(bh, uh);
  const uz = ceilDiv(bd, ud);
  const decode = (ud * 32) / acc.weightDecoderWeightsPerCycle;
  const steps = ceilDiv(g.kernelElems, 4);
  let dpu = Math.max(decode, 4 * ux * uy * (int16 ? 2 : 1)) * steps * uz;
  if (ux === 1 && uy === 1) {
    if (uz === 1) dpu += acc.blockDelayCycles * steps;
    else if (steps > 1) dpu += acc.blockDelayCycles * (steps - 1) * uz;
  }
  dpu /= acc.cores;
  const nBlocks = ceilDiv(g.outW, bw) * ceilDiv(g.outH, bh) * ceilDiv(g.cout, bd);
  let out = Math.ceil(outputCyclesPerElement(acc, int16) * bw * bh * bd);
  // Bias/scale entries (10 bytes per channel) read from SRAM (latency 32) per block.
  out = Math.max(out, (10 * bd * 32) / 256);
  // Command overhead: IFM and OFM block transfers at SRAM latency + bytes / 8 per cycle.
  const ifmBlock = Math.min(bw + 2, g.outW + 2) * Math.min(bh + 2, g.outH + 2) * bd;
  const cmd = (32 + ifmBlock / 8 + 32 + (bw * bh * bd) / 8 + out + dpu) / 4;
  dpu = Math.max(dpu, cmd);
  out = Math.max(out, cmd);
  return dpu > out ? dpu * nBlocks + out : out * nBlocks + dpu;
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
 * const model = dtlnModel({ seed: 1 });
 * const r = estimateModel(model, systems['u55-high-end']);
 * r.totals.latencySeconds; // ~1.91e-3 (see the README)
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
  const o = readOptions(fn, options, ['zeroSkipping', 'weightBytes', 'checkSram']);
  const checkSram = o.boolean('checkSram', true);
  if (o.has('zeroSkipping')) {
    const z = o.nested('zeroSkipping', ['blockOut', 'blockIn']);
    z.integer('blockOut', undefined, { min: 1 });
    z.integer('blockIn', undefined, { min: 1 });
  }
  const zs = options.zeroSkipping;
  const weightBytes: WeightBytesFn = o.optionalFunction<WeightBytesFn>('weightBytes') ?? encodedWeightBytes;
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

  const latency = system.offChip.readLatencyCycles;
  let prevCompute = 0; // compute cycles of the previous op: DMAs of this op's constants run under them
  const ops: OpEstimate[] = expanded.map(({ op, layer }, index) => {
    // The model's input and output are NHWC tensors (SRAM bursts depend on the block depth);
    // intermediate tensors use the brick format NHCWB16 (full bursts), as in Vela.
    const nhwcIn = index === 0;
    const nhwcOut = index === expanded.length - 1;
    let macs = 0;
    let compute = 0;
    let ifmBytes = 0;
    let ofmBytes = 0;
    let raw = 0;
    let enc = 0;
    let bias = 0;
    // SRAM traffic as Vela's estimate counts it: IFM fetches (re-read per OFM block), OFM writes
    // scaled by the write-burst efficiency, constants read from SRAM when placed there.
    let sramTraffic = 0;
    let dma = 0;
    const weightsInSram = 'weights' in op && op.weightPlacement === 'sram';
    if (op.kind === 'FullyConnected' || op.kind === 'Conv2D' || op.kind === 'DepthwiseConv2D') {
      const shape = flatShape(op);
      const inDt = op.inputDtype ?? 'int8';
      const eb = bytesOf(inDt);
      raw = op.weights.length;
      enc = encode(op.weights, shape);
      bias = BIAS_BYTES_PER_CHANNEL * shape[0];
      let g: ConvGeometry;
      let kh = 1;
      let kw = 1;
      let stride = 1;
      if (op.kind === 'FullyConnected') {
        const batch = op.batch ?? 1;
        g = { outH: 1, outW: batch, cout: op.shape[0], cin: op.shape[1], kernelElems: 1, inputDtype: inDt };
        ifmBytes = batch * op.shape[1] * eb;
        ofmBytes = batch * op.shape[0] * eb;
      } else {
        const { outH, outW } = convOutput(op);
        const [h, w, c] = op.inputShape;
        const dw = op.kind === 'DepthwiseConv2D';
        const ws = op.weightShape;
        const cout = dw ? c : (ws[0] as number);
        kh = dw ? (ws[0] as number) : (ws[1] as number);
        kw = dw ? (ws[1] as number) : (ws[2] as number);
        stride = op.stride ?? 1;
        g = { outH, outW, cout, cin: dw ? 1 : c, kernelElems: kh * kw, inputDtype: inDt };
        ifmBytes = h * w * c * eb;
        ofmBytes = outH * outW * cout * eb;
      }
      macs = g.outH * g.outW * g.cout * g.kernelElems * g.cin;
      const fcOp = op.kind === 'FullyConnected';
      const blk = fcOp
        ? convBlock(acc, g, true)
        : searchBlock(acc, g, kh, kw, stride, op.kind === 'DepthwiseConv2D');
      compute =
        op.kind === 'DepthwiseConv2D'
          ? depthwiseComputeCycles(acc, g, blk)
          : convComputeCycles(acc, g, fcOp, blk, {
              // FC weights/biases stream from off-chip; conv ones are buffered in SRAM.
              constLatency: weightsInSram || !fcOp ? SRAM_LATENCY : latency,
              sramPerCycle,
              nhwcIn,
              nhwcOut,
              int16: inDt === 'int16',
              kh,
              kw,
              stride,
            });
      if (zs) {
        compute *= nonZeroBlockFraction(op.weights, shape[0], shape[1], zs.blockOut, zs.blockIn);
      }
      // IFM fetch per OFM block: the block's receptive field, all input channels (depthwise: the
      // block's own channels), for every OFM block (depthwise: every spatial block).
      const nXY = ceilDiv(g.outW, blk.w) * ceilDiv(g.outH, blk.h);
      const ifmW = Math.min(
        roundUp((blk.w - 1) * stride + kw, acc.ofmMicroBlock.width),
        g.outW * stride + kw - 1,
      );
      const ifmH = Math.min(
        roundUp((blk.h - 1) * stride + kh, acc.ofmMicroBlock.height),
        g.outH * stride + kh - 1,
      );
      const dwOp = op.kind === 'DepthwiseConv2D';
      const inDepth = dwOp ? g.cout : g.cin;
      const ifmFetch =
        op.kind === 'FullyConnected'
          ? ifmBytes * ceilDiv(g.cout, blk.d)
          : ifmW * ifmH * inDepth * eb * nXY * (dwOp ? 1 : ceilDiv(g.cout, blk.d));
      // NHWC reads burst over the IFM block depth (32 channels for conv/FC, the block's for depthwise).
      const readFactor = nhwcIn ? 32 / Math.min(32, (dwOp ? Math.min(blk.d, g.cout) : 32) * eb) : 1;
      const writeFactor = nhwcOut ? ofmWriteFactor(acc, Math.min(blk.d, g.cout), eb) : 1;
      sramTraffic = ifmFetch * readFactor + ofmBytes * writeFactor + (weightsInSram ? enc + bias : 0);
      if (!weightsInSram && op.kind !== 'FullyConnected') {
        // Vela streams FC weights straight from flash; conv/depthwise weights are DMA'd into SRAM
        // (its scheduler's weight buffering, slack = the previous op's compute cycles).
        dma = weightBufferingStall(compute, enc + bias, g.cout, blk.d, offPerCycle, latency, prevCompute);
      }
    } else {
      const b = bytesOf(op.dtype);
      // Vela's per-element output/activation cycle tables (advanced Add, Mul, LUT activation).
      const cpe = acc.elementwiseCyclesPerElement;
      const lutFn = op.kind === 'Activation' ? op.fn !== 'relu' : op.activation !== undefined;
      let base = op.kind === 'Add' ? cpe.add : op.kind === 'Mul' ? cpe.mul : cpe.lut;
      // Vela runs an int8 sigmoid/tanh as an Add with the LUT fused.
      if (op.kind === 'Activation' && lutFn && b === 1) base = Math.max(cpe.add, cpe.lut);
      // A fused LUT activation runs in the same output stage: the slower of the two.
      const fused = op.kind !== 'Activation' && op.activation !== undefined ? cpe.lut : 0;
      compute = Math.ceil(Math.max(base, fused) * op.size);
      ifmBytes = (op.kind === 'Activation' ? 1 : 2) * op.size * b;
      ofmBytes = op.size * b;
      sramTraffic = ifmBytes + ofmBytes * (nhwcOut ? ofmWriteFactor(acc, Math.min(op.size, 128), b) : 1);
      if (lutFn && b === 1) {
        // int8 sigmoid/tanh run through a 256-byte LUT DMA'd from flash before the op (int16
        // sigmoid/tanh are native activation functions of the NPU, no LUT).
        dma = Math.max(0, 256 / offPerCycle + latency - prevCompute);
      }
    }
    const sramBytes = sramTraffic;
    // Vela's estimate charges an FC a full OFM block of weights for a partial last block
    // (weights + 6 bytes/channel of scales scaled by the padded/real output ratio, + 4-byte biases).
    let offChipBytes = weightsInSram ? 0 : enc + bias;
    if (!weightsInSram && op.kind === 'FullyConnected') {
      const cout = op.shape[0];
      const bd = Math.min(ceilDiv(cout, acc.ofmMicroBlock.depth) * acc.ofmMicroBlock.depth, 128);
      offChipBytes = ((enc + 6 * cout) * ceilDiv(cout, bd) * bd) / cout + 4 * cout;
    }
    const sramCycles = sramBytes / sramPerCycle;
    const offChipCycles = offChipBytes / offPerCycle;
    const busy = compute + dma;
    const cycles = Math.max(busy, sramCycles, offChipCycles);
    prevCompute = compute;
    const bottleneck: Bottleneck =
      cycles === busy
        ? dma > compute
          ? system.offChip.kind
          : 'compute'
        : cycles === offChipCycles
          ? system.offChip.kind
          : 'sram';
    return {
      name: op.name,
      layer,
      kind: op.kind,
      macs,
      rawWeightBytes: raw,
      encodedWeightBytes: enc,
      biasBytes: bias,
      computeCycles: compute,
      dmaStallCycles: dma,
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
  if (checkSram && peakSramBytes > system.sramBytes) {
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
