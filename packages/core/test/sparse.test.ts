import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import Graph from 'graphology';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { LabInputError } from '../src/errors.js';
import { createRng, type Rng } from '../src/random/createRng.js';
import { fromGraphology } from '../src/sparse/fromGraphology.js';
import { normalizeAdjacency } from '../src/sparse/normalizeAdjacency.js';
import { SparseMatrix } from '../src/sparse/SparseMatrix.js';
import { sparseDenseMatMul } from '../src/sparse/sparseDenseMatMul.js';
import { toGraphology } from '../src/sparse/toGraphology.js';

beforeAll(async () => {
  await initBackend();
});

/** Random sparse matrix with some duplicate triplets (density ~`density`), plus its dense twin. */
function randomSparse(
  rng: Rng,
  n: number,
  m: number,
  density: number,
): { a: SparseMatrix; dense: Float64Array } {
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const dense = new Float64Array(n * m);
  const count = Math.max(1, Math.round(n * m * density));
  for (let k = 0; k < count; k++) {
    const i = rng.int(n);
    const j = rng.int(m);
    const v = Math.fround(rng.uniform(-1, 1));
    rows.push(i);
    cols.push(j);
    vals.push(v);
    dense[i * m + j] = (dense[i * m + j] as number) + v;
  }
  return { a: SparseMatrix.fromCoo([n, m], rows, cols, vals), dense };
}

function bruteMatMul(a: Float64Array, n: number, m: number, b: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++)
      for (let c = 0; c < k; c++) out[i * k + c] += (a[i * m + j] as number) * (b[j * k + c] as number);
  return out;
}

function expectLabError(f: () => unknown, fn: string, arg: string): void {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(LabInputError);
    expect((err as LabInputError).fn).toBe(fn);
    expect((err as LabInputError).arg).toBe(arg);
    return;
  }
  throw new Error(`expected ${fn} to throw for '${arg}'`);
}

describe('SparseMatrix', () => {
  it('fromCoo sums duplicates, sorts columns and matches the dense brute force', async () => {
    const a = SparseMatrix.fromCoo([2, 3], [1, 0, 1, 1], [2, 2, 0, 2], [1, 2, 3, 4]);
    expect(Array.from(a.indptr)).toEqual([0, 1, 3]);
    expect(Array.from(a.indices)).toEqual([2, 0, 2]);
    expect(Array.from(a.values)).toEqual([2, 3, 5]);
    expect(a.nnz).toBe(3);
    const dense = await expectNoLeaks(() => a.toDense(), { keepResult: true });
    expect(Array.from(dense.dataSync())).toEqual([0, 0, 2, 3, 0, 5]);
    dense.dispose();
    const rng = createRng('coo');
    const { a: b, dense: bd } = randomSparse(rng, 7, 5, 0.5);
    const bt = b.toDense();
    expectAllClose(bt, bd, { atol: TOL.F32_REORDER });
    bt.dispose();
    for (let i = 0; i < 7; i++)
      for (let j = 0; j < 5; j++) expect(b.get(i, j)).toBeCloseTo(bd[i * 5 + j] as number, 5);
  });

  it('toCoo, fromCsr and fromDense round trip; inputs are not modified', () => {
    const rows = [2, 0, 2];
    const cols = [1, 1, 0];
    const vals = [1.5, -2, 3];
    const a = SparseMatrix.fromCoo([3, 2], rows, cols, vals);
    expect(rows).toEqual([2, 0, 2]);
    const coo = a.toCoo();
    expect(Array.from(coo.rows)).toEqual([0, 2, 2]);
    expect(Array.from(coo.cols)).toEqual([1, 0, 1]);
    expect(Array.from(coo.values)).toEqual([-2, 3, 1.5]);
    const b = SparseMatrix.fromCsr([3, 2], a.indptr, a.indices, a.values);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    const c = SparseMatrix.fromDense([
      [0, -2],
      [0, 0],
      [3, 1.5],
    ]);
    expect(Array.from(c.indptr)).toEqual(Array.from(a.indptr));
    expect(Array.from(c.indices)).toEqual(Array.from(a.indices));
    const t = tf.tensor2d([0, -2, 0, 0, 3, 1.5], [3, 2]);
    const d = SparseMatrix.fromDense(t);
    expect(Array.from(d.values)).toEqual(Array.from(a.values));
    expect(t.isDisposed).toBe(false);
    t.dispose();
    const empty = SparseMatrix.fromCoo([0, 4], [], []);
    expect(empty.nnz).toBe(0);
    expect(empty.transpose().shape).toEqual([4, 0]);
  });

  it('transpose, row and column sums, scale, add and symmetry against dense closed forms', () => {
    const rng = createRng('ops');
    const { a, dense } = randomSparse(rng, 6, 4, 0.4);
    const at = a.transpose();
    expect(at.shape).toEqual([4, 6]);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 4; j++) expect(at.get(j, i)).toBe(a.get(i, j));
    expect(Array.from(at.transpose().values)).toEqual(Array.from(a.values));
    const rs = a.rowSums();
    const cs = a.colSums();
    for (let i = 0; i < 6; i++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += a.get(i, j);
      expect(rs[i]).toBeCloseTo(s, 6);
    }
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let i = 0; i < 6; i++) s += a.get(i, j);
      expect(cs[j]).toBeCloseTo(s, 6);
    }
    const r = [1, 2, 3, 4, 5, 6];
    const c = [-1, 0.5, 2, 1];
    const sc = a.scale(r, c);
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 4; j++)
        expect(sc.get(i, j)).toBeCloseTo(r[i]! * (dense[i * 4 + j] as number) * c[j]!, 5);
    expect(a.scale(2).get(0, 0)).toBeCloseTo(2 * a.get(0, 0), 6);
    const sum = a.add(a.scale(-1));
    for (let p = 0; p < sum.nnz; p++) expect(sum.values[p]).toBe(0);
    const sym = SparseMatrix.fromCoo([3, 3], [0, 1, 2, 2], [1, 0, 2, 0], [2, 2, 1, 5]);
    expect(sym.isSymmetric()).toBe(false);
    expect(sym.add(SparseMatrix.fromCoo([3, 3], [0], [2], [5])).isSymmetric()).toBe(true);
    expect(SparseMatrix.identity(3, 2).get(1, 1)).toBe(2);
  });

  it('rejects bad input with LabInputError naming the argument', () => {
    expectLabError(
      () => SparseMatrix.fromCoo([2, -1] as [number, number], [], []),
      'SparseMatrix.fromCoo',
      'shape[1]',
    );
    expectLabError(() => SparseMatrix.fromCoo([2, 2], [0, 1], [0]), 'SparseMatrix.fromCoo', 'cols');
    expectLabError(() => SparseMatrix.fromCoo([2, 2], [0, 2], [0, 0]), 'SparseMatrix.fromCoo', 'rows[1]');
    expectLabError(() => SparseMatrix.fromCoo([2, 2], [0], [0.5]), 'SparseMatrix.fromCoo', 'cols[0]');
    expectLabError(
      () => SparseMatrix.fromCoo([2, 2], [0], [0], [Number.NaN]),
      'SparseMatrix.fromCoo',
      'values[0]',
    );
    expectLabError(() => SparseMatrix.fromCoo([2, 2], [0], [0], [1, 2]), 'SparseMatrix.fromCoo', 'values');
    expectLabError(() => SparseMatrix.fromCsr([2, 2], [0, 1], [0]), 'SparseMatrix.fromCsr', 'indptr');
    expectLabError(() => SparseMatrix.fromCsr([2, 2], [0, 2, 1], [0, 1]), 'SparseMatrix.fromCsr', 'indptr');
    expectLabError(
      () => SparseMatrix.fromCsr([2, 2], [0, 2, 2], [1, 0]),
      'SparseMatrix.fromCsr',
      'indices[1]',
    );
    expectLabError(() => SparseMatrix.fromCsr([2, 2], [0, 1, 1], [2]), 'SparseMatrix.fromCsr', 'indices[0]');
    expectLabError(() => SparseMatrix.fromDense([[1, 2], [3]]), 'SparseMatrix.fromDense', 'dense[1]');
    const a = SparseMatrix.identity(2);
    expectLabError(() => a.scale([1]), 'SparseMatrix.scale', 'rowScale');
    expectLabError(() => a.withValues([1, 2, 3]), 'SparseMatrix.withValues', 'values');
    expectLabError(() => a.add(SparseMatrix.identity(3)), 'SparseMatrix.add', 'other');
    expectLabError(() => a.get(2, 0), 'SparseMatrix.get', 'i');
  });
});

describe('sparseDenseMatMul', () => {
  it('matches dense tf.matMul and a float64 brute force, with and without a values override', async () => {
    const rng = createRng('spmm');
    const { a, dense } = randomSparse(rng, 23, 17, 0.15);
    const bData = rng.fillUniform(new Float32Array(17 * 5), -1, 1);
    const b = tf.tensor2d(bData, [17, 5]);
    const y = await expectNoLeaks(() => sparseDenseMatMul(a, b), { keepResult: true });
    expect(y.shape).toEqual([23, 5]);
    const ad = tf.tensor2d(Float32Array.from(dense), [23, 17]);
    const yd = tf.matMul(ad, b);
    expectAllClose(y, yd, { atol: TOL.F32_REORDER });
    expectAllClose(y, bruteMatMul(dense, 23, 17, bData, 5), { atol: TOL.F32_REORDER });
    // values override: doubling every value doubles the product; the matrix is untouched
    const doubled = Float32Array.from(a.values, (v) => 2 * v);
    const before = a.values.slice();
    const y2 = await expectNoLeaks(() => sparseDenseMatMul(a, b, doubled), { keepResult: true });
    expectAllClose(
      y2,
      bruteMatMul(
        dense.map((v) => 2 * v),
        23,
        17,
        bData,
        5,
      ),
      { atol: TOL.F32_REORDER },
    );
    const vt = tf.tensor1d(doubled);
    const y3 = await expectNoLeaks(() => sparseDenseMatMul(a, b, vt), { keepResult: true });
    expectAllClose(y3, y2, { atol: TOL.EXACT });
    expect(Array.from(a.values)).toEqual(Array.from(before));
    expect(b.isDisposed).toBe(false);
    tf.dispose([b, y, ad, yd, y2, vt, y3]);
  });

  it('gradient w.r.t. B equals A^T dY (vs dense tf.grad) and finite differences', async () => {
    const rng = createRng('gradB');
    const { a, dense } = randomSparse(rng, 9, 6, 0.3);
    const b = tf.tensor2d(rng.fillUniform(new Float32Array(6 * 3), -1, 1), [6, 3]);
    const w = tf.tensor2d(rng.fillUniform(new Float32Array(9 * 3), -1, 1), [9, 3]);
    const ad = tf.tensor2d(Float32Array.from(dense), [9, 6]);
    // nonlinear loss so dY is not constant: L = sum(w * tanh(A B))
    const loss = (f: (x: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor) =>
      tf.sum(tf.mul(w, tf.tanh(f(x as tf.Tensor2D))));
    const gSparse = await expectNoLeaks(() => tf.grad(loss((x) => sparseDenseMatMul(a, x)))(b), {
      keepResult: true,
    });
    const gDense = tf.grad(loss((x) => tf.matMul(ad, x)))(b);
    expectAllClose(gSparse, gDense, { atol: TOL.F32_REORDER });
    // central finite differences in float32 on a few entries
    const h = 1e-2;
    const g = gSparse.dataSync();
    const base = b.dataSync();
    for (const idx of [0, 5, 11, 17]) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[idx] += h;
      minus[idx] -= h;
      const lp = tf.tidy(
        () => loss((x) => sparseDenseMatMul(a, x))(tf.tensor2d(plus, [6, 3])).dataSync()[0]!,
      );
      const lm = tf.tidy(
        () => loss((x) => sparseDenseMatMul(a, x))(tf.tensor2d(minus, [6, 3])).dataSync()[0]!,
      );
      expect(Math.abs((lp - lm) / (2 * h) - g[idx]!)).toBeLessThanOrEqual(
        TOL.FD_F32 * Math.max(1, Math.abs(g[idx]!)),
      );
    }
    tf.dispose([b, w, ad, gSparse, gDense]);
  });

  it('gradient w.r.t. values equals <dY[row], B[col]> (vs dense tf.grad) and finite differences', async () => {
    const rng = createRng('gradV');
    const { a } = randomSparse(rng, 8, 7, 0.3);
    const b = tf.tensor2d(rng.fillUniform(new Float32Array(7 * 4), -1, 1), [7, 4]);
    const w = tf.tensor2d(rng.fillUniform(new Float32Array(8 * 4), -1, 1), [8, 4]);
    const v = tf.tensor1d(a.values);
    const lossV = (vals: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(w, tf.tanh(sparseDenseMatMul(a, bb as tf.Tensor2D, vals as tf.Tensor1D))));
    const [gv, gb] = await expectNoLeaks(() => tf.grads(lossV)([v, b]), { keepResult: true });
    // dense reference: gradient w.r.t. the dense matrix, read at the stored positions
    const ad = a.toDense();
    const gDense = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(w, tf.tanh(tf.matMul(x as tf.Tensor2D, b)))))(ad);
    const gd = gDense.dataSync();
    const rows = a.rowIndices();
    const expected = Array.from(a.indices, (c, p) => gd[rows[p]! * 7 + c]!);
    expectAllClose(gv!, expected, { atol: TOL.F32_REORDER });
    const gbDense = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(w, tf.tanh(tf.matMul(ad, x as tf.Tensor2D)))))(b);
    expectAllClose(gb!, gbDense, { atol: TOL.F32_REORDER });
    const h = 1e-2;
    const g = gv!.dataSync();
    for (const p of [0, Math.floor(a.nnz / 2), a.nnz - 1]) {
      const plus = Float32Array.from(a.values);
      const minus = Float32Array.from(a.values);
      plus[p] += h;
      minus[p] -= h;
      const lp = tf.tidy(() => lossV(tf.tensor1d(plus), b).dataSync()[0]!);
      const lm = tf.tidy(() => lossV(tf.tensor1d(minus), b).dataSync()[0]!);
      expect(Math.abs((lp - lm) / (2 * h) - g[p]!)).toBeLessThanOrEqual(
        TOL.FD_F32 * Math.max(1, Math.abs(g[p]!)),
      );
    }
    tf.dispose([b, w, v, gv!, gb!, ad, gDense, gbDense]);
  });

  it('matches the cpu backend', async () => {
    const rng = createRng('cpu');
    const { a } = randomSparse(rng, 12, 10, 0.2);
    const bData = rng.fillUniform(new Float32Array(10 * 3), -1, 1);
    const run = () =>
      tf.tidy(() => {
        const b = tf.tensor2d(bData, [10, 3]);
        return [
          sparseDenseMatMul(a, b).dataSync().slice(),
          tf
            .grad((x: tf.Tensor) => tf.sum(tf.square(sparseDenseMatMul(a, x as tf.Tensor2D))))(b)
            .dataSync()
            .slice(),
        ];
      });
    const onWasm = run();
    await initBackend({ backend: 'cpu' });
    try {
      const onCpu = run();
      expectAllClose(onWasm[0]!, onCpu[0]!, { atol: TOL.F32_REORDER });
      expectAllClose(onWasm[1]!, onCpu[1]!, { atol: TOL.F32_REORDER });
    } finally {
      await initBackend();
    }
  });

  it('handles empty rows and columns, an all-zero matrix and K = 1', async () => {
    // rows 1 and 3 empty, column 2 empty
    const a = SparseMatrix.fromCoo([4, 3], [0, 2, 2], [0, 1, 0], [2, -1, 3]);
    const b = tf.tensor2d([1, 2, 3], [3, 1]);
    const y = await expectNoLeaks(() => sparseDenseMatMul(a, b), { keepResult: true });
    expect(Array.from(y.dataSync())).toEqual([2, 0, 1, 0]);
    const g = await expectNoLeaks(
      () => tf.grad((x: tf.Tensor) => tf.sum(sparseDenseMatMul(a, x as tf.Tensor2D)))(b),
      {
        keepResult: true,
      },
    );
    expect(Array.from(g.dataSync())).toEqual([5, -1, 0]); // column sums of A
    const zero = SparseMatrix.fromCoo([2, 3], [], []);
    const z = sparseDenseMatMul(zero, b);
    expect(Array.from(z.dataSync())).toEqual([0, 0]);
    tf.dispose([b, y, g, z]);
  });

  it('rejects bad input', () => {
    const a = SparseMatrix.identity(3);
    const b = tf.zeros([3, 2]) as tf.Tensor2D;
    const bad = tf.zeros([4, 2]) as tf.Tensor2D;
    const ints = tf.zeros([3, 2], 'int32') as tf.Tensor2D;
    const v = tf.zeros([2]) as tf.Tensor1D;
    expectLabError(() => sparseDenseMatMul({} as SparseMatrix, b), 'sparseDenseMatMul', 'a');
    expectLabError(() => sparseDenseMatMul(a, bad), 'sparseDenseMatMul', 'b');
    expectLabError(() => sparseDenseMatMul(a, ints), 'sparseDenseMatMul', 'b');
    expectLabError(
      () => sparseDenseMatMul(a, tf.zeros([3]) as unknown as tf.Tensor2D),
      'sparseDenseMatMul',
      'b',
    );
    expectLabError(() => sparseDenseMatMul(a, b, v), 'sparseDenseMatMul', 'values');
    expectLabError(() => sparseDenseMatMul(a, b, [1, 2]), 'sparseDenseMatMul', 'values');
    tf.dispose([b, bad, ints, v]);
  });
});

describe('normalizeAdjacency', () => {
  it('path graph 0-1-2: D^-1/2 (A + I) D^-1/2 in closed form', () => {
    const ahat = normalizeAdjacency({ numNodes: 3, source: [0, 1], target: [1, 2] });
    const d = [2, 3, 2];
    const adj = [
      [1, 1, 0],
      [1, 1, 1],
      [0, 1, 1],
    ];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        expect(ahat.get(i, j)).toBeCloseTo(adj[i]![j]! / Math.sqrt(d[i]! * d[j]!), 6);
    expect(ahat.isSymmetric()).toBe(true);
  });

  it('edge list and SparseMatrix inputs agree with a dense computation on a random graph', () => {
    const rng = createRng('norm');
    const n = 15;
    const src: number[] = [];
    const dst: number[] = [];
    const wts: number[] = [];
    for (let e = 0; e < 30; e++) {
      const s = rng.int(n);
      const t = rng.int(n);
      if (s === t) continue;
      src.push(s);
      dst.push(t);
      wts.push(rng.uniform(0.5, 2));
    }
    const fromEdges = normalizeAdjacency({ numNodes: n, source: src, target: dst, weight: wts });
    const sym = SparseMatrix.fromCoo([n, n], [...src, ...dst], [...dst, ...src], [...wts, ...wts]);
    const fromMatrix = normalizeAdjacency(sym);
    const dense = new Float64Array(n * n);
    for (let k = 0; k < src.length; k++) {
      dense[src[k]! * n + dst[k]!] += wts[k]!;
      dense[dst[k]! * n + src[k]!] += wts[k]!;
    }
    for (let i = 0; i < n; i++) dense[i * n + i] += 1;
    const deg = Array.from({ length: n }, (_, i) => dense.slice(i * n, i * n + n).reduce((x, y) => x + y, 0));
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const expected = dense[i * n + j]! / Math.sqrt(deg[i]! * deg[j]!);
        expect(fromEdges.get(i, j)).toBeCloseTo(expected, 5);
        expect(fromMatrix.get(i, j)).toBeCloseTo(expected, 5);
      }
  });

  it('self loops are counted once, isolated nodes without a loop stay zero, directed lists are kept directed', () => {
    const loop = normalizeAdjacency({ numNodes: 2, source: [0], target: [0] });
    expect(loop.get(0, 0)).toBeCloseTo(1, 6); // (1 + 1) / 2
    expect(loop.get(1, 1)).toBeCloseTo(1, 6);
    const noLoops = normalizeAdjacency({ numNodes: 3, source: [0], target: [1] }, { selfLoopWeight: 0 });
    expect(noLoops.get(0, 1)).toBeCloseTo(1, 6);
    expect(noLoops.get(2, 2)).toBe(0);
    expect(Array.from(noLoops.values).every(Number.isFinite)).toBe(true);
    const directed = normalizeAdjacency({ numNodes: 2, source: [0], target: [1] }, { undirected: false });
    expect(directed.get(1, 0)).toBe(0);
    expect(directed.get(0, 1)).toBeCloseTo(1 / Math.sqrt(2), 6);
  });

  it('rejects bad input', () => {
    expectLabError(
      () => normalizeAdjacency(SparseMatrix.fromCoo([2, 3], [], [])),
      'normalizeAdjacency',
      'graph',
    );
    expectLabError(
      () => normalizeAdjacency({ numNodes: 2, source: [0], target: [2] }),
      'normalizeAdjacency',
      'graph.target[0]',
    );
    expectLabError(
      () => normalizeAdjacency({ numNodes: 2, source: [0, 1], target: [1] }),
      'normalizeAdjacency',
      'graph.target',
    );
    expectLabError(
      () => normalizeAdjacency({ numNodes: 2, source: [0], target: [1], weight: [Number.NaN] }),
      'normalizeAdjacency',
      'graph.weight[0]',
    );
    expectLabError(
      () => normalizeAdjacency(SparseMatrix.identity(2), { selfLoopWeight: Number.POSITIVE_INFINITY }),
      'normalizeAdjacency',
      'options.selfLoopWeight',
    );
    expectLabError(() => normalizeAdjacency(SparseMatrix.identity(2, -3)), 'normalizeAdjacency', 'graph');
  });
});

describe('graphology conversion', () => {
  it('undirected weighted graph -> symmetric matrix -> graph round trip', () => {
    const g = new Graph({ type: 'undirected' });
    g.addNode('c');
    g.mergeEdge('a', 'b', { weight: 2 });
    g.mergeEdge('b', 'c');
    g.addNode('isolated');
    const { matrix, nodes } = fromGraphology(g);
    expect(nodes).toEqual(['c', 'a', 'b', 'isolated']);
    expect(matrix.get(1, 2)).toBe(2);
    expect(matrix.get(2, 1)).toBe(2);
    expect(matrix.get(2, 0)).toBe(1); // missing weight attribute = 1
    expect(matrix.nnz).toBe(4);
    const back = toGraphology(matrix, Graph, { nodes });
    expect(back.type).toBe('undirected');
    expect(back.order).toBe(4);
    expect(back.size).toBe(2);
    expect(back.getEdgeAttribute(back.edge('a', 'b')!, 'weight')).toBe(2);
    const again = fromGraphology(back, { nodes });
    expect(Array.from(again.matrix.values)).toEqual(Array.from(matrix.values));
    expect(Array.from(again.matrix.indices)).toEqual(Array.from(matrix.indices));
    // custom node order permutes rows and columns; weightAttribute null ignores weights
    const perm = fromGraphology(g, { nodes: ['a', 'b', 'c', 'isolated'], weightAttribute: null });
    expect(perm.matrix.get(0, 1)).toBe(1);
    expect(perm.matrix.get(1, 2)).toBe(1);
  });

  it('directed, mixed and multi graphs: direction, symmetrize and parallel-edge summation', () => {
    const g = new Graph({ type: 'mixed', multi: true, allowSelfLoops: true });
    for (const k of ['x', 'y', 'z']) g.addNode(k);
    g.addDirectedEdge('x', 'y', { w: 1.5 });
    g.addDirectedEdge('x', 'y', { w: 0.5 });
    g.addUndirectedEdge('y', 'z', { w: 3 });
    g.addDirectedEdge('z', 'z', { w: 4 });
    const { matrix } = fromGraphology(g, { weightAttribute: 'w' });
    expect(matrix.get(0, 1)).toBe(2);
    expect(matrix.get(1, 0)).toBe(0);
    expect(matrix.get(1, 2)).toBe(3);
    expect(matrix.get(2, 1)).toBe(3);
    expect(matrix.get(2, 2)).toBe(4);
    const sym = fromGraphology(g, { weightAttribute: 'w', symmetrize: true }).matrix;
    expect(sym.get(1, 0)).toBe(2);
    expect(sym.isSymmetric()).toBe(true);
    const dg = toGraphology(matrix, Graph, { nodes: ['x', 'y', 'z'] });
    expect(dg.type).toBe('directed');
    expect(dg.size).toBe(matrix.nnz);
    expect(dg.getEdgeAttribute(dg.edge('z', 'z')!, 'weight')).toBe(4);
    const round = fromGraphology(dg, { nodes: ['x', 'y', 'z'] }).matrix;
    expect(Array.from(round.values)).toEqual(Array.from(matrix.values));
  });

  it('rejects bad input', () => {
    const g = new Graph();
    g.mergeEdge('a', 'b', { weight: 'heavy' });
    expectLabError(() => fromGraphology(g), 'fromGraphology', `graph edge ${g.edges()[0]}.weight`);
    expectLabError(() => fromGraphology({} as Graph), 'fromGraphology', 'graph');
    expectLabError(() => fromGraphology(g, { nodes: ['a'] }), 'fromGraphology', 'options.nodes');
    expectLabError(() => fromGraphology(g, { nodes: ['a', 'a'] }), 'fromGraphology', 'options.nodes[1]');
    expectLabError(() => fromGraphology(g, { nodes: ['a', 'q'] }), 'fromGraphology', 'options.nodes[1]');
    const asym = SparseMatrix.fromCoo([2, 2], [0], [1], [1]);
    expectLabError(() => toGraphology(asym, Graph, { type: 'undirected' }), 'toGraphology', 'matrix');
    expectLabError(() => toGraphology(SparseMatrix.fromCoo([2, 3], [], []), Graph), 'toGraphology', 'matrix');
    expectLabError(() => toGraphology(asym, Graph, { nodes: ['a'] }), 'toGraphology', 'options.nodes');
  });
});
