import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { createRng } from '../random/createRng.js';

/** Options of {@link gradientCheck}. */
export interface GradientCheckOptions {
  /**
   * Finite-difference step h, relative: element x is perturbed by `h * max(1, |x|)`.
   * Default 1e-2, balancing the two float32 error terms of a central difference:
   * rounding, ~|f| * 2^-24 * (a few) / h ~ 1e-5 |f| (each evaluation of f is exact only to a few
   * ulps, and reductions inside f make that a noisy function of x), and truncation,
   * h^2 |f'''| / 6 ~ 2e-5 |f'''|. With h = 1e-3 the rounding term already reaches ~1e-3 for
   * |f| ~ 10 behind a LayerNorm, which is why the default is not smaller.
   */
  eps?: number;
  /** Absolute tolerance for `passed` (default 1e-3, see `eps`: ~1e-5 |f| + 2e-5 |f'''| for O(1) f). */
  atol?: number;
  /** Relative tolerance for `passed` (default 1e-2 of max(|analytic|, |numeric|)). */
  rtol?: number;
  /**
   * Elements checked per input: all when the input has at most this many, else a seeded
   * random subset of this size (default 32; each element costs two evaluations of f).
   */
  maxElements?: number;
  /** Variables to check as well (perturbed in place with `assign` and restored). */
  variables?: Record<string, tf.Variable>;
  /** Seed of the element subset (default 0). */
  seed?: number | string;
}

/** Per-input outcome of {@link gradientCheck}. */
export interface GradientCheckEntry {
  /** max |analytic - numeric| over the checked elements. */
  maxAbsError: number;
  /** max |analytic - numeric| / max(|analytic|, |numeric|, atol) over the checked elements. */
  maxRelError: number;
  /** Flat index of the worst element (largest excess over `atol + rtol * scale`). */
  worstIndex: number;
  /** Number of elements checked. */
  checked: number;
  /** Every checked element satisfies |a - n| <= atol + rtol * max(|a|, |n|). */
  passed: boolean;
}

/** Result of {@link gradientCheck}: `inputs[i]` per positional input, `variables[name]` per variable. */
export interface GradientCheckResult {
  inputs: GradientCheckEntry[];
  variables: Record<string, GradientCheckEntry>;
  /** All entries passed. */
  passed: boolean;
  /** Largest `maxAbsError` / `maxRelError` over all entries. */
  maxAbsError: number;
  maxRelError: number;
}

/**
 * Compares tfjs' analytic gradients of a scalar function with central finite differences
 * `(f(x + h e_i) - f(x - h e_i)) / 2h`, in float32 (tfjs has no float64). For each positional
 * input (and each variable in `options.variables`) it reports the max absolute and relative
 * errors. Inputs are never modified (perturbed copies are used); variables are restored.
 *
 * Choose f so its value is O(1) (e.g. `sum(out * fixedRandomWeights)` rather than a plain sum
 * over many elements) and smooth around the point (avoid ReLU kinks): the defaults assume so.
 *
 * @example
 * ```ts
 * const store = new ParameterStore({ seed: 1 });
 * const layer = new Dense(store, 'fc', { inputDim: 3, units: 2, activation: 'tanh' });
 * const x = tf.randomNormal([4, 3], 0, 1, 'float32', 1);
 * const w = tf.randomNormal([4, 2], 0, 1, 'float32', 2); // fixed weights: an O(1) scalar
 * const r = gradientCheck((x) => tf.sum(tf.mul(layer.apply(x), w)), [x], { variables: store.trainableVariables() });
 * if (!r.passed) throw new Error('analytic and numerical gradients differ');
 * ```
 * @see Goodfellow, Bengio & Courville, "Deep Learning", sec. 11.5 (numerical gradient checking).
 */
export function gradientCheck(
  f: (...inputs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
  options: GradientCheckOptions = {},
): GradientCheckResult {
  if (typeof f !== 'function')
    throw new LabInputError('gradientCheck', 'f', 'must be a function returning a scalar', f);
  if (!Array.isArray(inputs))
    throw new LabInputError('gradientCheck', 'inputs', 'must be an array of tensors', inputs);
  inputs.forEach((x, i) => {
    if (!(x instanceof tf.Tensor) || x.isDisposed || x.dtype !== 'float32') {
      throw new LabInputError('gradientCheck', `inputs[${i}]`, 'must be a live float32 tf.Tensor', x);
    }
  });
  const eps = options.eps ?? 1e-2;
  const atol = options.atol ?? 1e-3;
  const rtol = options.rtol ?? 1e-2;
  const maxElements = options.maxElements ?? 32;
  for (const [k, v] of [
    ['eps', eps],
    ['atol', atol],
    ['rtol', rtol],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (k === 'eps' && v === 0)) {
      throw new LabInputError(
        'gradientCheck',
        `options.${k}`,
        k === 'eps' ? 'must be > 0' : 'must be >= 0',
        v,
      );
    }
  }
  if (!Number.isInteger(maxElements) || maxElements <= 0) {
    throw new LabInputError(
      'gradientCheck',
      'options.maxElements',
      'must be a positive integer',
      maxElements,
    );
  }
  const variables = options.variables ?? {};
  for (const [k, v] of Object.entries(variables)) {
    if (!(v instanceof tf.Variable) || v.isDisposed || v.dtype !== 'float32') {
      throw new LabInputError(
        'gradientCheck',
        `options.variables.${k}`,
        'must be a live float32 tf.Variable',
        v,
      );
    }
  }
  if (inputs.length === 0 && Object.keys(variables).length === 0) {
    throw new LabInputError(
      'gradientCheck',
      'inputs',
      'must contain a tensor (or pass options.variables)',
      inputs,
    );
  }
  const rng = createRng(options.seed ?? 0);
  const evalF = (xs: tf.Tensor[]): number =>
    tf.tidy(() => {
      const y = f(...xs);
      if (!(y instanceof tf.Tensor) || y.size !== 1) {
        throw new LabInputError('gradientCheck', 'f', 'must return a scalar tensor', y);
      }
      return y.dataSync()[0]!;
    });

  // Validates f's output (scalar) before differentiating it.
  evalF(inputs);

  // Analytic gradients.
  const inputGrads: Float32Array[] =
    inputs.length > 0
      ? tf.tidy(() =>
          tf
            .grads((...xs: tf.Tensor[]) => f(...xs))(inputs)
            .map((g) => g.dataSync() as Float32Array),
        )
      : [];
  const varNames = Object.keys(variables);
  const varGrads: Record<string, Float32Array> = {};
  if (varNames.length > 0) {
    tf.tidy(() => {
      const vars = varNames.map((n) => variables[n]!);
      const { grads } = tf.variableGrads(() => f(...inputs), vars);
      varNames.forEach((n, i) => {
        const g = grads[vars[i]!.name];
        varGrads[n] = g ? (g.dataSync() as Float32Array) : new Float32Array(vars[i]!.size);
      });
    });
  }

  const pick = (size: number): number[] =>
    size <= maxElements
      ? Array.from({ length: size }, (_, i) => i)
      : Array.from(rng.sample(size, maxElements));

  const compare = (
    analytic: Float32Array,
    indices: number[],
    numeric: (i: number) => number,
  ): GradientCheckEntry => {
    let maxAbs = 0;
    let maxRel = 0;
    let worst = -1;
    let worstExcess = Number.NEGATIVE_INFINITY;
    let passed = true;
    for (const i of indices) {
      const a = analytic[i]!;
      const n = numeric(i);
      const err = Math.abs(a - n);
      const scale = Math.max(Math.abs(a), Math.abs(n));
      maxAbs = Math.max(maxAbs, err);
      maxRel = Math.max(maxRel, err / Math.max(scale, atol));
      const excess = err - (atol + rtol * scale);
      if (!(excess <= 0)) passed = false;
      if (excess > worstExcess || Number.isNaN(excess)) {
        worstExcess = excess;
        worst = i;
      }
    }
    return { maxAbsError: maxAbs, maxRelError: maxRel, worstIndex: worst, checked: indices.length, passed };
  };

  const inputEntries = inputs.map((x, k) => {
    const base = x.dataSync() as Float32Array;
    const indices = pick(x.size);
    return compare(inputGrads[k]!, indices, (i) => {
      const h = eps * Math.max(1, Math.abs(base[i]!));
      const shifted = (delta: number): number => {
        const vals = Float32Array.from(base);
        vals[i] = base[i]! + delta;
        const xi = tf.tensor(vals, x.shape, 'float32');
        try {
          return evalF(inputs.map((y, j) => (j === k ? xi : y)));
        } finally {
          xi.dispose();
        }
      };
      const plus = shifted(h);
      const minus = shifted(-h);
      // Use the step actually representable in float32.
      const realH = (Math.fround(base[i]! + h) - Math.fround(base[i]! - h)) / 2;
      return (plus - minus) / (2 * realH);
    });
  });

  const variableEntries: Record<string, GradientCheckEntry> = {};
  for (const name of varNames) {
    const v = variables[name]!;
    const original = tf.clone(v);
    const base = original.dataSync() as Float32Array;
    try {
      variableEntries[name] = compare(varGrads[name]!, pick(v.size), (i) => {
        const h = eps * Math.max(1, Math.abs(base[i]!));
        const shifted = (delta: number): number => {
          const vals = Float32Array.from(base);
          vals[i] = base[i]! + delta;
          tf.tidy(() => v.assign(tf.tensor(vals, v.shape, 'float32')));
          return evalF(inputs);
        };
        const plus = shifted(h);
        const minus = shifted(-h);
        const realH = (Math.fround(base[i]! + h) - Math.fround(base[i]! - h)) / 2;
        return (plus - minus) / (2 * realH);
      });
    } finally {
      v.assign(original);
      original.dispose();
    }
  }

  const all = [...inputEntries, ...Object.values(variableEntries)];
  return {
    inputs: inputEntries,
    variables: variableEntries,
    passed: all.every((e) => e.passed),
    maxAbsError: Math.max(0, ...all.map((e) => e.maxAbsError)),
    maxRelError: Math.max(0, ...all.map((e) => e.maxRelError)),
  };
}
