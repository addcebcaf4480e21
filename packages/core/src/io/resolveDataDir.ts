import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import { getNodeFsSync } from './nodeModules.js';

/** Inputs of {@link findDataDir}; each defaults to the live process/module value. */
export interface FindDataDirContext {
  /** Value of `LAB_DATA_DIR` (`undefined` or `''` = unset). */
  env?: string | undefined;
  /** Directory to start the upward search from (default `process.cwd()`). */
  cwd?: string | undefined;
  /** Second starting directory (default: the directory of this module), or `null` to skip. */
  moduleDir?: string | null | undefined;
}

const ENV = 'LAB_DATA_DIR';
const HINT = `set ${ENV} to the data directory, e.g. \`export ${ENV}=/path/to/shared/data\` (or pass explicit paths to the loaders)`;

function moduleDirectory(): string | null {
  try {
    // In the CJS build `import.meta` is an empty object, so `url` is undefined.
    const url = (import.meta as { url?: string }).url;
    if (typeof url !== 'string' || !url.startsWith('file:')) return null;
    const nodeUrl = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.(
      'node:url',
    ) as typeof import('node:url') | undefined;
    if (!nodeUrl) return null;
    const file = nodeUrl.fileURLToPath(url);
    return file.replace(/[\\/][^\\/]*$/, '');
  } catch {
    return null;
  }
}

/**
 * The data-directory lookup behind {@link resolveDataDir}, with every input injectable (for tests
 * and tools). Returns the absolute data directory or throws a {@link LabInputError} (argument
 * `LAB_DATA_DIR`) explaining how to set it. `context` is checked like an options object.
 */
export function findDataDir(context?: FindDataDirContext): string {
  const o = readOptions('findDataDir', context, ['env', 'cwd', 'moduleDir'], 'context');
  const rawEnv = o.raw('env');
  if (rawEnv !== undefined && typeof rawEnv !== 'string')
    throw new LabInputError('findDataDir', 'context.env', 'must be a string or undefined', rawEnv);
  const rawCwd = o.raw('cwd');
  if (rawCwd !== undefined && (typeof rawCwd !== 'string' || rawCwd === ''))
    throw new LabInputError('findDataDir', 'context.cwd', 'must be a non-empty path string', rawCwd);
  const rawMod = o.raw('moduleDir');
  if (rawMod !== undefined && rawMod !== null && (typeof rawMod !== 'string' || rawMod === ''))
    throw new LabInputError(
      'findDataDir',
      'context.moduleDir',
      'must be a non-empty path string or null',
      rawMod,
    );
  const env =
    o.has('env') || (context !== undefined && Object.hasOwn(context, 'env'))
      ? (rawEnv as string | undefined)
      : typeof process !== 'undefined'
        ? process.env?.[ENV]
        : undefined;
  const node = getNodeFsSync();
  if (env !== undefined && env !== '') {
    return node ? node.path.resolve(env) : env;
  }
  if (!node) {
    throw new LabInputError(
      'resolveDataDir',
      ENV,
      `must be set outside Node (>= 20.16): the data directory cannot be searched for; ${HINT}`,
    );
  }
  const { fs, path } = node;
  const starts: Array<[string, string]> = [];
  const cwd = (rawCwd as string | undefined) ?? process.cwd();
  starts.push(['the working directory', cwd]);
  const modDir = rawMod === undefined ? moduleDirectory() : (rawMod as string | null);
  if (modDir) starts.push(["@lab/core's own location", modDir]);
  const tried: string[] = [];
  for (const [label, start] of starts) {
    let dir = path.resolve(start);
    for (;;) {
      if (fs.existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
        const candidate = path.resolve(dir, '..', 'shared', 'data');
        if (fs.existsSync(candidate)) return candidate;
        tried.push(`${candidate} (repo root ${dir}, found from ${label}) does not exist`);
        break;
      }
      const parent = path.dirname(dir);
      if (parent === dir) {
        tried.push(`no pnpm-workspace.yaml above ${label} ${start}`);
        break;
      }
      dir = parent;
    }
  }
  throw new LabInputError(
    'resolveDataDir',
    ENV,
    `must be set: it is not, and no data directory was found (${tried.join('; ')}); ${HINT}`,
  );
}

/**
 * Absolute path of the shared data directory, or of a file/folder inside it.
 *
 * Lookup order: the `LAB_DATA_DIR` environment variable if set; otherwise `<repo root>/../shared/data`,
 * where the repo root is the nearest directory holding `pnpm-workspace.yaml`, searched upward from
 * `process.cwd()` and then from this module's own location. Throws an error explaining how to set
 * `LAB_DATA_DIR` when nothing is found. Synchronous; Node only (uses `process.getBuiltinModule`, so
 * the browser bundle never imports `node:fs`). Nothing is downloaded. When nothing is found it throws a
 * {@link LabInputError} (argument `LAB_DATA_DIR`) saying how to set it.
 *
 * @param sub - path segments appended to the data directory (no validation that they exist).
 * @returns an absolute path.
 * @example
 * ```ts
 * const cora = resolveDataDir('graphs', 'cora');
 * const graph = await loadGraphFolder(cora);
 * ```
 */
export function resolveDataDir(...sub: string[]): string {
  sub.forEach((s, i) => {
    if (typeof s !== 'string' || s === '') {
      throw new LabInputError('resolveDataDir', `sub[${i}]`, 'must be a non-empty string', s);
    }
  });
  const base = findDataDir();
  const node = getNodeFsSync();
  return node ? node.path.join(base, ...sub) : [base, ...sub].join('/');
}
