import * as tf from '@tensorflow/tfjs-core';
import { type Activation, activation } from './activations.js';
import type { InitializerSpec } from './initializers.js';
import { type ApplyOptions, checkLastDim, checkLayerArgs, checkPositiveInt, type Layer } from './Layer.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options of {@link Dense}. */
export interface DenseOptions {
  /** Size of the input's last dimension. */
  inputDim: number;
  /** Output features. */
  units: number;
  /** Activation (default linear). */
  activation?: Activation;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Kernel initialiser (default glorotUniform). */
  kernelInit?: InitializerSpec;
  /** Bias initialiser (default zeros). */
  biasInit?: InitializerSpec;
}

/**
 * Fully connected layer `y = act(x W + b)` on the last axis of `x` (any rank >= 2,
 * e.g. `[batch, features]` or `[batch, time, features]`).
 * Parameters: `<name>.kernel` `[inputDim, units]`, `<name>.bias` `[units]`.
 */
export class Dense implements Layer {
  readonly name: string;
  readonly paramNames: readonly string[];
  readonly inputDim: number;
  readonly units: number;
  private readonly store: ParameterStore;
  private readonly act: (x: tf.Tensor) => tf.Tensor;
  private readonly useBias: boolean;

  constructor(store: ParameterStore, name: string, options: DenseOptions) {
    checkLayerArgs('Dense', store, name);
    checkPositiveInt('Dense', 'options.inputDim', options?.inputDim);
    checkPositiveInt('Dense', 'options.units', options.units);
    this.store = store;
    this.name = name;
    this.inputDim = options.inputDim;
    this.units = options.units;
    this.act = activation(options.activation, 'Dense', 'options.activation');
    this.useBias = options.useBias ?? true;
    store.create(`${name}.kernel`, [this.inputDim, this.units], options.kernelInit ?? 'glorotUniform');
    if (this.useBias) store.create(`${name}.bias`, [this.units], options.biasInit ?? 'zeros');
    this.paramNames = this.useBias ? [`${name}.kernel`, `${name}.bias`] : [`${name}.kernel`];
  }

  /** `x`: `[..., inputDim]` -> `[..., units]`. */
  apply(x: tf.Tensor, _options: ApplyOptions = {}): tf.Tensor {
    checkLastDim('Dense.apply', 'x', x, this.inputDim);
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      let y = tf.matMul(tf.reshape(x, [-1, this.inputDim]), this.store.get(`${this.name}.kernel`));
      if (this.useBias) y = tf.add(y, this.store.get(`${this.name}.bias`));
      return this.act(tf.reshape(y, [...lead, this.units]));
    });
  }
}
