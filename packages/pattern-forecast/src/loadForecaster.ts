import * as tf from '@tensorflow/tfjs-core';
import {
  checkBytes,
  decodeParameters,
  LabFormatError,
  LabInputError,
  loadParameters,
  loadTextFile,
  PARAMETERS_MAX_MANIFEST_BYTES,
  type ParametersManifest,
  readOptions,
} from '@lab/core';
import { DLinearForecaster, type DLinearForecasterOptions } from './DLinearForecaster.js';
import { type CheckedForecasterManifest, checkForecasterManifest } from './forecasterConfig.js';
import { LinearForecaster, type LinearForecasterOptions } from './LinearForecaster.js';
import type { NeuralForecaster } from './NeuralForecaster.js';
import { PatternForecaster, type PatternForecasterOptions } from './PatternForecaster.js';

/** Builds the model a checked manifest describes and loads `tensors` into it (always disposed). */
function build(checked: CheckedForecasterManifest, tensors: Record<string, tf.Tensor>): NeuralForecaster {
  try {
    const { kind, config } = checked;
    const model =
      kind === 'Linear'
        ? new LinearForecaster(config as unknown as LinearForecasterOptions)
        : kind === 'DLinear'
          ? new DLinearForecaster(config as unknown as DLinearForecasterOptions)
          : new PatternForecaster(config as unknown as PatternForecasterOptions);
    try {
      model.store.loadRecord(tensors);
    } catch (err) {
      model.dispose();
      throw err;
    }
    return model;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

function parseManifestText(fn: string, text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LabFormatError(fn, 'manifest', { source }, `must be valid JSON (${(err as Error).message})`);
  }
}

/** Options of {@link decodeForecaster}. */
export interface DecodeForecasterOptions {
  /** Label for error messages (default `'<manifest>'`). */
  source?: string;
}

/**
 * Rebuilds a forecaster saved with `NeuralForecaster.save` from its manifest and weights already
 * in memory (works in browsers). Validates before it allocates: the manifest's forecaster
 * metadata (format, kind, every option: types, integer ranges, `FORECASTER_LIMITS`) and the
 * parameter names and shapes those options imply are checked against the manifest's entries
 * and the weights' length before any tensor or model is built, so a malformed manifest fails in
 * milliseconds with a `LabFormatError`; arguments of the wrong type are a `LabInputError`.
 *
 * @param manifest - the saved manifest, as JSON text or parsed.
 * @param weights - the weights bytes: any `Uint8Array` view (a Node `Buffer`, a `subarray`).
 * @param options - `source`: label for error messages (default `'<manifest>'`).
 * @returns the trained forecaster (call `dispose()` when done).
 * @see Cheng, Guo et al., arXiv 2212.10306.
 */
export function decodeForecaster(
  manifest: ParametersManifest | string,
  weights: Uint8Array,
  options?: DecodeForecasterOptions,
): NeuralForecaster {
  const fn = 'decodeForecaster';
  const source = readOptions(fn, options, ['source']).string('source', '<manifest>');
  const bytes = checkBytes(fn, 'weights', weights);
  let parsed: unknown = manifest;
  if (typeof manifest === 'string') parsed = parseManifestText(fn, manifest, source);
  else if (manifest === null || typeof manifest !== 'object') {
    throw new LabInputError(fn, 'manifest', 'must be a parameters manifest (object or JSON text)', manifest);
  }
  const checked = checkForecasterManifest(fn, parsed, source);
  const { tensors } = decodeParameters(parsed as ParametersManifest, bytes, {
    expected: checked.expected,
    source,
  });
  return build(checked, tensors);
}

/**
 * Loads a forecaster saved with `NeuralForecaster.save` (Node only): reads the manifest, checks
 * its forecaster metadata and the parameter shapes it implies as {@link decodeForecaster} does,
 * then loads the weights with `loadParameters` of `@lab/core` (which checks the weights file's
 * size before reading it) and rebuilds the model. Nothing is allocated from a claimed size
 * before it is checked: a malformed file fails fast with a `LabFormatError`; a missing file is a
 * `LabInputError` with the system error as `cause`.
 *
 * @param path - the manifest path given to `save`.
 * @returns the trained forecaster (call `dispose()` when done).
 * @see Cheng, Guo et al., arXiv 2212.10306.
 */
export async function loadForecaster(path: string): Promise<NeuralForecaster> {
  const fn = 'loadForecaster';
  if (typeof path !== 'string' || path === '')
    throw new LabInputError(fn, 'path', 'must be a non-empty path string', path);
  const text = await loadTextFile(fn, 'path', path, {
    maxBytes: PARAMETERS_MAX_MANIFEST_BYTES,
    what: 'manifest file',
  });
  const checked = checkForecasterManifest(fn, parseManifestText(fn, text, path), path);
  const { tensors } = await loadParameters(path, { expected: checked.expected });
  return build(checked, tensors);
}
