import type { AcceleratorConfig } from '../accelerators.js';
import type { Conv2DOp, DepthwiseConv2DOp, FullyConnectedOp, NpuDtype } from '../model.js';
import type { Block, ConvGeometry } from './blockSearch.js';
import { BIAS_BYTES_PER_CHANNEL, bytesOf, ceilDiv, roundUp } from './common.js';
import { nonZeroBlockFraction } from './nonZeroBlockFraction.js';
import type { OpCost, OpCostContext } from './opCost.js';
import { ifmReadFactor, ofmWriteFactor } from './sramBursts.js';

/** An op with an int8 weight matrix (the convolution-like ops). */
export type WeightedOp = FullyConnectedOp | Conv2DOp | DepthwiseConv2DOp;

/** The [out, in] matrix a weighted op's kernel is encoded as (conv kernels: [Cout, kh*kw*Cin]). */
export function weightMatrixShape(op: WeightedOp): [number, number] {
  if (op.kind === 'FullyConnected') return [op.shape[0], op.shape[1]];
  if (op.kind === 'Conv2D') {
    const [o, kh, kw, i] = op.weightShape;
    return [o, kh * kw * i];
  }
  const [kh, kw, c] = op.weightShape;
  return [c, kh * kw];
}

/** A weighted op's constants: weight matrix shape, raw/encoded weight bytes, bias/scale bytes. */
export interface WeightStream {
  readonly shape: [number, number];
  readonly inputDtype: NpuDtype;
  /** Bytes per input/output activation element. */
  readonly elementBytes: number;
  readonly rawBytes: number;
  readonly encodedBytes: number;
  readonly biasBytes: number;
  /** The weights are placed in SRAM (read once from there, no off-chip traffic). */
  readonly inSram: boolean;
}

/** The {@link WeightStream} of a weighted op (encodes its weights through the context). */
export function weightStream(op: WeightedOp, ctx: OpCostContext): WeightStream {
  const shape = weightMatrixShape(op);
  const inputDtype = op.inputDtype ?? 'int8';
  return {
    shape,
    inputDtype,
    elementBytes: bytesOf(inputDtype),
    rawBytes: op.weights.length,
    encodedBytes: ctx.encodedWeightBytes(op.weights, shape),
    biasBytes: BIAS_BYTES_PER_CHANNEL * shape[0],
    inSram: op.weightPlacement === 'sram',
  };
}

/**
 * Compute cycles under the zero-skipping what-if (scaled by the fraction of non-zero weight
 * blocks); unchanged without it.
 */
export function zeroSkippedCycles(
  computeCycles: number,
  op: WeightedOp,
  w: WeightStream,
  ctx: OpCostContext,
): number {
  const zs = ctx.zeroSkipping;
  if (!zs) return computeCycles;
  return computeCycles * nonZeroBlockFraction(op.weights, w.shape[0], w.shape[1], zs.blockOut, zs.blockIn);
}

/**
 * IFM bytes fetched by a (depthwise) convolution for one pass over the OFM depth: every spatial
 * OFM block reads its receptive field (rounded to micro-blocks, clipped to the padded input) of
 * `inDepth` channels.
 */
export function spatialIfmFetchBytes(
  acc: AcceleratorConfig,
  g: ConvGeometry,
  blk: Block,
  kernel: { readonly kh: number; readonly kw: number; readonly stride: number },
  inDepth: number,
  elementBytes: number,
): number {
  const { kh, kw, stride } = kernel;
  const nXY = ceilDiv(g.outW, blk.w) * ceilDiv(g.outH, blk.h);
  const ifmW = Math.min(
    roundUp((blk.w - 1) * stride + kw, acc.ofmMicroBlock.width),
    g.outW * stride + kw - 1,
  );
  const ifmH = Math.min(
    roundUp((blk.h - 1) * stride + kh, acc.ofmMicroBlock.height),
    g.outH * stride + kh - 1,
  );
  return ifmW * ifmH * inDepth * elementBytes * nXY;
}

/** What a weighted op's cost function works out itself; {@link weightedOpCost} adds the rest. */
export interface WeightedOpParts {
  readonly geometry: ConvGeometry;
  readonly block: Block;
  readonly computeCycles: number;
  readonly dmaStallCycles: number;
  readonly ifmBytes: number;
  readonly ofmBytes: number;
  /** IFM bytes fetched over all OFM blocks. */
  readonly ifmFetchBytes: number;
  /** Channels an NHWC input read bursts over (32 for conv/FC, the block's for depthwise). */
  readonly readDepth: number;
  readonly offChipBytes: number;
}

/**
 * The {@link OpCost} of a weighted op: MACs from its geometry; SRAM bytes = IFM fetches x the
 * NHWC read-burst factor + OFM writes x the write-burst factor + the constants when they live in
 * SRAM.
 */
export function weightedOpCost(w: WeightStream, parts: WeightedOpParts, ctx: OpCostContext): OpCost {
  const g = parts.geometry;
  const eb = w.elementBytes;
  const readFactor = ifmReadFactor(ctx.nhwcIn, parts.readDepth, eb);
  const writeFactor = ctx.nhwcOut ? ofmWriteFactor(ctx.accelerator, Math.min(parts.block.d, g.cout), eb) : 1;
  return {
    macs: g.outH * g.outW * g.cout * g.kernelElems * g.cin,
    rawWeightBytes: w.rawBytes,
    encodedWeightBytes: w.encodedBytes,
    biasBytes: w.biasBytes,
    computeCycles: parts.computeCycles,
    dmaStallCycles: parts.dmaStallCycles,
    sramBytes:
      parts.ifmFetchBytes * readFactor +
      parts.ofmBytes * writeFactor +
      (w.inSram ? w.encodedBytes + w.biasBytes : 0),
    offChipBytes: parts.offChipBytes,
    ifmBytes: parts.ifmBytes,
    ofmBytes: parts.ofmBytes,
  };
}
