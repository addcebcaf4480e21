import type { AcceleratorConfig } from '../accelerators.js';
import type { ElementwiseOp, NpuDtype } from '../model.js';
import { bytesOf } from './common.js';
import { lutDmaStall } from './dma.js';
import type { OpCost, OpCostContext, OpCostFn } from './opCost.js';
import { ofmWriteFactor } from './sramBursts.js';

/** How one elementwise kind runs on the output stage. */
export interface ElementwiseSpec {
  /** Vela's output-stage cycles per element of the op itself. */
  readonly cyclesPerElement: number;
  /** Cycles per element of a LUT activation fused into the same output stage (0: none). */
  readonly fusedCyclesPerElement: number;
  /** Input tensors read (2 for Add/Mul, 1 for an activation). */
  readonly inputs: number;
  /** The op goes through a sigmoid/tanh (int8 ones need a LUT DMA'd before the op). */
  readonly lut: boolean;
}

/**
 * The {@link OpCost} of an elementwise op of `size` elements, from Vela's per-element output and
 * activation cycle tables: the slower of the op and a fused LUT activation, per element; SRAM
 * bytes = inputs + output (x the NHWC write-burst factor for the model's output); an int8
 * sigmoid/tanh waits for its 256-byte LUT (int16 ones are native NPU functions, no LUT).
 */
export function elementwiseCost(
  op: { readonly size: number; readonly dtype?: NpuDtype },
  spec: ElementwiseSpec,
  ctx: OpCostContext,
): OpCost {
  const b = bytesOf(op.dtype);
  const ifmBytes = spec.inputs * op.size * b;
  const ofmBytes = op.size * b;
  const writeFactor = ctx.nhwcOut ? ofmWriteFactor(ctx.accelerator, Math.min(op.size, 128), b) : 1;
  return {
    macs: 0,
    rawWeightBytes: 0,
    encodedWeightBytes: 0,
    biasBytes: 0,
    computeCycles: Math.ceil(Math.max(spec.cyclesPerElement, spec.fusedCyclesPerElement) * op.size),
    dmaStallCycles: spec.lut && b === 1 ? lutDmaStall(ctx) : 0,
    sramBytes: ifmBytes + ofmBytes * writeFactor,
    offChipBytes: 0,
    ifmBytes,
    ofmBytes,
  };
}

/**
 * Cost function of a two-input elementwise kind (Add, Mul) whose own cycles per element `pick`
 * chooses from the accelerator's table; a fused sigmoid/tanh runs in the same output stage.
 */
export function binaryElementwiseCost(
  pick: (cpe: AcceleratorConfig['elementwiseCyclesPerElement']) => number,
): OpCostFn<ElementwiseOp> {
  return (op, ctx) => {
    const cpe = ctx.accelerator.elementwiseCyclesPerElement;
    const fused = op.activation !== undefined;
    return elementwiseCost(
      op,
      { cyclesPerElement: pick(cpe), fusedCyclesPerElement: fused ? cpe.lut : 0, inputs: 2, lut: fused },
      ctx,
    );
  };
}
