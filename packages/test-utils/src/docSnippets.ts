import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** One runnable piece of documentation: a README Usage code block or a TSDoc `@example`. */
export interface DocSnippet {
  /** Where it was found: the README's `## Usage` section or a TSDoc `@example` tag. */
  kind: 'readme' | 'tsdoc';
  /** File it came from, relative to the package dir, with `/` separators (`README.md`, `src/nn/fit.ts`). */
  file: string;
  /** 1-based line of the snippet's first code line in `file` (the line after the opening fence). */
  line: number;
  /** Language of the fence: `ts` (also `typescript`, `mts`) or `js` (also `javascript`, `mjs`). */
  lang: 'ts' | 'js';
  /** The code, comment markers (` * `) removed; `''` when an `@example` has no code fence. */
  code: string;
  /** Text after `@example` on its line (the example's title), or the README's section heading. */
  title: string;
  /** `file:line`, used as the test name. */
  name: string;
}

const FENCE = /^\s*(```+|~~~+)\s*([\w-]*)/;
const LANGS: Record<string, 'ts' | 'js'> = {
  ts: 'ts',
  typescript: 'ts',
  mts: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
};

interface Fence {
  /** 0-based index (in `lines`) of the first code line. */
  start: number;
  lang: string;
  body: string[];
}

/** Fenced code blocks in `lines[from, to)`, with their language tag (lowercased, may be ''). */
function fences(lines: readonly string[], from: number, to: number): Fence[] {
  const out: Fence[] = [];
  let open: { marker: string; fence: Fence } | null = null;
  for (let i = from; i < to; i++) {
    const line = lines[i] as string;
    if (open) {
      const m = /^\s*(```+|~~~+)\s*$/.exec(line);
      if (m && m[1]!.startsWith(open.marker)) {
        out.push(open.fence);
        open = null;
      } else {
        open.fence.body.push(line);
      }
      continue;
    }
    const m = FENCE.exec(line);
    if (m) open = { marker: m[1]!, fence: { start: i + 1, lang: (m[2] ?? '').toLowerCase(), body: [] } };
  }
  // An unclosed fence runs to the end of the region (as CommonMark does).
  if (open) out.push(open.fence);
  return out;
}

function snippet(
  kind: DocSnippet['kind'],
  file: string,
  line: number,
  lang: 'ts' | 'js',
  code: string,
  title: string,
): DocSnippet {
  return { kind, file, line, lang, code, title, name: `${file}:${line}` };
}

/**
 * The ```ts / ```js code blocks of a README's `## Usage` section (down to the next heading of
 * level 1 or 2; `###` subsections are included). Blocks in other languages (sh, text) are not
 * returned. Line numbers are 1-based lines of `markdown`.
 *
 * @example
 * ```ts
 * const md = '# pkg\n\n## Usage\n\n```ts\nconst x = 1;\n```\n\n## API\n\n```ts\nnot this\n```\n';
 * const [s] = extractReadmeUsage(md);
 * if (s?.code !== 'const x = 1;' || s.line !== 6) throw new Error('one snippet on line 6');
 * ```
 */
export function extractReadmeUsage(markdown: string, file = 'README.md'): DocSnippet[] {
  const lines = markdown.split(/\r?\n/);
  let start = -1;
  let end = lines.length;
  let inFence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const f = /^\s*(```+|~~~+)/.exec(line);
    if (f) {
      if (inFence === null) inFence = f[1]!;
      else if (f[1]!.startsWith(inFence) && /^\s*(```+|~~~+)\s*$/.test(line)) inFence = null;
      continue;
    }
    if (inFence !== null) continue;
    if (start < 0) {
      if (/^##\s+Usage\b/i.test(line)) start = i + 1;
    } else if (/^#{1,2}\s/.test(line)) {
      end = i;
      break;
    }
  }
  if (start < 0) return [];
  const out: DocSnippet[] = [];
  for (const fence of fences(lines, start, end)) {
    const lang = LANGS[fence.lang];
    if (lang) out.push(snippet('readme', file, fence.start + 1, lang, fence.body.join('\n'), 'Usage'));
  }
  return out;
}

/**
 * Every `@example` of the TSDoc comments (`/** ... *\/`) in a TypeScript source. An example runs
 * from its tag to the next block tag (`@see`, `@param`, ...) or the end of the comment; its fenced
 * ts/js blocks are joined (in order) into one snippet. An `@example` without such a fence is
 * returned with `code: ''` so a runner can fail it (every example must be runnable).
 *
 * @example
 * ```ts
 * const src = '/**\n * Adds.\n * @example\n * ```ts\n * add(1, 2); // 3\n * ```\n *\/\nexport const add = 1;\n';
 * const [s] = extractTsdocExamples(src, 'src/add.ts');
 * if (s?.code !== 'add(1, 2); // 3' || s.name !== 'src/add.ts:5') throw new Error('one example');
 * ```
 */
export function extractTsdocExamples(source: string, file: string): DocSnippet[] {
  const out: DocSnippet[] = [];
  const re = /\/\*\*[\s\S]*?\*\//g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const firstLine = source.slice(0, m.index).split('\n').length; // 1-based line of `/**`
    const raw = m[0].slice(3, -2).split('\n');
    // Strip the leading ` * ` of each comment line; keep the code's own indentation.
    const lines = raw.map((l, i) => (i === 0 ? l.replace(/^\s?/, '') : l.replace(/^\s*\*( |$)?/, '')));
    let inFence = false;
    const tags: Array<{ index: number; name: string; rest: string }> = [];
    lines.forEach((line, index) => {
      if (/^\s*(```+|~~~+)/.test(line)) inFence = !inFence;
      if (inFence) return;
      const t = /^\s*@(\w+)\s*(.*)$/.exec(line);
      if (t) tags.push({ index, name: t[1]!, rest: t[2]! });
    });
    tags.forEach((tag, k) => {
      if (tag.name !== 'example') return;
      const to = k + 1 < tags.length ? tags[k + 1]!.index : lines.length;
      const blocks = fences(lines, tag.index + 1, to).filter((f) => LANGS[f.lang] || f.lang === '');
      const title = tag.rest.trim();
      const tagLine = firstLine + tag.index;
      if (blocks.length === 0) {
        out.push(snippet('tsdoc', file, tagLine, 'ts', '', title));
        return;
      }
      const code = blocks.map((b) => b.body.join('\n')).join('\n');
      const lang = blocks.some((b) => LANGS[b.lang] !== 'js') ? 'ts' : 'js';
      out.push(snippet('tsdoc', file, firstLine + blocks[0]!.start, lang, code, title));
    });
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.m?ts$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * All documentation snippets of a package: the README's Usage blocks
 * ({@link extractReadmeUsage}), then every TSDoc `@example` in `src/**\/*.ts`
 * ({@link extractTsdocExamples}), files in sorted order.
 *
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const dir = mkdtempSync(join(tmpdir(), 'lab-docs-'));
 * writeFileSync(join(dir, 'README.md'), '# demo\n\n## Usage\n\n```ts\nconsole.log(1);\n```\n');
 * const [s] = extractDocSnippets(dir); // no src/: only the README block
 * if (s?.name !== 'README.md:6') throw new Error(`got ${s?.name}`);
 * ```
 */
export function extractDocSnippets(packageDir: string): DocSnippet[] {
  const out: DocSnippet[] = [];
  let readme: string | null = null;
  try {
    readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  } catch {
    readme = null;
  }
  if (readme !== null) out.push(...extractReadmeUsage(readme, 'README.md'));
  const src = join(packageDir, 'src');
  let files: string[] = [];
  try {
    files = sourceFiles(src);
  } catch {
    files = [];
  }
  for (const path of files) {
    const rel = relative(packageDir, path).split(sep).join('/');
    out.push(...extractTsdocExamples(readFileSync(path, 'utf8'), rel));
  }
  return out;
}
