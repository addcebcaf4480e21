import { LabInputError, checkTensor, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** Stationary isotropic kernels with a differentiable sample path (so a GP has a Jacobian). */
export type KernelType = 'rbf' | 'matern32' | 'matern52';

/** Hyperparameters of a {@link Kernel}. */
export interface KernelOptions {
  /** Lengthscale l > 0 (default 1). */
  lengthscale?: number;
  /** Signal variance s > 0, k(x, x) = s (default 1). */
  variance?: number;
}

/** A hyperparameter given as a number or as a scalar tensor (e.g. a variable being optimised). */
export type KernelParameter = number | tf.Scalar;

/**
 * A stationary isotropic covariance function k(x, x') = s * rho(||x - x'|| / l) with the
 * derivatives a GP's Jacobian needs. Tensor methods are built from tfjs ops (differentiable in
 * their inputs); `value` / `gradientValue` are float64 JavaScript versions for precomputation
 * and tests.
 */
export interface Kernel {
  readonly type: KernelType;
  readonly lengthscale: number;
  readonly variance: number;
  /** k(a, b) in float64. */
  value(a: ArrayLike<number>, b: ArrayLike<number>): number;
  /** dk(a, b)/da in float64 (length q). */
  gradientValue(a: ArrayLike<number>, b: ArrayLike<number>): number[];
  /** Gram matrix k(a_i, b_j), `[n, m]`, from `a` `[n, q]` and `b` `[m, q]`. */
  matrix(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D;
  /**
   * dk(a_i, b_j)/da_i, shape `[n, m, q]`: the cross-covariance between the gradient of f at
   * a_i and f(b_j). Smooth in `a` (also at a_i = b_j), so its own derivatives exist.
   */
  gradient(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor3D;
  /**
   * d^2 k(x, x') / dx dx'^T at x = x' (the prior covariance of the gradient of f), which for
   * these kernels is `c I_q` with c = s / l^2 (RBF), 3 s / l^2 (Matern 3/2),
   * 5 s / (3 l^2) (Matern 5/2). Returns the scalar c.
   */
  derivativeVariance(): number;
}

const SQRT3 = Math.sqrt(3);
const SQRT5 = Math.sqrt(5);
/**
 * Added to squared distances before the square root of the Matern kernels so the gradient of
 * r = sqrt(d^2 + eps) is 0 (not NaN) at d = 0; shifts r by at most 1e-6, far below float32
 * resolution of the kernel values for lengthscales >= 1e-3.
 */
const R_EPS = 1e-12;

function checkType(fn: string, type: unknown): asserts type is KernelType {
  if (type !== 'rbf' && type !== 'matern32' && type !== 'matern52') {
    throw new LabInputError(fn, 'type', "must be 'rbf', 'matern32' or 'matern52'", type);
  }
}

function checkPositive(fn: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) {
    throw new LabInputError(fn, arg, 'must be a finite number > 0', v);
  }
}

/** Pairwise differences a_i - b_j, `[n, m, q]`. */
function differences(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor3D {
  return tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0)) as tf.Tensor3D;
}

function checkPair(fn: string, a: tf.Tensor2D, b: tf.Tensor2D): void {
  checkTensor(fn, 'a', a, 2);
  checkTensor(fn, 'b', b, 2);
  if (a.shape[1] !== b.shape[1]) {
    throw new LabInputError(fn, 'b', `must have ${a.shape[1]} columns like 'a'`, b);
  }
}

/**
 * Gram matrix of a kernel with tensor-valued hyperparameters (differentiable in `a`, `b`,
 * `lengthscale` and `variance`): what a GP-LVM optimises through.
 *
 * @param type - kernel family.
 * @param a - `[n, q]`.
 * @param b - `[m, q]`.
 * @returns `[n, m]`.
 * @see Rasmussen & Williams, "Gaussian Processes for Machine Learning", 2006, eqs. 4.9 and 4.17.
 */
export function kernelMatrix(
  type: KernelType,
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  lengthscale: KernelParameter,
  variance: KernelParameter,
): tf.Tensor2D {
  checkType('kernelMatrix', type);
  checkPair('kernelMatrix', a, b);
  return tf.tidy(() => {
    const d2 = tf.sum(tf.square(differences(a, b)), -1);
    if (type === 'rbf') {
      return tf.mul(variance, tf.exp(tf.div(tf.neg(d2), tf.mul(2, tf.square(lengthscale))))) as tf.Tensor2D;
    }
    const r = tf.div(tf.sqrt(tf.add(d2, R_EPS)), lengthscale);
    if (type === 'matern32') {
      const u = tf.mul(SQRT3, r);
      return tf.mul(variance, tf.mul(tf.add(1, u), tf.exp(tf.neg(u)))) as tf.Tensor2D;
    }
    const u = tf.mul(SQRT5, r);
    const poly = tf.add(tf.add(1, u), tf.div(tf.square(u), 3));
    return tf.mul(variance, tf.mul(poly, tf.exp(tf.neg(u)))) as tf.Tensor2D;
  });
}

/**
 * Creates an RBF or Matern (3/2, 5/2) kernel with its first derivative and the derivative
 * covariance needed for the GP posterior Jacobian:
 * ```
 * rbf:      k = s exp(-r^2 / (2 l^2))             dk/da = -(s / l^2) exp(-r^2/(2 l^2)) (a - b)
 * matern32: k = s (1 + u) e^-u,  u = sqrt3 r / l  dk/da = -(3 s / l^2) e^-u (a - b)
 * matern52: k = s (1 + u + u^2/3) e^-u, u = sqrt5 r / l
 *                                                 dk/da = -(5 s / (3 l^2)) (1 + u) e^-u (a - b)
 * ```
 * (Matern 1/2 is excluded: its sample paths are not differentiable.)
 *
 * @example
 * ```ts
 * const k = createKernel('rbf', { lengthscale: 0.5, variance: 2 });
 * const X = tf.tensor2d([[0, 0], [1, 0], [0, 1]]);
 * const K = k.matrix(X, X); // [3, 3], 2 on the diagonal
 * ```
 * @see Rasmussen & Williams, "Gaussian Processes for Machine Learning", 2006, sec. 4.2 and 9.4.
 * @see Pouplin et al., "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010), sec. 4.
 */
export function createKernel(type: KernelType, options: KernelOptions = {}): Kernel {
  checkType('createKernel', type);
  readOptions('createKernel', options, ['lengthscale', 'variance']);
  const l = options.lengthscale ?? 1;
  const s = options.variance ?? 1;
  checkPositive('createKernel', 'options.lengthscale', l);
  checkPositive('createKernel', 'options.variance', s);
  // Radial profile k(r) and g(r) with dk/da = -g(r) (a - b).
  const profile = (r: number): { k: number; g: number } => {
    if (type === 'rbf') {
      const e = Math.exp(-(r * r) / (2 * l * l));
      return { k: s * e, g: (s / (l * l)) * e };
    }
    if (type === 'matern32') {
      const u = (SQRT3 * r) / l;
      const e = Math.exp(-u);
      return { k: s * (1 + u) * e, g: ((3 * s) / (l * l)) * e };
    }
    const u = (SQRT5 * r) / l;
    const e = Math.exp(-u);
    return { k: s * (1 + u + (u * u) / 3) * e, g: ((5 * s) / (3 * l * l)) * (1 + u) * e };
  };
  const dist = (a: ArrayLike<number>, b: ArrayLike<number>, fn: string): number => {
    if (a.length !== b.length) throw new LabInputError(fn, 'b', `must have length ${a.length}`, b);
    let d2 = 0;
    for (let i = 0; i < a.length; i++) d2 += ((a[i] as number) - (b[i] as number)) ** 2;
    return Math.sqrt(d2);
  };
  const derivativeVariance =
    type === 'rbf' ? s / (l * l) : type === 'matern32' ? (3 * s) / (l * l) : (5 * s) / (3 * l * l);
  return {
    type,
    lengthscale: l,
    variance: s,
    value: (a, b) => profile(dist(a, b, 'Kernel.value')).k,
    gradientValue: (a, b) => {
      const { g } = profile(dist(a, b, 'Kernel.gradientValue'));
      return Array.from({ length: a.length }, (_, i) => -g * ((a[i] as number) - (b[i] as number)));
    },
    matrix: (a, b) => {
      checkPair('Kernel.matrix', a, b);
      return kernelMatrix(type, a, b, l, s);
    },
    gradient: (a, b) => {
      checkPair('Kernel.gradient', a, b);
      return tf.tidy(() => {
        const diff = differences(a, b);
        const d2 = tf.sum(tf.square(diff), -1);
        let g: tf.Tensor;
        if (type === 'rbf') {
          g = tf.mul(s / (l * l), tf.exp(tf.div(tf.neg(d2), 2 * l * l)));
        } else {
          const r = tf.sqrt(tf.add(d2, R_EPS));
          if (type === 'matern32') {
            g = tf.mul((3 * s) / (l * l), tf.exp(tf.mul(-SQRT3 / l, r)));
          } else {
            const u = tf.mul(SQRT5 / l, r);
            g = tf.mul((5 * s) / (3 * l * l), tf.mul(tf.add(1, u), tf.exp(tf.neg(u))));
          }
        }
        return tf.mul(tf.neg(tf.expandDims(g, -1)), diff) as tf.Tensor3D;
      });
    },
    derivativeVariance: () => derivativeVariance,
  };
}
