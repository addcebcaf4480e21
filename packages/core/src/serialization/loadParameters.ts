import { LabInputError } from '../errors.js';
import { LabFormatError } from '../io/LabFormatError.js';
import { loadNodeFs } from '../io/nodeModules.js';
import {
  type DecodeParametersOptions,
  type DecodedParameters,
  decodeAs,
  validateManifest,
} from './decodeParameters.js';
import { weightsFileName } from './saveParameters.js';

/**
 * Loads tensors saved by {@link saveParameters} (Node only): reads the JSON manifest at `path`
 * and the weights file it names (`weightsPath`, a plain file name next to the manifest), then
 * validates and decodes them as {@link decodeParameters} does. Errors name the files. Use
 * `options.expected` to check names and shapes before loading into a model.
 *
 * @param path - the manifest path given to `saveParameters`.
 * @param options - `expected` spec, `allowExtra`.
 * @returns `{ tensors, metadata }`; the caller owns (and disposes) the tensors.
 */
export async function loadParameters(
  path: string,
  options: DecodeParametersOptions = {},
): Promise<DecodedParameters> {
  const fn = 'loadParameters';
  if (typeof path !== 'string' || path === '')
    throw new LabInputError(fn, 'path', 'must be a non-empty path string', path);
  if (options === null || typeof options !== 'object')
    throw new LabInputError(fn, 'options', 'must be an object', options);
  const { fs, path: p } = await loadNodeFs(fn);
  const manifestPath = p.resolve(path);
  let text: string;
  try {
    text = await fs.readFile(manifestPath, 'utf8');
  } catch (err) {
    throw new Error(`${fn}: cannot read manifest '${manifestPath}': ${(err as Error).message}`);
  }
  const manifest = validateManifest(fn, text, null, manifestPath);
  const weightsName = manifest.weightsPath ?? weightsFileName(p.basename(manifestPath));
  if (weightsName === '' || /[\\/]/.test(weightsName) || weightsName === '..' || weightsName === '.') {
    throw new LabFormatError(
      fn,
      'manifest',
      { source: manifestPath },
      'must name a weights file in the same folder',
      weightsName,
    );
  }
  const weightsPath = p.join(p.dirname(manifestPath), weightsName);
  let weights: Uint8Array;
  try {
    const buf = await fs.readFile(weightsPath);
    weights = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    throw new Error(
      `${fn}: cannot read weights '${weightsPath}' named by '${manifestPath}': ${(err as Error).message}`,
    );
  }
  return decodeAs(fn, manifest, weights, {
    ...options,
    source: options.source ?? `${manifestPath} + ${weightsName}`,
  });
}
