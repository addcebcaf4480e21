import { LabInputError } from '../errors.js';
import { LabFormatError } from './LabFormatError.js';

/**
 * Lazy access to Node built-ins so that `@lab/core`'s main bundle never imports `node:*`
 * modules at top level and still loads in browsers. `loadTextFile`/`loadBinaryFile` are public
 * (for other packages' loaders); the rest is internal.
 */

type FsPromises = typeof import('node:fs/promises');
type NodeFs = typeof import('node:fs');
type NodePath = typeof import('node:path');

const isNode = typeof process !== 'undefined' && process.versions?.node != null;

/** Throws a clear error when a Node-only loader is called outside Node. */
function assertNode(fn: string): void {
  if (!isNode) {
    throw new Error(
      `${fn}: file-system access is only available in Node; in browsers fetch the bytes/text yourself and use the parse* function`,
    );
  }
}

/**
 * `node:fs/promises` and `node:path`, looked up on first use through `process.getBuiltinModule`
 * (Node >= 20.16). No `import('node:...')` appears in the bundle, so browser bundlers never try
 * to resolve Node built-ins.
 */
export async function loadNodeFs(fn: string): Promise<{ fs: FsPromises; path: NodePath }> {
  assertNode(fn);
  const sync = getNodeFsSync();
  if (sync === null) {
    throw new Error(
      `${fn}: file-system access needs Node >= 20.16 (process.getBuiltinModule); got ${process.version}`,
    );
  }
  return { fs: sync.fs.promises, path: sync.path };
}

/**
 * Synchronous access to `node:fs` and `node:path` through `process.getBuiltinModule`
 * (Node >= 20.16), or `null` when unavailable (browsers, older Node).
 */
export function getNodeFsSync(): { fs: NodeFs; path: NodePath } | null {
  if (!isNode) return null;
  const get = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof get !== 'function') return null;
  return { fs: get('node:fs') as NodeFs, path: get('node:path') as NodePath };
}

/**
 * The {@link LabInputError} for a failed read: names the function, argument and path, keeps the
 * system error (ENOENT, EISDIR, EACCES, ...) as `cause`.
 */
export function readError(
  fn: string,
  arg: string,
  filePath: string,
  err: unknown,
  what = 'file',
): LabInputError {
  const code = (err as { code?: unknown })?.code;
  const reason = typeof code === 'string' ? code : String((err as Error)?.message ?? err);
  return new LabInputError(
    fn,
    arg,
    `must name a readable ${what}; cannot read '${filePath}' (${reason})`,
    undefined,
    {
      cause: err,
    },
  );
}

/** Options of {@link loadTextFile} and {@link loadBinaryFile}. */
export interface LoadFileOptions {
  /** Largest file accepted, checked with `stat` before anything is read (default: no limit). */
  maxBytes?: number;
  /** What the file is, for messages (default `'file'`), e.g. `'manifest file'`. */
  what?: string;
}

async function readWhole<T>(
  fn: string,
  arg: string,
  filePath: string,
  options: LoadFileOptions,
  read: (fs: Awaited<ReturnType<typeof loadNodeFs>>['fs']) => Promise<T>,
): Promise<T> {
  const { fs } = await loadNodeFs(fn);
  const what = options.what ?? 'file';
  try {
    if (options.maxBytes !== undefined) {
      const stat = await fs.stat(filePath);
      if (stat.isFile() && stat.size > options.maxBytes) {
        throw new LabFormatError(
          fn,
          arg,
          { source: filePath },
          `must be a ${what} of at most ${options.maxBytes} bytes`,
          stat.size,
        );
      }
    }
    return await read(fs);
  } catch (err) {
    if (err instanceof LabFormatError) throw err;
    throw readError(fn, arg, filePath, err, what);
  }
}

/**
 * Reads a whole UTF-8 text file for a public loader `fn` (its argument `arg`): a failed read is a
 * {@link LabInputError} naming them with the system error as `cause`; with `maxBytes`, a larger
 * file is a {@link LabFormatError} before any byte is read (the input-boundary rule: sizes are
 * checked before anything is allocated).
 *
 * @example
 * ```ts
 * const path = resolveDataDir('graphs', 'cora', 'meta.json');
 * const meta = JSON.parse(await loadTextFile('myLoader', 'path', path, { maxBytes: 1 << 20, what: 'meta.json' }));
 * if (typeof meta !== 'object') throw new Error('meta');
 * ```
 */
export async function loadTextFile(
  fn: string,
  arg: string,
  filePath: string,
  options: LoadFileOptions = {},
): Promise<string> {
  return readWhole(fn, arg, filePath, options, (fs) => fs.readFile(filePath, 'utf8'));
}

/** As {@link loadTextFile}, for bytes: a view of exactly the file's bytes. */
export async function loadBinaryFile(
  fn: string,
  arg: string,
  filePath: string,
  options: LoadFileOptions = {},
): Promise<Uint8Array> {
  return readWhole(fn, arg, filePath, options, async (fs) => {
    const buf = await fs.readFile(filePath);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  });
}
