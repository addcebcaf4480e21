// Benchmark: time of a whole-model estimate for the DTLN-sized model (~0.98 M int8 weights),
// with the raw-size weight stream and with the real Ethos-U weight encoder.
import { dtlnModel, encodeWeights, estimateModel, systems } from '../src/index.js';
import type { SystemConfig } from '../src/index.js';
import { benchEncode } from './encode.js';

const REPEATS = 5;
const system = systems['u55-high-end'] as SystemConfig;
const model = dtlnModel({ seed: 1 });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(fn: () => void): number {
  const ts: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const raw = { weightBytes: (w: Int8Array) => w.length };
// Warm-up (JIT).
estimateModel(model, system, raw);
const rawMs = time(() => estimateModel(model, system, raw));
const encMs = time(() =>
  estimateModel(model, system, { weightBytes: (w, s, a) => encodeWeights(w, s, a).byteCount }),
);
const cache = new Map<Int8Array, number>();
estimateModel(model, system, {
  weightBytes: (w, s, a) => {
    const n = encodeWeights(w, s, a).byteCount;
    cache.set(w, n);
    return n;
  },
});
const cachedMs = time(() => estimateModel(model, system, { weightBytes: (w) => cache.get(w) ?? w.length }));

process.stdout.write(
  [
    `DTLN-sized model (${model.ops.length} model ops, 0.98 M int8 weights) on ${system.name}; median of ${REPEATS}; Node ${process.version}`,
    '',
    '| estimate | ms |',
    '| --- | --- |',
    `| cost model, raw weight sizes | ${rawMs.toFixed(2)} |`,
    `| cost model, encoded sizes cached | ${cachedMs.toFixed(2)} |`,
    `| cost model + encoding every weight matrix | ${encMs.toFixed(1)} |`,
    '',
  ].join('\n'),
);

// The weight encoder's own benchmark (sizes per sparsity structure vs Vela and papers.md, speed).
process.stdout.write(`\n${benchEncode({ quick: process.argv.includes('--quick') }).markdown}\n`);
