import type { ActivationOp } from '../model.js';
import { bytesOf } from './common.js';
import { elementwiseCost } from './elementwise.js';
import type { OpCostFn } from './opCost.js';

/**
 * Cost of an Activation op: a LUT activation per element; Vela runs an int8 sigmoid/tanh as an
 * Add with the LUT fused (the slower of the two), after its LUT's DMA. ReLU needs no LUT.
 */
export const activationCost: OpCostFn<ActivationOp> = (op, ctx) => {
  const cpe = ctx.accelerator.elementwiseCyclesPerElement;
  const lut = op.fn !== 'relu';
  const int8Lut = lut && bytesOf(op.dtype) === 1;
  return elementwiseCost(
    op,
    {
      cyclesPerElement: int8Lut ? Math.max(cpe.add, cpe.lut) : cpe.lut,
      fusedCyclesPerElement: 0,
      inputs: 1,
      lut,
    },
    ctx,
  );
};
