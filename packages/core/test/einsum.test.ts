import * as tf from '@tensorflow/tfjs-core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { einsumWasm, registerEinsumKernel } from '../src/backend/kernels/einsum.js';
import { createRng } from '../src/random/createRng.js';

/**
 * float32 einsum vs a float64 brute-force sum of at most ~50 O(1) products: float32
 * accumulation error ~50 * 6e-8 * scale; 1e-5 relative to the largest output is ample.
 */
const EINSUM_F32 = 1e-5;
/** Analytic float32 gradient vs float64 central differences of the brute-force einsum. */
const GRAD_VS_F64_FD = 1e-4;

const rng = createRng('einsum-test');
const randn = (n: number): number[] => Array.from(Float32Array.from(rng.fillNormal(new Float64Array(n))));
const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** float64 einsum by enumerating every assignment of the labels. */
function bruteEinsum(equation: string, operands: Array<{ values: number[]; shape: number[] }>): number[] {
  const [lhs, out] = equation.split('->') as [string, string];
  const terms = lhs.split(',');
  const sizes = new Map<string, number>();
  terms.forEach((t, i) => {
    [...t].forEach((l, j) => {
      sizes.set(l, (operands[i] as { shape: number[] }).shape[j] as number);
    });
  });
  const labels = [...sizes.keys()];
  const outSize = [...out].reduce((p, l) => p * (sizes.get(l) as number), 1);
  const result = new Array<number>(outSize).fill(0);
  const idx = new Map<string, number>(labels.map((l) => [l, 0]));
  const flat = (term: string): number =>
    [...term].reduce((f, l) => f * (sizes.get(l) as number) + (idx.get(l) as number), 0);
  const total = labels.reduce((p, l) => p * (sizes.get(l) as number), 1);
  for (let c = 0; c < total; c++) {
    let rem = c;
    for (let k = labels.length - 1; k >= 0; k--) {
      const l = labels[k] as string;
      const s = sizes.get(l) as number;
      idx.set(l, rem % s);
      rem = Math.floor(rem / s);
    }
    let p = 1;
    terms.forEach((t, i) => {
      p *= (operands[i] as { values: number[] }).values[flat(t)] as number;
    });
    result[flat(out)] = (result[flat(out)] as number) + p;
  }
  return result;
}

/** Output shape of an einsum: each output label takes its size from the first operand using it. */
function outShapeOf(eq: string, shapes: number[][]): number[] {
  const [lhs, out] = eq.split('->') as [string, string];
  const terms = lhs.split(',');
  return [...out].map((l) => {
    const t = terms.findIndex((term) => term.includes(l));
    return (shapes[t] as number[])[(terms[t] as string).indexOf(l)] as number;
  });
}

interface Case {
  eq: string;
  shapes: number[][];
  /**
   * tfjs-backend-cpu 4.22's Einsum is wrong here, so it is no reference: 'values' (wrong
   * shape: [2,1,4] for 'abc,cd->da', [2] for 'ij,jk->') or 'grads' (identity equations return
   * the input itself, so the cpu gradient comes out doubled). Brute force still checks these.
   */
  cpuBroken?: 'values' | 'grads';
}

const CASES: Case[] = [
  {
    eq: 'ij,jk->ik',
    shapes: [
      [3, 4],
      [4, 5],
    ],
  }, // matmul
  {
    eq: 'bij,bjk->bik',
    shapes: [
      [2, 3, 4],
      [2, 4, 2],
    ],
  }, // batch matmul
  { eq: 'i,j->ij', shapes: [[3], [4]] }, // outer product
  { eq: 'ij->ji', shapes: [[3, 4]] }, // transpose
  { eq: 'ij->i', shapes: [[3, 4]] }, // row sums
  { eq: 'ij->', shapes: [[3, 4]] }, // total sum
  { eq: 'ij->ij', shapes: [[2, 3]], cpuBroken: 'grads' }, // identity
  { eq: 'i,i->', shapes: [[5], [5]] }, // dot
  {
    eq: 'ij,ij->ij',
    shapes: [
      [2, 3],
      [2, 3],
    ],
  }, // Hadamard
  {
    eq: 'ij,kj->ik',
    shapes: [
      [3, 4],
      [2, 4],
    ],
  }, // A B^T
  {
    eq: 'ji,jk->ik',
    shapes: [
      [4, 3],
      [4, 2],
    ],
  }, // A^T B
  {
    eq: 'bij,jk->bki',
    shapes: [
      [2, 3, 4],
      [4, 5],
    ],
  }, // shared weights + output transpose
  {
    eq: 'abc,cd->da',
    shapes: [
      [2, 3, 4],
      [4, 2],
    ],
    cpuBroken: 'values',
  }, // label 'b' summed inside one operand
  { eq: 'ijk->ki', shapes: [[2, 3, 4]] },
  {
    eq: 'ij,jk->',
    shapes: [
      [2, 3],
      [3, 2],
    ],
    cpuBroken: 'values',
  },
];

async function onCpu<T>(fn: () => T): Promise<T> {
  await initBackend({ backend: 'cpu' });
  try {
    return fn();
  } finally {
    await initBackend();
  }
}

const operandsFor = (c: Case): Array<{ values: number[]; shape: number[] }> =>
  c.shapes.map((shape) => ({ shape, values: randn(shape.reduce((a, b) => a * b, 1)) }));

describe('Einsum on wasm', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('is registered for wasm, idempotently', () => {
    registerEinsumKernel();
    registerEinsumKernel();
    expect(tf.getKernel('Einsum', 'wasm')?.kernelFunc).toBe(einsumWasm);
    expect(tf.getGradient('Einsum')).toBeDefined();
  });

  it.each(CASES)(
    '$eq matches a float64 brute force and the cpu backend',
    async ({ eq, shapes, cpuBroken }) => {
      const ops = operandsFor({ eq, shapes });
      const compute = (): { shape: number[]; values: number[] } =>
        tf.tidy(() => {
          const y = tf.einsum(eq, ...ops.map((o) => tf.tensor(o.values, o.shape)));
          return { shape: y.shape, values: Array.from(y.dataSync()) };
        });
      const wasm = await expectNoLeaks(compute);
      const want = bruteEinsum(eq, ops);
      expectAllClose(wasm.values, want, { atol: EINSUM_F32 * Math.max(1, maxAbs(want)) });
      expect(wasm.shape).toEqual(outShapeOf(eq, shapes));
      if (cpuBroken !== undefined) return;
      const cpu = await onCpu(compute);
      expect(wasm.shape).toEqual(cpu.shape);
      expectAllClose(wasm.values, cpu.values, { atol: TOL.F32_REORDER * Math.max(1, maxAbs(cpu.values)) });
    },
  );

  it.each(CASES)(
    '$eq gradient matches float64 finite differences and the cpu backend',
    async ({ eq, shapes, cpuBroken }) => {
      const ops = operandsFor({ eq, shapes });
      const outShape = outShapeOf(eq, shapes);
      const w = randn(outShape.reduce((a, b) => a * b, 1));
      // loss = sum(w * einsum(...)): a real scalar whose gradient reaches every operand entry.
      const grads = (): number[][] =>
        tf.tidy(() => {
          const f = (...xs: tf.Tensor[]): tf.Scalar =>
            tf.sum(tf.mul(tf.einsum(eq, ...xs), tf.tensor(w, outShape)));
          const gs = tf.grads(f)(ops.map((o) => tf.tensor(o.values, o.shape)));
          return gs.map((g) => Array.from(g.dataSync()));
        });
      const wasm = await expectNoLeaks(grads);
      const loss = (vals: number[][]): number =>
        bruteEinsum(
          eq,
          vals.map((values, i) => ({ values, shape: shapes[i] as number[] })),
        ).reduce((s, v, k) => s + v * (w[k] as number), 0);
      ops.forEach((o, i) => {
        const h = 1e-5;
        const fd = o.values.map((_, j) => {
          const plus = ops.map((p) => p.values.slice());
          const minus = ops.map((p) => p.values.slice());
          (plus[i] as number[])[j] = (o.values[j] as number) + h;
          (minus[i] as number[])[j] = (o.values[j] as number) - h;
          return (loss(plus) - loss(minus)) / (2 * h);
        });
        expectAllClose(wasm[i] as number[], fd, { atol: GRAD_VS_F64_FD * Math.max(1, maxAbs(fd)) });
      });
      if (cpuBroken !== undefined) return;
      const cpu = await onCpu(grads);
      wasm.forEach((g, i) => {
        expectAllClose(g, cpu[i] as number[], {
          atol: TOL.F32_REORDER * Math.max(1, maxAbs(cpu[i] as number[])),
        });
      });
    },
  );

  it('frees every intermediate wasm buffer', () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    tf.tidy(() => {
      for (const c of CASES) {
        const xs = c.shapes.map((s) => tf.ones(s, 'int32'));
        tf.einsum(c.eq, ...xs);
        tf.grads((...ys: tf.Tensor[]) => tf.sum(tf.einsum(c.eq, ...ys)))(
          xs.map((t) => tf.cast(t, 'float32')),
        );
      }
    });
    expect(backend.numDataIds()).toBe(before);
  });

  it('returns a fresh tensor for identity equations and handles int32', async () => {
    await expectNoLeaks(() =>
      tf.tidy(() => {
        const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
        const y = tf.einsum('ij->ij', x);
        x.dispose();
        expectAllClose(y, [1, 2, 3, 4], { atol: TOL.EXACT });
        const a = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
        const m = tf.einsum('ij,jk->ik', a, a);
        expect(m.dtype).toBe('int32');
        expectAllClose(m, [7, 10, 15, 22], { atol: TOL.EXACT });
      }),
    );
  });

  it('rejects the equations tfjs-core rejects, and mismatched sizes', () => {
    tf.tidy(() => {
      const a = tf.zeros([2, 2]);
      const b = tf.zeros([3, 2]);
      expect(() => tf.einsum('ii->i', a)).toThrow(/duplicate axes/);
      expect(() => tf.einsum('ij', a)).toThrow(/arrow/);
      expect(() => tf.einsum('ij,jk,kl->il', a, a, a)).toThrow(/more than 2 input/);
      expect(() => tf.einsum('ij,jk->ik', a, b)).toThrow(/label 'j' has sizes 2 and 3/);
      expect(() => tf.einsum('ij->k', a)).toThrow(/not present/);
    });
  });
});
