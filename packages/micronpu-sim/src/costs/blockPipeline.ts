import type { AcceleratorConfig } from '../accelerators.js';
import type { Block, ConvGeometry } from './blockSearch.js';
import { SRAM_LATENCY, ceilDiv } from './common.js';
import type { OpCostContext } from './opCost.js';
import { ifmReadFactor, ofmWriteFactor } from './sramBursts.js';

/** Where an op's tensors live, for Vela's per-block output stage and command overhead. */
export interface BlockIo {
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

/** The {@link BlockIo} of an op in its context, its constants read at `constLatency` cycles. */
export function blockIo(
  ctx: OpCostContext,
  int16: boolean,
  constLatency: number,
  kh: number,
  kw: number,
  stride: number,
): BlockIo {
  return {
    constLatency,
    sramPerCycle: ctx.sramBytesPerCycle,
    nhwcIn: ctx.nhwcIn,
    nhwcOut: ctx.nhwcOut,
    int16,
    kh,
    kw,
    stride,
  };
}

/**
 * Compute cycles of a convolution-like op (FC = 1x1 conv over `batch` positions), after Vela's
 * `_estimate_conv_cycles`: per kernel element and IFM block of 32 (int8) / 16 (int16) channels,
 * each micro-block-deep slice of the OFM block takes max(weight decode = depth x 32 / 8,
 * 4 cycles per micro-block), plus Vela's pipeline delays; partial blocks cost full blocks; the
 * last block adds a command tail of a quarter block.
 */
export function convComputeCycles(
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
  const readFactor = ifmReadFactor(io.nhwcIn, Math.min(32, ifmBlockElems), eb);
  const writeFactor = io.nhwcOut ? ofmWriteFactor(acc, blockDepth, eb) : 1;
  const ifmCycles = SRAM_LATENCY + (ifmBlockElems * eb * readFactor) / io.sramPerCycle;
  const ofmCycles = SRAM_LATENCY + (ofmBlockElems * eb * writeFactor) / io.sramPerCycle;
  const cmd = (ifmCycles + ofmCycles + out + dpuIn) / 4;
  const dpu = Math.max(dpuIn, cmd);
  out = Math.max(out, cmd);
  return dpu > out ? dpu * nBlocks + out : out * nBlocks + dpu;
}

/** Vela's output-stage cycles per element of a conv-like op (32-bit / 40-bit accumulators). */
export function outputCyclesPerElement(acc: AcceleratorConfig, int16: boolean): number {
  const perCore = acc.macsPerCycle / acc.cores;
  const base = perCore >= 256 ? 0.25 : perCore >= 128 ? 0.5 : perCore >= 64 ? 1 : 2;
  return (int16 ? 1.5 * base : base) / acc.cores;
}
