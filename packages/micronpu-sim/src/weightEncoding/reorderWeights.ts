/**
 * Brick ordering of a fully connected layer's int8 weights, as an Ethos-U weight decoder expects
 * them (depth-first traversal, 1x1 kernel, 8-bit input feature map): output-channel blocks of
 * `ofmBlockDepth`, then input-channel blocks of 32, then micro-blocks of `ofmUblockDepth` outputs
 * x `ifmUblockDepth` inputs, each micro-block written output-major. Positions outside the matrix
 * (ragged edges) are padded with zeros, which the encoder then codes like real zeros.
 *
 * @see Arm Vela, `ethosu/mlw_codec/mlw_encode.c` (function `reorder`) and
 *   `ethosu/vela/weight_compressor.py`.
 */

/** Input-channel block depth for 8-bit IFMs in depth-first traversal. */
const IFM_BLOCK_DEPTH_INT8 = 32;

/** Ordering parameters of the brick layout. */
export interface BrickOrder {
  ofmBlockDepth: number;
  ofmUblockDepth: number;
  ifmUblockDepth: number;
}

/**
 * Source index (`row * inputs + input`) of every position of the brick-ordered sequence, or -1
 * for zero padding.
 *
 * @param rows the output channels (rows) to take, in order (depth slices and multi-core
 *   interleaving select their channels this way)
 * @param inputs number of input channels
 * @param order block and micro-block depths
 */
export function brickOrderIndex(rows: readonly number[], inputs: number, order: BrickOrder): Int32Array {
  const { ofmBlockDepth, ofmUblockDepth, ifmUblockDepth } = order;
  const ofmDepth = rows.length;
  const perIfmBlock = (n: number): number =>
    Math.ceil(n / ofmUblockDepth) * ofmUblockDepth * IFM_BLOCK_DEPTH_INT8;
  let total = 0;
  for (let ob = 0; ob < ofmDepth; ob += ofmBlockDepth) {
    total += perIfmBlock(Math.min(ofmBlockDepth, ofmDepth - ob)) * Math.ceil(inputs / IFM_BLOCK_DEPTH_INT8);
  }
  const idx = new Int32Array(total);
  let k = 0;
  for (let ob = 0; ob < ofmDepth; ob += ofmBlockDepth) {
    const clippedOfm = Math.min(ofmBlockDepth, ofmDepth - ob);
    for (let ib = 0; ib < inputs; ib += IFM_BLOCK_DEPTH_INT8) {
      for (let ou = 0; ou < clippedOfm; ou += ofmUblockDepth) {
        for (let iu = 0; iu < IFM_BLOCK_DEPTH_INT8; iu += ifmUblockDepth) {
          for (let oz = 0; oz < ofmUblockDepth; oz++) {
            const o = ob + ou + oz;
            const rowBase = o < ofmDepth ? (rows[o] as number) * inputs : -1;
            for (let iz = 0; iz < ifmUblockDepth; iz++) {
              const i = ib + iu + iz;
              idx[k++] = rowBase >= 0 && i < inputs ? rowBase + i : -1;
            }
          }
        }
      }
    }
  }
  return idx;
}

/**
 * Reorders a row-major [outputs, inputs] int8 matrix (or a subset of its rows) into brick order.
 *
 * @param weights row-major [outputs x inputs] values
 * @param rows the output channels (rows) to take, in order
 * @param inputs number of input channels
 * @param order block and micro-block depths
 * @returns the reordered values (int16, like the codec's input), padded with zeros
 */
export function reorderWeights(
  weights: Int8Array,
  rows: readonly number[],
  inputs: number,
  order: BrickOrder,
): Int16Array {
  const idx = brickOrderIndex(rows, inputs, order);
  const out = new Int16Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const src = idx[k] as number;
    if (src >= 0) out[k] = weights[src] as number;
  }
  return out;
}
