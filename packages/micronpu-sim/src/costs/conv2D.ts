import { type Conv2DOp, convOutput } from '../model.js';
import { blockIo, convComputeCycles } from './blockPipeline.js';
import { type ConvGeometry, searchBlock } from './blockSearch.js';
import { SRAM_LATENCY, ceilDiv } from './common.js';
import { bufferedWeightStall } from './dma.js';
import type { OpCostFn } from './opCost.js';
import { spatialIfmFetchBytes, weightStream, weightedOpCost, zeroSkippedCycles } from './weightedOp.js';

/**
 * Cost of a Conv2D op: Vela's block search picks the OFM block, compute follows Vela's
 * `_estimate_conv_cycles` (constants buffered in SRAM), the IFM is re-read for every OFM block,
 * and off-chip weights are DMA'd into SRAM in OFM-depth slices (double-buffered).
 */
export const conv2DCost: OpCostFn<Conv2DOp> = (op, ctx) => {
  const acc = ctx.accelerator;
  const w = weightStream(op, ctx);
  const eb = w.elementBytes;
  const { outH, outW } = convOutput(op);
  const [h, wd, c] = op.inputShape;
  const [cout, kh, kw] = op.weightShape;
  const stride = op.stride ?? 1;
  const g: ConvGeometry = { outH, outW, cout, cin: c, kernelElems: kh * kw, inputDtype: w.inputDtype };
  const blk = searchBlock(acc, g, kh, kw, stride, false);
  const compute = zeroSkippedCycles(
    convComputeCycles(
      acc,
      g,
      false,
      blk,
      blockIo(ctx, w.inputDtype === 'int16', SRAM_LATENCY, kh, kw, stride),
    ),
    op,
    w,
    ctx,
  );
  return weightedOpCost(
    w,
    {
      geometry: g,
      block: blk,
      computeCycles: compute,
      dmaStallCycles: bufferedWeightStall(ctx, compute, w.encodedBytes + w.biasBytes, cout, blk.d, w.inSram),
      ifmBytes: h * wd * c * eb,
      ofmBytes: outH * outW * cout * eb,
      ifmFetchBytes: spatialIfmFetchBytes(acc, g, blk, { kh, kw, stride }, c, eb) * ceilDiv(cout, blk.d),
      readDepth: 32,
      offChipBytes: w.inSram ? 0 : w.encodedBytes + w.biasBytes,
    },
    ctx,
  );
};
