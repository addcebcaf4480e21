import { binaryElementwiseCost } from './elementwise.js';

/** Cost of an elementwise Add (Vela's advanced Add), with its fused sigmoid/tanh if any. */
export const addCost = binaryElementwiseCost((cpe) => cpe.add);
