import * as tf from '@tensorflow/tfjs-core';

/**
 * The Metattack objective as a differentiable function of a dense adjacency: train the
 * linearised two-layer GCN `logits = Â² X W1 W2` for `trainIters` steps of SGD with momentum
 * on the labelled nodes (unrolled, every step on the tape), then evaluate the attack loss
 * `lambda * L_train + (1 - lambda) * L_self` (cross-entropy on the training labels and on the
 * self-training labels of the unlabelled nodes).
 *
 * Exact reformulation, for speed: with no ReLU, the logits only depend on `Z = Â² X`, and every
 * SGD step adds to W1 a matrix of the form `Z_trᵀ M`. So `W1_t = W1_0 + Z_trᵀ U_t` and
 * `Z W1_t = Z W1_0 + (Z Z_trᵀ) U_t`: the unrolled loop runs on `|train| x hidden` coefficients
 * `U_t` and the kernel `K = Z Z_trᵀ = Â (Â (X Z_trᵀ))`, with the same trajectory as plain SGD on
 * W1 (up to float rounding). The N x N products are then N² x |train| instead of N² x F a step.
 */
export interface MetaObjectiveInputs {
  numNodes: number;
  numFeatures: number;
  numClasses: number;
  hidden: number;
  /** Dense features `numNodes x numFeatures` (owned by the caller). */
  features: tf.Tensor2D;
  train: Int32Array;
  unlabeled: Int32Array;
  /** Class per node used for the training loss (train nodes must be >= 0). */
  labels: Int32Array;
  /** Class per node used for the self-training loss (unlabelled nodes must be >= 0). */
  selfTrainingLabels: Int32Array;
  trainIters: number;
  lr: number;
  momentum: number;
  lambda: number;
}

/** A compiled objective; holds constant tensors until {@link MetaObjective.dispose}. */
export interface MetaObjective {
  /** The attack loss after the unrolled inner training, from initial weights `w1 (F x H)`, `w2 (H x C)`. */
  loss(adjacency: tf.Tensor2D, w1: tf.Tensor2D, w2: tf.Tensor2D): tf.Scalar;
  /** `dLoss/dA` (all N² entries treated as free) and the loss, as plain arrays. */
  gradient(
    adjacency: Float32Array,
    w1Init: Float32Array,
    w2Init: Float32Array,
  ): { grad: Float32Array; loss: number };
  dispose(): void;
}

export function createMetaObjective(inputs: MetaObjectiveInputs): MetaObjective {
  const { numNodes: n, numFeatures: f, numClasses: c, hidden: h, trainIters, lr, momentum, lambda } = inputs;
  const x = inputs.features;
  const trainIdx = tf.tensor1d(inputs.train, 'int32');
  const unlabeledIdx = tf.tensor1d(inputs.unlabeled, 'int32');
  const yTrain = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Int32Array.from(inputs.train, (i) => inputs.labels[i] as number),
        'int32',
      ),
      c,
    ),
  );
  const ySelf = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Int32Array.from(inputs.unlabeled, (i) => inputs.selfTrainingLabels[i] as number),
        'int32',
      ),
      c,
    ),
  );
  const nTrain = inputs.train.length;

  const meanCe = (labelsOneHot: tf.Tensor, logits: tf.Tensor): tf.Scalar =>
    tf.neg(tf.mean(tf.sum(tf.mul(labelsOneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;

  const loss = (adjacency: tf.Tensor2D, w1: tf.Tensor2D, w2Init: tf.Tensor2D): tf.Scalar =>
    tf.tidy(() => {
      const withLoops = tf.add(adjacency, tf.eye(n));
      const invSqrt = tf.rsqrt(tf.sum(withLoops, 1));
      const aHat = tf.mul(
        tf.mul(withLoops, tf.reshape(invSqrt, [n, 1])),
        tf.reshape(invSqrt, [1, n]),
      ) as tf.Tensor2D;
      const aHatTrain = tf.gather(aHat, trainIdx);
      const zTrain = tf.matMul(tf.matMul(aHatTrain, aHat), x); // |train| x F
      const kernel = tf.matMul(aHat, tf.matMul(aHat, tf.matMul(x, zTrain, false, true))); // N x |train|
      const p0 = tf.matMul(aHat, tf.matMul(aHat, tf.matMul(x, w1))); // N x H
      const kTrain = tf.gather(kernel, trainIdx);
      const p0Train = tf.gather(p0, trainIdx);
      let u: tf.Tensor2D = tf.zeros([nTrain, h]);
      let vu: tf.Tensor2D = tf.zeros([nTrain, h]);
      let w2: tf.Tensor2D = w2Init;
      let vw2: tf.Tensor2D = tf.zeros([h, c]);
      for (let t = 0; t < trainIters; t++) {
        const hTrain = tf.add(p0Train, tf.matMul(kTrain, u)) as tf.Tensor2D;
        const logits = tf.matMul(hTrain, w2);
        // d(mean CE)/d(logits) in closed form, so the update stays first-order differentiable.
        const g = tf.div(tf.sub(tf.softmax(logits), yTrain), nTrain) as tf.Tensor2D;
        const gW2 = tf.matMul(hTrain, g, true, false);
        const gH = tf.matMul(g, w2, false, true);
        vu = tf.add(tf.mul(momentum, vu), gH) as tf.Tensor2D;
        vw2 = tf.add(tf.mul(momentum, vw2), gW2) as tf.Tensor2D;
        u = tf.sub(u, tf.mul(lr, vu)) as tf.Tensor2D;
        w2 = tf.sub(w2, tf.mul(lr, vw2)) as tf.Tensor2D;
      }
      let total: tf.Scalar = tf.scalar(0);
      if (lambda > 0) {
        const logitsTrain = tf.matMul(tf.add(p0Train, tf.matMul(kTrain, u)) as tf.Tensor2D, w2);
        total = tf.add(total, tf.mul(lambda, meanCe(yTrain, logitsTrain)));
      }
      if (lambda < 1) {
        const hU = tf.add(
          tf.gather(p0, unlabeledIdx),
          tf.matMul(tf.gather(kernel, unlabeledIdx), u),
        ) as tf.Tensor2D;
        total = tf.add(total, tf.mul(1 - lambda, meanCe(ySelf, tf.matMul(hU, w2))));
      }
      return total;
    });

  const gradient = (adjacency: Float32Array, w1Init: Float32Array, w2Init: Float32Array) => {
    const [value, grad] = tf.tidy(() => {
      const a = tf.tensor2d(adjacency, [n, n]);
      const w1 = tf.tensor2d(w1Init, [f, h]);
      const w2 = tf.tensor2d(w2Init, [h, c]);
      const r = tf.valueAndGrad((aa: tf.Tensor) => loss(aa as tf.Tensor2D, w1, w2))(a);
      return [r.value, r.grad];
    });
    const out = { grad: Float32Array.from(grad.dataSync()), loss: value.dataSync()[0] as number };
    tf.dispose([value, grad]);
    return out;
  };

  return {
    loss,
    gradient,
    dispose() {
      tf.dispose([trainIdx, unlabeledIdx, yTrain, ySelf]);
    },
  };
}
