// Writes src/kernels/bsrMatVecKernels.ts: the unrolled block-sparse matrix-vector kernels that
// bsrMatVec dispatches to, one copy per block shape (8x8, 4x4, 1x16, 16x1, generic) and element
// type (F32: float32 values with float64 sums, I8: int8 values with int32 sums).
//
//   pnpm generate          (re)write the file
//   pnpm check:generated   exit 1 if the committed file differs from what this script writes
//
// The output is already in Biome's format (2-space indent, 110 columns), so `biome format`
// leaves it unchanged; test/generatedKernels.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The generated file, relative to this script. */
export const BSR_KERNELS_PATH = fileURLToPath(new URL('../src/kernels/bsrMatVecKernels.ts', import.meta.url));

/** Biome's line width (biome.json): a statement longer than this is broken one term per line. */
const LINE_WIDTH = 110;

/** One element type of the kernels. */
interface ElementType {
  /** Suffix of the kernel names. */
  readonly suffix: 'F32' | 'I8';
  readonly values: 'Float32Array' | 'Int8Array';
  readonly out: 'Float32Array' | 'Int32Array';
  /** Accumulator array of the generic kernel (float64 sums for float32, exact int32 for int8). */
  readonly acc: 'Float64Array' | 'Int32Array';
}

const F32: ElementType = { suffix: 'F32', values: 'Float32Array', out: 'Float32Array', acc: 'Float64Array' };
const I8: ElementType = { suffix: 'I8', values: 'Int8Array', out: 'Int32Array', acc: 'Int32Array' };

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const pad = (indent: number): string => ' '.repeat(indent);
/** `base + i` as the hand-written kernels spell it (`base` alone for 0 unless `keepZero`). */
const plus = (base: string, i: number, keepZero = false): string =>
  i === 0 && !keepZero ? base : `${base} + ${i}`;

/** `lhs += t0 + t1 + ...;` on one line if it fits, else Biome's one-term-per-line layout. */
function sumStatement(indent: number, lhs: string, terms: string[]): string {
  const line = `${pad(indent)}${lhs} += ${terms.join(' + ')};`;
  if (line.length <= LINE_WIDTH) return line;
  const body = terms.map((t, i) => `${pad(indent + 2)}${t}${i === terms.length - 1 ? ';' : ' +'}`);
  return [`${pad(indent)}${lhs} +=`, ...body].join('\n');
}

/** A kernel's signature (multi-line, as Biome lays out more than a line's worth of parameters). */
function signature(name: string, params: [string, string][]): string {
  return [`export function ${name}(`, ...params.map(([p, t]) => `  ${p}: ${t},`), '): void {'].join('\n');
}

const declareSums = (indent: number, n: number): string[] =>
  range(n).map((r) => `${pad(indent)}let y${r} = 0;`);

/** n x n blocks (n = 4, 8): x loaded once per block, n row sums in registers. */
function squareKernel(n: number, t: ElementType): string {
  const lines = [
    `/** ${n}x${n} blocks, full block rows only; the last block column may be an edge block. */`,
    signature(`bsrMatVec${n}x${n}${t.suffix}`, [
      ['nbrFull', 'number'],
      ['k', 'number'],
      ['ptr', 'Int32Array'],
      ['ci', 'Int32Array'],
      ['v', t.values],
      ['x', t.values],
      ['y', t.out],
    ]),
    '  for (let bi = 0; bi < nbrFull; bi++) {',
    ...declareSums(4, n),
    '    const e = ptr[bi + 1];',
    '    for (let p = ptr[bi]; p < e; p++) {',
    `      const cs = ci[p] * ${n};`,
    `      let o = p * ${n * n};`,
    `      if (cs + ${n} > k) {`,
    '        const cn = k - cs;',
    ...range(n).map((r) => `        for (let c = 0; c < cn; c++) y${r} += v[o + ${r * n} + c] * x[cs + c];`),
    '        continue;',
    '      }',
    ...range(n).map((c) => `      const x${c} = x[${plus('cs', c)}];`),
  ];
  for (const r of range(n)) {
    if (r > 0) lines.push(`      o += ${n};`);
    lines.push(
      sumStatement(
        6,
        `y${r}`,
        range(n).map((c) => `v[${plus('o', c)}] * x${c}`),
      ),
    );
  }
  lines.push(
    '    }',
    `    const r0 = bi * ${n};`,
    ...range(n).map((r) => `    y[${plus('r0', r)}] = y${r};`),
    '  }',
    '}',
  );
  return lines.join('\n');
}

/** Any block shape: the clipped loop for other shapes and the edge block rows. */
function genericKernel(t: ElementType): string {
  return [
    '/** Any block shape, block rows [bi0, nbr); clips edge blocks. */',
    signature(`bsrMatVecGeneric${t.suffix}`, [
      ['bi0', 'number'],
      ['m', 'number'],
      ['k', 'number'],
      ['br', 'number'],
      ['bc', 'number'],
      ['ptr', 'Int32Array'],
      ['ci', 'Int32Array'],
      ['v', t.values],
      ['x', t.values],
      ['y', t.out],
    ]),
    '  const nbr = Math.ceil(m / br);',
    '  const size = br * bc;',
    `  const acc = new ${t.acc}(br);`,
    '  for (let bi = bi0; bi < nbr; bi++) {',
    '    const r0 = bi * br;',
    '    const rn = Math.min(br, m - r0);',
    '    acc.fill(0);',
    '    const e = ptr[bi + 1];',
    '    for (let p = ptr[bi]; p < e; p++) {',
    '      const cs = ci[p] * bc;',
    '      const cn = Math.min(bc, k - cs);',
    '      const o = p * size;',
    '      if (bc === 1) {',
    '        const xv = x[cs];',
    '        for (let r = 0; r < rn; r++) acc[r] += v[o + r] * xv;',
    '        continue;',
    '      }',
    '      for (let r = 0; r < rn; r++) {',
    '        const ro = o + r * bc;',
    '        let s = 0;',
    '        for (let c = 0; c < cn; c++) s += v[ro + c] * x[cs + c];',
    '        acc[r] += s;',
    '      }',
    '    }',
    '    for (let r = 0; r < rn; r++) y[r0 + r] = acc[r];',
    '  }',
    '}',
  ].join('\n');
}

/** 1 x n blocks (n = 16): one row per block row, one running sum. */
function rowKernel(n: number, t: ElementType): string {
  return [
    `/** 1x${n} blocks (one row per block row); the last block column may be an edge block. */`,
    signature(`bsrMatVec1x${n}${t.suffix}`, [
      ['m', 'number'],
      ['k', 'number'],
      ['ptr', 'Int32Array'],
      ['ci', 'Int32Array'],
      ['v', t.values],
      ['x', t.values],
      ['y', t.out],
    ]),
    '  for (let i = 0; i < m; i++) {',
    '    let s = 0;',
    '    const e = ptr[i + 1];',
    '    for (let p = ptr[i]; p < e; p++) {',
    `      const cs = ci[p] * ${n};`,
    `      const o = p * ${n};`,
    `      if (cs + ${n} > k) {`,
    '        for (let c = 0; c < k - cs; c++) s += v[o + c] * x[cs + c];',
    '        continue;',
    '      }',
    sumStatement(
      6,
      's',
      range(n).map((c) => `v[${plus('o', c)}] * x[${plus('cs', c)}]`),
    ),
    '    }',
    '    y[i] = s;',
    '  }',
    '}',
  ].join('\n');
}

/** n x 1 blocks (n = 16): one x value per block, n row sums in registers. */
function columnKernel(n: number, t: ElementType): string {
  return [
    `/** ${n}x1 blocks, full block rows only (one x value per block). */`,
    signature(`bsrMatVec${n}x1${t.suffix}`, [
      ['nbrFull', 'number'],
      ['ptr', 'Int32Array'],
      ['ci', 'Int32Array'],
      ['v', t.values],
      ['x', t.values],
      ['y', t.out],
    ]),
    '  for (let bi = 0; bi < nbrFull; bi++) {',
    ...declareSums(4, n),
    '    const e = ptr[bi + 1];',
    '    for (let p = ptr[bi]; p < e; p++) {',
    '      const xv = x[ci[p]];',
    `      const o = p * ${n};`,
    ...range(n).map((r) => `      y${r} += v[${plus('o', r)}] * xv;`),
    '    }',
    `    const r0 = bi * ${n};`,
    ...range(n).map((r) => `    y[${plus('r0', r, true)}] = y${r};`),
    '  }',
    '}',
  ].join('\n');
}

/** The full text of src/kernels/bsrMatVecKernels.ts. */
export function generateBsrKernels(): string {
  const header = [
    '// generated by scripts/generate-bsr-kernels.ts; do not edit (change the script and run',
    '// `pnpm --filter @lab/sparse-quant generate`; test/generatedKernels.test.ts fails when stale).',
    '//',
    '// The kernels of bsrMatVec: one unrolled copy per block shape (8x8, 4x4, 1x16, 16x1, generic)',
    '// and element type (F32, I8). The near-identical copies are deliberate specialisations for',
    '// speed: fixed block shapes let the loops unroll fully, and one element type per loop keeps',
    "// V8's typed-array accesses monomorphic. Unifying them would slow the hot loop.",
  ].join('\n');
  const kernels = [
    squareKernel(8, F32),
    squareKernel(4, F32),
    squareKernel(8, I8),
    squareKernel(4, I8),
    genericKernel(F32),
    genericKernel(I8),
    rowKernel(16, F32),
    rowKernel(16, I8),
    columnKernel(16, F32),
    columnKernel(16, I8),
  ];
  return `${[header, ...kernels].join('\n\n')}\n`;
}

function main(args: string[]): void {
  const text = generateBsrKernels();
  if (args.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(BSR_KERNELS_PATH, 'utf8');
    } catch {
      // A missing file is stale too.
    }
    if (current !== text) {
      console.error(
        `${BSR_KERNELS_PATH} is stale: it differs from what scripts/generate-bsr-kernels.ts writes.\n` +
          'Run `pnpm --filter @lab/sparse-quant generate` and commit the result (do not edit the file by hand).',
      );
      process.exit(1);
    }
    console.log(`${BSR_KERNELS_PATH} is current.`);
    return;
  }
  writeFileSync(BSR_KERNELS_PATH, text);
  console.log(`wrote ${BSR_KERNELS_PATH}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
