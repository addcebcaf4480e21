// Run configurations of the example: quick (demo, < 2 min on 2 cores) and full.
import type { SparsityStructure } from '@lab/sparse-quant';

/** One compressed run of the grid. */
export interface RunSpec {
  /** Stable key used in report.json, e.g. `joint.block.90` (`97p5` for 97.5 %). */
  readonly key: string;
  /** `qat`: dense int8 QAT; `joint`: pruning learned jointly with int8 QAT; `offline`: int8 magnitude pruning, no retraining. */
  readonly method: 'qat' | 'joint' | 'offline';
  readonly structure: SparsityStructure | 'none';
  /** Target sparsity (fraction of weights, of 8x8 blocks, or of hidden units). */
  readonly sparsity: number;
}

/** Settings of one mode. */
export interface ExampleSettings {
  /** Takes per (speaker, digit) loaded (FSDD has 50). */
  readonly maxTake: number;
  readonly hidden: number;
  readonly poolSize: number;
  readonly segmentFrames: number;
  readonly validationCount: number;
  readonly testCount: number;
  readonly batchSize: number;
  readonly denseSteps: number;
  /** Validate (and keep the best checkpoint) every this many dense steps. */
  readonly validateEvery: number;
  readonly denseLr: number;
  readonly fineTuneSteps: number;
  readonly fineTuneLr: number;
  /** Fraction of the fine-tuning steps over which sparsity ramps up (cubic schedule); the rest recovers. */
  readonly rampFraction: number;
  readonly weightSparsities: readonly number[];
  readonly blockSparsities: readonly number[];
  readonly unitSparsities: readonly number[];
}

export const QUICK: ExampleSettings = Object.freeze({
  maxTake: 10,
  hidden: 64,
  poolSize: 192,
  segmentFrames: 32,
  validationCount: 24,
  testCount: 48,
  batchSize: 16,
  denseSteps: 150,
  validateEvery: 50,
  denseLr: 3e-3,
  fineTuneSteps: 30,
  fineTuneLr: 1e-3,
  rampFraction: 0.6,
  weightSparsities: [0.9],
  blockSparsities: [0.75],
  unitSparsities: [0.5],
});

export const FULL: ExampleSettings = Object.freeze({
  maxTake: 50,
  hidden: 64,
  poolSize: 600,
  segmentFrames: 40,
  validationCount: 40,
  testCount: 150,
  batchSize: 16,
  denseSteps: 600,
  validateEvery: 100,
  denseLr: 3e-3,
  fineTuneSteps: 120,
  fineTuneLr: 1e-3,
  rampFraction: 0.6,
  weightSparsities: [0.5, 0.75, 0.9, 0.95, 0.975],
  blockSparsities: [0.5, 0.75, 0.9, 0.95],
  unitSparsities: [0.25, 0.5, 0.75],
});

/** The grid of compressed runs for `settings`: QAT, then joint and offline at every sparsity. */
export function runGrid(settings: ExampleSettings): RunSpec[] {
  const runs: RunSpec[] = [{ key: 'qat.dense', method: 'qat', structure: 'none', sparsity: 0 }];
  const add = (structure: SparsityStructure, list: readonly number[]) => {
    for (const s of list) {
      // 0.975 -> '97p5' (dots separate the parts of metric keys)
      const pct = String(Math.round(s * 1000) / 10).replace('.', 'p');
      runs.push({ key: `joint.${structure}.${pct}`, method: 'joint', structure, sparsity: s });
      runs.push({ key: `offline.${structure}.${pct}`, method: 'offline', structure, sparsity: s });
    }
  };
  add('weight', settings.weightSparsities);
  add('block', settings.blockSparsities);
  add('unit', settings.unitSparsities);
  return runs;
}
