import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/initBackend.js';
import { withoutMatMulTransposeFix } from '../src/backend/kernels/matmul.js';
import { createRng } from '../src/random/createRng.js';

/** One benchmark row. */
export interface BenchRow {
  backend: string;
  op: string;
  shape: string;
  /** Median wall time of one run, milliseconds. */
  ms: number;
  /** Floating-point operations per run divided by the median time, or null when not meaningful. */
  gflops: number | null;
  /** Timed runs the median is taken over. */
  runs: number;
}

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Write the rows and environment as JSON to this path. */
  json?: string;
  /** Fewer repetitions (CI smoke run). */
  quick?: boolean;
}

function randn(seed: number, shape: number[]): tf.Tensor {
  const data = createRng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
  return tf.tensor(data, shape);
}

/**
 * Median wall time (ms) of `fn` after `warmup` untimed runs. Each run is synchronised by
 * reading the outputs back (`dataSync`) and disposes everything it created.
 */
function medianMs(fn: () => tf.Tensor | tf.Tensor[], runs: number, warmup: number): number {
  const once = (): number => {
    const t0 = performance.now();
    const out = tf.tidy(fn);
    const outs = Array.isArray(out) ? out : [out];
    for (const t of outs) t.dataSync();
    const ms = performance.now() - t0;
    tf.dispose(outs);
    return ms;
  };
  for (let i = 0; i < warmup; i++) once();
  const times = Array.from({ length: runs }, once).sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  return times.length % 2
    ? (times[mid] as number)
    : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
}

/** Runs every benchmark, prints a Markdown table and returns its rows. */
export async function runBench(options: BenchOptions = {}): Promise<BenchRow[]> {
  const reps = options.quick ? { fast: 3, slow: 1, warm: 1 } : { fast: 9, slow: 3, warm: 2 };
  const rows: BenchRow[] = [];
  const add = (
    backend: string,
    op: string,
    shape: string,
    ms: number,
    flops: number | null,
    runs: number,
  ) => {
    rows.push({ backend, op, shape, ms, gflops: flops == null ? null : flops / (ms * 1e6), runs });
  };

  // --- matmul 512^3 on wasm and cpu ---------------------------------------------------------
  const n = 512;
  const mmFlops = 2 * n * n * n;
  for (const backend of ['wasm', 'cpu'] as const) {
    await initBackend({ backend });
    const a = randn(1, [n, n]);
    const b = randn(2, [n, n]);
    const runs = backend === 'wasm' ? reps.fast : reps.slow;
    add(
      backend,
      'matMul',
      `${n}x${n} @ ${n}x${n}`,
      medianMs(() => tf.matMul(a, b), runs, reps.warm),
      mmFlops,
      runs,
    );
    if (backend === 'wasm') {
      // --- transposed matmul before / after the fix ----------------------------------------
      for (const [ta, tb, label] of [
        [true, false, 'matMul(transposeA)'],
        [false, true, 'matMul(transposeB)'],
      ] as const) {
        const before = withoutMatMulTransposeFix(() =>
          medianMs(() => tf.matMul(a, b, ta, tb), reps.slow, reps.warm),
        );
        add('wasm (upstream)', label, `${n}^3`, before, mmFlops, reps.slow);
        const after = medianMs(() => tf.matMul(a, b, ta, tb), reps.fast, reps.warm);
        add('wasm (fixed)', label, `${n}^3`, after, mmFlops, reps.fast);
      }
      // Backward of a dense layer: matMul's gradient uses both transposes.
      const f = (x: tf.Tensor, w: tf.Tensor) => tf.matMul(x, w).sum();
      const gradFn = tf.grads(f);
      const before = withoutMatMulTransposeFix(() => medianMs(() => gradFn([a, b]), reps.slow, reps.warm));
      add('wasm (upstream)', 'grad matMul (dA, dB)', `${n}^3`, before, 3 * mmFlops, reps.slow);
      add(
        'wasm (fixed)',
        'grad matMul (dA, dB)',
        `${n}^3`,
        medianMs(() => gradFn([a, b]), reps.fast, reps.warm),
        3 * mmFlops,
        reps.fast,
      );
    }
    tf.dispose([a, b]);
  }

  // --- conv2d forward and forward+backward ----------------------------------------------------
  const [B, H, W, CI, CO, K] = [16, 32, 32, 16, 32, 3];
  const convFlops = 2 * B * H * W * K * K * CI * CO; // 'same' padding, stride 1
  const convShape = `x ${B}x${H}x${W}x${CI}, w ${K}x${K}x${CI}x${CO}, same`;
  for (const backend of ['wasm', 'cpu'] as const) {
    await initBackend({ backend });
    const x = randn(3, [B, H, W, CI]) as tf.Tensor4D;
    const w = randn(4, [K, K, CI, CO]) as tf.Tensor4D;
    const runs = backend === 'wasm' ? reps.fast : reps.slow;
    add(
      backend,
      'conv2d forward',
      convShape,
      medianMs(() => tf.conv2d(x, w, 1, 'same'), runs, reps.warm),
      convFlops,
      runs,
    );
    if (backend === 'wasm') {
      // (cpu forward+backward takes ~17 s per run here, so it is left out.)
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same').sum(),
      );
      add(
        backend,
        'conv2d forward+backward',
        convShape,
        medianMs(() => g([x, w]), runs, reps.warm),
        3 * convFlops,
        runs,
      );
    }
    if (backend === 'wasm') {
      const dw = randn(5, [K, K, CI, 2]) as tf.Tensor4D;
      const dFlops = 2 * B * H * W * K * K * CI * 2;
      const gd = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same').sum(),
      );
      add(
        backend,
        'depthwiseConv2d forward+backward',
        `x ${B}x${H}x${W}x${CI}, w ${K}x${K}x${CI}x2, same`,
        medianMs(() => gd([x, dw]), runs, reps.warm),
        3 * dFlops,
        runs,
      );
      dw.dispose();
    }
    tf.dispose([x, w]);
  }

  // --- gather backward (UnsortedSegmentSum) ----------------------------------------------------
  // wasm only: tfjs-cpu's UnsortedSegmentSum does one masked pass per segment (20000 here).
  // Memory-bound, so no GFLOP/s.
  const [vocab, dim, count] = [20000, 64, 8192];
  {
    await initBackend();
    const table = randn(6, [vocab, dim]);
    const rng = createRng(7);
    const idx = tf.tensor1d(
      Int32Array.from({ length: count }, () => rng.int(vocab)),
      'int32',
    );
    const dy = randn(8, [count, dim]);
    const shape = `table ${vocab}x${dim}, ${count} indices`;
    const runs = reps.fast;
    add(
      'wasm',
      'unsortedSegmentSum (gather backward kernel)',
      shape,
      medianMs(() => tf.unsortedSegmentSum(dy, idx, vocab), runs, reps.warm),
      null,
      runs,
    );
    add(
      'wasm',
      'gather forward',
      shape,
      medianMs(() => tf.gather(table, idx), runs, reps.warm),
      null,
      runs,
    );
    const g = tf.grad((t: tf.Tensor) => tf.gather(t, idx).sum());
    add(
      'wasm',
      'gather forward+backward',
      shape,
      medianMs(() => g(table), runs, reps.warm),
      null,
      runs,
    );
    tf.dispose([table, idx, dy]);
  }

  await initBackend();
  const env = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    date: new Date().toISOString(),
  };
  console.log(
    `\n@lab/core benchmark: Node ${env.node}, ${env.cpu} (${env.cores} cores), wasm SIMD ${env.simd}, threads ${env.threads}; median of N after warm-up\n`,
  );
  console.log('| backend | op | shape | ms | GFLOP/s | N |');
  console.log('|---|---|---|---:|---:|---:|');
  for (const r of rows) {
    const gf = r.gflops == null ? '-' : r.gflops.toFixed(2);
    console.log(`| ${r.backend} | ${r.op} | ${r.shape} | ${r.ms.toFixed(1)} | ${gf} | ${r.runs} |`);
  }
  if (options.json) {
    writeFileSync(options.json, `${JSON.stringify({ env, rows }, null, 2)}\n`);
    console.log(`\nwrote ${options.json}`);
  }
  return rows;
}
