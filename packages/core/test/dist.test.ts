import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built bundles are what users load. tfjs-core's Node bundle registers neither gradients nor
// chained ops, so @lab/core bundles those registrations; this checks, in a plain Node process (no
// Vite), that the ESM and the CJS build both register into the single tfjs-core engine.
const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function runNode(code: string, type: 'module' | 'commonjs'): unknown {
  const args =
    type === 'module' ? ['--input-type=module', '-e', code] : ['--input-type=commonjs', '-e', code];
  const out = execFileSync(process.execPath, args, { cwd: pkgDir, encoding: 'utf8' });
  const last = out.trim().split('\n').pop() ?? '';
  return JSON.parse(last);
}

const probe = (importLine: string) => `
${importLine}
const r = await core.initBackend();
const x = tf.tensor1d([1, 2, 3]);
const g = tf.grad((a) => a.square().sum())(x);
const conv = tf.grad((w) => tf.conv2d(tf.ones([1, 4, 4, 1]), w, 1, 'valid').sum())(tf.ones([2, 2, 1, 1]));
console.log(JSON.stringify({
  backend: r.backend,
  simd: r.simd,
  grad: Array.from(g.dataSync()),
  convGrad: Array.from(conv.dataSync()),
  oneEngine: globalThis._tfengine === tf.engine(),
  hasMatMulGrad: tf.getGradient('BatchMatMul') !== undefined,
  chained: typeof x.square === 'function',
}));
`;

describe.runIf(existsSync(join(pkgDir, 'dist', 'index.js')))('built bundles (run `pnpm build` first)', () => {
  const expected = {
    backend: 'wasm',
    simd: true,
    grad: [2, 4, 6],
    convGrad: [9, 9, 9, 9],
    oneEngine: true,
    hasMatMulGrad: true,
    chained: true,
  };
  it('ESM build registers gradients and chained ops into the one tfjs-core engine', () => {
    const code = probe(
      `import * as core from './dist/index.js'; import * as tf from '@tensorflow/tfjs-core';`,
    );
    expect(runNode(code, 'module')).toEqual(expected);
  });
  it('loads in browsers: no import or require of Node built-ins anywhere in the bundles', () => {
    // File loaders reach node:fs through process.getBuiltinModule at call time instead, so
    // browser bundlers never have to resolve a Node module.
    const bundles = readdirSync(join(pkgDir, 'dist')).filter((f) => /\.(c?js)$/.test(f));
    expect(bundles).toEqual(expect.arrayContaining(['index.js', 'index.cjs', 'register.js', 'register.cjs']));
    for (const file of bundles) {
      const code = readFileSync(join(pkgDir, 'dist', file), 'utf8');
      expect(code, file).not.toMatch(
        /(import\(|require\(|from )["'](node:)?(fs|fs\/promises|path|url|os|child_process)["']/,
      );
    }
  });
  it('CJS build does the same', () => {
    const code = `(async () => { ${probe(`const core = require('./dist/index.cjs'); const tf = require('@tensorflow/tfjs-core');`)} })();`;
    expect(runNode(code, 'commonjs')).toEqual(expected);
  });
});

// What registration looks like from a plain Node process: backend factories, a kernel fill,
// a bundled tfjs-core gradient and a chained op.
const registrationProbe = `({
  wasmBackend: tf.findBackendFactory('wasm') != null,
  cpuBackend: tf.findBackendFactory('cpu') != null,
  einsumKernel: tf.getKernel('Einsum', 'wasm') != null,
  matMulGrad: tf.getGradient('BatchMatMul') != null,
  chained: typeof tf.Tensor.prototype.square === 'function',
})`;
const none = {
  wasmBackend: false,
  cpuBackend: false,
  einsumKernel: false,
  matMulGrad: false,
  chained: false,
};
const all = { wasmBackend: true, cpuBackend: true, einsumKernel: true, matMulGrad: true, chained: true };

describe.runIf(existsSync(join(pkgDir, 'dist', 'register.js')))(
  'side effects live in @lab/core/register only',
  () => {
    const sideEffectFree = (load: string) => `
${load}
const before = ${registrationProbe};
await core.initBackend();
console.log(JSON.stringify({ before, after: ${registrationProbe} }));
`;
    it('importing the ESM main entry registers nothing until initBackend()', () => {
      const code = sideEffectFree(
        `import * as core from './dist/index.js'; import * as tf from '@tensorflow/tfjs-core';`,
      );
      expect(runNode(code, 'module')).toEqual({ before: none, after: all });
    });
    it('requiring the CJS main entry registers nothing until initBackend()', () => {
      const code = `(async () => { ${sideEffectFree(
        `const core = require('./dist/index.cjs'); const tf = require('@tensorflow/tfjs-core');`,
      )} })();`;
      expect(runNode(code, 'commonjs')).toEqual({ before: none, after: all });
    });
    it('the register entry registers everything on import (ESM and CJS, through the exports map)', () => {
      const esm = `import * as tf from '@tensorflow/tfjs-core'; import '@lab/core/register';
console.log(JSON.stringify(${registrationProbe}));`;
      expect(runNode(esm, 'module')).toEqual(all);
      const cjs = `const tf = require('@tensorflow/tfjs-core'); require('@lab/core/register');
console.log(JSON.stringify(${registrationProbe}));`;
      expect(runNode(cjs, 'commonjs')).toEqual(all);
    });
    it('package.json lists exactly the register and optional-backend bundles as side-effectful', () => {
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
      expect(pkg.sideEffects).toEqual([
        './dist/register.js',
        './dist/register.cjs',
        './dist/webgl.js',
        './dist/webgl.cjs',
        './dist/webgpu.js',
        './dist/webgpu.cjs',
      ]);
    });
  },
);

describe('dist presence', () => {
  it('pnpm test builds the packages before running tests', () => {
    expect(existsSync(join(pkgDir, 'dist', 'index.js')), 'packages/core/dist missing: run `pnpm build`').toBe(
      true,
    );
  });
});
