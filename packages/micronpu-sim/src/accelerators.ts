import { LabInputError, readOptions } from '@lab/core';

/** Micro-block shape (width x height x depth) of an Ethos-U MAC array. */
export interface MicroBlock {
  readonly width: number;
  readonly height: number;
  readonly depth: number;
}

/**
 * One Ethos-U-class NPU configuration. The MAC array processes one OFM micro-block
 * (`ofmMicroBlock`) against `ifmMicroBlockDepth` input channels per cycle per core, so
 * `macsPerCycle = cores * ofm.width * ofm.height * ofm.depth * ifmMicroBlockDepth`.
 */
export interface AcceleratorConfig {
  readonly name: string;
  /** Peak int8 MACs per cycle (all cores). */
  readonly macsPerCycle: number;
  readonly cores: number;
  readonly ofmMicroBlock: MicroBlock;
  /** Input channels consumed per cycle by one micro-block (8 on every Ethos-U). */
  readonly ifmMicroBlockDepth: number;
  /** AXI bus width in bits (64 on U55, 128 on U65). */
  readonly busWidthBits: number;
  /** Elementwise / output units per core (elements per cycle for Add, Mul, LUT). */
  readonly elementwiseUnits: number;
  /** Decoded weights per cycle per core from the weight decoder (8 on Ethos-U). */
  readonly weightDecoderWeightsPerCycle: number;
  /** Pipeline delay (cycles) between kernel steps when an OFM block holds a single micro-block. */
  readonly blockDelayCycles: number;
  /** Cycles per output element of elementwise ops (Vela's output/activation tables): Add, Mul, LUT activation. */
  readonly elementwiseCyclesPerElement: { readonly add: number; readonly mul: number; readonly lut: number };
}

function acc(
  name: string,
  cores: number,
  ofm: [number, number, number],
  busWidthBits: number,
  elementwiseUnits: number,
  blockDelayCycles: number,
  ew: [number, number, number] = [6 / elementwiseUnits, 3 / elementwiseUnits, 1],
): AcceleratorConfig {
  const ofmMicroBlock = { width: ofm[0], height: ofm[1], depth: ofm[2] };
  return Object.freeze({
    name,
    cores,
    ofmMicroBlock: Object.freeze(ofmMicroBlock),
    ifmMicroBlockDepth: 8,
    macsPerCycle: cores * ofm[0] * ofm[1] * ofm[2] * 8,
    busWidthBits,
    elementwiseUnits,
    weightDecoderWeightsPerCycle: 8,
    blockDelayCycles,
    elementwiseCyclesPerElement: Object.freeze({ add: ew[0], mul: ew[1], lut: ew[2] }),
  });
}

/**
 * Preset Ethos-U55 (32/64/128/256 MACs/cycle) and Ethos-U65 (256/512) configurations. Micro-block
 * shapes, core counts and elementwise units follow Arm's Vela compiler
 * (`ethosu/vela/architecture_features.py`, read for the facts, not copied).
 *
 * @example
 * ```ts
 * accelerators['ethos-u55-256'].macsPerCycle; // 256
 * ```
 * @see Stamenovic et al., "Weight, Block or Unit? Exploring Sparsity Tradeoffs for Speech
 * Enhancement on Tiny Neural Accelerators", NeurIPS 2021 ENLSP (arXiv 2111.02351).
 */
export const accelerators: Readonly<Record<string, AcceleratorConfig>> = Object.freeze({
  'ethos-u55-32': acc('ethos-u55-32', 1, [1, 1, 4], 64, 1, 3, [6, 3, 2]),
  'ethos-u55-64': acc('ethos-u55-64', 1, [1, 1, 8], 64, 2, 2, [3, 1.5, 1]),
  'ethos-u55-128': acc('ethos-u55-128', 1, [2, 1, 8], 64, 4, 2, [1.5, 0.75, 1]),
  'ethos-u55-256': acc('ethos-u55-256', 1, [2, 2, 8], 64, 8, 2, [0.75, 0.375, 1]),
  'ethos-u65-256': acc('ethos-u65-256', 1, [2, 2, 8], 128, 8, 2, [0.75, 0.375, 1]),
  'ethos-u65-512': acc('ethos-u65-512', 2, [2, 2, 8], 128, 8, 2, [0.375, 0.1875, 0.5]),
});

/** Options of {@link defineAccelerator}: the micro-block and core count; the rest defaults as on Ethos-U. */
export interface DefineAcceleratorOptions {
  readonly name: string;
  readonly cores?: number;
  readonly ofmMicroBlock: MicroBlock;
  readonly busWidthBits?: number;
  readonly elementwiseUnits?: number;
  readonly weightDecoderWeightsPerCycle?: number;
  readonly blockDelayCycles?: number;
}

const POSITIVE_INT = { min: 1 } as const;

/**
 * Builds and validates a custom accelerator (e.g. a hypothetical wider MAC array or faster
 * weight decoder). Throws `LabInputError` for non-positive or non-integer sizes.
 *
 * @see Stamenovic et al., arXiv 2111.02351 (Ethos-U55 as the target microNPU).
 */
export function defineAccelerator(options: DefineAcceleratorOptions): AcceleratorConfig {
  const fn = 'defineAccelerator';
  const o = readOptions(fn, options, [
    'name',
    'cores',
    'ofmMicroBlock',
    'busWidthBits',
    'elementwiseUnits',
    'weightDecoderWeightsPerCycle',
    'blockDelayCycles',
  ]);
  const name = o.string('name');
  if (!o.has('ofmMicroBlock')) {
    throw new LabInputError(fn, o.argName('ofmMicroBlock'), 'is required and must be {width, height, depth}');
  }
  const mb = o.nested('ofmMicroBlock', ['width', 'height', 'depth']);
  const ofm: [number, number, number] = [
    mb.integer('width', undefined, POSITIVE_INT),
    mb.integer('height', undefined, POSITIVE_INT),
    mb.integer('depth', undefined, POSITIVE_INT),
  ];
  const cores = o.integer('cores', 1, POSITIVE_INT);
  const bus = o.integer('busWidthBits', 64, POSITIVE_INT);
  if (bus % 8 !== 0) throw new LabInputError(fn, o.argName('busWidthBits'), 'must be a multiple of 8', bus);
  const base = acc(
    name,
    cores,
    ofm,
    bus,
    o.integer('elementwiseUnits', 8, POSITIVE_INT),
    o.integer('blockDelayCycles', 2, { min: 0 }),
  );
  const wpc = o.integer('weightDecoderWeightsPerCycle', 8, POSITIVE_INT);
  return Object.freeze({ ...base, weightDecoderWeightsPerCycle: wpc });
}

/** Resolves an accelerator given by name or config; throws `LabInputError` for unknown names. */
export function resolveAccelerator(fn: string, arg: string, a: unknown): AcceleratorConfig {
  if (typeof a === 'string') {
    const found = Object.hasOwn(accelerators, a) ? accelerators[a] : undefined;
    if (!found) {
      throw new LabInputError(
        fn,
        arg,
        `must be one of ${Object.keys(accelerators).join(', ')} or a config`,
        a,
      );
    }
    return found;
  }
  if (a === null || typeof a !== 'object' || typeof (a as AcceleratorConfig).macsPerCycle !== 'number') {
    throw new LabInputError(fn, arg, 'must be an accelerator name or AcceleratorConfig', a);
  }
  return a as AcceleratorConfig;
}
