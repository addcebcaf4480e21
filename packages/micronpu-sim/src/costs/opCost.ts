import type { AcceleratorConfig } from '../accelerators.js';
import type { PrimitiveOp } from '../model.js';
import type { SystemConfig } from '../systems.js';

/** The kinds of primitive op a cost function can be registered for. */
export type OpKind = PrimitiveOp['kind'];

/** The primitive op of one kind (`'Add'` and `'Mul'` both give an `ElementwiseOp`). */
export type OpOfKind<K extends OpKind> = PrimitiveOp & { readonly kind: K };

/**
 * What a cost function knows besides its op: the system, the op's place in the model and the
 * encoded-weight byte count chosen by `estimateModel`'s options.
 */
export interface OpCostContext {
  readonly system: SystemConfig;
  readonly accelerator: AcceleratorConfig;
  /** SRAM bytes per clock cycle. */
  readonly sramBytesPerCycle: number;
  /** Off-chip (flash/DRAM) bytes per clock cycle. */
  readonly offChipBytesPerCycle: number;
  /** Off-chip read latency in cycles (flash 64, DRAM 500). */
  readonly offChipLatencyCycles: number;
  /**
   * The op reads the model's input, an NHWC tensor (SRAM bursts depend on the block depth);
   * intermediate tensors use the brick format NHCWB16 (full bursts), as in Vela.
   */
  readonly nhwcIn: boolean;
  /** The op writes the model's output (NHWC). */
  readonly nhwcOut: boolean;
  /** Compute cycles of the previous op: this op's constant DMAs run under them. */
  readonly previousComputeCycles: number;
  /** `estimateModel`'s zero-skipping what-if, if asked for. */
  readonly zeroSkipping: { readonly blockOut: number; readonly blockIn: number } | undefined;
  /** Encoded byte count of a [out, in] weight matrix (`options.weightBytes`, cached per array). */
  readonly encodedWeightBytes: (weights: Int8Array, shape: [number, number]) => number;
}

/**
 * The resource use of one primitive op. `estimateModel` turns it into an `OpEstimate`: cycles =
 * max(compute + DMA stall, SRAM bytes / bandwidth, off-chip bytes / bandwidth), and the live SRAM
 * = IFM + OFM + persistent bytes.
 */
export interface OpCost {
  readonly macs: number;
  readonly rawWeightBytes: number;
  readonly encodedWeightBytes: number;
  /** Bias + scale bytes (10 per output channel, as Vela's 80-bit entries). */
  readonly biasBytes: number;
  readonly computeCycles: number;
  readonly dmaStallCycles: number;
  /** SRAM traffic as Vela's estimate counts it (IFM re-reads, OFM writes, SRAM-resident constants). */
  readonly sramBytes: number;
  readonly offChipBytes: number;
  /** Input activation bytes (live in SRAM during the op). */
  readonly ifmBytes: number;
  /** Output activation bytes (live in SRAM during the op). */
  readonly ofmBytes: number;
}

/** Cost function of one op kind: a pure function of the op and its context. */
export type OpCostFn<Op extends PrimitiveOp = PrimitiveOp> = (op: Op, ctx: OpCostContext) => OpCost;
