import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';

/*
 * Einsum on the wasm backend, lowered to the wasm Sum, Transpose, Reshape and BatchMatMul
 * kernels. tfjs-core's `einsum` accepts one or two operands, an explicit `->`, no ellipsis and
 * no label repeated inside one operand (see backend_util.decodeEinsumEquation); those are the
 * equations handled here.
 */

type Backend = { disposeData(dataId: object): boolean };
type KernelArgs = Parameters<KernelFunc>[0];

interface ParsedEinsum {
  inputs: string[];
  output: string;
}

/** Splits and validates an einsum equation with tfjs-core's own rules, plus dimension checks. */
function parseEinsum(equation: string, shapes: number[][]): ParsedEinsum {
  const eq = equation.replace(/\s/g, '');
  // Throws tfjs-core's messages for a missing/extra arrow, ellipsis, >2 inputs, repeats, ...
  tf.backend_util.decodeEinsumEquation(eq, shapes.length);
  const [lhs, output] = eq.split('->') as [string, string];
  const inputs = lhs.split(',');
  if (new Set(output).size !== output.length) {
    throw new Error(`Einsum: output subscripts '${output}' repeat a label`);
  }
  const sizes = new Map<string, number>();
  inputs.forEach((term, i) => {
    const shape = shapes[i] as number[];
    if (term.length !== shape.length) {
      throw new Error(`Einsum: operand ${i} has rank ${shape.length} but subscripts '${term}'`);
    }
    for (let j = 0; j < term.length; j++) {
      const label = term[j] as string;
      const dim = shape[j] as number;
      const known = sizes.get(label);
      if (known !== undefined && known !== dim) {
        throw new Error(`Einsum: label '${label}' has sizes ${known} and ${dim}`);
      }
      sizes.set(label, dim);
    }
  });
  return { inputs, output };
}

/** Runs a wasm kernel by name on TensorInfos (no tape, no engine bookkeeping). */
function run(
  name: string,
  inputs: Record<string, TensorInfo>,
  backend: unknown,
  attrs: NamedAttrMap,
): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (k === undefined) throw new Error(`Einsum: wasm kernel ${name} is not registered`);
  return k.kernelFunc({ inputs: inputs as never, backend: backend as never, attrs }) as TensorInfo;
}

const isIdentity = (perm: number[]): boolean => perm.every((p, i) => p === i);

/** Tracks intermediates so every one is freed exactly once. */
class Scratch {
  private readonly temps: TensorInfo[] = [];
  constructor(private readonly backend: Backend) {}
  keep(t: TensorInfo): TensorInfo {
    this.temps.push(t);
    return t;
  }
  dispose(except?: TensorInfo): void {
    for (const t of this.temps) if (t !== except) this.backend.disposeData(t.dataId);
  }
}

/** Sums away the axes of `labels` not in `keep`; returns the tensor and its remaining labels. */
function sumOut(
  x: TensorInfo,
  labels: string,
  keep: (label: string) => boolean,
  backend: unknown,
  scratch: Scratch,
): [TensorInfo, string] {
  const axes: number[] = [];
  let rest = '';
  for (let i = 0; i < labels.length; i++) {
    if (keep(labels[i] as string)) rest += labels[i];
    else axes.push(i);
  }
  if (axes.length === 0) return [x, labels];
  return [scratch.keep(run('Sum', { x }, backend, { axis: axes, keepDims: false })), rest];
}

function transposeTo(
  x: TensorInfo,
  from: string,
  to: string,
  backend: unknown,
  scratch: Scratch,
): TensorInfo {
  const perm = [...to].map((l) => from.indexOf(l));
  if (isIdentity(perm)) return x;
  return scratch.keep(run('Transpose', { x }, backend, { perm }));
}

function reshapeTo(x: TensorInfo, shape: number[], backend: unknown, scratch: Scratch): TensorInfo {
  return scratch.keep(run('Reshape', { x }, backend, { shape }));
}

const dimsOf = (labels: string, sizes: Map<string, number>): number[] =>
  [...labels].map((l) => sizes.get(l) as number);
const prod = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

/** The wasm Einsum kernel function (float32 compute; int32 inputs are cast in and out). */
export const einsumWasm: KernelFunc = (args: KernelArgs) => {
  const backend = args.backend as unknown as Backend;
  const { equation } = args.attrs as unknown as { equation: string };
  const raw = (Array.isArray(args.inputs) ? args.inputs : Object.values(args.inputs)) as TensorInfo[];
  const { inputs: terms, output } = parseEinsum(
    equation,
    raw.map((t) => t.shape),
  );
  if (raw.some((t) => t.dtype === 'complex64')) {
    throw new Error('Einsum does not support complex64 tensors on the wasm backend');
  }
  const scratch = new Scratch(backend);
  const outDtype = raw[0]?.dtype === 'int32' && raw.every((t) => t.dtype === 'int32') ? 'int32' : 'float32';
  let result: TensorInfo | undefined;
  try {
    const xs = raw.map((t) =>
      t.dtype === 'float32' ? t : scratch.keep(run('Cast', { x: t }, args.backend, { dtype: 'float32' })),
    );
    const sizes = new Map<string, number>();
    terms.forEach((term, i) => {
      for (let j = 0; j < term.length; j++)
        sizes.set(term[j] as string, (xs[i] as TensorInfo).shape[j] as number);
    });
    let res: TensorInfo;
    if (xs.length === 1) {
      const [s, labels] = sumOut(
        xs[0] as TensorInfo,
        terms[0] as string,
        (l) => output.includes(l),
        args.backend,
        scratch,
      );
      res = transposeTo(s, labels, output, args.backend, scratch);
    } else {
      const [ta, tb] = terms as [string, string];
      const [a, la] = sumOut(
        xs[0] as TensorInfo,
        ta,
        (l) => output.includes(l) || tb.includes(l),
        args.backend,
        scratch,
      );
      const [b, lb] = sumOut(
        xs[1] as TensorInfo,
        tb,
        (l) => output.includes(l) || ta.includes(l),
        args.backend,
        scratch,
      );
      const batch = [...output].filter((l) => la.includes(l) && lb.includes(l)).join('');
      const contracted = [...la].filter((l) => lb.includes(l) && !output.includes(l)).join('');
      const freeA = [...output].filter((l) => la.includes(l) && !lb.includes(l)).join('');
      const freeB = [...output].filter((l) => lb.includes(l) && !la.includes(l)).join('');
      const [pb, pm, pk, pn] = [batch, freeA, contracted, freeB].map((s) => prod(dimsOf(s, sizes))) as [
        number,
        number,
        number,
        number,
      ];
      // Prefer the layout that needs no transpose; BatchMatMul's flags absorb the other.
      const aNoT = batch + freeA + contracted;
      const aT = batch + contracted + freeA;
      const transposeA = la !== aNoT && la === aT;
      const a3 = reshapeTo(
        transposeTo(a, la, transposeA ? aT : aNoT, args.backend, scratch),
        transposeA ? [pb, pk, pm] : [pb, pm, pk],
        args.backend,
        scratch,
      );
      const bNoT = batch + contracted + freeB;
      const bT = batch + freeB + contracted;
      const transposeB = lb !== bNoT && lb === bT;
      const b3 = reshapeTo(
        transposeTo(b, lb, transposeB ? bT : bNoT, args.backend, scratch),
        transposeB ? [pb, pn, pk] : [pb, pk, pn],
        args.backend,
        scratch,
      );
      const mm = scratch.keep(run('BatchMatMul', { a: a3, b: b3 }, args.backend, { transposeA, transposeB }));
      const labels = batch + freeA + freeB;
      const full = reshapeTo(mm, dimsOf(labels, sizes), args.backend, scratch);
      res = transposeTo(full, labels, output, args.backend, scratch);
    }
    if (outDtype === 'int32') {
      result = run('Cast', { x: res }, args.backend, { dtype: 'int32' });
    } else if (raw.includes(res)) {
      // The equation is an identity on an input: hand back a copy, never the caller's buffer.
      result = run('Identity', { x: res }, args.backend, {});
    } else {
      result = res;
    }
    return result;
  } finally {
    scratch.dispose(result);
  }
};

/**
 * Gradient of `out = einsum('A,B->O', a, b)`: `da = einsum('O,B->A*', dy, b)` and
 * `db = einsum('A,O->B*', a, dy)`, where `A*` keeps the labels of `A` that occur in `O` or
 * `B`; labels summed inside one operand only are restored by broadcasting. One operand:
 * `dx` is `dy` transposed to the input's label order and broadcast over the summed labels.
 *
 * @see https://www.tensorflow.org/api_docs/python/tf/einsum
 */
function einsumGradFunc(
  dy: Tensor | Tensor[],
  saved: Tensor[],
  attrs: NamedAttrMap,
): Record<string, () => Tensor> {
  const g = dy as Tensor;
  const equation = (attrs.equation as string).replace(/\s/g, '');
  const [lhs, output] = equation.split('->') as [string, string];
  const terms = lhs.split(',');
  const restore = (t: Tensor, labels: string, kept: string, shape: number[]): Tensor => {
    const withOnes = [...labels].map((l, i) => (kept.includes(l) ? (shape[i] as number) : 1));
    return tf.broadcastTo(tf.reshape(t, withOnes), shape);
  };
  if (terms.length === 1) {
    const [x] = saved as [Tensor];
    const la = terms[0] as string;
    const kept = [...la].filter((l) => output.includes(l)).join('');
    return {
      0: () => {
        const perm = [...kept].map((l) => output.indexOf(l));
        const moved = perm.length > 1 && !isIdentity(perm) ? tf.transpose(g, perm) : g;
        return restore(moved, la, kept, x.shape);
      },
    };
  }
  const [a, b] = saved as [Tensor, Tensor];
  const [ta, tb] = terms as [string, string];
  const keptA = [...ta].filter((l) => output.includes(l) || tb.includes(l)).join('');
  const keptB = [...tb].filter((l) => output.includes(l) || ta.includes(l)).join('');
  return {
    0: () => restore(tf.einsum(`${output},${tb}->${keptA}`, g, b), ta, keptA, a.shape),
    1: () => restore(tf.einsum(`${ta},${output}->${keptB}`, a, g), tb, keptB, b.shape),
  };
}

let registered = false;

/**
 * Registers an `Einsum` kernel for the wasm backend (tfjs-backend-wasm 4.22 has none) that
 * lowers the equation to the wasm Sum / Transpose / Reshape / BatchMatMul kernels, and an
 * `Einsum` gradient when tfjs-core has none. Idempotent; called by `registerWasmKernels`.
 *
 * @example
 * ```ts
 * await initBackend();
 * const a = tf.ones([2, 3, 4]);
 * const b = tf.ones([2, 4, 5]);
 * tf.einsum('bij,bjk->bik', a, b); // batched matmul on wasm: [2, 3, 5], every entry 4
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.einsum.html
 */
export function registerEinsumKernel(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('Einsum', 'wasm') === undefined) {
    tf.registerKernel({ kernelName: 'Einsum', backendName: 'wasm', kernelFunc: einsumWasm });
  }
  if (tf.getGradient('Einsum') === undefined) {
    tf.registerGradient({ kernelName: 'Einsum', saveAllInputs: true, gradFunc: einsumGradFunc });
  }
}
