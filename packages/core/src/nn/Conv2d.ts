import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { type Activation, activation } from './activations.js';
import type { InitializerSpec } from './initializers.js';
import { type ApplyOptions, checkLastDim, checkLayerArgs, checkPositiveInt, type Layer } from './Layer.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options of {@link Conv2d}. */
export interface Conv2dOptions {
  /** Input channels (last axis of `[batch, height, width, channels]`). */
  inChannels: number;
  /** Output channels. */
  outChannels: number;
  /** Kernel size, square or `[height, width]`. */
  kernelSize: number | [number, number];
  /** Stride (default 1). */
  stride?: number | [number, number];
  /** Dilation (default 1; tfjs requires stride 1 when dilation > 1). */
  dilation?: number | [number, number];
  /** `valid` (default) or `same` (TensorFlow semantics). */
  padding?: 'valid' | 'same';
  /** Activation (default linear). */
  activation?: Activation;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Kernel initialiser (default glorotUniform, fans include the receptive field). */
  kernelInit?: InitializerSpec;
}

function pair(fn: string, arg: string, v: number | [number, number]): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2)
    throw new LabInputError(fn, arg, 'must be a positive integer or a pair', v);
  checkPositiveInt(fn, arg, p[0]);
  checkPositiveInt(fn, arg, p[1]);
  return p;
}

/**
 * 2-D convolution over NHWC images `[batch, height, width, inChannels]`, kernel
 * `<name>.kernel` `[kh, kw, inChannels, outChannels]`, bias `<name>.bias` `[outChannels]`.
 * A cross-correlation, like tfjs/PyTorch convolutions (e.g. a ViT/CLIP patch embedding is a
 * Conv2d with kernel = stride = patch size).
 */
export class Conv2d implements Layer {
  readonly name: string;
  readonly paramNames: readonly string[];
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly dilation: [number, number];
  readonly padding: 'valid' | 'same';
  private readonly useBias: boolean;
  private readonly store: ParameterStore;
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(store: ParameterStore, name: string, options: Conv2dOptions) {
    checkLayerArgs('Conv2d', store, name);
    checkPositiveInt('Conv2d', 'options.inChannels', options?.inChannels);
    checkPositiveInt('Conv2d', 'options.outChannels', options.outChannels);
    this.kernelSize = pair('Conv2d', 'options.kernelSize', options.kernelSize);
    this.stride = pair('Conv2d', 'options.stride', options.stride ?? 1);
    this.dilation = pair('Conv2d', 'options.dilation', options.dilation ?? 1);
    if (Math.max(...this.stride) > 1 && Math.max(...this.dilation) > 1) {
      throw new LabInputError(
        'Conv2d',
        'options.dilation',
        'must be 1 when stride > 1 (tfjs limitation)',
        options.dilation,
      );
    }
    this.padding = options.padding ?? 'valid';
    if (this.padding !== 'valid' && this.padding !== 'same') {
      throw new LabInputError('Conv2d', 'options.padding', 'must be valid or same', this.padding);
    }
    this.store = store;
    this.name = name;
    this.inChannels = options.inChannels;
    this.outChannels = options.outChannels;
    this.useBias = options.useBias ?? true;
    this.act = activation(options.activation, 'Conv2d', 'options.activation');
    store.create(
      `${name}.kernel`,
      [...this.kernelSize, this.inChannels, this.outChannels],
      options.kernelInit ?? 'glorotUniform',
    );
    if (this.useBias) store.create(`${name}.bias`, [this.outChannels], 'zeros');
    this.paramNames = this.useBias ? [`${name}.kernel`, `${name}.bias`] : [`${name}.kernel`];
  }

  /** `x`: `[batch, height, width, inChannels]` -> `[batch, outHeight, outWidth, outChannels]`. */
  apply(x: tf.Tensor, _options: ApplyOptions = {}): tf.Tensor {
    checkLastDim('Conv2d.apply', 'x', x, this.inChannels, 4);
    if (x.rank !== 4)
      throw new LabInputError('Conv2d.apply', 'x', 'must have rank 4 [batch, height, width, channels]', x);
    return tf.tidy(() => {
      let y: tf.Tensor = tf.conv2d(
        x as tf.Tensor4D,
        this.store.get(`${this.name}.kernel`) as tf.Tensor4D,
        this.stride,
        this.padding,
        'NHWC',
        this.dilation,
      );
      if (this.useBias) y = tf.add(y, this.store.get(`${this.name}.bias`));
      return this.act(y);
    });
  }
}
