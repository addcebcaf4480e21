import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { type Activation, activation } from './activations.js';
import type { InitializerSpec } from './initializers.js';
import { type ApplyOptions, checkLastDim, checkLayerArgs, checkPositiveInt, type Layer } from './Layer.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options of {@link Conv1d}. */
export interface Conv1dOptions {
  /** Input channels (last axis of `[batch, length, channels]`). */
  inChannels: number;
  /** Output channels. */
  outChannels: number;
  /** Kernel width. */
  kernelSize: number;
  /** Stride (default 1). */
  stride?: number;
  /**
   * Dilation (default 1; requires stride 1 when > 1). Dilated convolutions are computed as
   * `kernelSize` shifted matmuls because tfjs lacks their gradient.
   */
  dilation?: number;
  /**
   * `valid` (default), `same`, or `causal`: left-pad by `(kernelSize - 1) * dilation` so
   * output t sees inputs <= t only (temporal convnets, WaveNet).
   */
  padding?: 'valid' | 'same' | 'causal';
  /** Activation (default linear). */
  activation?: Activation;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Kernel initialiser (default glorotUniform, fans include the kernel width). */
  kernelInit?: InitializerSpec;
}

/**
 * 1-D convolution over `[batch, length, inChannels]` (channels last), kernel
 * `<name>.kernel` `[kernelSize, inChannels, outChannels]`, bias `<name>.bias` `[outChannels]`.
 * Like every tfjs convolution this is a cross-correlation (kernel not flipped).
 * @see van den Oord et al., "WaveNet", 2016 (causal dilated convolutions).
 */
export class Conv1d implements Layer {
  readonly name: string;
  readonly paramNames: readonly string[];
  readonly options: Readonly<Required<Omit<Conv1dOptions, 'activation' | 'kernelInit'>>>;
  private readonly store: ParameterStore;
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(store: ParameterStore, name: string, options: Conv1dOptions) {
    checkLayerArgs('Conv1d', store, name);
    checkPositiveInt('Conv1d', 'options.inChannels', options?.inChannels);
    checkPositiveInt('Conv1d', 'options.outChannels', options.outChannels);
    checkPositiveInt('Conv1d', 'options.kernelSize', options.kernelSize);
    const stride = options.stride ?? 1;
    const dilation = options.dilation ?? 1;
    checkPositiveInt('Conv1d', 'options.stride', stride);
    checkPositiveInt('Conv1d', 'options.dilation', dilation);
    if (stride > 1 && dilation > 1) {
      throw new LabInputError(
        'Conv1d',
        'options.dilation',
        'must be 1 when stride > 1 (tfjs limitation)',
        dilation,
      );
    }
    const padding = options.padding ?? 'valid';
    if (!['valid', 'same', 'causal'].includes(padding)) {
      throw new LabInputError('Conv1d', 'options.padding', 'must be valid, same or causal', padding);
    }
    this.store = store;
    this.name = name;
    this.act = activation(options.activation, 'Conv1d', 'options.activation');
    this.options = {
      inChannels: options.inChannels,
      outChannels: options.outChannels,
      kernelSize: options.kernelSize,
      stride,
      dilation,
      padding,
      useBias: options.useBias ?? true,
    };
    store.create(
      `${name}.kernel`,
      [options.kernelSize, options.inChannels, options.outChannels],
      options.kernelInit ?? 'glorotUniform',
    );
    if (this.options.useBias) store.create(`${name}.bias`, [options.outChannels], 'zeros');
    this.paramNames = this.options.useBias ? [`${name}.kernel`, `${name}.bias`] : [`${name}.kernel`];
  }

  /** `x`: `[batch, length, inChannels]` -> `[batch, outLength, outChannels]`. */
  apply(x: tf.Tensor, _options: ApplyOptions = {}): tf.Tensor {
    checkLastDim('Conv1d.apply', 'x', x, this.options.inChannels, 3);
    if (x.rank !== 3)
      throw new LabInputError('Conv1d.apply', 'x', 'must have rank 3 [batch, length, channels]', x);
    const { kernelSize, stride, dilation, padding, useBias } = this.options;
    return tf.tidy(() => {
      let input = x as tf.Tensor3D;
      let pad: 'valid' | 'same' = padding === 'same' ? 'same' : 'valid';
      if (padding === 'causal') {
        input = tf.pad(input, [
          [0, 0],
          [(kernelSize - 1) * dilation, 0],
          [0, 0],
        ]);
        pad = 'valid';
      }
      const kernel = this.store.get(`${this.name}.kernel`) as tf.Tensor3D;
      let y: tf.Tensor;
      if (dilation === 1) {
        y = tf.conv1d(input, kernel, stride, pad, 'NWC', 1);
      } else {
        // tfjs 4.22 has no gradient for dilated conv2d: compute the dilated correlation as a sum
        // of kernelSize shifted matmuls (stride is 1 here), which differentiates everywhere.
        if (pad === 'same') {
          const total = (kernelSize - 1) * dilation;
          input = tf.pad(input, [
            [0, 0],
            [Math.floor(total / 2), total - Math.floor(total / 2)],
            [0, 0],
          ]);
        }
        const [B, L, C] = input.shape;
        const outLen = L - (kernelSize - 1) * dilation;
        if (outLen < 1) {
          throw new LabInputError(
            'Conv1d.apply',
            'x',
            `must be longer than the receptive field ${(kernelSize - 1) * dilation + 1}`,
            x,
          );
        }
        const taps = tf.unstack(kernel, 0); // kernelSize x [C, outChannels]
        const parts = taps.map((k, q) =>
          tf.matMul(tf.reshape(tf.slice(input, [0, q * dilation, 0], [B, outLen, C]), [B * outLen, C]), k),
        );
        y = tf.reshape(parts.length === 1 ? parts[0]! : tf.addN(parts), [
          B,
          outLen,
          this.options.outChannels,
        ]);
      }
      if (useBias) y = tf.add(y, this.store.get(`${this.name}.bias`));
      return this.act(y);
    });
  }
}
