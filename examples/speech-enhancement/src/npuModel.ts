// The mask estimator as an Ethos-U model description (one streaming frame per inference).
import type { Int8Model, Int8Tensor } from '@lab/sparse-quant';
import type { NpuModel, NpuOp } from '@lab/micronpu-sim';
import { LabInputError } from '@lab/core';

/** `[rows, cols]` row-major -> `[cols, rows]` (core's `[in, out]` kernels -> the NPU's `[out, in]`). */
function transpose(values: Int8Array, rows: number, cols: number): Int8Array {
  const out = new Int8Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c] as number;
  return out;
}

function weight(model: Int8Model, name: string): Int8Tensor {
  const w = model.weights.find((t) => t.name === name);
  if (w === undefined) throw new LabInputError('maskEstimatorNpuModel', 'model', `must hold the int8 weight '${name}'`, name);
  return w;
}

/**
 * One frame of the mask estimator on the NPU: LSTM(lstm1) -> LSTM(lstm2) -> FC(mask) -> sigmoid
 * -> mask multiply, from the int8 weights of `model` (core layout `[in, out]`, transposed to the
 * NPU's `[out, in]`). Unit-pruned models that were physically shrunk simply have smaller shapes.
 * Weights live in flash (the default placement), as on the paper's target.
 *
 * @see Stamenovic et al., arXiv 2111.02351.
 */
export function maskEstimatorNpuModel(model: Int8Model, name: string): NpuModel {
  const ops: NpuOp[] = [];
  for (const layer of ['lstm1', 'lstm2']) {
    const k = weight(model, `${layer}.kernel`);
    const u = weight(model, `${layer}.recurrentKernel`);
    const [inputSize, g4] = k.shape as [number, number];
    const H = g4 / 4;
    ops.push({
      kind: 'LSTM',
      name: layer,
      inputSize,
      hiddenSize: H,
      inputWeights: transpose(k.values, inputSize, g4),
      recurrentWeights: transpose(u.values, H, g4),
    });
  }
  const m = weight(model, 'mask.kernel');
  const [inn, out] = m.shape as [number, number];
  ops.push(
    { kind: 'FullyConnected', name: 'mask_fc', shape: [out, inn], weights: transpose(m.values, inn, out) },
    { kind: 'Activation', name: 'mask_sigmoid', fn: 'sigmoid', size: out },
    { kind: 'Mul', name: 'apply_mask', size: out },
  );
  return { name, ops };
}
