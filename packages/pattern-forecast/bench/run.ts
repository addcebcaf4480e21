// Per-step cost of the forecasters on random ETT-shaped batches (7 series), wasm backend.
// Prints a Markdown table. Run: pnpm bench (tsx bench/run.ts).
import * as tf from '@tensorflow/tfjs-core';
import { Adam, initBackend } from '@lab/core';
import { DLinearForecaster, LinearForecaster, type NeuralForecaster, PatternForecaster } from '../src/index.js';

const N = 7;
const H = 96;
const BATCH = 64;
const REPS = 10;

function time(fn: () => void): number {
  fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < REPS; i++) fn();
  return (performance.now() - t0) / REPS;
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const rows: string[] = [];
  for (const L of [96, 336]) {
    const models: Array<[string, NeuralForecaster]> = [
      ['Linear', new LinearForecaster({ lookback: L, horizon: H, numSeries: N, seed: 0 })],
      ['DLinear', new DLinearForecaster({ lookback: L, horizon: H, numSeries: N, seed: 0 })],
      ['Pattern (P=16, stride 16)', new PatternForecaster({ lookback: L, horizon: H, numSeries: N, seed: 0, patchStride: 16 })],
      ['Pattern (P=16, stride 8)', new PatternForecaster({ lookback: L, horizon: H, numSeries: N, seed: 0 })],
    ];
    const x = tf.randomNormal([BATCH, L, N], 0, 1, 'float32', 1);
    const y = tf.randomNormal([BATCH, H, N], 0, 1, 'float32', 2);
    for (const [name, m] of models) {
      const opt = new Adam(m.store, { lr: 1e-3 });
      const step = time(() => {
        opt.minimize(() => tf.mean(tf.squaredDifference(m.predict(x), y)) as tf.Scalar);
      });
      const fwd = time(() => tf.dispose(m.predict(x)));
      rows.push(`| ${name} | ${L} | ${H} | ${m.numParameters()} | ${fwd.toFixed(1)} | ${step.toFixed(1)} |`);
      opt.dispose();
      m.dispose();
    }
    tf.dispose([x, y]);
  }
  process.stdout.write(
    `Backend ${backend.backend}${backend.simd ? ' (SIMD)' : ''}, batch ${BATCH}, ${N} series, mean of ${REPS} reps\n\n` +
      '| model | L | H | parameters | forward ms | train step ms |\n| --- | --- | --- | --- | --- | --- |\n' +
      `${rows.join('\n')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
