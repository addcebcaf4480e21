import {
  Adam,
  checkTensor,
  createRng,
  emptyFitHistory,
  type FitHistory,
  type FitProgress,
  LabInputError,
  nextTurn,
  readOptions,
  type SeedOptions,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  choleskyWithJitter,
  GaussianProcessDecoder,
  invertLower,
  type MatrixInput,
  readMatrix,
} from './GaussianProcessDecoder.js';
import { createKernel, kernelMatrix, type KernelType } from './kernels.js';

/**
 * One optimisation step of {@link GPLVM.fit}: core's {@link FitProgress} (one step is one
 * "epoch": full-batch Adam; `loss` is the negated objective) plus the GP-LVM's own values.
 */
export interface GPLVMProgress extends FitProgress {
  /** log p(Y | X, theta) after the previous update (the value the gradient was taken at). */
  logMarginalLikelihood: number;
  /** The maximised objective: log marginal likelihood plus the latent prior log N(X; 0, I) (if enabled). */
  objective: number;
  lengthscale: number;
  variance: number;
  noiseVariance: number;
}

/** Architecture of a {@link GPLVM} (constructor options). */
export interface GPLVMOptions {
  /** Latent dimension q (default 2). */
  latentDim?: number;
  /** Kernel family (default 'rbf', as in the paper). */
  kernel?: KernelType;
  /** Add the prior log N(X; 0, I) to the objective (default true; MAP GP-LVM of Lawrence 2005). */
  latentPrior?: boolean;
}

/** Training options of {@link GPLVM.fit}; `seed`/`rng` drive the random parts (random initialisation, PCA start vectors). */
export interface GPLVMFitOptions extends SeedOptions {
  /** Adam steps (default 400). */
  steps?: number;
  /** Adam learning rate on X and the log-hyperparameters (default 0.05). */
  learningRate?: number;
  /** Initial latent positions: 'pca' (default; scaled to unit overall standard deviation) or 'random' (N(0, I)). */
  init?: 'pca' | 'random';
  /** Initial lengthscale (default 1). */
  lengthscale?: number;
  /** Initial kernel variance (default: the mean per-dimension variance of Y). */
  variance?: number;
  /** Initial noise variance (default 0.1 times the initial kernel variance). */
  noiseVariance?: number;
  /** Lower bound added to the learned noise variance (default 1e-6 times the data variance). */
  minNoiseVariance?: number;
  /** Called after every step (may be async); return false to stop early. */
  onProgress?: (
    progress: GPLVMProgress,
    // biome-ignore lint/suspicious/noConfusingVoidType: callbacks that return nothing must type-check
  ) => boolean | undefined | void | Promise<boolean | undefined | void>;
}

/** What {@link GPLVM.fit} resolves to: core's {@link FitHistory} (loss = negated objective per step) plus the per-step values. */
export interface GPLVMFitResult extends FitHistory {
  /** Every step's {@link GPLVMProgress} (the values before each update); also `model.history`. */
  progress: GPLVMProgress[];
  /** log p(Y | X, theta) at the fitted parameters. */
  logMarginalLikelihood: number;
}

const FIT_KEYS = [
  'seed',
  'rng',
  'steps',
  'learningRate',
  'init',
  'lengthscale',
  'variance',
  'noiseVariance',
  'minNoiseVariance',
  'onProgress',
] as const;

/** The fitted state of a {@link GPLVM}. */
interface Fitted {
  latent: number[][];
  lengthscale: number;
  variance: number;
  noiseVariance: number;
  logMarginalLikelihood: number;
  history: GPLVMProgress[];
  dataMean: number[];
  decoder: GaussianProcessDecoder;
}

/** Value of {@link gpLogMarginalLikelihood} with the quantities its gradient used. */
interface LmlParts {
  value: number;
  grad: Float32Array;
}

/**
 * @internal Float64 log marginal likelihood of D independent zero-mean GP outputs sharing the
 * covariance `k` (`n x n`, row-major): -D/2 log|K| - 1/2 tr(K^-1 S) - nD/2 log(2 pi), with
 * S = Y Y^T; also its gradient w.r.t. K, 1/2 (K^-1 S K^-1 - D K^-1).
 */
function lmlParts(
  fn: string,
  k: Float64Array,
  n: number,
  s: Float64Array,
  d: number,
  jitter: number,
  outputs?: Float64Array,
): LmlParts {
  const { l } = choleskyWithJitter(fn, k, n, jitter, 1e-2 * Math.max(1e-12, maxDiag(k, n)));
  let logdet = 0;
  for (let i = 0; i < n; i++) logdet += 2 * Math.log(l[i * n + i] as number);
  const li = invertLower(l, n);
  // K^-1 = L^-T L^-1 (symmetric).
  const kinv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = 0;
      for (let t = i; t < n; t++) acc += (li[t * n + i] as number) * (li[t * n + j] as number);
      kinv[i * n + j] = acc;
      kinv[j * n + i] = acc;
    }
  }
  let trace = 0;
  let m: Float64Array;
  if (outputs !== undefined && d < n) {
    // S = Y Y^T with D < N: K^-1 S K^-1 = (K^-1 Y)(K^-1 Y)^T and tr(K^-1 S) = sum(K^-1 Y * Y),
    // O(N^2 D) instead of two O(N^3) products.
    const alpha = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < n; t++) {
        const kit = kinv[i * n + t] as number;
        for (let c = 0; c < d; c++)
          alpha[i * d + c] = (alpha[i * d + c] as number) + kit * (outputs[t * d + c] as number);
      }
    }
    for (let i = 0; i < n * d; i++) trace += (alpha[i] as number) * (outputs[i] as number);
    m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let acc = 0;
        for (let c = 0; c < d; c++) acc += (alpha[i * d + c] as number) * (alpha[j * d + c] as number);
        m[i * n + j] = acc;
        m[j * n + i] = acc;
      }
    }
  } else {
    for (let i = 0; i < n * n; i++) trace += (kinv[i] as number) * (s[i] as number);
    // M = K^-1 S K^-1.
    m = matmul(matmul(kinv, s, n), kinv, n);
  }
  const grad = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) grad[i] = 0.5 * ((m[i] as number) - d * (kinv[i] as number));
  return { value: -0.5 * d * logdet - 0.5 * trace - 0.5 * n * d * Math.log(2 * Math.PI), grad };
}

function maxDiag(k: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, k[i * n + i] as number);
  return m;
}

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < n; t++) {
      const ait = a[i * n + t] as number;
      if (ait === 0) continue;
      const row = t * n;
      for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] as number) + ait * (b[row + j] as number);
    }
  }
  return out;
}

/** Options of {@link gpLogMarginalLikelihood}. */
export interface GpLogMarginalLikelihoodOptions {
  /**
   * The outputs Y (`N x D`, row-major) with Y Y^T = `gram`. When D < N they replace the two
   * O(N^3) products of the gradient by O(N^2 D) ones (same value and gradient).
   */
  outputs?: Float64Array;
}

/**
 * Log marginal likelihood log p(Y | K) of D independent zero-mean GP outputs with shared
 * covariance K (`[N, N]` tensor, noise included), given the output Gram matrix S = Y Y^T
 * (`N x N`, row-major float64): -D/2 log|K| - 1/2 tr(K^-1 S) - ND/2 log 2 pi. Evaluated by a
 * float64 Cholesky in JavaScript (tfjs-core has no Cholesky) with the exact gradient
 * dL/dK = 1/2 (K^-1 S K^-1 - D K^-1) attached through `tf.customGrad`, so autodiff carries it
 * on to the latent points and hyperparameters K was built from. The cost is O(N^3) per call,
 * independent of D.
 *
 * @see Rasmussen & Williams, "Gaussian Processes for Machine Learning", 2006, eqs. 2.30 and 5.9.
 */
export function gpLogMarginalLikelihood(
  k: tf.Tensor2D,
  gram: Float64Array,
  outputDim: number,
  options: GpLogMarginalLikelihoodOptions = {},
): tf.Scalar {
  const fn = 'gpLogMarginalLikelihood';
  checkTensor(fn, 'k', k, 2);
  const n = k.shape[0];
  if (k.shape[1] !== n) throw new LabInputError(fn, 'k', 'must be square', k);
  if (!(gram instanceof Float64Array) || gram.length !== n * n) {
    throw new LabInputError(fn, 'gram', `must be a Float64Array of length ${n * n}`, gram);
  }
  if (!Number.isInteger(outputDim) || outputDim < 1)
    throw new LabInputError(fn, 'outputDim', 'must be a positive integer', outputDim);
  const outputs = options.outputs;
  if (outputs !== undefined && (!(outputs instanceof Float64Array) || outputs.length !== n * outputDim)) {
    throw new LabInputError(
      fn,
      'options.outputs',
      `must be a Float64Array of length ${n * outputDim}`,
      outputs,
    );
  }
  const op = tf.customGrad(((kt: tf.Tensor) => {
    const raw = kt.dataSync();
    const k64 = new Float64Array(n * n);
    // Symmetrise (the lower triangle is what the Cholesky reads).
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = 0.5 * ((raw[i * n + j] as number) + (raw[j * n + i] as number));
        k64[i * n + j] = v;
        k64[j * n + i] = v;
      }
    }
    const parts = lmlParts(fn, k64, n, gram, outputDim, 0, outputs);
    return {
      value: tf.scalar(parts.value),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor2d(parts.grad, [n, n])),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(k) as tf.Scalar;
}

/** Top `q` eigenvectors of the symmetric `n x n` matrix `s` by orthogonal iteration, scaled by sqrt(eigenvalue). */
function pcaScores(s: Float64Array, n: number, q: number, seed: number | string): Float64Array {
  const rng = createRng(seed);
  let v = rng.fillNormal(new Float64Array(n * q));
  const orth = (m: Float64Array) => {
    // Gram-Schmidt on the q columns.
    for (let c = 0; c < q; c++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += (m[i * q + c] as number) * (m[i * q + p] as number);
        for (let i = 0; i < n; i++) m[i * q + c] = (m[i * q + c] as number) - dot * (m[i * q + p] as number);
      }
      let nrm = 0;
      for (let i = 0; i < n; i++) nrm += (m[i * q + c] as number) ** 2;
      nrm = Math.sqrt(nrm) || 1;
      for (let i = 0; i < n; i++) m[i * q + c] = (m[i * q + c] as number) / nrm;
    }
  };
  orth(v);
  const mult = (m: Float64Array) => {
    const out = new Float64Array(n * q);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < n; t++) {
        const sit = s[i * n + t] as number;
        for (let c = 0; c < q; c++)
          out[i * q + c] = (out[i * q + c] as number) + sit * (m[t * q + c] as number);
      }
    }
    return out;
  };
  for (let it = 0; it < 300; it++) {
    v = mult(v);
    orth(v);
  }
  // Scores = S v / sqrt(lambda) = sqrt(lambda) v (S = Yc Yc^T has eigenvalues lambda).
  const sv = mult(v);
  for (let c = 0; c < q; c++) {
    let lambda = 0;
    for (let i = 0; i < n; i++) lambda += (sv[i * q + c] as number) * (v[i * q + c] as number);
    const scale = Math.sqrt(Math.max(lambda, 0));
    // Fix the sign (largest-magnitude entry positive) so the result does not depend on the start.
    let big = 0;
    for (let i = 0; i < n; i++)
      if (Math.abs(v[i * q + c] as number) > Math.abs(v[big * q + c] as number)) big = i;
    const sign = (v[big * q + c] as number) < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) v[i * q + c] = sign * scale * (v[i * q + c] as number);
  }
  return v;
}

/**
 * Gaussian-process latent variable model: fits latent positions X `[N, q]`, the kernel
 * hyperparameters and the noise variance to data Y `[N, D]` by maximising the log marginal
 * likelihood of D independent GPs (plus, by default, the prior log N(X; 0, I)) with Adam,
 * from a PCA initialisation; then exposes the fitted {@link GaussianProcessDecoder} (with the
 * data mean as its prior mean) for latent geometry. Y is centred; positive hyperparameters are
 * optimised as logarithms.
 *
 * @example
 * ```ts
 * const { points } = pinwheel({ seed: 1, arms: 3, pointsPerArm: 16 });
 * const Y = embedInDimensions(points, { seed: 2, dim: 8, noiseStd: 0.05 }); // [48, 8]
 * const model = new GPLVM({ latentDim: 2 });
 * await model.fit(Y, { seed: 1, steps: 300 });
 * const z = tf.tensor2d([[0, 0]]);
 * const { mean, covariance } = model.decoder.jacobian(z);
 * model.dispose();
 * ```
 * @see Lawrence, "Probabilistic non-linear principal component analysis with Gaussian process latent variable models", JMLR 2005.
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010), sec. 5.
 */
export class GPLVM {
  /** Latent dimension q. */
  readonly latentDim: number;
  readonly kernelType: KernelType;
  /** Whether the objective includes the prior log N(X; 0, I). */
  readonly latentPrior: boolean;
  #fitted: Fitted | undefined;

  /** A GP-LVM of the given architecture; nothing is learned until {@link GPLVM.fit}. */
  constructor(options: GPLVMOptions = {}) {
    const o = readOptions('GPLVM', options, ['latentDim', 'kernel', 'latentPrior']);
    this.latentDim = o.integer('latentDim', 2, { min: 1 });
    this.kernelType = o.oneOf('kernel', ['rbf', 'matern32', 'matern52'] as const, 'rbf');
    this.latentPrior = o.boolean('latentPrior', true);
  }

  #state(what: string): Fitted {
    if (this.#fitted === undefined) {
      throw new LabInputError(`GPLVM.${what}`, 'this', 'must be fitted first (await model.fit(data))');
    }
    return this.#fitted;
  }

  /** Fitted latent positions, N rows of q. */
  get latent(): number[][] {
    return this.#state('latent').latent;
  }
  get lengthscale(): number {
    return this.#state('lengthscale').lengthscale;
  }
  get variance(): number {
    return this.#state('variance').variance;
  }
  get noiseVariance(): number {
    return this.#state('noiseVariance').noiseVariance;
  }
  /** log p(Y | X, theta) at the fitted parameters. */
  get logMarginalLikelihood(): number {
    return this.#state('logMarginalLikelihood').logMarginalLikelihood;
  }
  /** Per-step progress of the last fit (the values before each update). */
  get history(): GPLVMProgress[] {
    return this.#state('history').history;
  }
  /** Column means of Y (the decoder's prior mean). */
  get dataMean(): number[] {
    return this.#state('dataMean').dataMean;
  }
  /** The GP decoder at the fitted parameters (owned by this model; freed by dispose or a refit). */
  get decoder(): GaussianProcessDecoder {
    return this.#state('decoder').decoder;
  }

  /**
   * Fits the GP-LVM to `data` (`[N, D]` tensor or rows): full-batch Adam on the latent positions
   * and log-hyperparameters, one step per "epoch", yielding to the event loop between steps.
   * Deterministic for a given seed and backend (default seed 0). A second call refits from
   * scratch and frees the previous decoder.
   */
  async fit(data: MatrixInput, options: GPLVMFitOptions = {}): Promise<GPLVMFitResult> {
    const fn = 'GPLVM.fit';
    const o = readOptions(fn, options, FIT_KEYS);
    // The PCA start vectors' seed is derived from the seed as a string (`${seed}/pca`), as before.
    const seed = o.seedValue();
    const Y = readMatrix(fn, 'data', data);
    const n = Y.rows;
    const D = Y.cols;
    if (n < 3) throw new LabInputError(fn, 'data', 'must have at least 3 rows', n);
    const q = this.latentDim;
    if (q >= n) throw new LabInputError(fn, 'data', `must have more rows than latentDim (${q})`, n);
    const type = this.kernelType;
    const steps = o.integer('steps', 400, { min: 0 });
    const lr = o.number('learningRate', 0.05, { min: 0, open: { min: true } });
    const initMode = o.oneOf('init', ['pca', 'random'] as const, 'pca');
    const onProgress = o.optionalFunction<NonNullable<GPLVMFitOptions['onProgress']>>('onProgress');

    // Centre Y and form S = Yc Yc^T.
    const mean = new Float64Array(D);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < D; c++) mean[c] = (mean[c] as number) + (Y.data[i * D + c] as number) / n;
    const yc = new Float64Array(n * D);
    let totalVar = 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < D; c++) {
        const v = (Y.data[i * D + c] as number) - (mean[c] as number);
        yc[i * D + c] = v;
        totalVar += (v * v) / n;
      }
    }
    const dataVar = totalVar / D;
    if (!(dataVar > 0)) throw new LabInputError(fn, 'data', 'must not be constant');
    const gram = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let acc = 0;
        for (let c = 0; c < D; c++) acc += (yc[i * D + c] as number) * (yc[j * D + c] as number);
        gram[i * n + j] = acc;
        gram[j * n + i] = acc;
      }
    }
    const positive = { min: 0, open: { min: true } } as const;
    const l0 = o.number('lengthscale', 1, positive);
    const s0 = o.number('variance', dataVar, positive);
    const noise0 = o.number('noiseVariance', 0.1 * s0, positive);
    const minNoise = o.number('minNoiseVariance', 1e-6 * dataVar, { min: 0 });
    const usePrior = this.latentPrior;

    // Initial latent positions.
    let x0: Float64Array;
    if (initMode === 'pca') {
      x0 = pcaScores(gram, n, q, `${String(seed)}/pca`);
      let ss = 0;
      for (const v of x0) ss += v * v;
      const std = Math.sqrt(ss / (n * q)) || 1;
      for (let i = 0; i < x0.length; i++) x0[i] = (x0[i] as number) / std;
    } else {
      x0 = createRng(seed).fillNormal(new Float64Array(n * q));
    }

    // Inside tidy: tf.variable keeps its initial tensor alive otherwise.
    const vars = tf.tidy(() => ({
      latent: tf.variable(tf.tensor2d(Float32Array.from(x0), [n, q])),
      logLengthscale: tf.variable(tf.scalar(Math.log(l0))),
      logVariance: tf.variable(tf.scalar(Math.log(s0))),
      logNoise: tf.variable(tf.scalar(Math.log(Math.max(noise0 - minNoise, 1e-12 * dataVar)))),
    }));
    const optimizer = new Adam(vars, { lr });
    const history: GPLVMProgress[] = [];
    const eye = tf.eye(n);
    let lastLml = Number.NaN;
    const objective = (): tf.Scalar =>
      tf.tidy(() => {
        const l = tf.exp(vars.logLengthscale) as tf.Scalar;
        const s = tf.exp(vars.logVariance) as tf.Scalar;
        const noise = tf.add(tf.exp(vars.logNoise), minNoise);
        const K = tf.add(
          kernelMatrix(type, vars.latent, vars.latent, l, s),
          tf.mul(eye, noise),
        ) as tf.Tensor2D;
        const lml = gpLogMarginalLikelihood(K, gram, D, { outputs: yc });
        let obj: tf.Tensor = lml;
        if (usePrior) obj = tf.sub(obj, tf.mul(0.5, tf.sum(tf.square(vars.latent))));
        return obj as tf.Scalar;
      });
    const hyper = () => ({
      lengthscale: Math.exp(vars.logLengthscale.dataSync()[0] as number),
      variance: Math.exp(vars.logVariance.dataSync()[0] as number),
      noiseVariance: Math.exp(vars.logNoise.dataSync()[0] as number) + minNoise,
    });
    const lmlOf = (objValue: number) => {
      if (!usePrior) return objValue;
      let ss = 0;
      for (const v of vars.latent.dataSync()) ss += v * v;
      return objValue + 0.5 * ss;
    };
    const result: GPLVMFitResult = {
      ...emptyFitHistory(['logMarginalLikelihood']),
      progress: [],
      logMarginalLikelihood: Number.NaN,
    };
    const t0 = performance.now();
    try {
      for (let step = 1; step <= steps; step++) {
        const h = hyper();
        const { value, grads } = tf.variableGrads(
          () => tf.neg(objective()) as tf.Scalar,
          Object.values(vars),
        );
        const obj = -(value.dataSync()[0] as number);
        const named: Record<string, tf.Tensor> = {};
        for (const [name, v] of Object.entries(vars)) named[name] = grads[v.name] as tf.Tensor;
        lastLml = lmlOf(obj);
        optimizer.step(named);
        tf.dispose([value, ...Object.values(grads)]);
        const progress: GPLVMProgress = {
          phase: 'epoch',
          epoch: step,
          step,
          loss: -obj,
          valLoss: Number.NaN,
          metrics: { logMarginalLikelihood: lastLml },
          lr,
          elapsedMs: performance.now() - t0,
          logMarginalLikelihood: lastLml,
          objective: obj,
          ...h,
        };
        history.push(progress);
        result.loss.push(-obj);
        result.metrics.logMarginalLikelihood!.push(lastLml);
        result.lr.push(lr);
        result.epochsRun = step;
        result.steps = step;
        if (onProgress && (await onProgress(progress)) === false) {
          result.stopReason = 'callback';
          break;
        }
        await nextTurn();
      }
      const finalObj = tf.tidy(() => objective().dataSync()[0] as number);
      lastLml = lmlOf(finalObj);
      const h = hyper();
      const xs = vars.latent.arraySync();
      const decoder = new GaussianProcessDecoder(
        xs,
        Array.from({ length: n }, (_, i) => Y.data.subarray(i * D, (i + 1) * D)),
        {
          kernel: createKernel(type, { lengthscale: h.lengthscale, variance: h.variance }),
          noiseVariance: h.noiseVariance,
          meanOffset: mean,
        },
      );
      this.#fitted?.decoder.dispose();
      this.#fitted = {
        latent: xs,
        ...h,
        logMarginalLikelihood: lastLml,
        history,
        dataMean: Array.from(mean),
        decoder,
      };
      result.progress = history;
      result.logMarginalLikelihood = lastLml;
      result.elapsedMs = performance.now() - t0;
      return result;
    } finally {
      optimizer.dispose();
      eye.dispose();
      tf.dispose(Object.values(vars));
    }
  }

  /** Frees the decoder's tensors (the model must be fitted again to be used). Idempotent. */
  dispose(): void {
    this.#fitted?.decoder.dispose();
    this.#fitted = undefined;
  }
}
