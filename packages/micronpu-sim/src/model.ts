import { LabInputError } from '@lab/core';

/** Activation / weight integer types supported by the model. */
export type NpuDtype = 'int8' | 'int16';
/** Where a constant tensor lives: on-chip SRAM or off-chip flash/DRAM. */
export type Placement = 'sram' | 'flash';

/** Batch-1 fully connected layer y = W x (W: [out, in] int8, row-major). */
export interface FullyConnectedOp {
  readonly kind: 'FullyConnected';
  readonly name: string;
  readonly weights: Int8Array;
  readonly shape: readonly [number, number];
  /** Rows of the input processed together (1 for streaming inference). */
  readonly batch?: number;
  readonly inputDtype?: NpuDtype;
  readonly weightPlacement?: Placement;
}

/** 2-D convolution, NHWC input [H, W, Cin], weights [Cout, kh, kw, Cin]. */
export interface Conv2DOp {
  readonly kind: 'Conv2D';
  readonly name: string;
  readonly inputShape: readonly [number, number, number];
  readonly weights: Int8Array;
  readonly weightShape: readonly [number, number, number, number];
  readonly stride?: number;
  readonly padding?: 'same' | 'valid';
  readonly inputDtype?: NpuDtype;
  readonly weightPlacement?: Placement;
}

/** Depthwise convolution (multiplier 1), input [H, W, C], weights [kh, kw, C]. */
export interface DepthwiseConv2DOp {
  readonly kind: 'DepthwiseConv2D';
  readonly name: string;
  readonly inputShape: readonly [number, number, number];
  readonly weights: Int8Array;
  readonly weightShape: readonly [number, number, number];
  readonly stride?: number;
  readonly padding?: 'same' | 'valid';
  readonly inputDtype?: NpuDtype;
  readonly weightPlacement?: Placement;
}

/** Elementwise Add or Mul of two tensors of `size` elements, optionally with a fused LUT activation. */
export interface ElementwiseOp {
  readonly kind: 'Add' | 'Mul';
  readonly name: string;
  readonly size: number;
  readonly dtype?: NpuDtype;
  /** Activation fused into the op's output stage (as Vela fuses an LSTM gate's sigmoid/tanh). */
  readonly activation?: 'sigmoid' | 'tanh';
}

/** Activation by lookup table (sigmoid, tanh, ...) on `size` elements. */
export interface ActivationOp {
  readonly kind: 'Activation';
  readonly name: string;
  readonly fn: 'sigmoid' | 'tanh' | 'relu';
  readonly size: number;
  readonly dtype?: NpuDtype;
}

/**
 * One LSTM step (streaming, batch 1) with input weights [4H, in] and recurrent weights [4H, H]
 * (gate order i, f, g, o). {@link expandModel} unrolls it into its FC and elementwise parts,
 * as Vela does; the cell state is `cellDtype` (int16 by default, as TFLite's int8 LSTM).
 */
export interface LstmOp {
  readonly kind: 'LSTM';
  readonly name: string;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly inputWeights: Int8Array;
  readonly recurrentWeights: Int8Array;
  readonly cellDtype?: NpuDtype;
  readonly weightPlacement?: Placement;
}

/** Any op of the model description. */
export type NpuOp = FullyConnectedOp | Conv2DOp | DepthwiseConv2DOp | ElementwiseOp | ActivationOp | LstmOp;
/** A primitive op (no LSTM). */
export type PrimitiveOp = Exclude<NpuOp, LstmOp>;

/** A model: ops run in sequence (each op's output feeds later ops; LSTM states persist). */
export interface NpuModel {
  readonly name: string;
  readonly ops: readonly NpuOp[];
}

/** A primitive op with the name of the model op it came from. */
export interface ExpandedOp {
  readonly op: PrimitiveOp;
  /** Name of the model-level op (e.g. the LSTM) this part belongs to. */
  readonly layer: string;
}

const KINDS = new Set(['FullyConnected', 'Conv2D', 'DepthwiseConv2D', 'Add', 'Mul', 'Activation', 'LSTM']);

function posInt(fn: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new LabInputError(fn, arg, 'must be a positive integer', v);
  }
}

function checkWeights(fn: string, arg: string, w: unknown, n: number): void {
  if (!(w instanceof Int8Array)) throw new LabInputError(fn, arg, 'must be an Int8Array', w);
  if (w.length !== n) throw new LabInputError(fn, arg, `must have ${n} elements (its shape)`, w.length);
}

/**
 * Validates a model description; throws `LabInputError` (function `fn`, argument path such as
 * `model.ops[3].weights`) for unsupported ops, bad shapes or weight lengths.
 *
 * @see Stamenovic et al., arXiv 2111.02351.
 */
export function validateModel(model: NpuModel, fn = 'validateModel'): void {
  if (model === null || typeof model !== 'object' || !Array.isArray(model.ops)) {
    throw new LabInputError(fn, 'model', 'must be { name, ops: NpuOp[] }', model);
  }
  if (model.ops.length === 0) throw new LabInputError(fn, 'model.ops', 'must not be empty', 0);
  const names = new Set<string>();
  model.ops.forEach((op, i) => {
    const at = `model.ops[${i}]`;
    if (op === null || typeof op !== 'object' || !KINDS.has((op as { kind: string }).kind)) {
      throw new LabInputError(
        fn,
        `${at}.kind`,
        `must be a supported op (${[...KINDS].join(', ')})`,
        (op as { kind?: unknown } | null)?.kind,
      );
    }
    if (typeof op.name !== 'string' || op.name.length === 0 || names.has(op.name)) {
      throw new LabInputError(fn, `${at}.name`, 'must be a unique non-empty string', op.name);
    }
    names.add(op.name);
    const dt = op as { inputDtype?: unknown; dtype?: unknown; cellDtype?: unknown };
    for (const key of ['inputDtype', 'dtype', 'cellDtype'] as const) {
      const v = dt[key];
      if (v !== undefined && v !== 'int8' && v !== 'int16') {
        throw new LabInputError(fn, `${at}.${key}`, "must be 'int8' or 'int16'", v);
      }
    }
    const wp = (op as { weightPlacement?: unknown }).weightPlacement;
    if (wp !== undefined && wp !== 'sram' && wp !== 'flash') {
      throw new LabInputError(fn, `${at}.weightPlacement`, "must be 'sram' or 'flash'", wp);
    }
    switch (op.kind) {
      case 'FullyConnected':
        if (!Array.isArray(op.shape) || op.shape.length !== 2) {
          throw new LabInputError(fn, `${at}.shape`, 'must be [out, in]', op.shape);
        }
        posInt(fn, `${at}.shape[0]`, op.shape[0]);
        posInt(fn, `${at}.shape[1]`, op.shape[1]);
        if (op.batch !== undefined) posInt(fn, `${at}.batch`, op.batch);
        checkWeights(fn, `${at}.weights`, op.weights, op.shape[0] * op.shape[1]);
        break;
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const ws = op.weightShape as readonly number[];
        const expectLen = op.kind === 'Conv2D' ? 4 : 3;
        if (!Array.isArray(op.inputShape) || op.inputShape.length !== 3) {
          throw new LabInputError(fn, `${at}.inputShape`, 'must be [H, W, C]', op.inputShape);
        }
        if (!Array.isArray(ws) || ws.length !== expectLen) {
          throw new LabInputError(fn, `${at}.weightShape`, `must have ${expectLen} dimensions`, ws);
        }
        for (let j = 0; j < 3; j++) posInt(fn, `${at}.inputShape[${j}]`, op.inputShape[j]);
        for (let j = 0; j < ws.length; j++) posInt(fn, `${at}.weightShape[${j}]`, ws[j]);
        const cin = op.inputShape[2];
        const wcin = op.kind === 'Conv2D' ? ws[3] : ws[2];
        if (wcin !== cin) {
          throw new LabInputError(fn, `${at}.weightShape`, `must match the input's ${cin} channels`, wcin);
        }
        if (op.stride !== undefined) posInt(fn, `${at}.stride`, op.stride);
        if (op.padding !== undefined && op.padding !== 'same' && op.padding !== 'valid') {
          throw new LabInputError(fn, `${at}.padding`, "must be 'same' or 'valid'", op.padding);
        }
        checkWeights(
          fn,
          `${at}.weights`,
          op.weights,
          ws.reduce((a, b) => a * b, 1),
        );
        const { outH, outW } = convOutput(op);
        if (outH < 1 || outW < 1) {
          throw new LabInputError(
            fn,
            `${at}.weightShape`,
            'kernel must fit the input with valid padding',
            ws,
          );
        }
        break;
      }
      case 'Add':
      case 'Mul':
      case 'Activation':
        posInt(fn, `${at}.size`, op.size);
        if (
          op.kind !== 'Activation' &&
          op.activation !== undefined &&
          op.activation !== 'sigmoid' &&
          op.activation !== 'tanh'
        ) {
          throw new LabInputError(fn, `${at}.activation`, "must be 'sigmoid' or 'tanh'", op.activation);
        }
        if (op.kind === 'Activation' && !['sigmoid', 'tanh', 'relu'].includes(op.fn)) {
          throw new LabInputError(fn, `${at}.fn`, "must be 'sigmoid', 'tanh' or 'relu'", op.fn);
        }
        break;
      case 'LSTM':
        posInt(fn, `${at}.inputSize`, op.inputSize);
        posInt(fn, `${at}.hiddenSize`, op.hiddenSize);
        checkWeights(fn, `${at}.inputWeights`, op.inputWeights, 4 * op.hiddenSize * op.inputSize);
        checkWeights(fn, `${at}.recurrentWeights`, op.recurrentWeights, 4 * op.hiddenSize * op.hiddenSize);
        break;
    }
  });
}

/** Output height/width of a (depthwise) convolution. */
export function convOutput(op: Conv2DOp | DepthwiseConv2DOp): { outH: number; outW: number } {
  const [h, w] = op.inputShape;
  const kh = op.kind === 'Conv2D' ? op.weightShape[1] : op.weightShape[0];
  const kw = op.kind === 'Conv2D' ? op.weightShape[2] : op.weightShape[1];
  const s = op.stride ?? 1;
  if ((op.padding ?? 'same') === 'same') return { outH: Math.ceil(h / s), outW: Math.ceil(w / s) };
  return { outH: Math.floor((h - kh) / s) + 1, outW: Math.floor((w - kw) / s) + 1 };
}

// Gate row views per LSTM matrix, memoised so repeated expansions return the same objects
// (callers may cache encoded sizes per weight array).
const gateViewCache = new WeakMap<Int8Array, Int8Array[]>();
function gateViews(w: Int8Array, H: number, cols: number): Int8Array[] {
  const hit = gateViewCache.get(w);
  if (hit && hit.length === 4 && hit[0]?.length === H * cols) return hit;
  const views = [0, 1, 2, 3].map((g) => w.subarray(g * H * cols, (g + 1) * H * cols));
  gateViewCache.set(w, views);
  return views;
}

/**
 * Unrolls every LSTM step into its parts the way Vela lowers TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM
 * (`ethosu/vela/lstm.py`): per gate (i, f, g, o) an input FC [H, in], a recurrent FC [H, H] and
 * an int16 Add with the gate's sigmoid/tanh fused; then the cell f*c (Mul), i*g (Mul), c (Add),
 * tanh(c) (LUT) and h = o*tanh(c) (Mul). Gate weights are row slices (views) of the LSTM's
 * [4H, in] and [4H, H] matrices, not copies.
 *
 * @see Stamenovic et al., arXiv 2111.02351 (LSTM speech-enhancement models on Ethos-U55).
 */
export function expandModel(model: NpuModel): ExpandedOp[] {
  validateModel(model, 'expandModel');
  const out: ExpandedOp[] = [];
  for (const op of model.ops) {
    if (op.kind !== 'LSTM') {
      out.push({ op, layer: op.name });
      continue;
    }
    const H = op.hiddenSize;
    const inn = op.inputSize;
    const cell = op.cellDtype ?? 'int16';
    const wp = op.weightPlacement ? { weightPlacement: op.weightPlacement } : {};
    const parts: PrimitiveOp[] = [];
    const inViews = gateViews(op.inputWeights, H, inn);
    const recViews = gateViews(op.recurrentWeights, H, H);
    (['i', 'f', 'g', 'o'] as const).forEach((gate, g) => {
      parts.push(
        {
          kind: 'FullyConnected',
          name: `${op.name}/${gate}_input_fc`,
          weights: inViews[g] as Int8Array,
          shape: [H, inn],
          ...wp,
        },
        {
          kind: 'FullyConnected',
          name: `${op.name}/${gate}_recurrent_fc`,
          weights: recViews[g] as Int8Array,
          shape: [H, H],
          ...wp,
        },
        {
          kind: 'Add',
          name: `${op.name}/${gate}_gate`,
          size: H,
          dtype: 'int16',
          activation: gate === 'g' ? 'tanh' : 'sigmoid',
        },
      );
    });
    parts.push(
      { kind: 'Mul', name: `${op.name}/f_mul_c`, size: H, dtype: cell },
      { kind: 'Mul', name: `${op.name}/i_mul_g`, size: H, dtype: cell },
      { kind: 'Add', name: `${op.name}/cell_add`, size: H, dtype: cell },
      { kind: 'Activation', name: `${op.name}/tanh_c`, fn: 'tanh', size: H, dtype: cell },
      { kind: 'Mul', name: `${op.name}/o_mul_tanh_c`, size: H, dtype: 'int16' },
    );
    for (const p of parts) out.push({ op: p, layer: op.name });
  }
  return out;
}
