import { binaryElementwiseCost } from './elementwise.js';

/** Cost of an elementwise Mul, with its fused sigmoid/tanh if any. */
export const mulCost = binaryElementwiseCost((cpe) => cpe.mul);
