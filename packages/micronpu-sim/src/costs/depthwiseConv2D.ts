import type { AcceleratorConfig } from '../accelerators.js';
import { type DepthwiseConv2DOp, convOutput } from '../model.js';
import { outputCyclesPerElement } from './blockPipeline.js';
import { type Block, type ConvGeometry, searchBlock } from './blockSearch.js';
import { ceilDiv } from './common.js';
import { bufferedWeightStall } from './dma.js';
import type { OpCostFn } from './opCost.js';
import { spatialIfmFetchBytes, weightStream, weightedOpCost, zeroSkippedCycles } from './weightedOp.js';

/**
 * Depthwise compute cycles after Vela's `_estimate_conv_cycles` with the block from
 * {@link searchBlock}: per block, ceil(K / 4) kernel steps of max(weight decode, 4 cycles per
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
 * Cost of a DepthwiseConv2D op (multiplier 1): Vela's block search (depthwise variant) picks the
 * OFM block, compute from {@link depthwiseComputeCycles}, every spatial block reads its own
 * channels' receptive field once, and off-chip weights are DMA'd into SRAM as for Conv2D.
 */
export const depthwiseConv2DCost: OpCostFn<DepthwiseConv2DOp> = (op, ctx) => {
  const acc = ctx.accelerator;
  const w = weightStream(op, ctx);
  const eb = w.elementBytes;
  const { outH, outW } = convOutput(op);
  const [h, wd, c] = op.inputShape;
  const [kh, kw] = op.weightShape;
  const stride = op.stride ?? 1;
  const g: ConvGeometry = { outH, outW, cout: c, cin: 1, kernelElems: kh * kw, inputDtype: w.inputDtype };
  const blk = searchBlock(acc, g, kh, kw, stride, true);
  const compute = zeroSkippedCycles(depthwiseComputeCycles(acc, g, blk), op, w, ctx);
  return weightedOpCost(
    w,
    {
      geometry: g,
      block: blk,
      computeCycles: compute,
      dmaStallCycles: bufferedWeightStall(ctx, compute, w.encodedBytes + w.biasBytes, c, blk.d, w.inSram),
      ifmBytes: h * wd * c * eb,
      ofmBytes: outH * outW * c * eb,
      // Depthwise reads each block's own channels, once per spatial block.
      ifmFetchBytes: spatialIfmFetchBytes(acc, g, blk, { kh, kw, stride }, c, eb),
      readDepth: Math.min(blk.d, c),
      offChipBytes: w.inSram ? 0 : w.encodedBytes + w.biasBytes,
    },
    ctx,
  );
};
