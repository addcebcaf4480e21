import { existsSync, mkdtempSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LabInputError } from '../src/errors.js';
import { findDataDir, resolveDataDir } from '../src/io/resolveDataDir.js';

const saved = process.env.LAB_DATA_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.LAB_DATA_DIR;
  else process.env.LAB_DATA_DIR = saved;
});

describe('resolveDataDir', () => {
  it('uses LAB_DATA_DIR when set', () => {
    process.env.LAB_DATA_DIR = '/some/where';
    expect(resolveDataDir()).toBe('/some/where');
    expect(resolveDataDir('graphs', 'cora')).toBe('/some/where/graphs/cora');
  });

  it('falls back to <repo root>/../shared/data found from the working directory', () => {
    delete process.env.LAB_DATA_DIR;
    const dir = resolveDataDir('graphs', 'cora');
    expect(existsSync(join(dir, 'nodes.csv'))).toBe(true);
    // The repo root is the directory with pnpm-workspace.yaml above this test file.
    const root = resolve(import.meta.dirname, '..', '..', '..');
    expect(existsSync(join(root, 'pnpm-workspace.yaml'))).toBe(true);
    expect(dir).toBe(resolve(root, '..', 'shared', 'data', 'graphs', 'cora'));
  });

  it("walks up from the module's location when the working directory is outside the repo", () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'lab-cwd-')));
    const found = findDataDir({ env: undefined, cwd: outside, moduleDir: import.meta.dirname });
    expect(found).toBe(resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data'));
  });

  it('throws an error explaining LAB_DATA_DIR when nothing is found', () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'lab-cwd-')));
    expect(() => findDataDir({ env: '', cwd: outside, moduleDir: null })).toThrow(/export LAB_DATA_DIR=/);
    expect(() => findDataDir({ env: '', cwd: outside, moduleDir: null })).toThrow(LabInputError);
    expect(() => findDataDir({ env: '', cwd: outside, moduleDir: null })).toThrow(
      /resolveDataDir: argument 'LAB_DATA_DIR' must be set/,
    );
    // A repo root without a sibling shared/data is reported too.
    mkdirSync(join(outside, 'repo'));
    writeFileSync(join(outside, 'repo', 'pnpm-workspace.yaml'), 'packages: []\n');
    expect(() => findDataDir({ env: undefined, cwd: join(outside, 'repo'), moduleDir: null })).toThrow(
      /shared\/data .*does not exist.*LAB_DATA_DIR/,
    );
  });

  it('checks the context like an options object', () => {
    for (const c of [null, 3, [], { cwdd: '/' }, { env: 3 }, { cwd: '' }, { moduleDir: 5 }]) {
      expect(() => findDataDir(c as never)).toThrow(LabInputError);
    }
  });

  it('rejects empty segments', () => {
    expect(() => resolveDataDir('graphs', '')).toThrow(LabInputError);
    expect(() => resolveDataDir(3 as never)).toThrow(/sub\[0\]/);
  });
});
