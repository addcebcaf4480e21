import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// What a user's own Node process sees, with the built package (a fresh process each: the wasm
// backend initialises once per process, and its emscripten glue touches process-wide handlers).
const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(code: string, type: 'module' | 'commonjs' = 'module') {
  const r = spawnSync(process.execPath, [`--input-type=${type}`, '-e', code], {
    cwd: pkgDir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.runIf(existsSync(join(pkgDir, 'dist', 'index.js')))(
  'initBackend in a user process (built package)',
  () => {
    it("a user's uncaught error after initBackend exits with code 1 and the user's message, not from the wasm glue", () => {
      const r = run(`import { initBackend } from './dist/index.js';
const b = await initBackend();
console.log(b.backend);
throw new Error('user error 42');`);
      expect(r.stdout.trim()).toBe('wasm');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('Error: user error 42');
      expect(r.stderr).not.toMatch(/tf-backend-wasm/);
    });

    it("a user's unhandled rejection after initBackend exits with code 1 (CJS build)", () => {
      const r = run(
        `const { initBackend } = require('./dist/index.cjs');
initBackend().then((b) => { console.log(b.backend); Promise.reject(new Error('user rejection 43')); });`,
        'commonjs',
      );
      expect(r.stdout.trim()).toBe('wasm');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('user rejection 43');
      expect(r.stderr).not.toMatch(/tf-backend-wasm/);
    });

    it('initBackend leaves the process error listeners exactly as they were', () => {
      const r = run(`import { initBackend } from './dist/index.js';
const count = () => process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection');
const mine = () => {};
process.on('uncaughtException', mine);
const before = count();
await initBackend();
await initBackend({ backend: 'cpu' });
await initBackend({ backend: 'wasm' });
console.log(JSON.stringify({ before, after: count(), mineKept: process.listeners('uncaughtException').includes(mine) }));`);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim())).toEqual({ before: 1, after: 1, mineKept: true });
    });

    it('when the wasm binaries cannot be loaded (a 404 in a browser), auto falls back to cpu loudly: console.warn and a reason', () => {
      const r = run(`import { initBackend } from './dist/index.js';
const warnings = [];
const warn = console.warn;
console.warn = (...args) => { warnings.push(args.join(' ')); };
const b = await initBackend({ wasmPaths: '/nonexistent-wasm-dir/' });
console.warn = warn;
console.log(JSON.stringify({ backend: b.backend, reason: b.reason, failed: b.failed.map((f) => f.backend), warnings: warnings.filter((w) => w.startsWith('@lab/core')) }));`);
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
      expect(out.backend).toBe('cpu');
      expect(out.failed).toEqual(['wasm']);
      expect(out.reason).toMatch(
        /^auto: fell back after wasm failed \(.*wasm binaries could not be loaded.*wasmPaths/,
      );
      expect(out.warnings).toHaveLength(1);
      expect(out.warnings[0]).toMatch(
        /^@lab\/core initBackend: using 'cpu' \(auto: fell back after wasm failed/,
      );
    });

    it('warn: false keeps the fallback quiet but still reports the reason', () => {
      const r = run(`import { initBackend } from './dist/index.js';
let warned = false;
console.warn = (...args) => { if (String(args[0]).startsWith('@lab/core')) warned = true; };
const b = await initBackend({ wasmPaths: { 'tfjs-backend-wasm-simd.wasm': '/nonexistent/simd.wasm', 'tfjs-backend-wasm.wasm': '/nonexistent/plain.wasm', 'tfjs-backend-wasm-threaded-simd.wasm': '/nonexistent/threaded.wasm' }, warn: false });
console.log(JSON.stringify({ backend: b.backend, fellBack: b.reason.includes('fell back'), warned }));`);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '')).toEqual({
        backend: 'cpu',
        fellBack: true,
        warned: false,
      });
    });

    it('the main entry never references the optional backends; only @lab/core/webgl and /webgpu import them', () => {
      const files = readdirSync(join(pkgDir, 'dist')).filter((f) => /\.c?js$/.test(f));
      for (const file of files) {
        const code = readFileSync(join(pkgDir, 'dist', file), 'utf8');
        const refs = [...code.matchAll(/@tensorflow\/tfjs-backend-(webgl|webgpu)/g)].map((m) => m[1]);
        const entry = file.replace(/\.c?js$/, '');
        expect(refs, file).toEqual(entry === 'webgl' || entry === 'webgpu' ? [entry] : []);
      }
      // Loading the webgl entry in Node works (tfjs registers the backend only in browsers).
      const r =
        run(`import '@lab/core/webgl'; import '@lab/core/webgpu'; import { initBackend } from '@lab/core';
const b = await initBackend(); console.log(b.backend);`);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('wasm');
    });
  },
);
