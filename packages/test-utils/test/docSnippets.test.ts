import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractDocSnippets, extractReadmeUsage, extractTsdocExamples } from '../src/docSnippets.js';
import { snippetModule, typecheckSnippetModules } from '../src/runDocSnippets.js';

const FENCE = '```';

describe('extractReadmeUsage', () => {
  const md = [
    '# pkg', //  1
    '', //  2
    '## Install', //  3
    `${FENCE}ts`, //  4
    'not usage', //  5
    FENCE, //  6
    '## Usage', //  7
    '', //  8
    `${FENCE}ts`, //  9
    'const a = 1;', // 10
    '## not a heading inside a fence', // 11
    FENCE, // 12
    `${FENCE}sh`, // 13
    'pnpm add x', // 14
    FENCE, // 15
    '### Subsection', // 16
    `${FENCE}js`, // 17
    'console.log(2);', // 18
    FENCE, // 19
    '## API', // 20
    `${FENCE}ts`, // 21
    'after usage', // 22
    FENCE, // 23
  ].join('\n');

  it('returns the ts/js blocks of the Usage section only, with the line of their first code line', () => {
    const s = extractReadmeUsage(md);
    expect(s.map((x) => [x.name, x.lang, x.code])).toEqual([
      ['README.md:10', 'ts', 'const a = 1;\n## not a heading inside a fence'],
      ['README.md:18', 'js', 'console.log(2);'],
    ]);
    expect(s.every((x) => x.kind === 'readme')).toBe(true);
  });

  it('returns nothing without a Usage section, and handles CRLF', () => {
    expect(extractReadmeUsage('# pkg\n\n## API\n```ts\nx\n```\n')).toEqual([]);
    expect(extractReadmeUsage(md.replaceAll('\n', '\r\n')).map((x) => x.name)).toEqual([
      'README.md:10',
      'README.md:18',
    ]);
  });
});

describe('extractTsdocExamples', () => {
  const src = [
    'import x from "y";', //  1
    '/**', //  2
    ' * Adds two numbers.', //  3
    ' * @param a - first', //  4
    ' * @example Small numbers', //  5
    ' * ```ts', //  6
    ' * const r = add(1, 2);', //  7
    ' *   // indented comment', //  8
    ' * ```', //  9
    ' * Prose between fences.', // 10
    ' * ```ts', // 11
    ' * if (r !== 3) throw new Error();', // 12
    ' * ```', // 13
    ' * @example', // 14
    ' * `add(a, b)` is a + b.', // 15
    ' * @see https://example.org', // 16
    ' */', // 17
    'export function add(a: number, b: number) { return a + b; }', // 18
    '/** Not an example: @example appears mid-line. */', // 19
    '/**', // 20
    ' * @example', // 21
    ' * ```ts', // 22
    ' * @decorator-like line inside a fence is code', // 23
    ' * ```', // 24
    ' */', // 25
  ].join('\n');

  it('joins the fences of one example, keeps indentation and reports file:line of the first code line', () => {
    const s = extractTsdocExamples(src, 'src/add.ts');
    expect(s.map((x) => x.name)).toEqual(['src/add.ts:7', 'src/add.ts:14', 'src/add.ts:23']);
    expect(s[0]!.code).toBe('const r = add(1, 2);\n  // indented comment\nif (r !== 3) throw new Error();');
    expect(s[0]!.title).toBe('Small numbers');
    expect(s[2]!.code).toBe('@decorator-like line inside a fence is code');
  });

  it('returns an example without a code fence with empty code (so the runner can fail it)', () => {
    const s = extractTsdocExamples(src, 'src/add.ts')[1]!;
    expect(s.code).toBe('');
    expect(s.kind).toBe('tsdoc');
  });
});

describe('extractDocSnippets', () => {
  it('reads README.md and src/**/*.ts (sorted, .d.ts excluded)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-doc-snippets-'));
    mkdirSync(join(dir, 'src', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), `## Usage\n${FENCE}ts\nreadme();\n${FENCE}\n`);
    const doc = (code: string) => `/**\n * @example\n * ${FENCE}ts\n * ${code}\n * ${FENCE}\n */\n`;
    writeFileSync(join(dir, 'src', 'b.ts'), doc('b();'));
    writeFileSync(join(dir, 'src', 'sub', 'a.ts'), doc('a();'));
    writeFileSync(join(dir, 'src', 'types.d.ts'), doc('no();'));
    const s = extractDocSnippets(dir);
    expect(s.map((x) => [x.name, x.code])).toEqual([
      ['README.md:3', 'readme();'],
      ['src/b.ts:4', 'b();'],
      ['src/sub/a.ts:4', 'a();'],
    ]);
  });
});

describe('snippetModule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-doc-scope-'));
  const index = join(dir, 'index.ts');
  writeFileSync(
    index,
    "export { add, sub } from './math.js';\nexport type { Options } from './math.js';\nexport const PI = 3;\n",
  );

  it('imports the free names it uses (values and types), not those the snippet binds, on one prelude line', () => {
    const code = "import { sub } from '@lab/me';\nconst o: Options = {};\nconst x = add(PI, tf.scalar(1));\n";
    const m = snippetModule(code, [{ from: '/abs/src/index.ts', index }], {
      name: '@lab/me',
      index: '/abs/src/index.ts',
    });
    const [prelude, ...rest] = m.split('\n');
    expect(prelude).toContain('import { add, PI } from "/abs/src/index.ts";');
    expect(prelude).toContain('import type { Options } from "/abs/src/index.ts";');
    expect(prelude).toContain("import * as tf from '@tensorflow/tfjs-core';");
    expect(prelude).not.toContain('sub');
    // The snippet's own import of the package is pointed at its source; lines are kept.
    expect(rest[0]).toBe('import { sub } from "/abs/src/index.ts";');
    expect(rest.slice(1, 3)).toEqual(code.split('\n').slice(1, 3));
  });

  it('does not import property names or names declared at top level', () => {
    const m = snippetModule('const add = 1; const o = { PI: 2 }; o.sub;', [{ from: 'x', index }]);
    expect(m.split('\n')[0]).toBe(' // prelude (runDocSnippets)');
  });
});

describe('typecheckSnippetModules', () => {
  it('reports type errors inside snippets at the documentation line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-doc-tsc-'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, types: [] } }),
    );
    const path = join(dir, 'a.mts');
    writeFileSync(path, ' // prelude\nconst ok: number = 1;\nconst bad: number = ok + "x";\n');
    const snippet = extractTsdocExamples('/**\n * @example\n * ```ts\n * x\n * ```\n */', 'src/a.ts')[0]!;
    const errors = typecheckSnippetModules(join(dir, 'tsconfig.json'), [{ path, snippet }]);
    expect(errors).toHaveLength(1);
    // Module line 3 is snippet line 2: the example's code starts on src/a.ts:4, so src/a.ts:5.
    expect(errors[0]).toMatch(/^src\/a\.ts:5: TS2322 /);
  });
});
