import { LabInputError, createRng, initBackend } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { magnitudeMask } from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

function randomValues(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Brute force: groups sorted by (score, index); the first k are pruned. */
function bruteForceKeep(scores: number[], k: number): Uint8Array {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const keep = new Uint8Array(scores.length).fill(1);
  for (let t = 0; t < k; t++) keep[order[t]![1]] = 0;
  return keep;
}

/** tfmot's count: keep round-half-even((1 - s) n). */
function expectedPruned(n: number, s: number): number {
  const x = (1 - s) * n;
  const r = Math.round(x);
  const kept = Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return n - kept;
}

describe('magnitudeMask', () => {
  it("'weight': prunes exactly the k smallest |w| (brute force) at several sparsities", () => {
    const shape = [12, 20];
    const v = randomValues(240, 1);
    for (const s of [0, 0.1, 0.5, 0.73, 0.9, 0.99]) {
      const r = magnitudeMask({ values: v, shape }, { sparsity: s });
      const k = expectedPruned(240, s);
      expect(r.prunedGroups).toBe(k);
      expect(r.mask.reduce((a, b) => a + (b ? 0 : 1), 0)).toBe(k);
      expect(Array.from(r.mask)).toEqual(Array.from(bruteForceKeep(Array.from(v, Math.abs), k)));
    }
  });

  it('breaks ties by the lower index, deterministically', () => {
    const v = Float32Array.from([1, -1, 1, 0.5, -0.5, 1, 2, -2]);
    const r = magnitudeMask({ values: v, shape: [2, 4] }, { sparsity: 0.5 });
    // |v| = 1 1 1 .5 .5 1 2 2: prune both 0.5s, then the first two 1s (indices 0, 1).
    expect(Array.from(r.mask)).toEqual([0, 0, 1, 0, 0, 1, 1, 1]);
    expect(Array.from(magnitudeMask({ values: v, shape: [2, 4] }, { sparsity: 0.5 }).mask)).toEqual(
      Array.from(r.mask),
    );
  });

  const blockCases: { shape: number[]; block: [number, number] }[] = [
    { shape: [16, 16], block: [8, 8] },
    { shape: [16, 32], block: [4, 4] },
    { shape: [8, 32], block: [1, 16] },
    { shape: [32, 8], block: [16, 1] },
    { shape: [3, 3, 8, 16], block: [4, 8] }, // conv kernel: blocks over [in, out] per tap
    { shape: [2, 12, 6], block: [3, 2] },
  ];
  for (const { shape, block } of blockCases) {
    for (const [norm, pooling] of [
      ['l1', 'avg'],
      ['l2', 'max'],
      ['l2', 'avg'],
      ['l1', 'max'],
    ] as const) {
      it(`'block' ${block.join('x')} on [${shape.join(', ')}] (${norm}, ${pooling}) matches brute-force pooling`, () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const v = randomValues(n, 7 + shape.length);
        const rows = shape[shape.length - 2]!;
        const cols = shape[shape.length - 1]!;
        const lead = n / (rows * cols);
        // Brute force: every block's elements gathered explicitly.
        const scores: number[] = [];
        const members: number[][] = [];
        for (let l = 0; l < lead; l++) {
          for (let bi = 0; bi < rows / block[0]; bi++) {
            for (let bj = 0; bj < cols / block[1]; bj++) {
              const idx: number[] = [];
              for (let i = bi * block[0]; i < (bi + 1) * block[0]; i++) {
                for (let j = bj * block[1]; j < (bj + 1) * block[1]; j++)
                  idx.push(l * rows * cols + i * cols + j);
              }
              const e = idx.map((t) => (norm === 'l1' ? Math.abs(v[t]!) : v[t]! * v[t]!));
              scores.push(pooling === 'avg' ? e.reduce((a, b) => a + b, 0) / e.length : Math.max(...e));
              members.push(idx);
            }
          }
        }
        const s = 0.6;
        const r = magnitudeMask(
          { values: v, shape },
          { structure: 'block', block, norm, pooling, sparsity: s },
        );
        const k = expectedPruned(scores.length, s);
        expect(r.groups).toBe(scores.length);
        expect(r.prunedGroups).toBe(k);
        const keep = bruteForceKeep(scores, k);
        const expected = new Uint8Array(n);
        members.forEach((idx, g) => {
          for (const t of idx) expected[t] = keep[g]!;
        });
        expect(Array.from(r.mask)).toEqual(Array.from(expected));
      });
    }
  }

  it("'unit': removes whole output columns (last axis), lowest pooled norm first", () => {
    const shape = [5, 8];
    const v = randomValues(40, 3);
    const r = magnitudeMask(
      { values: v, shape },
      { structure: 'unit', sparsity: 0.5, norm: 'l2', pooling: 'avg' },
    );
    const scores = Array.from({ length: 8 }, (_, c) => {
      let acc = 0;
      for (let i = 0; i < 5; i++) acc += v[i * 8 + c]! ** 2;
      return acc / 5;
    });
    const keep = bruteForceKeep(scores, 4);
    for (let i = 0; i < 5; i++) for (let c = 0; c < 8; c++) expect(r.mask[i * 8 + c]).toBe(keep[c]);
  });

  it('takes tensors without leaking or changing them', async () => {
    const w = tf.tensor2d([
      [1, -3],
      [0.5, 2],
    ]);
    const r = await expectNoLeaks(() => magnitudeMask(w, { sparsity: 0.5 }));
    expect(Array.from(r.mask)).toEqual([0, 1, 0, 1]);
    expect(Array.from(w.dataSync())).toEqual([1, -3, 0.5, 2]);
    w.dispose();
  });

  it('rejects bad input naming function and argument', () => {
    const w = { values: new Float32Array(16), shape: [4, 4] };
    const expectErr = (f: () => unknown, arg: string) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(LabInputError);
        expect((e as LabInputError).fn).toBe('magnitudeMask');
        expect((e as LabInputError).arg).toBe(arg);
      }
    };
    expectErr(() => magnitudeMask(w, { sparsity: 1 }), 'options.sparsity');
    expectErr(() => magnitudeMask(w, { sparsity: -0.1 }), 'options.sparsity');
    expectErr(() => magnitudeMask(w, { sparsity: 0.5, structure: 'block', block: [3, 4] }), 'options.block');
    expectErr(() => magnitudeMask(w, { sparsity: 0.5, structure: 'nope' as never }), 'options.structure');
    expectErr(
      () => magnitudeMask({ values: new Float32Array(3), shape: [2, 2] }, { sparsity: 0.5 }),
      'weight.values',
    );
  });
});
