import { parseCsvSeries } from '@lab/core';
import { DLinearForecaster, gatherWindows, prepareForecastData } from '@lab/pattern-forecast';
import * as tf from '@tensorflow/tfjs-core';
import { nextFrame, type Progress } from './progress.js';

/** Settings of the forecast panel. */
export interface ForecastPanelSettings {
  seed: number;
  /** Leading rows of ETTh1.csv used (the whole slice is split 0.7 / 0.1 / 0.2 in time). */
  rows: number;
  lookback: number;
  horizon: number;
  epochs: number;
  /** Nominal coverage of the interval, e.g. 0.9. */
  coverage: number;
}

export const FORECAST_DEFAULTS: Omit<ForecastPanelSettings, 'seed'> = {
  rows: 2400,
  lookback: 96,
  horizon: 24,
  epochs: 3,
  coverage: 0.9,
};

/** What the panel computes. Values of the target series OT (oil temperature, degrees C). */
export interface ForecastPanelResult {
  target: string;
  rows: number;
  trainWindows: number;
  testWindows: number;
  epochs: number;
  finalTrainLoss: number;
  /** MSE / MAE over every test window and series, on the z-normalised scale (the usual metric). */
  testMse: number;
  testMae: number;
  /** Half-width of the interval per horizon step (OT units): the coverage-quantile of |error| on validation windows. */
  halfWidth: number[];
  /** Fraction of test (window, step) pairs whose OT value falls inside forecast +- halfWidth. */
  testCoverage: number;
  /** The last test window, for drawing: look-back and true future of OT, forecast and interval. */
  shown: { history: number[]; truth: number[]; forecast: number[]; lower: number[]; upper: number[] };
}

/** Keeps the header and the first `rows` data lines of a CSV text. */
function leadingRows(text: string, rows: number): string {
  let end = 0;
  for (let k = 0; k <= rows; k++) {
    const next = text.indexOf('\n', end);
    if (next < 0) return text;
    end = next + 1;
  }
  return text.slice(0, end);
}

/** The k-th smallest of `values` at quantile q (the conformal "ceil((n + 1) q)"-th order statistic). */
function conformalQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const k = Math.min(sorted.length, Math.ceil((sorted.length + 1) * q));
  return sorted[k - 1]!;
}

/**
 * DLinear (@lab/pattern-forecast) trained on the leading rows of ETTh1, with a split-conformal
 * interval: per horizon step, the coverage-quantile of the absolute OT error on the validation
 * windows, checked on the test windows.
 */
export async function runForecastPanel(
  csvText: string,
  settings: ForecastPanelSettings,
  progress: Progress = () => {},
): Promise<ForecastPanelResult> {
  const series = parseCsvSeries(leadingRows(csvText, settings.rows));
  const L = settings.lookback;
  const H = settings.horizon;
  const data = prepareForecastData(series, { lookback: L, horizon: H, split: 'ratio' });
  const N = data.cols;
  const target = data.columns.length - 1; // OT, the last column of the ETT files
  const model = new DLinearForecaster({ lookback: L, horizon: H, numSeries: N, seed: settings.seed });
  try {
    progress(0, 'training DLinear');
    const fit = await model.fit(data, {
      epochs: settings.epochs,
      lr: 5e-3,
      batchSize: 32,
      seed: settings.seed,
      onProgress: (p) =>
        progress((0.8 * (p.epoch + 1)) / settings.epochs, `epoch ${p.epoch + 1}, loss ${p.loss.toFixed(3)}`),
    });
    progress(0.85, 'interval');
    await nextFrame();
    const ev = model.evaluate(data, { split: 'test' });
    const mean = data.scaler.mean[target]!;
    const std = data.scaler.std[target]!;
    // Forecast and truth of OT (original units) for every window of a segment: [window][step].
    const predictOt = (starts: Int32Array): { pred: number[][]; truth: number[][]; x: number[][] } => {
      const { p, y, x } = tf.tidy(() => {
        const s = tf.tensor2d(data.values, [data.rows, N]);
        const w = gatherWindows(s, tf.tensor1d(starts, 'int32'), L, H);
        const pick = (t: tf.Tensor3D) =>
          tf.squeeze(tf.slice(t, [0, 0, target], [-1, -1, 1]), [2]).arraySync() as number[][];
        return { p: pick(model.predict(w.x) as tf.Tensor3D), y: pick(w.y), x: pick(w.x) };
      });
      const un = (m: number[][]) => m.map((r) => r.map((v) => v * std + mean));
      return { pred: un(p), truth: un(y), x: un(x) };
    };
    const val = predictOt(data.windows.val);
    const halfWidth = Array.from({ length: H }, (_, h) =>
      conformalQuantile(
        val.pred.map((r, w) => Math.abs(r[h]! - val.truth[w]![h]!)),
        settings.coverage,
      ),
    );
    const test = predictOt(data.windows.test);
    let inside = 0;
    test.pred.forEach((r, w) => {
      r.forEach((v, h) => {
        if (Math.abs(v - test.truth[w]![h]!) <= halfWidth[h]!) inside++;
      });
    });
    const last = test.pred.length - 1;
    const forecast = test.pred[last]!;
    progress(1, 'done');
    return {
      target: data.columns[target]!,
      rows: data.rows,
      trainWindows: data.windows.train.length,
      testWindows: data.windows.test.length,
      epochs: fit.epochs,
      finalTrainLoss: fit.loss.at(-1) ?? Number.NaN,
      testMse: ev.mse,
      testMae: ev.mae,
      halfWidth,
      testCoverage: inside / (test.pred.length * H),
      shown: {
        history: test.x[last]!,
        truth: test.truth[last]!,
        forecast,
        lower: forecast.map((v, h) => v - halfWidth[h]!),
        upper: forecast.map((v, h) => v + halfWidth[h]!),
      },
    };
  } finally {
    model.dispose();
  }
}
