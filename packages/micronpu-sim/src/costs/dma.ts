import { roundUp } from './common.js';
import type { OpCostContext } from './opCost.js';

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

/**
 * DMA stall of an op whose weights (and biases/scales, `bytes` in all) are buffered into SRAM
 * (conv/depthwise, as Vela's scheduler does): {@link weightBufferingStall} under the previous
 * op's compute cycles; 0 when the weights already live in SRAM.
 */
export function bufferedWeightStall(
  ctx: OpCostContext,
  computeCycles: number,
  bytes: number,
  cout: number,
  blockDepth: number,
  weightsInSram: boolean,
): number {
  if (weightsInSram) return 0;
  return weightBufferingStall(
    computeCycles,
    bytes,
    cout,
    blockDepth,
    ctx.offChipBytesPerCycle,
    ctx.offChipLatencyCycles,
    ctx.previousComputeCycles,
  );
}

/**
 * Cycles an int8 sigmoid/tanh waits for its 256-byte LUT, DMA'd from off-chip memory before the
 * op (under the previous op's compute cycles).
 */
export function lutDmaStall(ctx: OpCostContext): number {
  return Math.max(0, 256 / ctx.offChipBytesPerCycle + ctx.offChipLatencyCycles - ctx.previousComputeCycles);
}
