import type * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { loadNodeFs } from '../io/nodeModules.js';
import { type EncodeParametersOptions, encodeAs } from './encodeParameters.js';

/** What {@link saveParameters} wrote. */
export interface SaveParametersResult {
  /** Absolute path of the JSON manifest. */
  manifestPath: string;
  /** Absolute path of the binary weights file. */
  weightsPath: string;
  /** Size of the weights file in bytes. */
  byteLength: number;
}

/** Weights file name for a manifest path: `model.json` -> `model.weights.bin`. Internal. */
export function weightsFileName(manifestBase: string): string {
  return `${manifestBase.replace(/\.json$/i, '')}.weights.bin`;
}

/**
 * Saves named tensors to disk (Node only): a JSON manifest at `path` (format name and version,
 * entries `{ name, shape, dtype, byteOffset, byteLength }`, `weightsPath`, user metadata) and a
 * binary weights file next to it (`model.json` -> `model.weights.bin`), written weights first so
 * a manifest never points at missing weights. Parent directories are created. The tensors are
 * only read. See {@link encodeParameters} for the layout and `storage` option.
 *
 * @param path - manifest path, e.g. `out/gcn.json`.
 * @param record - name -> tensor.
 * @param metadata - JSON-serializable object stored in the manifest.
 * @param options - narrow integer storage.
 * @returns the absolute paths written and the weights size.
 * @example
 * ```ts
 * const store = new ParameterStore({ seed: 1 });
 * new Dense(store, 'fc', { inputDim: 4, units: 2 });
 * await saveParameters('out/model.json', store.toRecord(), { epoch: 10, valAcc: 0.79 });
 * const { tensors, metadata } = await loadParameters('out/model.json');
 * ```
 */
export async function saveParameters(
  path: string,
  record: Record<string, tf.Tensor>,
  metadata?: Record<string, unknown>,
  options?: EncodeParametersOptions,
): Promise<SaveParametersResult> {
  const fn = 'saveParameters';
  if (typeof path !== 'string' || path === '')
    throw new LabInputError(fn, 'path', 'must be a non-empty path string', path);
  const { manifest, weights } = await encodeAs(fn, record, metadata, options);
  const { fs, path: p } = await loadNodeFs(fn);
  const manifestPath = p.resolve(path);
  const weightsName = weightsFileName(p.basename(manifestPath));
  const weightsPath = p.join(p.dirname(manifestPath), weightsName);
  await fs.mkdir(p.dirname(manifestPath), { recursive: true });
  await fs.writeFile(weightsPath, weights);
  await fs.writeFile(manifestPath, `${JSON.stringify({ ...manifest, weightsPath: weightsName }, null, 2)}\n`);
  return { manifestPath, weightsPath, byteLength: weights.length };
}
