import { Matrix, QrDecomposition } from 'ml-matrix';
import { LabInputError } from '../errors.js';
import type { Rng } from '../random/createRng.js';

/**
 * A weight initialiser: fills a new `Float32Array` of `prod(shape)` values from `rng`.
 * Pure given `(shape, rng state)`, so a seeded {@link Rng} gives reproducible weights.
 */
export type Initializer = (shape: readonly number[], rng: Rng) => Float32Array;

/** Names of the built-in initialisers (see {@link getInitializer}). */
export type InitializerName =
  | 'zeros'
  | 'ones'
  | 'normal'
  | 'uniform'
  | 'glorotUniform'
  | 'glorotNormal'
  | 'heUniform'
  | 'heNormal'
  | 'orthogonal';

/** Anything {@link getInitializer} accepts: a name, a constant, or an initialiser function. */
export type InitializerSpec = InitializerName | Initializer | { constant: number };

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Fan-in and fan-out of a weight shape, as Keras and PyTorch compute them: `[in, out]` for a
 * matrix; `[...receptiveField, in, out]` for convolution kernels (fans times the receptive
 * field size); a vector has fanIn = fanOut = its length.
 */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const receptive = size(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

/** All zeros. */
export const zeros: Initializer = (shape) => new Float32Array(size(shape));

/** All ones (e.g. LayerNorm gain). */
export const ones: Initializer = (shape) => new Float32Array(size(shape)).fill(1);

/** A constant value. */
export function constant(value: number): Initializer {
  return (shape) => new Float32Array(size(shape)).fill(value);
}

/** Gaussian N(mean, std^2) (default std 0.05, as Keras' RandomNormal). */
export function normal(std = 0.05, mean = 0): Initializer {
  return (shape, rng) => Float32Array.from(rng.fillNormal(new Float64Array(size(shape)), mean, std));
}

/** Uniform on [-limit, limit) (default limit 0.05, as Keras' RandomUniform). */
export function uniform(limit = 0.05): Initializer {
  return (shape, rng) => Float32Array.from(rng.fillUniform(new Float64Array(size(shape)), -limit, limit));
}

/**
 * Glorot/Xavier uniform: U(-l, l) with `l = sqrt(6 / (fanIn + fanOut))`.
 * @see Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural networks", AISTATS 2010.
 */
export const glorotUniform: Initializer = (shape, rng) => {
  const { fanIn, fanOut } = computeFans(shape);
  return uniform(Math.sqrt(6 / (fanIn + fanOut)))(shape, rng);
};

/**
 * Glorot/Xavier normal: N(0, 2 / (fanIn + fanOut)) (untruncated).
 * @see Glorot & Bengio, AISTATS 2010.
 */
export const glorotNormal: Initializer = (shape, rng) => {
  const { fanIn, fanOut } = computeFans(shape);
  return normal(Math.sqrt(2 / (fanIn + fanOut)))(shape, rng);
};

/**
 * He/Kaiming uniform: U(-l, l) with `l = sqrt(6 / fanIn)` (for ReLU networks).
 * @see He et al., "Delving Deep into Rectifiers", ICCV 2015.
 */
export const heUniform: Initializer = (shape, rng) => {
  const { fanIn } = computeFans(shape);
  return uniform(Math.sqrt(6 / fanIn))(shape, rng);
};

/**
 * He/Kaiming normal: N(0, 2 / fanIn) (untruncated).
 * @see He et al., "Delving Deep into Rectifiers", ICCV 2015.
 */
export const heNormal: Initializer = (shape, rng) => {
  const { fanIn } = computeFans(shape);
  return normal(Math.sqrt(2 / fanIn))(shape, rng);
};

/**
 * (Semi-)orthogonal matrix times `gain`: the shape is flattened to `[prod(shape[:-1]), shape[-1]]`,
 * a Gaussian matrix is QR-decomposed and Q's columns are sign-corrected by diag(R) so the
 * distribution is uniform (Haar). Rows are orthonormal when rows <= cols, columns otherwise.
 * The usual choice for recurrent kernels.
 * @see Saxe et al., "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks", ICLR 2014.
 */
export function orthogonal(gain = 1): Initializer {
  return (shape, rng) => {
    if (shape.length < 2) throw new LabInputError('orthogonal', 'shape', 'must have rank >= 2', [...shape]);
    const cols = shape[shape.length - 1]!;
    const rows = size(shape) / cols;
    // QR of a tall matrix: (big x small).
    const tall = Math.max(rows, cols);
    const small = Math.min(rows, cols);
    const g = new Matrix(tall, small);
    for (let i = 0; i < tall; i++) for (let j = 0; j < small; j++) g.set(i, j, rng.normal());
    const qr = new QrDecomposition(g);
    const q = qr.orthogonalMatrix; // tall x tall; first `small` columns span g
    const r = qr.upperTriangularMatrix;
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < tall; i++) {
      for (let j = 0; j < small; j++) {
        const sign = r.get(j, j) < 0 ? -1 : 1;
        const v = gain * sign * q.get(i, j);
        if (rows >= cols) out[i * cols + j] = v;
        else out[j * cols + i] = v;
      }
    }
    return out;
  };
}

/**
 * Resolves an {@link InitializerSpec} to an {@link Initializer}. Names use the defaults above
 * (`normal`: std 0.05; `orthogonal`: gain 1).
 */
export function getInitializer(spec: InitializerSpec, fn = 'getInitializer', arg = 'init'): Initializer {
  if (typeof spec === 'function') return spec;
  if (
    spec !== null &&
    typeof spec === 'object' &&
    typeof (spec as { constant?: unknown }).constant === 'number'
  ) {
    return constant((spec as { constant: number }).constant);
  }
  switch (spec) {
    case 'zeros':
      return zeros;
    case 'ones':
      return ones;
    case 'normal':
      return normal();
    case 'uniform':
      return uniform();
    case 'glorotUniform':
      return glorotUniform;
    case 'glorotNormal':
      return glorotNormal;
    case 'heUniform':
      return heUniform;
    case 'heNormal':
      return heNormal;
    case 'orthogonal':
      return orthogonal();
    default:
      throw new LabInputError(
        fn,
        arg,
        'must be an initializer name (zeros, ones, normal, uniform, glorotUniform, glorotNormal, heUniform, heNormal, orthogonal), { constant } or a function',
        spec,
      );
  }
}
