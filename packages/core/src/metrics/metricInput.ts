import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';

/** A metric input: a tensor, a flat array (typed or plain, numbers or booleans) or a nested 2-D array. */
export type MetricInput = tf.Tensor | ArrayLike<number> | ArrayLike<boolean> | ArrayLike<ArrayLike<number>>;

/** Which examples a metric is computed over. */
export interface MetricSelection {
  /** Per-example 0/1 or boolean mask (length n): only examples with a truthy entry count. */
  mask?: tf.Tensor | ArrayLike<number> | ArrayLike<boolean>;
  /** Example indices to use (e.g. a test split); repeated indices count repeatedly. */
  index?: tf.Tensor | ArrayLike<number>;
}

/** Flattened numeric view of a metric input (never aliases for mutation: read-only use). */
export interface Flat {
  data: ArrayLike<number>;
  shape: number[];
}

/** Reads a metric input into flat data + shape without creating tensors or mutating the input. Internal. */
export function readInput(fn: string, arg: string, x: unknown): Flat {
  if (x instanceof tf.Tensor) {
    if (x.isDisposed) throw new LabInputError(fn, arg, 'must not be disposed', x);
    if (x.dtype === 'string' || x.dtype === 'complex64')
      throw new LabInputError(fn, arg, 'must be a real numeric tensor', x);
    return { data: x.dataSync() as ArrayLike<number>, shape: x.shape.slice() };
  }
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    if (typeof (x as unknown as ArrayLike<unknown>)[0] === 'bigint')
      throw new LabInputError(fn, arg, 'must hold numbers', x);
    const arr = x as unknown as ArrayLike<number>;
    return { data: arr, shape: [arr.length] };
  }
  if (Array.isArray(x)) {
    if (x.length > 0 && (Array.isArray(x[0]) || ArrayBuffer.isView(x[0]))) {
      const cols = (x[0] as ArrayLike<number>).length;
      const out = new Float64Array(x.length * cols);
      x.forEach((row: unknown, i) => {
        if (!(Array.isArray(row) || ArrayBuffer.isView(row)) || (row as ArrayLike<number>).length !== cols) {
          throw new LabInputError(fn, `${arg}[${i}]`, `must be a row of length ${cols}`, row);
        }
        for (let j = 0; j < cols; j++)
          out[i * cols + j] = toNumber(fn, `${arg}[${i}][${j}]`, (row as ArrayLike<unknown>)[j]);
      });
      return { data: out, shape: [x.length, cols] };
    }
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = toNumber(fn, `${arg}[${i}]`, x[i]);
    return { data: out, shape: [x.length] };
  }
  throw new LabInputError(fn, arg, 'must be a tf.Tensor, a typed array or an array', x);
}

function toNumber(fn: string, arg: string, v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number') throw new LabInputError(fn, arg, 'must be a number or boolean', v);
  return v;
}

/** Row indices selected by `options.mask` / `options.index` (all rows when neither). Internal. */
export function selectRows(fn: string, n: number, options: MetricSelection | undefined): Int32Array {
  if (options === undefined) return identity(n);
  readOptions(fn, options, ['mask', 'index']);
  const { mask, index } = options;
  if (mask !== undefined && index !== undefined) {
    throw new LabInputError(fn, 'options', 'must not give both mask and index');
  }
  if (mask !== undefined) {
    const m = readInput(fn, 'options.mask', mask);
    if (m.shape.length !== 1 || m.data.length !== n) {
      throw new LabInputError(fn, 'options.mask', `must be a 1-D mask of length ${n}`, mask);
    }
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = m.data[i] as number;
      if (v !== 0 && v !== 1) throw new LabInputError(fn, `options.mask[${i}]`, 'must be 0/1 or boolean', v);
      if (v === 1) out.push(i);
    }
    return Int32Array.from(out);
  }
  if (index !== undefined) {
    const ix = readInput(fn, 'options.index', index);
    if (ix.shape.length !== 1) throw new LabInputError(fn, 'options.index', 'must be 1-D', index);
    const out = new Int32Array(ix.data.length);
    for (let k = 0; k < out.length; k++) {
      const i = ix.data[k] as number;
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new LabInputError(fn, `options.index[${k}]`, `must be an integer in [0, ${n - 1}]`, i);
      }
      out[k] = i;
    }
    return out;
  }
  return identity(n);
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Reads two same-shaped inputs for element-wise regression metrics. Internal. */
export function readPair(
  fn: string,
  predictions: unknown,
  targets: unknown,
  names: readonly [string, string] = ['predictions', 'targets'],
): [ArrayLike<number>, ArrayLike<number>] {
  const [pn, tn] = names;
  const p = readInput(fn, pn, predictions);
  const t = readInput(fn, tn, targets);
  if (
    p.data.length !== t.data.length ||
    p.shape.length !== t.shape.length ||
    p.shape.some((d, i) => d !== t.shape[i])
  ) {
    throw new LabInputError(
      fn,
      tn,
      `must have the shape of ${pn} [${p.shape.join(', ')}]`,
      `[${t.shape.join(', ')}]`,
    );
  }
  if (p.data.length === 0) throw new LabInputError(fn, pn, 'must not be empty');
  for (const [name, a] of [
    [pn, p.data],
    [tn, t.data],
  ] as const) {
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i] as number))
        throw new LabInputError(fn, `${name}[${i}]`, 'must be finite', a[i]);
    }
  }
  return [p.data, t.data];
}
