import type { AcceleratorConfig } from '../accelerators.js';
import type { NpuDtype } from '../model.js';
import { ceilDiv, roundUp } from './common.js';

/** Output geometry of a convolution-like op (FC = 1x1 conv over `batch` positions). */
export interface ConvGeometry {
  outH: number;
  outW: number;
  cout: number;
  /** Input channels per output (1 for depthwise). */
  cin: number;
  kernelElems: number;
  inputDtype: NpuDtype;
}

/** An OFM block (width x height x depth). */
export interface Block {
  w: number;
  h: number;
  d: number;
}

/** Fixed OFM blocks for FC (one position, <= 128 deep) and conv (<= 16 x 16, one micro-block deep). */
export function fixedBlock(acc: AcceleratorConfig, g: ConvGeometry, fc: boolean): Block {
  const ud = acc.ofmMicroBlock.depth;
  return {
    w: Math.min(g.outW, 16),
    h: Math.min(g.outH, 16),
    d: fc ? Math.min(ceilDiv(g.cout, ud) * ud, 128) : ud,
  };
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

/**
 * Vela's `find_block_config` for a convolution or depthwise convolution: searches OFM blocks
 * (up to 64 wide, 32 high, 128 deep, in micro-block steps) whose IFM and accumulator buffers fit
 * the SHRAM, and keeps the one with the least IFM + weight fetch per output element.
 */
export function searchBlock(
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
