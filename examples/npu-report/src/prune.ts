// Pruning of a model description's int8 weights: the three structures the paper compares.
// Offline magnitude pruning (the paper's baseline), applied to already-int8 weights.
import type { NpuModel, NpuOp } from '@lab/micronpu-sim';

/** Zeroes the `sparsity` fraction of smallest-|w| weights of one matrix (ties broken by index). */
export function pruneUnstructured(w: Int8Array, sparsity: number): Int8Array {
  const k = Math.round(sparsity * w.length);
  const order = Array.from(w.keys()).sort(
    (a, b) => Math.abs(w[a] as number) - Math.abs(w[b] as number) || a - b,
  );
  const out = w.slice();
  for (let i = 0; i < k; i++) out[order[i] as number] = 0;
  return out;
}

/** Zeroes the `sparsity` fraction of `bo x bi` blocks of a [out, in] matrix with the smallest mean |w|. */
export function pruneBlocks(
  w: Int8Array,
  out: number,
  inn: number,
  sparsity: number,
  bo = 8,
  bi = 8,
): Int8Array {
  const nbo = Math.ceil(out / bo);
  const nbi = Math.ceil(inn / bi);
  const score: number[] = [];
  for (let b = 0; b < nbo; b++) {
    for (let c = 0; c < nbi; c++) {
      let s = 0;
      let n = 0;
      for (let r = b * bo; r < Math.min(out, (b + 1) * bo); r++) {
        for (let k = c * bi; k < Math.min(inn, (c + 1) * bi); k++) {
          s += Math.abs(w[r * inn + k] as number);
          n++;
        }
      }
      score.push(s / n);
    }
  }
  const order = Array.from(score.keys()).sort((a, b) => (score[a] as number) - (score[b] as number) || a - b);
  const res = w.slice();
  const drop = Math.round(sparsity * score.length);
  for (let i = 0; i < drop; i++) {
    const blk = order[i] as number;
    const b = Math.floor(blk / nbi);
    const c = blk % nbi;
    for (let r = b * bo; r < Math.min(out, (b + 1) * bo); r++)
      res.fill(0, r * inn + c * bi, r * inn + Math.min(inn, (c + 1) * bi));
  }
  return res;
}

/** Rows `rows` and columns `cols` of a [out, in] matrix. */
function slice(w: Int8Array, inn: number, rows: number[], cols: number[]): Int8Array {
  const res = new Int8Array(rows.length * cols.length);
  rows.forEach((r, i) => {
    cols.forEach((c, j) => {
      res[i * cols.length + j] = w[r * inn + c] as number;
    });
  });
  return res;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Indices of the `keep` units with the largest L2 norm of their rows (sorted ascending). */
function topUnits(norms: number[], keep: number): number[] {
  return Array.from(norms.keys())
    .sort((a, b) => (norms[b] as number) - (norms[a] as number) || a - b)
    .slice(0, keep)
    .sort((a, b) => a - b);
}

function rowNorms(w: Int8Array, out: number, inn: number): number[] {
  return range(out).map((r) => {
    let s = 0;
    for (let k = 0; k < inn; k++) s += (w[r * inn + k] as number) ** 2;
    return s;
  });
}

/**
 * Unit pruning: removes `fraction` of the hidden units of every LSTM (a unit = its 4 gate rows,
 * its recurrent column and the next layer's input column) and of every FC whose outputs feed a
 * hidden layer (rows of the FC, columns of its consumer; elementwise ops shrink with it). Layers
 * whose outputs are the model's fixed interfaces (masks over bins/features, synthesis frame) keep
 * their outputs. Units are ranked by the L2 norm of their weights.
 */
export function pruneUnits(model: NpuModel, fraction: number, fixedOutputs: Set<string>): NpuModel {
  let keptInputs: number[] | null = null; // columns of the current activation that survive
  const ops: NpuOp[] = [];
  for (const op of model.ops) {
    if (op.kind === 'LSTM') {
      const H = op.hiddenSize;
      const inCols = keptInputs ?? range(op.inputSize);
      const norms = range(H).map((u) => {
        let s = 0;
        for (let g = 0; g < 4; g++) {
          const r = g * H + u;
          for (let k = 0; k < op.inputSize; k++) s += (op.inputWeights[r * op.inputSize + k] as number) ** 2;
          for (let k = 0; k < H; k++) s += (op.recurrentWeights[r * H + k] as number) ** 2;
        }
        return s;
      });
      const keep = topUnits(norms, Math.round(H * (1 - fraction)));
      const rows = [0, 1, 2, 3].flatMap((g) => keep.map((u) => g * H + u));
      ops.push({
        ...op,
        inputSize: inCols.length,
        hiddenSize: keep.length,
        inputWeights: slice(op.inputWeights, op.inputSize, rows, inCols),
        recurrentWeights: slice(op.recurrentWeights, H, rows, keep),
      });
      keptInputs = keep;
    } else if (op.kind === 'FullyConnected') {
      const [out, inn] = op.shape;
      const inCols = keptInputs && keptInputs.length <= inn ? keptInputs : range(inn);
      const rows = fixedOutputs.has(op.name)
        ? range(out)
        : topUnits(rowNorms(op.weights, out, inn), Math.round(out * (1 - fraction)));
      ops.push({ ...op, shape: [rows.length, inCols.length], weights: slice(op.weights, inn, rows, inCols) });
      keptInputs = fixedOutputs.has(op.name) ? null : rows;
    } else if (op.kind === 'Add' || op.kind === 'Mul' || op.kind === 'Activation') {
      ops.push(keptInputs ? { ...op, size: keptInputs.length } : op);
    } else {
      ops.push(op);
    }
  }
  return { name: `${model.name}-units${Math.round(fraction * 100)}`, ops };
}
