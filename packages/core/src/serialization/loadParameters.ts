import { LabInputError } from '../errors.js';
import { LabFormatError } from '../io/LabFormatError.js';
import { loadNodeFs, loadTextFile, readError } from '../io/nodeModules.js';
import { readOptions } from '../validation/readOptions.js';
import {
  DECODE_OPTIONS,
  type DecodeParametersOptions,
  type DecodedParameters,
  decodeAs,
  validateManifest,
} from './decodeParameters.js';
import { PARAMETERS_MAX_MANIFEST_BYTES } from './parametersFormat.js';
import { weightsFileName } from './saveParameters.js';

/**
 * Loads tensors saved by {@link saveParameters} (Node only): reads the JSON manifest at `path`
 * and the weights file it names (`weightsPath`, a plain file name next to the manifest), then
 * validates and decodes them as {@link decodeParameters} does. Errors name the files. Use
 * `options.expected` to check names and shapes before loading into a model. Sizes are checked
 * before reading: a manifest over {@link PARAMETERS_MAX_MANIFEST_BYTES} or a weights file whose
 * size differs from the manifest's `byteLength` is a {@link LabFormatError}; a missing or
 * unreadable file is a {@link LabInputError} with the system error as `cause`.
 *
 * @param path - the manifest path given to `saveParameters`.
 * @param options - `expected` spec, `allowExtra`, `allowNonFinite`, `source`.
 * @returns `{ tensors, metadata }`; the caller owns (and disposes) the tensors.
 */
export async function loadParameters(
  path: string,
  options?: DecodeParametersOptions,
): Promise<DecodedParameters> {
  const fn = 'loadParameters';
  if (typeof path !== 'string' || path === '')
    throw new LabInputError(fn, 'path', 'must be a non-empty path string', path);
  const o = readOptions(fn, options, DECODE_OPTIONS);
  const { fs, path: p } = await loadNodeFs(fn);
  const manifestPath = p.resolve(path);
  const text = await loadTextFile(fn, 'path', manifestPath, {
    maxBytes: PARAMETERS_MAX_MANIFEST_BYTES,
    what: 'manifest file',
  });
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
  const source = o.string('source', `${manifestPath} + ${weightsName}`);
  let weights: Uint8Array;
  try {
    const stat = await fs.stat(weightsPath);
    // Compare sizes before reading: a manifest pointing at a huge file fails without loading it.
    if (stat.isFile() && stat.size !== manifest.byteLength) {
      const what = stat.size < manifest.byteLength ? 'is truncated' : 'has trailing bytes';
      throw new LabFormatError(
        fn,
        'weights',
        { source },
        `${what}: the manifest declares ${manifest.byteLength} bytes, the weights hold`,
        stat.size,
      );
    }
    const buf = await fs.readFile(weightsPath);
    weights = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    if (err instanceof LabInputError) throw err;
    throw readError(fn, 'path', weightsPath, err, `weights file (named by '${manifestPath}')`);
  }
  return decodeAs(fn, manifest, weights, { ...(options ?? {}), source });
}
