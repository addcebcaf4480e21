import * as tf from '@tensorflow/tfjs-core';
import type { ClientModel, FedParams } from './clientModel.js';
import { hopCount } from './clientModel.js';

/** Halo rows and received gradients of every client after one fresh exchange (internal). */
export interface FreshExchange {
  /** `halo[k][l]`: rows client k received for hop l. */
  halo: tf.Tensor2D[][];
  /** `gradIn[k][l]`: gradients client k received for its hop-l boundary rows. */
  gradIn: tf.Tensor2D[][];
}

function split(t: tf.Tensor2D, sizes: readonly number[]): tf.Tensor2D[] {
  if (sizes.length === 0) return [];
  return tf.split(t, sizes as number[], 0) as tf.Tensor2D[];
}

/**
 * Runs the protocol's refresh with every client at `params[k]`, by direct calls instead of
 * messages: forward hops (each client's boundary rows routed to its neighbours' halos), then
 * backward hops from the last (each client's gradient of its surrogate w.r.t. its halo routed back
 * to the owners). Used to measure estimator bias and to prove the decomposition; the message
 * protocol moves exactly these blocks. Tensors returned are owned by the caller.
 */
export function freshExchange(
  models: readonly ClientModel[],
  params: readonly FedParams[],
  weights: readonly number[],
): FreshExchange {
  const k = models.length;
  const hops = hopCount(models[0]!.spec);
  const halo: tf.Tensor2D[][] = models.map(() => []);
  for (let l = 0; l < hops; l++) {
    const blocks = models.map((m, i) =>
      tf.tidy(() => {
        const { boundary } = m.forward(params[i]!, halo[i]!, l);
        return split(
          boundary[l]!,
          m.sendIndex.map((s) => s.length),
        );
      }),
    );
    for (let c = 0; c < k; c++) {
      const m = models[c]!;
      const parts = m.neighbours.map((owner) => {
        const o = models[owner]!;
        return blocks[owner]![o.neighbours.indexOf(c)]!;
      });
      halo[c]![l] = parts.length > 0 ? (tf.concat(parts, 0) as tf.Tensor2D) : tf.zeros([0, 1]);
    }
    tf.dispose(blocks.flat());
  }
  const gradIn: tf.Tensor2D[][] = models.map(() => new Array<tf.Tensor2D>(hops));
  for (let l = hops - 1; l >= 0; l--) {
    const blocks = models.map((m, i) =>
      tf.tidy(() => {
        if (m.haloRows === 0) return [];
        const h = halo[i]![l]!;
        const f = (r: tf.Tensor) => {
          const hs = halo[i]!.slice();
          hs[l] = r as tf.Tensor2D;
          return m.surrogate(params[i]!, hs, gradIn[i]!, weights[i]!);
        };
        const g = tf.grad(f)(h) as tf.Tensor2D;
        return split(g, m.receiveCount);
      }),
    );
    for (let o = 0; o < k; o++) {
      const m = models[o]!;
      const width = halo[o]![l]!.shape[1];
      const parts = m.neighbours.map((c) => {
        const cm = models[c]!;
        return blocks[c]![cm.neighbours.indexOf(o)]!;
      });
      gradIn[o]![l] = parts.length > 0 ? (tf.concat(parts, 0) as tf.Tensor2D) : tf.zeros([0, width]);
    }
    tf.dispose(blocks.flat());
  }
  return { halo, gradIn };
}
