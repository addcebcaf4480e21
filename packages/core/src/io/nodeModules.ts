import { LabInputError } from '../errors.js';

/**
 * Lazy access to Node built-ins so that `@lab/core`'s main bundle never imports `node:*`
 * modules at top level and still loads in browsers. Internal: not re-exported from the index.
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

/** Reads a whole text file (UTF-8); a failed read is a {@link LabInputError} with the system error as `cause`. */
export async function readTextFile(fn: string, arg: string, filePath: string): Promise<string> {
  const { fs } = await loadNodeFs(fn);
  try {
    return await fs.readFile(filePath, 'utf8');
  } catch (err) {
    throw readError(fn, arg, filePath, err);
  }
}

/** Reads a whole binary file; a failed read is a {@link LabInputError} with the system error as `cause`. */
export async function readBinaryFile(fn: string, arg: string, filePath: string): Promise<Uint8Array> {
  const { fs } = await loadNodeFs(fn);
  try {
    const buf = await fs.readFile(filePath);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    throw readError(fn, arg, filePath, err);
  }
}
