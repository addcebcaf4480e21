import { LabInputError, readOptions } from '@lab/core';
import type { AcceleratorConfig } from './accelerators.js';
import { getOpCost } from './costRegistry.js';
import { BIAS_BYTES_PER_CHANNEL, bytesOf } from './costs/common.js';
import type { OpCost, OpCostFn } from './costs/opCost.js';
import { weightMatrixShape } from './costs/weightedOp.js';
import { encodeWeights } from './encodeWeights.js';
import { type NpuModel, type PrimitiveOp, expandModel } from './model.js';
import type { SystemConfig } from './systems.js';

/** Byte count of the encoded weight stream of a [out, in] int8 matrix on an accelerator. */
export type WeightBytesFn = (
  weights: Int8Array,
  shape: [number, number],
  accelerator: AcceleratorConfig,
) => number;

/** Options of {@link estimateModel}. */
export interface EstimateModelOptions {
  /**
   * Encoded weight-stream size. Defaults to {@link encodedWeightBytes} (Ethos-U's lossless
   * encoding via `encodeWeights`); inject another function to study other encoders, or
   * `(w) => w.length` for uncompressed weights.
   */
  readonly weightBytes?: WeightBytesFn;
  /**
   * What-if: a hypothetical NPU that skips all-zero weight blocks of `blockOut x blockIn`
   * (in the [out, in] matrix; conv kernels flattened to [Cout, kh*kw*Cin]): compute cycles scale
   * with the fraction of non-zero blocks. Real Ethos-U hardware does not do this.
   */
  readonly zeroSkipping?: { readonly blockOut: number; readonly blockIn: number };
  /** Throw when the activations do not fit the system's SRAM (default true). */
  readonly checkSram?: boolean;
}

/** Which resource bounds an op. */
export type Bottleneck = 'compute' | 'sram' | 'flash' | 'dram';

/** Estimate of one primitive op. */
export interface OpEstimate {
  readonly name: string;
  /** Model-level op this part belongs to (the LSTM for its unrolled parts). */
  readonly layer: string;
  readonly kind: PrimitiveOp['kind'];
  readonly macs: number;
  readonly rawWeightBytes: number;
  readonly encodedWeightBytes: number;
  /** Bias + scale bytes (10 per output channel, as Vela's 80-bit entries). */
  readonly biasBytes: number;
  readonly computeCycles: number;
  /**
   * DMA cycles the NPU waits for before it can start (as Vela's estimate): the LUT of an int8
   * sigmoid/tanh op, and for off-chip conv/depthwise weights the first 16-channel weight slice
   * (later slices are double-buffered); minus the previous op's cycles, under which the DMA runs.
   */
  readonly dmaStallCycles: number;
  readonly sramBytes: number;
  readonly sramCycles: number;
  readonly offChipBytes: number;
  readonly offChipCycles: number;
  /** max(compute + DMA stall, SRAM, off-chip) cycles: weight transfers are double-buffered. */
  readonly cycles: number;
  readonly bottleneck: Bottleneck;
  /** Achieved MACs per cycle over `cycles`. */
  readonly macsPerCycle: number;
  /** macsPerCycle / accelerator peak. */
  readonly macUtilisation: number;
  /** Activation bytes live in SRAM during this op (inputs, output, persistent states, SRAM weights). */
  readonly liveSramBytes: number;
}

/** Result of {@link estimateModel}. */
export interface EstimateModelResult {
  readonly model: string;
  readonly system: string;
  readonly accelerator: string;
  readonly clockHz: number;
  readonly ops: OpEstimate[];
  /** Ops summed per model-level layer. */
  readonly layers: LayerEstimate[];
  readonly totals: LayerEstimate & { readonly latencySeconds: number };
  /** Peak activation (+ state + SRAM-resident weight) bytes in SRAM over the model. */
  readonly peakSramBytes: number;
}

/** Sums over a group of ops. */
export interface LayerEstimate {
  readonly name: string;
  readonly macs: number;
  readonly rawWeightBytes: number;
  readonly encodedWeightBytes: number;
  readonly computeCycles: number;
  readonly sramCycles: number;
  readonly offChipCycles: number;
  readonly cycles: number;
  readonly bottleneck: Bottleneck;
  readonly macsPerCycle: number;
  readonly macUtilisation: number;
}

/**
 * Default {@link WeightBytesFn}: the byte count of the Ethos-U weight stream from `encodeWeights`
 * for this accelerator's micro-block depths and core count.
 *
 * @see Stamenovic et al., arXiv 2111.02351; Vela's `mlw_codec`.
 */
export function encodedWeightBytes(
  weights: Int8Array,
  shape: [number, number],
  accelerator: AcceleratorConfig,
): number {
  return encodeWeights(weights, shape, {
    name: accelerator.name,
    macsPerCycle: accelerator.macsPerCycle,
    cores: accelerator.cores,
    ofmUblockDepth: accelerator.ofmMicroBlock.depth,
    ifmUblockDepth: accelerator.ifmMicroBlockDepth,
  }).byteCount;
}

/**
 * Estimates per-op and total cycles of a model on an Ethos-U-class system, the way Vela does:
 * op cycles = max(compute cycles, SRAM cycles, off-chip (flash/DRAM) cycles), with weight
 * transfers double-buffered. Compute comes from the MAC array's micro-block utilisation and the
 * weight decoder (8 weights/cycle/core), so **zero weights never reduce compute**; sparsity helps
 * a memory-bound layer only through a smaller encoded weight stream (`options.weightBytes`), and
 * unit pruning only by shrinking the matrices. Each primitive op's resources come from the cost
 * function of its kind (`src/costs/<kind>.ts`, looked up in the package-internal registry
 * `src/costRegistry.ts`). Throws `LabInputError` for unsupported ops, bad shapes or activations
 * that do not fit the configured SRAM.
 *
 * @example
 * ```ts
 * const model = dtlnModel({ seed: 1 });
 * const r = estimateModel(model, systems['u55-high-end']);
 * r.totals.latencySeconds; // ~1.91e-3 (see the README)
 * ```
 * @see Stamenovic et al., "Weight, Block or Unit? Exploring Sparsity Tradeoffs for Speech
 * Enhancement on Tiny Neural Accelerators", NeurIPS 2021 ENLSP (arXiv 2111.02351); Vela's
 * `npu_performance.py`.
 */
export function estimateModel(
  model: NpuModel,
  system: SystemConfig,
  options: EstimateModelOptions = {},
): EstimateModelResult {
  const fn = 'estimateModel';
  if (system === null || typeof system !== 'object' || !system.accelerator || !(system.clockHz > 0)) {
    throw new LabInputError(fn, 'system', 'must be a SystemConfig (see systems / defineSystem)', system);
  }
  const o = readOptions(fn, options, ['zeroSkipping', 'weightBytes', 'checkSram']);
  const checkSram = o.boolean('checkSram', true);
  if (o.has('zeroSkipping')) {
    const z = o.nested('zeroSkipping', ['blockOut', 'blockIn']);
    z.integer('blockOut', undefined, { min: 1 });
    z.integer('blockIn', undefined, { min: 1 });
  }
  const zs = options.zeroSkipping;
  const weightBytes: WeightBytesFn = o.optionalFunction<WeightBytesFn>('weightBytes') ?? encodedWeightBytes;
  const expanded = expandModel(model);
  const acc = system.accelerator;
  const sramPerCycle = system.sramBytesPerSecond / system.clockHz;
  const offPerCycle = system.offChip.bytesPerSecond / system.clockHz;
  // One cost function per op kind (src/costs/<kind>.ts, looked up in src/costRegistry.ts).
  const modelIndex = new Map(model.ops.map((op, i) => [op.name, i]));
  const costFns: OpCostFn[] = expanded.map(({ op, layer }) =>
    getOpCost(op.kind, fn, `model.ops[${modelIndex.get(layer)}].kind`),
  );

  // Persistent LSTM state (h int8, c int16) and SRAM-resident weights stay live all the time.
  let persistent = 0;
  for (const op of model.ops) {
    if (op.kind === 'LSTM') persistent += op.hiddenSize * (1 + bytesOf(op.cellDtype ?? 'int16'));
  }
  const encodedCache = new Map<Int8Array, number>();
  const encode = (w: Int8Array, shape: [number, number]): number => {
    const hit = encodedCache.get(w);
    if (hit !== undefined) return hit;
    const n = weightBytes(w, shape, acc);
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
      throw new LabInputError(fn, 'options.weightBytes', 'must return a non-negative byte count', n);
    }
    encodedCache.set(w, n);
    return n;
  };
  for (const { op } of expanded) {
    if ('weights' in op && op.weightPlacement === 'sram') {
      const shape = weightMatrixShape(op);
      persistent += encode(op.weights, shape) + BIAS_BYTES_PER_CHANNEL * shape[0];
    }
  }

  let prevCompute = 0; // compute cycles of the previous op: DMAs of this op's constants run under them
  const ops: OpEstimate[] = expanded.map(({ op, layer }, index) => {
    const cost = (costFns[index] as OpCostFn)(op, {
      system,
      accelerator: acc,
      sramBytesPerCycle: sramPerCycle,
      offChipBytesPerCycle: offPerCycle,
      offChipLatencyCycles: system.offChip.readLatencyCycles,
      // The model's input and output are NHWC tensors; intermediate ones use the brick format.
      nhwcIn: index === 0,
      nhwcOut: index === expanded.length - 1,
      previousComputeCycles: prevCompute,
      zeroSkipping: zs,
      encodedWeightBytes: encode,
    });
    prevCompute = cost.computeCycles;
    return opEstimate(op, layer, cost, system, persistent);
  });

  const peakSramBytes = Math.max(...ops.map((o) => o.liveSramBytes));
  if (checkSram && peakSramBytes > system.sramBytes) {
    const worst = ops.find((o) => o.liveSramBytes === peakSramBytes);
    throw new LabInputError(
      fn,
      'model',
      `must fit the system's ${system.sramBytes} bytes of SRAM (op '${worst?.name}' needs ${peakSramBytes})`,
      peakSramBytes,
    );
  }
  const layerNames = [...new Set(ops.map((o) => o.layer))];
  const layers = layerNames.map((name) =>
    sumOps(
      name,
      ops.filter((o) => o.layer === name),
      acc,
    ),
  );
  const total = sumOps('total', ops, acc);
  return {
    model: model.name,
    system: system.name,
    accelerator: acc.name,
    clockHz: system.clockHz,
    ops,
    layers,
    totals: { ...total, latencySeconds: total.cycles / system.clockHz },
    peakSramBytes,
  };
}
/**
 * An op's {@link OpEstimate} from its cost: cycles = max(compute + DMA stall, SRAM cycles,
 * off-chip cycles) (weight transfers are double-buffered), the bottleneck is the argmax.
 */
function opEstimate(
  op: PrimitiveOp,
  layer: string,
  cost: OpCost,
  system: SystemConfig,
  persistentSramBytes: number,
): OpEstimate {
  const compute = cost.computeCycles;
  const dma = cost.dmaStallCycles;
  const sramCycles = cost.sramBytes / (system.sramBytesPerSecond / system.clockHz);
  const offChipCycles = cost.offChipBytes / (system.offChip.bytesPerSecond / system.clockHz);
  const busy = compute + dma;
  const cycles = Math.max(busy, sramCycles, offChipCycles);
  const bottleneck: Bottleneck =
    cycles === busy
      ? dma > compute
        ? system.offChip.kind
        : 'compute'
      : cycles === offChipCycles
        ? system.offChip.kind
        : 'sram';
  const macsPerCycle = system.accelerator.macsPerCycle;
  return {
    name: op.name,
    layer,
    kind: op.kind,
    macs: cost.macs,
    rawWeightBytes: cost.rawWeightBytes,
    encodedWeightBytes: cost.encodedWeightBytes,
    biasBytes: cost.biasBytes,
    computeCycles: compute,
    dmaStallCycles: dma,
    sramBytes: cost.sramBytes,
    sramCycles,
    offChipBytes: cost.offChipBytes,
    offChipCycles,
    cycles,
    bottleneck,
    macsPerCycle: cycles > 0 ? cost.macs / cycles : 0,
    macUtilisation: cycles > 0 ? cost.macs / cycles / macsPerCycle : 0,
    liveSramBytes: cost.ifmBytes + cost.ofmBytes + persistentSramBytes,
  };
}

function sumOps(name: string, ops: OpEstimate[], acc: AcceleratorConfig): LayerEstimate {
  let macs = 0;
  let raw = 0;
  let enc = 0;
  let compute = 0;
  let sram = 0;
  let off = 0;
  let cycles = 0;
  for (const o of ops) {
    macs += o.macs;
    raw += o.rawWeightBytes;
    enc += o.encodedWeightBytes;
    compute += o.computeCycles;
    sram += o.sramCycles;
    off += o.offChipCycles;
    cycles += o.cycles;
  }
  // The resource that bounds most of the layer's cycles.
  const by = new Map<Bottleneck, number>();
  for (const o of ops) by.set(o.bottleneck, (by.get(o.bottleneck) ?? 0) + o.cycles);
  let bottleneck: Bottleneck = 'compute';
  let best = -1;
  for (const [k, v] of by) {
    if (v > best) {
      best = v;
      bottleneck = k;
    }
  }
  return {
    name,
    macs,
    rawWeightBytes: raw,
    encodedWeightBytes: enc,
    computeCycles: compute,
    sramCycles: sram,
    offChipCycles: off,
    cycles,
    bottleneck,
    macsPerCycle: cycles > 0 ? macs / cycles : 0,
    macUtilisation: cycles > 0 ? macs / cycles / acc.macsPerCycle : 0,
  };
}
