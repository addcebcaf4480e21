import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';

/*
 * Gradients for complex kernels, and the one change to tfjs-core's tape they need.
 *
 * Convention (as TensorFlow): for a real loss L and a complex tensor z = x + iy, the gradient
 * stored for z is dL/dx + i dL/dy. For a linear map y = A z it is A^H dy; the unnormalised DFT
 * F has F^H = n F^{-1}, so grad FFT = n IFFT(dy) and grad IFFT = FFT(dy) / n.
 */

/**
 * `t * s` for complex `t` and a real number `s`, through real/imag parts: tfjs-backend-cpu's
 * complex Multiply mis-broadcasts a scalar (NaNs), and this form runs on every backend.
 */
function scaleComplex(t: Tensor, s: number): Tensor {
  return tf.complex(tf.mul(tf.real(t), s), tf.mul(tf.imag(t), s));
}

const complexGrads: GradConfig[] = [
  {
    kernelName: 'FFT',
    gradFunc: (dy) => {
      const g = dy as Tensor;
      const n = g.shape[g.shape.length - 1] ?? 1;
      return { input: () => scaleComplex(tf.spectral.ifft(g), n) };
    },
  },
  {
    kernelName: 'IFFT',
    gradFunc: (dy) => {
      const g = dy as Tensor;
      const n = g.shape[g.shape.length - 1] ?? 1;
      return { input: () => scaleComplex(tf.spectral.fft(g), 1 / n) };
    },
  },
  {
    kernelName: 'Complex',
    gradFunc: (dy) => ({ real: () => tf.real(dy as Tensor), imag: () => tf.imag(dy as Tensor) }),
  },
  {
    kernelName: 'Real',
    gradFunc: (dy) => ({ input: () => tf.complex(dy as Tensor, tf.zerosLike(dy as Tensor)) }),
  },
  {
    kernelName: 'Imag',
    gradFunc: (dy) => ({ input: () => tf.complex(tf.zerosLike(dy as Tensor), dy as Tensor) }),
  },
];

/**
 * d|z| = (x dx + y dy) / |z|, so the gradient of `ComplexAbs` is `dy * z / |z|` (0 at z = 0).
 * tfjs-core 4.22 registers the real `Abs` gradient for it (`dy * sign(re z)`, float32), which
 * is wrong for complex input, so this one replaces it.
 */
const complexAbsGrad: GradConfig = {
  kernelName: 'ComplexAbs',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as Tensor[];
    return {
      x: () => {
        const g = dy as Tensor;
        const z = x as Tensor;
        const re = tf.real(z);
        const im = tf.imag(z);
        const mag = tf.sqrt(tf.add(tf.square(re), tf.square(im)));
        const safe = tf.where(tf.greater(mag, 0), mag, tf.onesLike(mag));
        const scale = tf.div(g, safe);
        return tf.complex(tf.mul(re, scale), tf.mul(im, scale));
      },
    };
  },
};

interface TapeNode {
  id: number;
  kernelName: string;
  outputs: Tensor[];
  inputs: Record<string, Tensor>;
  gradient?: (dys: Array<Tensor | null>) => Record<string, () => Tensor>;
  saved?: Tensor[];
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<R>(start: () => void, end: () => void, f: () => R): R;
  startTape(): void;
  endTape(): void;
  tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T;
  // biome-ignore lint/suspicious/noExplicitAny: replaced with a function of the engine's own signature
  gradients: (...args: any[]) => unknown;
}

/** Nodes on a path from `xs` to `y`, with inputs pruned to those depending on `xs`. */
function nodesFromXsToY(tape: TapeNode[], xs: Tensor[], y: Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodeFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodeFromX.add(node.id);
    }
  }
  const toY = new Set<number>([y.id]);
  const nodeToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const t of Object.values(node.inputs)) toY.add(t.id);
      nodeToY.add(node.id);
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (!nodeFromX.has(node.id) || !nodeToY.has(node.id)) continue;
    const inputs: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
    out.push({ ...node, inputs, outputs: node.outputs });
  }
  return out;
}

let tapePatched = false;

/**
 * tfjs-core 4.22's backprop rejects every input gradient whose dtype is not float32, so no
 * gradient can flow through a complex64 tensor (e.g. `tf.spectral.rfft`), on any backend.
 * This replaces the global engine's `gradients` with an equivalent implementation (same
 * forward taping, node filtering, accumulation, shape checks and tape clean-up) whose only
 * difference is that a complex64 input may receive a complex64 gradient. Idempotent.
 */
function allowComplexGradients(): void {
  if (tapePatched) return;
  tapePatched = true;
  const engine = tf.engine() as unknown as EngineInternals;
  engine.gradients = function gradients(
    this: EngineInternals,
    f: () => Tensor,
    xs: Tensor[],
    dy?: Tensor | null,
    allowNoGradients = false,
  ) {
    tf.util.assert(xs.length > 0, () => 'gradients() received an empty list of xs.');
    if (dy != null && dy.dtype !== 'float32') {
      throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
    }
    const y = this.scopedRun(
      () => this.startTape(),
      () => this.endTape(),
      () => this.tidy('forward', f),
    );
    tf.util.assert(y instanceof tf.Tensor, () => 'The result y returned by f() must be a tensor.');
    const filtered = nodesFromXsToY(this.state.activeTape ?? [], xs, y);
    if (!allowNoGradients && filtered.length === 0 && xs.length > 0) {
      throw new Error(
        'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed ' +
          'encloses all operations that lead from x to y.',
      );
    }
    return this.tidy('backward', () => {
      const acc: Record<number, Tensor> = {};
      acc[y.id] = dy == null ? tf.ones(y.shape) : dy;
      for (let i = filtered.length - 1; i >= 0; i--) {
        const node = filtered[i] as TapeNode;
        const dys = node.outputs.map((o) => acc[o.id] ?? null);
        if (node.gradient == null) {
          throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
        }
        const inputGrads = node.gradient(dys);
        for (const name of Object.keys(node.inputs)) {
          if (!(name in inputGrads)) {
            throw new Error(
              `Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGrads)}.`,
            );
          }
          const gradFn = inputGrads[name] as () => Tensor;
          const dx = this.tidy(() => gradFn());
          const x = node.inputs[name] as Tensor;
          const dtypeOk = dx.dtype === 'float32' || (dx.dtype === 'complex64' && x.dtype === 'complex64');
          if (!dtypeOk) {
            throw new Error(
              `Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have ` +
                `'float32' dtype, but has '${dx.dtype}'`,
            );
          }
          if (!tf.util.arraysEqual(dx.shape, x.shape)) {
            throw new Error(
              `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape ` +
                `'${dx.shape}', which does not match the shape of the input '${x.shape}'`,
            );
          }
          const cur = acc[x.id];
          if (cur == null) {
            acc[x.id] = dx;
          } else {
            acc[x.id] = tf.add(cur, dx);
            cur.dispose();
          }
        }
      }
      const grads = xs.map((x) => acc[x.id]);
      if (this.state.gradientDepth === 0) {
        for (const node of this.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
        this.state.activeTape = null;
      }
      return { value: y, grads };
    });
  };
}

/**
 * Registers the gradients of FFT, IFFT, Complex, Real and Imag where tfjs-core has none,
 * replaces tfjs-core's (real-valued) ComplexAbs gradient by the complex one, and lets
 * complex64 gradients flow through the tape ({@link allowComplexGradients}). Idempotent.
 */
export function registerComplexGradients(): void {
  for (const g of complexGrads) {
    if (tf.getGradient(g.kernelName) === undefined) tf.registerGradient(g);
  }
  if (tf.getGradient('ComplexAbs')?.gradFunc !== complexAbsGrad.gradFunc) {
    const warn = console.warn;
    console.warn = () => {}; // tfjs warns on every override; this one is deliberate.
    try {
      tf.registerGradient(complexAbsGrad);
    } finally {
      console.warn = warn;
    }
  }
  allowComplexGradients();
}
