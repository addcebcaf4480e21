/**
 * The integer model that training produces and the exporter, decoder, footprint report and
 * sparse kernels consume. Plain typed arrays: no tensors, nothing to dispose.
 *
 * Layout follows @lab/core: a Dense kernel is `[in, out]`, an LSTM kernel `[in, 4H]` with gates
 * i, f, g, o, a Conv2d kernel `[kh, kw, inC, outC]`. The output (channel) axis is the last one.
 */

/** How a weight's zeros are arranged. */
export type SparsityStructure = 'weight' | 'block' | 'unit';

/** A quantised weight: `real = scale[c] * (value - zeroPoint[c])`. */
export interface Int8Tensor {
  /** Parameter name in the ParameterStore, e.g. `lstm1.kernel`. */
  readonly name: string;
  /** Shape in @lab/core layout (output axis last). */
  readonly shape: readonly number[];
  /** Row-major integer values: int8 narrow range [-127, 127] for weights. */
  readonly values: Int8Array;
  /** One scale (per-tensor) or one per output channel (`shape[shape.length - 1]` of them). */
  readonly scales: Float32Array;
  /** Same length as `scales`; all zero for symmetric weights. */
  readonly zeroPoints: Int32Array;
  /** The sparsity structure the zeros follow, if the weight was pruned. */
  readonly structure?: SparsityStructure;
  /** Block shape over the last two axes, for `structure: 'block'`. */
  readonly block?: readonly [number, number];
}

/** A tensor kept in float (biases, norms, anything not quantised). */
export interface FloatTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Quantisation parameters of an activation (asymmetric int8 or symmetric int16). */
export interface ActivationQuantParams {
  readonly name: string;
  readonly bits: 8 | 16;
  readonly scale: number;
  readonly zeroPoint: number;
}

/** A whole quantised model: int8 weights, float leftovers and activation ranges. */
export interface Int8Model {
  readonly weights: readonly Int8Tensor[];
  readonly floats: readonly FloatTensor[];
  readonly activations: readonly ActivationQuantParams[];
}
