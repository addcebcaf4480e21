import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createRng, initBackend, type Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BsrMatrix,
  type CsrMatrix,
  bsrFromDense,
  bsrMatMul,
  bsrMatVec,
  csrFromDense,
  csrMatMul,
  csrMatVec,
} from '../src/index.js';

/** One measured configuration. */
interface Row {
  size: string;
  batch: number;
  structure: string;
  dtype: 'f32' | 'i8';
  kernel: string;
  sparsity: number;
  /** Median CPU microseconds per product. */
  us: number;
  /** Median wall-clock microseconds per product (inflated by other jobs on a shared machine). */
  wallUs: number;
  /** Median over paired samples of dense time / sparse time (the table shows the ratio of medians). */
  speedup: number;
  /** Paired samples behind the medians. */
  samples: number;
  /** Median of all dense samples of this size and batch. */
  denseUs: number;
}

/** Calls per timed sample so that one sample takes at least `minMs`, and that sample's ms. */
function calibrate(fn: () => void, minMs: number): { calls: number; ms: number } {
  // Warm-up: let V8 optimise the kernel (its compiler thread is slow on a busy machine).
  const w0 = performance.now();
  for (let i = 0; i < 500 && performance.now() - w0 < 25; i++) fn();
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const ms = performance.now() - t0;
    if (ms >= minMs || calls >= 1 << 16) return { calls, ms };
    calls *= 2;
  }
}

/**
 * CPU microseconds per call (user + system time of this process, from `process.cpuUsage`), and
 * wall microseconds per call. CPU time is what the table reports: on a machine shared with other
 * jobs, wall time charges a long call for every time slice it waits, CPU time does not.
 */
function sampleUs(fn: () => void, calls: number): { cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  const wall = ((performance.now() - t0) * 1000) / calls;
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / calls, wall };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Median microseconds of `sparse`, and the median over samples of dense time / sparse time, with
 * one `dense` sample taken right before each sparse sample (also appended to `densePool`), so
 * both sides of each ratio see the same machine state. Samples are short (about `minMs`) and as
 * many as fit in `budgetMs` (at least `minSamples`, at most 31).
 */
function paired(
  sparse: () => void,
  dense: () => void,
  densePool: number[],
  minSamples: number,
  minMs: number,
  budgetMs: number,
): { us: number; wallUs: number; speedup: number; samples: number } {
  const cs = calibrate(sparse, minMs);
  const cd = calibrate(dense, minMs);
  const samples = Math.max(minSamples, Math.min(31, Math.floor(budgetMs / (cs.ms + cd.ms))));
  const times: number[] = [];
  const walls: number[] = [];
  const ratios: number[] = [];
  for (let s = 0; s < samples; s++) {
    const d = sampleUs(dense, cd.calls);
    const t = sampleUs(sparse, cs.calls);
    densePool.push(d.cpu);
    times.push(t.cpu);
    walls.push(t.wall);
    ratios.push(d.cpu / t.cpu);
  }
  return { us: median(times), wallUs: median(walls), speedup: median(ratios), samples };
}

/** Dense `m x k` int8 pattern with exactly round((1 - s) * blocks) non-zero `br x bc` blocks. */
function pattern(rng: Rng, m: number, k: number, br: number, bc: number, sparsity: number): Int8Array {
  const v = new Int8Array(m * k);
  const nbr = Math.ceil(m / br);
  const nbc = Math.ceil(k / bc);
  for (const b of rng.sample(nbr * nbc, Math.round((1 - sparsity) * nbr * nbc))) {
    const bi = Math.floor(b / nbc);
    const bj = b % nbc;
    for (let i = bi * br; i < Math.min(m, (bi + 1) * br); i++) {
      for (let j = bj * bc; j < Math.min(k, (bj + 1) * bc); j++) {
        const q = 1 + rng.int(127);
        v[i * k + j] = rng.next() < 0.5 ? -q : q;
      }
    }
  }
  return v;
}

const STRUCTURES: { name: string; block: [number, number] | null }[] = [
  { name: 'unstructured', block: null },
  { name: '8x8 blocks', block: [8, 8] },
  { name: '4x4 blocks', block: [4, 4] },
  { name: '1x16 blocks', block: [1, 16] },
  { name: '16x1 blocks', block: [16, 1] },
];

function kernelName(block: [number, number] | null, batch: number, dtype: string): string {
  const op = batch === 1 ? 'MatVec' : 'MatMul';
  if (block === null) return `csr${op} ${dtype}`;
  const unrolled = batch === 1 && ['8x8', '4x4', '1x16', '16x1'].includes(`${block[0]}x${block[1]}`);
  return `bsr${op} ${block[0]}x${block[1]} ${dtype}${batch === 1 ? (unrolled ? ' unrolled' : ' generic') : ''}`;
}

/** Runs the benchmark, prints Markdown tables, returns the rows. */
export async function runBench(options: { quick: boolean; json?: string }): Promise<Row[]> {
  const env = await initBackend();
  const samples = options.quick ? 3 : 7;
  const minMs = 1;
  const budgetMs = options.quick ? 60 : 120;
  const sizes: [number, number][] = options.quick
    ? [[512, 512]]
    : [
        [512, 512],
        [1024, 512],
      ];
  const sparsities = [0.5, 0.7, 0.9, 0.95, 0.98];
  const rows: Row[] = [];
  const rng = createRng('sparse-quant-bench');
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
  const t0 = performance.now();
  for (const [m, k] of sizes) {
    for (const batch of [1, 64]) {
      const size = `${m}x${k}`;
      // Dense baseline: tfjs-wasm float32 matMul in the layer form x[batch, k] W[k, m] (faster on
      // wasm than W^T x^T), output read back. Sampled next to every sparse measurement.
      const denseW = tf.tensor2d(
        Float32Array.from({ length: m * k }, () => rng.normal()),
        [k, m],
      );
      const denseX = tf.tensor2d(
        Float32Array.from({ length: k * batch }, () => rng.normal()),
        [batch, k],
      );
      const dense = () => {
        const c = tf.matMul(denseX, denseW);
        c.dataSync();
        c.dispose();
      };
      const densePool: number[] = [];
      const bf = Float32Array.from({ length: k * batch }, () => rng.normal());
      const bi = Int8Array.from({ length: k * batch }, () => rng.int(256) - 128);
      const outF = new Float32Array(m * batch);
      const outI = new Int32Array(m * batch);
      for (const s of STRUCTURES) {
        for (const sparsity of sparsities) {
          const [br, bc] = s.block ?? [1, 1];
          const p8 = pattern(rng, m, k, br, bc, sparsity);
          const pf = Float32Array.from(p8, (v) => v / 127);
          for (const dtype of ['f32', 'i8'] as const) {
            const src = dtype === 'f32' ? pf : p8;
            const a = s.block === null ? csrFromDense(src, m, k) : bsrFromDense(src, m, k, s.block);
            const b = dtype === 'f32' ? bf : bi;
            const out = dtype === 'f32' ? outF : outI;
            let run: () => void;
            if (batch === 1) {
              run =
                a.format === 'csr'
                  ? () =>
                      csrMatVec(a as CsrMatrix<Float32Array>, b as Float32Array, { out: out as Float32Array })
                  : () =>
                      bsrMatVec(a as BsrMatrix<Float32Array>, b as Float32Array, {
                        out: out as Float32Array,
                      });
            } else {
              run =
                a.format === 'csr'
                  ? () =>
                      csrMatMul(a as CsrMatrix<Float32Array>, b as Float32Array, batch, {
                        out: out as Float32Array,
                      })
                  : () =>
                      bsrMatMul(a as BsrMatrix<Float32Array>, b as Float32Array, batch, {
                        out: out as Float32Array,
                      });
            }
            rows.push({
              size,
              batch,
              structure: s.name,
              dtype,
              kernel: kernelName(s.block, batch, dtype),
              sparsity,
              ...paired(run, dense, densePool, samples, minMs, budgetMs),
              denseUs: Number.NaN,
            });
          }
        }
      }
      tf.dispose([denseW, denseX]);
      const denseUs = median(densePool);
      for (const r of rows) if (r.size === size && r.batch === batch) r.denseUs = denseUs;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `# @lab/sparse-quant kernels vs tfjs-wasm dense matMul\n\nMachine: ${cpus().length}x ${cpu}, Node ${process.version}, ` +
      `tfjs backend ${env.backend} (SIMD ${env.simd}, threads ${env.threads}). Load average at start ${load}. Median of ${samples} to 31 short samples per cell; sparse kernels compute A x (A = W^T, m x k) or A B with B = x^T (k x batch); ` +
      `cell = median CPU microseconds per product (speedup = dense median / sparse median). CPU time = user + system time of the process (single-threaded wasm). Total ${seconds.toFixed(0)} s.\n`,
  );
  for (const [m, k] of sizes) {
    for (const batch of [1, 64]) {
      const size = `${m}x${k}`;
      const sel = rows.filter((r) => r.size === size && r.batch === batch);
      const denseUs = sel[0].denseUs;
      console.log(
        `\n## A ${size} (out x in), batch ${batch}: dense \`tf.matMul(x[${batch},${k}], W[${k},${m}])\` (wasm f32) = ${denseUs.toFixed(0)} µs (median of ${sel.reduce((a, r) => a + r.samples, 0)} samples)\n`,
      );
      console.log(
        `| kernel | structure | ${sparsities.map((s) => `${Math.round(s * 100)} %`).join(' | ')} |`,
      );
      console.log(`|---|---|${sparsities.map(() => '---:').join('|')}|`);
      for (const dtype of ['f32', 'i8'] as const) {
        for (const s of STRUCTURES) {
          const cells = sparsities.map((sp) => {
            const r = sel.find(
              (x) => x.structure === s.name && x.dtype === dtype && x.sparsity === sp,
            ) as Row;
            return `${r.us.toFixed(0)} (${(denseUs / r.us).toFixed(2)}x)`;
          });
          console.log(`| \`${kernelName(s.block, batch, dtype)}\` | ${s.name} | ${cells.join(' | ')} |`);
        }
      }
    }
  }
  if (options.json)
    writeFileSync(
      options.json,
      JSON.stringify({ env: { cpu, cores: cpus().length, node: process.version, ...env }, rows }, null, 2),
    );
  return rows;
}
