import {
  Adam,
  checkTensor,
  createRng,
  Dense,
  emptyFitHistory,
  type FitHistory,
  type FitProgress,
  LabInputError,
  nextTurn,
  ParameterStore,
  type Rng,
  readOptions,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { DecoderPrediction, JacobianMoments, StochasticDecoder } from './StochasticDecoder.js';

/** Smooth activations (the Jacobian must itself be differentiable for curve energies). */
export type NeuralDecoderActivation = 'tanh' | 'softplus' | 'sigmoid';

/** Options of {@link NeuralDecoder}. */
export interface NeuralDecoderOptions {
  /** Latent dimension q. */
  latentDim: number;
  /** Output dimension D (keep it modest: Jacobians cost q forward passes of width D). */
  outputDim: number;
  /** Hidden widths of both MLPs (default [32]). */
  hidden?: number[];
  /** Hidden activation (default 'tanh'). */
  activation?: NeuralDecoderActivation;
  /** Floor added to sigma(z) = softplus(.) + minStd (default 1e-3). */
  minStd?: number;
  /** Seed of the weight initialisation (default 0; or `rng`, at most one of the two). */
  seed?: number | string;
  /** Generator of the weight initialisation instead of `seed`. */
  rng?: Rng;
}

/** Options of {@link NeuralDecoder.fit}. */
export interface NeuralDecoderFitOptions {
  /** Adam steps (full batch; default 500). */
  steps?: number;
  /** Adam learning rate (default 0.01). */
  learningRate?: number;
  /**
   * Called after each step (one full-batch step is one "epoch") with core's {@link FitProgress};
   * `loss` is the mean Gaussian negative log-likelihood. May be async; return false to stop.
   */
  onProgress?: (
    progress: FitProgress,
    // biome-ignore lint/suspicious/noConfusingVoidType: callbacks that return nothing must type-check
  ) => boolean | undefined | void | Promise<boolean | undefined | void>;
}

/** Exact Jacobians of the two heads at a batch of points. */
export interface NeuralDecoderJacobians {
  /** d mu / dz, `[n, D, q]`. */
  mu: tf.Tensor3D;
  /** d sigma / dz, `[n, D, q]`. */
  sigma: tf.Tensor3D;
}

interface Head {
  layers: Dense[];
}

/**
 * Neural stochastic decoder f(z) = mu(z) + sigma(z) * eps, eps ~ N(0, I_D), with two MLPs
 * (`@lab/core` Dense layers in a {@link ParameterStore}); sigma = softplus(MLP(z)) + minStd.
 * Its Jacobian is J = J_mu + diag(eps) J_sigma, so E[J^T J] = J_mu^T J_mu + J_sigma^T J_sigma
 * exactly, but row d of J is Gaussian with its own rank-one covariance J_sigma,d J_sigma,d^T: the
 * rows are not i.i.d. and `isotropic` is false. {@link NeuralDecoder.jacobian} returns the
 * moment-matched isotropic approximation E[J] = J_mu, Sigma = J_sigma^T J_sigma / D, which
 * reproduces E[J^T J] exactly (so the Riemannian metric is exact) while the closed-form Finsler
 * metric computed from it is an approximation; use {@link NeuralDecoder.sampleJacobian} for
 * Monte Carlo estimates of E||J v||.
 *
 * Jacobians are computed by forward-mode differentiation (tangents pushed through the layers:
 * q extra matrix products per layer), built from tfjs ops so they are themselves
 * differentiable in z; the tests check them against tfjs reverse-mode autodiff and finite
 * differences.
 *
 * @example
 * ```ts
 * const { points } = pinwheel({ seed: 1, arms: 3, pointsPerArm: 16 });
 * const z = tf.tensor2d(points); // [48, 2] latent points
 * const y = tf.tensor2d(embedInDimensions(points, { seed: 2, dim: 10 })); // [48, 10] observations
 * const dec = new NeuralDecoder({ latentDim: 2, outputDim: 10, seed: 1 });
 * await dec.fit(z, y, { steps: 300 });
 * const { mean, covariance } = dec.jacobian(z);
 * dec.dispose();
 * ```
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010), sec. 4.2.
 * @see Arvanitidis, Hansen, Hauberg, "Latent space oddity: on the curvature of deep generative models", ICLR 2018.
 */
export class NeuralDecoder implements StochasticDecoder {
  readonly latentDim: number;
  readonly outputDim: number;
  readonly isotropic = false;
  /** The parameters of both MLPs (`mu.*`, `sigma.*`). */
  readonly store: ParameterStore;
  readonly activation: NeuralDecoderActivation;
  readonly minStd: number;
  private readonly muHead: Head;
  private readonly sigmaHead: Head;
  private disposed = false;

  constructor(options: NeuralDecoderOptions) {
    const fn = 'NeuralDecoder';
    if (options === undefined)
      throw new LabInputError(fn, 'options', 'is required ({ latentDim, outputDim })');
    const o = readOptions(fn, options, [
      'latentDim',
      'outputDim',
      'hidden',
      'activation',
      'minStd',
      'seed',
      'rng',
    ]);
    const q = o.integer('latentDim', undefined, { min: 1 });
    const D = o.integer('outputDim', undefined, { min: 1 });
    const hidden = options.hidden ?? [32];
    if (!Array.isArray(hidden) || !hidden.every((h) => Number.isInteger(h) && h > 0)) {
      throw new LabInputError(fn, 'options.hidden', 'must be an array of positive integers', hidden);
    }
    const act = o.oneOf('activation', ['tanh', 'softplus', 'sigmoid'] as const, 'tanh');
    const minStd = o.number('minStd', 1e-3, { min: 0 });
    const rng = o.rng();
    this.latentDim = q;
    this.outputDim = D;
    this.activation = act;
    this.minStd = minStd;
    this.store = new ParameterStore({ rng });
    const build = (prefix: string): Head => {
      const widths = [q, ...hidden, D];
      const layers: Dense[] = [];
      for (let i = 0; i + 1 < widths.length; i++) {
        layers.push(
          new Dense(this.store, `${prefix}.fc${i}`, {
            inputDim: widths[i] as number,
            units: widths[i + 1] as number,
          }),
        );
      }
      return { layers };
    };
    this.muHead = build('mu');
    this.sigmaHead = build('sigma');
  }

  private act(a: tf.Tensor): tf.Tensor {
    return this.activation === 'tanh'
      ? tf.tanh(a)
      : this.activation === 'softplus'
        ? tf.softplus(a)
        : tf.sigmoid(a);
  }

  private actDerivative(a: tf.Tensor, h: tf.Tensor): tf.Tensor {
    if (this.activation === 'tanh') return tf.sub(1, tf.square(h));
    if (this.activation === 'softplus') return tf.sigmoid(a);
    return tf.mul(h, tf.sub(1, h));
  }

  /** Pre-activation output of a head and, optionally, its tangent `[n, q, D]` (forward mode). */
  private run(
    head: Head,
    z: tf.Tensor2D,
    withTangent: boolean,
  ): { out: tf.Tensor2D; tangent: tf.Tensor3D | null } {
    const n = z.shape[0];
    const q = this.latentDim;
    let h: tf.Tensor = z;
    let t: tf.Tensor | null = withTangent ? tf.tile(tf.expandDims(tf.eye(q), 0), [n, 1, 1]) : null;
    const last = head.layers.length - 1;
    head.layers.forEach((layer, i) => {
      const a = layer.apply(h);
      let ta: tf.Tensor | null = null;
      if (t !== null) {
        const w = this.store.get(`${layer.name}.kernel`);
        ta = tf.reshape(tf.matMul(tf.reshape(t, [n * q, layer.inputDim]), w), [n, q, layer.units]);
      }
      if (i === last) {
        h = a;
        t = ta;
      } else {
        h = this.act(a);
        t = ta === null ? null : tf.mul(ta, tf.expandDims(this.actDerivative(a, h), 1));
      }
    });
    return { out: h as tf.Tensor2D, tangent: t as tf.Tensor3D | null };
  }

  private checkZ(fn: string, z: tf.Tensor2D): void {
    if (this.disposed) throw new LabInputError(`NeuralDecoder.${fn}`, 'this', 'must not be disposed');
    checkTensor(`NeuralDecoder.${fn}`, 'z', z, 2);
    if (z.shape[1] !== this.latentDim)
      throw new LabInputError(`NeuralDecoder.${fn}`, 'z', `must have ${this.latentDim} columns`, z);
  }

  /** mu(z) `[n, D]` and sigma(z) `[n, D]`. */
  meanAndStd(z: tf.Tensor2D): { mean: tf.Tensor2D; std: tf.Tensor2D } {
    this.checkZ('meanAndStd', z);
    return tf.tidy(() => {
      const mean = this.run(this.muHead, z, false).out;
      const std = tf.add(tf.softplus(this.run(this.sigmaHead, z, false).out), this.minStd) as tf.Tensor2D;
      return { mean, std };
    });
  }

  /** Mean mu(z) `[n, D]` and per-dimension variance sigma(z)^2 `[n, D]`. */
  predict(z: tf.Tensor2D): DecoderPrediction {
    this.checkZ('predict', z);
    return tf.tidy(() => {
      const { mean, std } = this.meanAndStd(z);
      return { mean, variance: tf.square(std) as tf.Tensor2D };
    });
  }

  /** Exact Jacobians J_mu and J_sigma `[n, D, q]` (forward mode; differentiable in z). */
  jacobians(z: tf.Tensor2D): NeuralDecoderJacobians {
    this.checkZ('jacobians', z);
    return tf.tidy(() => {
      const m = this.run(this.muHead, z, true);
      const s = this.run(this.sigmaHead, z, true);
      const mu = tf.transpose(m.tangent as tf.Tensor3D, [0, 2, 1]) as tf.Tensor3D;
      // sigma = softplus(a) + minStd: d sigma = sigmoid(a) da.
      const sigma = tf.mul(
        tf.transpose(s.tangent as tf.Tensor3D, [0, 2, 1]),
        tf.expandDims(tf.sigmoid(s.out), -1),
      ) as tf.Tensor3D;
      return { mu, sigma };
    });
  }

  /**
   * Moment-matched isotropic Jacobian moments: E[J] = J_mu and the shared row covariance
   * Sigma = J_sigma^T J_sigma / D, so E[J]^T E[J] + D Sigma = E[J^T J] exactly (see the class
   * notes for what this approximates).
   */
  jacobian(z: tf.Tensor2D): JacobianMoments {
    this.checkZ('jacobian', z);
    return tf.tidy(() => {
      const { mu, sigma } = this.jacobians(z);
      const covariance = tf.div(tf.matMul(sigma, sigma, true, false), this.outputDim) as tf.Tensor3D;
      return { mean: mu, covariance };
    });
  }

  /**
   * `samples` draws of J = J_mu + diag(eps) J_sigma at `z` `[n, q]`, shape `[samples, n, D, q]`.
   * Each sample uses one eps ~ N(0, I_D) for all n points (one random decoder per sample).
   */
  sampleJacobian(z: tf.Tensor2D, samples: number, seed: number): tf.Tensor4D {
    this.checkZ('sampleJacobian', z);
    if (!Number.isInteger(samples) || samples < 1) {
      throw new LabInputError(
        'NeuralDecoder.sampleJacobian',
        'samples',
        'must be a positive integer',
        samples,
      );
    }
    const eps = createRng(seed).fillNormal(new Float32Array(samples * this.outputDim));
    return tf.tidy(() => {
      const { mu, sigma } = this.jacobians(z);
      const e = tf.reshape(tf.tensor1d(eps), [samples, 1, this.outputDim, 1]);
      return tf.add(tf.expandDims(mu, 0), tf.mul(e, tf.expandDims(sigma, 0))) as tf.Tensor4D;
    });
  }

  /**
   * Trains both heads on pairs (z_i, y_i) by full-batch Adam on the Gaussian negative
   * log-likelihood mean(log sigma + (y - mu)^2 / (2 sigma^2)) (+ 1/2 log 2 pi), one step per
   * "epoch", yielding to the event loop between steps. Resolves to core's {@link FitHistory}
   * (`loss` per step).
   */
  async fit(z: tf.Tensor2D, y: tf.Tensor2D, options: NeuralDecoderFitOptions = {}): Promise<FitHistory> {
    this.checkZ('fit', z);
    checkTensor('NeuralDecoder.fit', 'y', y, 2);
    if (y.shape[0] !== z.shape[0] || y.shape[1] !== this.outputDim) {
      throw new LabInputError(
        'NeuralDecoder.fit',
        'y',
        `must have shape [${z.shape[0]}, ${this.outputDim}]`,
        y,
      );
    }
    const o = readOptions('NeuralDecoder.fit', options, ['steps', 'learningRate', 'onProgress']);
    const steps = o.integer('steps', 500, { min: 0 });
    const lr = o.number('learningRate', 0.01, { min: 0, open: { min: true } });
    const onProgress = o.optionalFunction<NonNullable<NeuralDecoderFitOptions['onProgress']>>('onProgress');
    const opt = new Adam(this.store, { lr });
    const history = emptyFitHistory();
    const t0 = performance.now();
    try {
      for (let step = 1; step <= steps; step++) {
        const { value, grads } = this.store.valueAndGrads(() =>
          tf.tidy(() => {
            const { mean, std } = this.meanAndStd(z);
            const r = tf.div(tf.sub(y, mean), std);
            return tf.add(
              tf.mean(tf.add(tf.log(std), tf.mul(0.5, tf.square(r)))),
              0.5 * Math.log(2 * Math.PI),
            ) as tf.Scalar;
          }),
        );
        opt.step(grads);
        const loss = value.dataSync()[0] as number;
        tf.dispose([value, ...Object.values(grads)]);
        history.loss.push(loss);
        history.lr.push(lr);
        history.epochsRun = step;
        history.steps = step;
        const progress: FitProgress = {
          phase: 'epoch',
          epoch: step,
          step,
          loss,
          valLoss: Number.NaN,
          metrics: {},
          lr,
          elapsedMs: performance.now() - t0,
        };
        if (onProgress && (await onProgress(progress)) === false) {
          history.stopReason = 'callback';
          break;
        }
        await nextTurn();
      }
    } finally {
      opt.dispose();
    }
    history.elapsedMs = performance.now() - t0;
    return history;
  }

  /** Frees the parameters. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.store.dispose();
    this.disposed = true;
  }
}
