import type { FullyConnectedOp } from '../model.js';
import { blockIo, convComputeCycles } from './blockPipeline.js';
import { type ConvGeometry, fixedBlock } from './blockSearch.js';
import { SRAM_LATENCY, ceilDiv } from './common.js';
import type { OpCostFn } from './opCost.js';
import { weightStream, weightedOpCost, zeroSkippedCycles } from './weightedOp.js';

/**
 * Cost of a FullyConnected op: a 1x1 convolution over `batch` positions on Vela's fixed FC block
 * (one position, min(Cout rounded to the micro-block, 128) deep); its weights and biases stream
 * straight from off-chip memory (Vela never buffers FC weights), so no DMA stall, and the IFM is
 * re-read once per OFM block.
 */
export const fullyConnectedCost: OpCostFn<FullyConnectedOp> = (op, ctx) => {
  const acc = ctx.accelerator;
  const w = weightStream(op, ctx);
  const eb = w.elementBytes;
  const batch = op.batch ?? 1;
  const [cout, cin] = op.shape;
  const g: ConvGeometry = { outH: 1, outW: batch, cout, cin, kernelElems: 1, inputDtype: w.inputDtype };
  const ifmBytes = batch * cin * eb;
  const ofmBytes = batch * cout * eb;
  const blk = fixedBlock(acc, g, true);
  // Streamed biases/scales are read at the off-chip latency.
  const constLatency = w.inSram ? SRAM_LATENCY : ctx.offChipLatencyCycles;
  const compute = zeroSkippedCycles(
    convComputeCycles(acc, g, true, blk, blockIo(ctx, w.inputDtype === 'int16', constLatency, 1, 1, 1)),
    op,
    w,
    ctx,
  );
  // Vela's estimate charges an FC a full OFM block of weights for a partial last block
  // (weights + 6 bytes/channel of scales scaled by the padded/real output ratio, + 4-byte biases);
  // blk.d is that block's depth.
  const offChipBytes = w.inSram
    ? 0
    : ((w.encodedBytes + 6 * cout) * ceilDiv(cout, blk.d) * blk.d) / cout + 4 * cout;
  return weightedOpCost(
    w,
    {
      geometry: g,
      block: blk,
      computeCycles: compute,
      dmaStallCycles: 0,
      ifmBytes,
      ofmBytes,
      ifmFetchBytes: ifmBytes * ceilDiv(cout, blk.d),
      readDepth: 32,
      offChipBytes,
    },
    ctx,
  );
};
