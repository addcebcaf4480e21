import * as tf from '@tensorflow/tfjs-core';
import type { DataType, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { fftBatch } from './fftCore.js';

/*
 * complex64 on the tfjs wasm backend.
 *
 * A complex64 tensor of `size` elements is stored in the wasm heap as `2 * size` interleaved
 * float32 values (re, im): `BackendWasm.write/move/makeOutput` already allocate
 * `size * bytesPerElement('complex64') = 8 * size` bytes, so only reading (readSync,
 * typedArrayFromHeap) needs teaching. Kernels that touch complex data are filled here in JS;
 * layout kernels (slice, transpose, concat, ...) reuse the wasm float32 kernel on a
 * `[...shape, 2]` float32 copy, since interleaved complex data is exactly that tensor.
 */

/** The parts of `BackendWasm` these kernels use (they are public JS members, untyped in d.ts). */
interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: {
    get(dataId: object): { memoryOffset: number; shape: number[]; dtype: DataType } | undefined;
  };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number | null): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  readSync(dataId: object, start?: number, end?: number): unknown;
  move(dataId: object, values: unknown, shape: number[], dtype: DataType, refCount: number): void;
  disposeData(dataId: object, force?: boolean): boolean;
}

type KernelArgs = Parameters<KernelFunc>[0];
type AnyInputs = Record<string, TensorInfo> | TensorInfo[];

const COMPLEX = 'complex64';
let storagePatched = false;

/**
 * Teaches `BackendWasm` to read complex64 tensors stored as interleaved float32: `readSync`
 * (hence `data()/dataSync()/array()`, cross-backend moves) and `typedArrayFromHeap` (hence the
 * wasm Identity/ZerosLike kernels, `clone`) return the `2 * size` interleaved floats, and `move`
 * accepts the half-length zero arrays tfjs-core builds for unused complex64 outputs in backprop.
 * Idempotent.
 */
function patchWasmComplexStorage(): void {
  if (storagePatched) return;
  storagePatched = true;
  const proto = BackendWasm.prototype as unknown as WasmBackendInternals;
  const origTyped = proto.typedArrayFromHeap;
  const origRead = proto.readSync;
  const origMove = proto.move;
  proto.typedArrayFromHeap = function (this: WasmBackendInternals, t: TensorInfo) {
    if (t.dtype !== COMPLEX) return origTyped.call(this, t);
    const data = this.dataIdMap.get(t.dataId);
    if (data === undefined) throw new Error(`typedArrayFromHeap: unknown complex64 tensor`);
    return new Float32Array(this.wasm.HEAPU8.buffer, data.memoryOffset, 2 * tf.util.sizeFromShape(t.shape));
  };
  proto.readSync = function (this: WasmBackendInternals, dataId: object, start?: number, end?: number) {
    const data = this.dataIdMap.get(dataId);
    if (data === undefined || data.dtype !== COMPLEX) return origRead.call(this, dataId, start, end);
    const s = start ?? 0;
    const e = end ?? tf.util.sizeFromShape(data.shape);
    const bytes = this.wasm.HEAPU8.slice(data.memoryOffset + 8 * s, data.memoryOffset + 8 * e);
    return new Float32Array(bytes.buffer);
  };
  proto.move = function (
    this: WasmBackendInternals,
    dataId: object,
    values: unknown,
    shape: number[],
    dtype: DataType,
    refCount: number,
  ) {
    if (dtype === COMPLEX && values != null && ArrayBuffer.isView(values)) {
      const size = tf.util.sizeFromShape(shape);
      const v = values as Float32Array;
      if (v.length !== 2 * size) {
        if (v.length === size && v.every((x) => x === 0)) {
          return origMove.call(this, dataId, new Float32Array(2 * size), shape, dtype, refCount);
        }
        throw new Error(`complex64 data must hold ${2 * size} interleaved floats; got ${v.length}`);
      }
    }
    return origMove.call(this, dataId, values, shape, dtype, refCount);
  };
}

interface CpuBackendInternals {
  data: { get(dataId: object): { complexTensorInfos?: { real: TensorInfo; imag: TensorInfo } } };
  makeTensorInfo(shape: number[], dtype: DataType, values: Float32Array): TensorInfo;
  move(dataId: object, values: unknown, shape: number[], dtype: DataType, refCount: number): void;
}

let cpuMovePatched = false;

/**
 * tfjs-backend-cpu keeps a complex64 tensor as two float32 parts, but its `move` (used when
 * `tf.setBackend` migrates a live tensor) stores the interleaved values it is given without
 * them, so a complex64 tensor moved from wasm could not be read on cpu. This splits them.
 * Idempotent.
 */
function patchCpuComplexMove(): void {
  if (cpuMovePatched) return;
  cpuMovePatched = true;
  const proto = MathBackendCPU.prototype as unknown as CpuBackendInternals;
  const origMove = proto.move;
  proto.move = function (
    this: CpuBackendInternals,
    dataId: object,
    values: unknown,
    shape: number[],
    dtype: DataType,
    refCount: number,
  ) {
    const size = tf.util.sizeFromShape(shape);
    if (dtype !== COMPLEX || !(values instanceof Float32Array) || values.length !== 2 * size) {
      return origMove.call(this, dataId, values, shape, dtype, refCount);
    }
    const re = new Float32Array(size);
    const im = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      re[i] = values[2 * i] as number;
      im[i] = values[2 * i + 1] as number;
    }
    origMove.call(this, dataId, null, shape, dtype, refCount);
    this.data.get(dataId).complexTensorInfos = {
      real: this.makeTensorInfo(shape, 'float32', re),
      imag: this.makeTensorInfo(shape, 'float32', im),
    };
  };
}

/** Heap view of a tensor's data; complex64 gives `2 * size` interleaved floats. Re-take after allocating. */
function heapView(backend: WasmBackendInternals, t: TensorInfo): Float32Array | Int32Array | Uint8Array {
  return backend.typedArrayFromHeap(t);
}

const asBackend = (b: unknown): WasmBackendInternals => b as WasmBackendInternals;
const inputList = (inputs: AnyInputs): TensorInfo[] =>
  Array.isArray(inputs) ? inputs : (Object.values(inputs) as TensorInfo[]);
const anyComplex = (inputs: AnyInputs): boolean =>
  inputList(inputs).some((t) => t != null && t.dtype === COMPLEX);

/** Copies a tensor into a new float32 `[...shape, 2]` tensor (real inputs get zero imaginary parts). */
function toPairs(backend: WasmBackendInternals, t: TensorInfo): TensorInfo {
  const out = backend.makeOutput([...t.shape, 2], 'float32');
  const dst = heapView(backend, out);
  const src = heapView(backend, t);
  if (t.dtype === COMPLEX) {
    dst.set(src);
  } else {
    for (let i = 0; i < src.length; i++) {
      dst[2 * i] = src[i] as number;
      dst[2 * i + 1] = 0;
    }
  }
  return out;
}

/** Copies a float32 `[...s, 2]` tensor into a new complex64 tensor of shape `s`; frees `p`. */
function fromPairs(backend: WasmBackendInternals, p: TensorInfo): TensorInfo {
  const shape = p.shape.slice(0, -1);
  const out = backend.makeOutput(shape, COMPLEX);
  heapView(backend, out).set(heapView(backend, p));
  backend.disposeData(p.dataId);
  return out;
}

type PairsAttrs = (attrs: NamedAttrMap, inputs: TensorInfo[]) => NamedAttrMap;

/**
 * Runs a wasm layout kernel on complex data by viewing it as float32 `[..., 2]`. `attrFix`
 * adapts attributes to the extra trailing axis; `pairKeys` names the data inputs (others,
 * e.g. gather indices, pass through).
 */
function viaPairs(
  args: KernelArgs,
  orig: KernelFunc,
  attrFix: PairsAttrs,
  pairKeys?: string[],
): TensorInfo | TensorInfo[] {
  const backend = asBackend(args.backend);
  const temps: TensorInfo[] = [];
  const pairIt = (t: TensorInfo): TensorInfo => {
    const p = toPairs(backend, t);
    temps.push(p);
    return p;
  };
  let newInputs: AnyInputs;
  if (Array.isArray(args.inputs)) {
    newInputs = (args.inputs as TensorInfo[]).map(pairIt);
  } else {
    const rec: Record<string, TensorInfo> = {};
    for (const [k, t] of Object.entries(args.inputs as Record<string, TensorInfo>)) {
      rec[k] = pairKeys === undefined || pairKeys.includes(k) ? pairIt(t) : t;
    }
    newInputs = rec;
  }
  const attrs = attrFix(args.attrs ?? {}, inputList(args.inputs as AnyInputs));
  try {
    const res = orig({ inputs: newInputs as never, backend: args.backend, attrs });
    return Array.isArray(res) ? res.map((r) => fromPairs(backend, r)) : fromPairs(backend, res);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

const pairsAttrFixes: Record<string, { fix: PairsAttrs; keys?: string[] }> = {
  Slice: {
    fix: (a, [x]) => {
      const [begin, size] = tf.slice_util.parseSliceParams(
        x as unknown as tf.TensorInfo,
        a.begin as number[],
        a.size as number[],
      );
      return { ...a, begin: [...begin, 0], size: [...size, 2] };
    },
  },
  Transpose: { fix: (a, [x]) => ({ ...a, perm: [...(a.perm as number[]), (x as TensorInfo).shape.length] }) },
  Reverse: {
    fix: (a, [x]) => ({ ...a, dims: tf.util.parseAxisParam(a.dims as number[], (x as TensorInfo).shape) }),
  },
  Tile: { fix: (a) => ({ ...a, reps: [...(a.reps as number[]), 1] }) },
  PadV2: {
    fix: (a) => {
      if ((a.constantValue as number) !== 0) {
        throw new Error('PadV2 on complex64 (wasm) supports only constantValue 0');
      }
      return { ...a, paddings: [...(a.paddings as number[][]), [0, 0]] };
    },
  },
  SplitV: { fix: (a, [x]) => ({ ...a, axis: normAxis(a.axis as number, (x as TensorInfo).shape.length) }) },
  Concat: {
    fix: (a, xs) => ({
      ...a,
      axis: tf.util.parseAxisParam(a.axis as number, (xs[0] as TensorInfo).shape)[0],
    }),
  },
  Pack: {
    fix: (a, xs) => ({ ...a, axis: normAxis(a.axis as number, (xs[0] as TensorInfo).shape.length + 1) }),
  },
  Unpack: { fix: (a, [x]) => ({ ...a, axis: normAxis(a.axis as number, (x as TensorInfo).shape.length) }) },
  Sum: {
    fix: (a, [x]) => ({ ...a, axis: tf.util.parseAxisParam(a.axis as number[], (x as TensorInfo).shape) }),
  },
  GatherV2: {
    fix: (a, [x]) => ({ ...a, axis: normAxis(a.axis as number, (x as TensorInfo).shape.length) }),
    keys: ['x'],
  },
  GatherNd: { fix: (a) => a, keys: ['params'] },
  MirrorPad: { fix: (a) => ({ ...a, paddings: [...(a.paddings as number[][]), [0, 0]] }) },
  Mean: {
    fix: (a, [x]) => ({ ...a, axis: tf.util.parseAxisParam(a.axis as number[], (x as TensorInfo).shape) }),
  },
  StridedSlice: {
    fix: (a, [x]) => {
      if ((a.ellipsisMask as number) !== 0 || (a.newAxisMask as number) !== 0) {
        throw new Error('StridedSlice on complex64 (wasm) supports no ellipsis or new-axis mask');
      }
      const shape = (x as TensorInfo).shape;
      const begin = [...(a.begin as number[])];
      const end = [...(a.end as number[])];
      const strides = [...((a.strides as number[] | undefined) ?? begin.map(() => 1))];
      // Spell out the implicit full trailing axes so the extra (re, im) axis lands last.
      for (let d = begin.length; d < shape.length; d++) {
        begin.push(0);
        end.push(shape[d] as number);
        strides.push(1);
      }
      return { ...a, begin: [...begin, 0], end: [...end, 2], strides: [...strides, 1] };
    },
  },
};

/** Maps each flat index of `outShape` to the flat index of a (right-aligned) broadcast input. */
function broadcastMap(outShape: number[], inShape: number[]): Int32Array {
  const size = tf.util.sizeFromShape(outShape);
  const rank = outShape.length;
  const off = rank - inShape.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= off; d--) {
    const dim = inShape[d - off] as number;
    strides[d] = dim === 1 ? 0 : s;
    s *= dim;
  }
  const map = new Int32Array(size);
  const idx = new Array<number>(rank).fill(0);
  let cur = 0;
  for (let i = 0; i < size; i++) {
    map[i] = cur;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      cur += strides[d] as number;
      if ((idx[d] as number) < (outShape[d] as number)) break;
      cur -= (strides[d] as number) * (outShape[d] as number);
      idx[d] = 0;
    }
  }
  return map;
}

type ComplexBinary = (ar: number, ai: number, br: number, bi: number, out: Float32Array, o: number) => void;
const binaryOps: Record<string, ComplexBinary> = {
  Add: (ar, ai, br, bi, out, o) => {
    out[o] = ar + br;
    out[o + 1] = ai + bi;
  },
  Sub: (ar, ai, br, bi, out, o) => {
    out[o] = ar - br;
    out[o + 1] = ai - bi;
  },
  Multiply: (ar, ai, br, bi, out, o) => {
    out[o] = ar * br - ai * bi;
    out[o + 1] = ar * bi + ai * br;
  },
  RealDiv: (ar, ai, br, bi, out, o) => {
    const d = br * br + bi * bi;
    out[o] = (ar * br + ai * bi) / d;
    out[o + 1] = (ai * br - ar * bi) / d;
  },
};

function complexBinary(args: KernelArgs, op: ComplexBinary): TensorInfo {
  const backend = asBackend(args.backend);
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const out = backend.makeOutput(outShape, COMPLEX);
  const size = tf.util.sizeFromShape(outShape);
  if (size === 0) return out;
  const av = heapView(backend, a);
  const bv = heapView(backend, b);
  const ov = heapView(backend, out) as Float32Array;
  const aMap = broadcastMap(outShape, a.shape);
  const bMap = broadcastMap(outShape, b.shape);
  const aC = a.dtype === COMPLEX;
  const bC = b.dtype === COMPLEX;
  for (let i = 0; i < size; i++) {
    const ia = aMap[i] as number;
    const ib = bMap[i] as number;
    const ar = (aC ? av[2 * ia] : av[ia]) as number;
    const ai = aC ? (av[2 * ia + 1] as number) : 0;
    const br = (bC ? bv[2 * ib] : bv[ib]) as number;
    const bi = bC ? (bv[2 * ib + 1] as number) : 0;
    op(ar, ai, br, bi, ov, 2 * i);
  }
  return out;
}

function complexAddN(args: KernelArgs): TensorInfo {
  const backend = asBackend(args.backend);
  const xs = inputList(args.inputs as AnyInputs);
  const first = xs[0] as TensorInfo;
  const out = backend.makeOutput(first.shape, COMPLEX);
  const dst = heapView(backend, out);
  dst.fill(0);
  for (const x of xs) {
    const src = heapView(backend, x);
    if (x.dtype === COMPLEX) {
      for (let i = 0; i < dst.length; i++) dst[i] = (dst[i] as number) + (src[i] as number);
    } else {
      for (let i = 0; i < src.length; i++) dst[2 * i] = (dst[2 * i] as number) + (src[i] as number);
    }
  }
  return out;
}

function complexSquare(args: KernelArgs): TensorInfo {
  const backend = asBackend(args.backend);
  const { x } = args.inputs as { x: TensorInfo };
  const out = backend.makeOutput(x.shape, COMPLEX);
  const src = heapView(backend, x);
  const dst = heapView(backend, out);
  for (let i = 0; i < src.length; i += 2) {
    const re = src[i] as number;
    const im = src[i + 1] as number;
    dst[i] = re * re - im * im;
    dst[i + 1] = 2 * re * im;
  }
  return out;
}

/** Select(condition, t, e) with complex `t`/`e`; condition is t-shaped, rank 1 over dim 0, or scalar. */
function complexSelect(args: KernelArgs): TensorInfo {
  const backend = asBackend(args.backend);
  const { condition, t, e } = args.inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
  const out = backend.makeOutput(t.shape, COMPLEX);
  const c = heapView(backend, condition);
  const tv = heapView(backend, t);
  const ev = heapView(backend, e);
  const dst = heapView(backend, out);
  const size = tf.util.sizeFromShape(t.shape);
  const cRank = condition.shape.length;
  const block =
    cRank === 0 ? size : cRank === 1 && t.shape.length > 1 ? tf.util.sizeFromShape(t.shape.slice(1)) : 1;
  const read = (v: ArrayLike<number>, complex: boolean, i: number, part: 0 | 1): number =>
    complex ? (v[2 * i + part] as number) : part === 0 ? (v[i] as number) : 0;
  for (let i = 0; i < size; i++) {
    const pick = (c[Math.floor(i / block)] as number) !== 0;
    const src = pick ? tv : ev;
    const cplx = (pick ? t : e).dtype === COMPLEX;
    dst[2 * i] = read(src, cplx, i, 0);
    dst[2 * i + 1] = read(src, cplx, i, 1);
  }
  return out;
}

function complexNeg(args: KernelArgs): TensorInfo {
  const backend = asBackend(args.backend);
  const { x } = args.inputs as { x: TensorInfo };
  const out = backend.makeOutput(x.shape, COMPLEX);
  const src = heapView(backend, x);
  const dst = heapView(backend, out);
  for (let i = 0; i < src.length; i++) dst[i] = -(src[i] as number);
  return out;
}

function complexOnesLike(args: KernelArgs): TensorInfo {
  const backend = asBackend(args.backend);
  const { x } = args.inputs as { x: TensorInfo };
  const out = backend.makeOutput(x.shape, COMPLEX);
  const dst = heapView(backend, out);
  for (let i = 0; i < dst.length; i += 2) {
    dst[i] = 1;
    dst[i + 1] = 0;
  }
  return out;
}

/** Cast to or from complex64 (to: zero imaginary part; from: real part, then the wasm cast). */
function castWithComplex(args: KernelArgs, orig: KernelFunc): TensorInfo | TensorInfo[] {
  const backend = asBackend(args.backend);
  const { x } = args.inputs as { x: TensorInfo };
  const dtype = (args.attrs as { dtype: DataType }).dtype;
  if (dtype === COMPLEX) {
    const out = backend.makeOutput(x.shape, COMPLEX);
    const src = heapView(backend, x);
    const dst = heapView(backend, out);
    if (x.dtype === COMPLEX) {
      dst.set(src);
    } else {
      for (let i = 0; i < src.length; i++) {
        dst[2 * i] = src[i] as number;
        dst[2 * i + 1] = 0;
      }
    }
    return out;
  }
  if (x.dtype !== COMPLEX) return orig(args);
  const re = realOrImag(backend, x, 0);
  try {
    return orig({ inputs: { x: re } as never, backend: args.backend, attrs: args.attrs ?? {} });
  } finally {
    backend.disposeData(re.dataId);
  }
}

function realOrImag(backend: WasmBackendInternals, x: TensorInfo, part: 0 | 1): TensorInfo {
  const out = backend.makeOutput(x.shape, 'float32');
  const src = heapView(backend, x);
  const dst = heapView(backend, out);
  for (let i = 0; i < dst.length; i++) dst[i] = src[2 * i + part] as number;
  return out;
}

const complexKernels: Record<string, KernelFunc> = {
  Complex: (args) => {
    const backend = asBackend(args.backend);
    const { real, imag } = args.inputs as { real: TensorInfo; imag: TensorInfo };
    if (!tf.util.arraysEqual(real.shape, imag.shape)) {
      throw new Error(`Complex: real shape [${real.shape}] and imag shape [${imag.shape}] must match`);
    }
    const out = backend.makeOutput(real.shape, COMPLEX);
    const re = heapView(backend, real);
    const im = heapView(backend, imag);
    const dst = heapView(backend, out);
    for (let i = 0; i < re.length; i++) {
      dst[2 * i] = re[i] as number;
      dst[2 * i + 1] = im[i] as number;
    }
    return out;
  },
  Real: (args) => realOrImag(asBackend(args.backend), (args.inputs as { input: TensorInfo }).input, 0),
  Imag: (args) => realOrImag(asBackend(args.backend), (args.inputs as { input: TensorInfo }).input, 1),
  ComplexAbs: (args) => {
    const backend = asBackend(args.backend);
    const { x } = args.inputs as { x: TensorInfo };
    const out = backend.makeOutput(x.shape, 'float32');
    const src = heapView(backend, x);
    const dst = heapView(backend, out);
    for (let i = 0; i < dst.length; i++) {
      const re = src[2 * i] as number;
      const im = src[2 * i + 1] as number;
      dst[i] = Math.sqrt(re * re + im * im);
    }
    return out;
  },
  FFT: (args) => fftKernel(args, false),
  IFFT: (args) => fftKernel(args, true),
};

function fftKernel(args: KernelArgs, inverse: boolean): TensorInfo {
  const backend = asBackend(args.backend);
  const { input } = args.inputs as { input: TensorInfo };
  if (input.dtype !== COMPLEX) throw new Error(`${inverse ? 'IFFT' : 'FFT'}: input must be complex64`);
  const out = backend.makeOutput(input.shape, COMPLEX);
  const n = input.shape.length === 0 ? 1 : (input.shape[input.shape.length - 1] as number);
  const src = heapView(backend, input) as Float32Array;
  const dst = heapView(backend, out) as Float32Array;
  fftBatch(src, n, inverse, dst);
  return out;
}

const WRAPPED = Symbol.for('@lab/core/complex-wrapped');

/** Replaces a wasm kernel by one that handles complex64 inputs and delegates otherwise. */
function wrapWasmKernel(
  name: string,
  complexImpl: (args: KernelArgs, orig: KernelFunc) => TensorInfo | TensorInfo[],
  needsComplex: (args: KernelArgs) => boolean = (args) => anyComplex(args.inputs as AnyInputs),
): void {
  const orig = tf.getKernel(name, 'wasm');
  if (orig === undefined) return;
  if ((orig.kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED]) return;
  const origFunc = orig.kernelFunc;
  const kernelFunc: KernelFunc = (args) =>
    needsComplex(args) ? complexImpl(args, origFunc) : origFunc(args);
  (kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED] = true;
  tf.unregisterKernel(name, 'wasm');
  const config: KernelConfig = { ...orig, kernelFunc };
  tf.registerKernel(config);
}

/** Names of the wasm kernels this module makes complex64-aware (for reports and tests). */
const COMPLEX_AWARE_WASM_KERNELS: readonly string[] = [
  ...Object.keys(complexKernels),
  ...Object.keys(binaryOps),
  'Neg',
  'AddN',
  'Square',
  'Select',
  'Cast',
  'OnesLike',
  'ZerosLike',
  'Identity',
  'Reshape',
  ...Object.keys(pairsAttrFixes),
];

/**
 * Registers the complex kernels (Complex, Real, Imag, ComplexAbs, FFT, IFFT) on wasm and
 * wraps the wasm kernels that backprop through complex values meets. Idempotent.
 */
export function registerWasmComplexKernels(): void {
  patchWasmComplexStorage();
  patchCpuComplexMove();
  for (const [kernelName, kernelFunc] of Object.entries(complexKernels)) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) {
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    }
  }
  for (const [name, op] of Object.entries(binaryOps)) {
    wrapWasmKernel(name, (args) => complexBinary(args, op));
  }
  wrapWasmKernel('Neg', complexNeg);
  wrapWasmKernel('AddN', complexAddN);
  wrapWasmKernel('Square', complexSquare);
  wrapWasmKernel('Select', complexSelect, (args) => {
    const { t, e } = args.inputs as { t: TensorInfo; e: TensorInfo };
    return t.dtype === COMPLEX || e.dtype === COMPLEX;
  });
  wrapWasmKernel('OnesLike', complexOnesLike);
  wrapWasmKernel('Cast', castWithComplex, (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    return x.dtype === COMPLEX || (args.attrs as { dtype: DataType }).dtype === COMPLEX;
  });
  for (const [name, { fix, keys }] of Object.entries(pairsAttrFixes)) {
    wrapWasmKernel(name, (args, orig) => viaPairs(args, orig, fix, keys));
  }
  // Every other wasm kernel would read complex64 data as float32 and return garbage (Exp,
  // Sign, ...): make them fail loudly instead, as tfjs-backend-cpu does.
  const handled = new Set([...COMPLEX_AWARE_WASM_KERNELS, 'ExpandDims']);
  for (const k of tf.getKernelsForBackend('wasm')) {
    if (handled.has(k.kernelName)) continue;
    wrapWasmKernel(k.kernelName, () => {
      throw new Error(`${k.kernelName} does not support complex64 tensors on the wasm backend`);
    });
  }
}
