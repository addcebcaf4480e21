import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type DocSnippet, extractDocSnippets } from './docSnippets.js';

/** Where a snippet's free names may come from: a module specifier and its `src/index.ts`. */
export interface SnippetScope {
  /** Specifier written in the generated import (`@lab/core`, or an absolute path). */
  from: string;
  /** The module's `src/index.ts`, whose named exports are the names it provides. */
  index: string;
}

/** Options of {@link runDocSnippets}. */
export interface RunDocSnippetsOptions {
  /** Runs before each snippet (e.g. `() => initBackend()`), so examples read like a session after it. */
  setup?: () => unknown;
  /** Per-snippet timeout in ms (default: the project's `testTimeout`). */
  timeout?: number;
  /** Only the snippets for which this returns true (default: all). Not for skipping broken ones. */
  filter?: (snippet: DocSnippet) => boolean;
  /**
   * Also type-check every snippet module against the package's `tsconfig.json` (one extra test,
   * one in-process TypeScript program; default true). Type errors are reported as `file:line`.
   */
  typecheck?: boolean;
}

/**
 * Type errors of snippet modules, as `file:line: message` of the documentation they came from:
 * one TypeScript program over the module files with the options of `tsconfigPath`. Errors
 * outside the snippets (in the package's sources) are left to the package's own typecheck.
 */
export function typecheckSnippetModules(
  tsconfigPath: string,
  modules: ReadonlyArray<{ path: string; snippet: DocSnippet }>,
): string[] {
  const config = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
  if (config.error) return [ts.flattenDiagnosticMessageText(config.error.messageText, '\n')];
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(tsconfigPath));
  const options = {
    ...parsed.options,
    noEmit: true,
    allowImportingTsExtensions: true,
    allowJs: true,
    checkJs: true,
    noUnusedLocals: false,
  };
  const program = ts.createProgram({ rootNames: modules.map((m) => m.path), options });
  const byPath = new Map(modules.map((m) => [resolve(m.path), m.snippet]));
  const out: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const s = d.file ? byPath.get(resolve(d.file.fileName)) : undefined;
    if (!s || !d.file || d.start === undefined) continue; // only errors inside the snippets
    const { line } = d.file.getLineAndCharacterOfPosition(d.start); // 0-based; line 0 = prelude
    const where = line === 0 ? `${s.name} (prelude)` : `${s.file}:${s.line + line - 1}`;
    out.push(`${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  return out;
}

interface Export {
  name: string;
  typeOnly: boolean;
}

const exportCache = new Map<string, Export[]>();

/** Named exports of an index file (`export { a, type B } from`, `export function f`, ...). */
export function indexExports(indexFile: string): Export[] {
  const cached = exportCache.get(indexFile);
  if (cached) return cached;
  const sf = ts.createSourceFile(indexFile, readFileSync(indexFile, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out: Export[] = [];
  const exported = (n: ts.Node) =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        out.push({ name: el.name.text, typeOnly: st.isTypeOnly || el.isTypeOnly });
      }
    } else if (exported(st)) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations)
          for (const n of bindingNames(d.name)) out.push({ name: n, typeOnly: false });
      } else if (
        (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) &&
        st.name
      ) {
        out.push({ name: st.name.text, typeOnly: false });
      } else if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name) {
        out.push({ name: st.name.text, typeOnly: true });
      }
    }
  }
  exportCache.set(indexFile, out);
  return out;
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const out: string[] = [];
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) out.push(...bindingNames(el.name));
  return out;
}

/** Names bound at the top level of a snippet (imports and declarations) and identifiers it uses. */
function snippetNames(code: string): { bound: Set<string>; used: Set<string> } {
  const sf = ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const bound = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) bound.add(c.name.text);
      if (c.namedBindings) {
        if (ts.isNamespaceImport(c.namedBindings)) bound.add(c.namedBindings.name.text);
        else for (const el of c.namedBindings.elements) bound.add(el.name.text);
      }
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) for (const n of bindingNames(d.name)) bound.add(n);
    } else if (
      (ts.isFunctionDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isEnumDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st)) &&
      st.name
    ) {
      bound.add(st.name.text);
    }
  }
  const used = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      const isMemberName =
        (ts.isPropertyAccessExpression(p) && p.name === n) ||
        (ts.isPropertyAssignment(p) && p.name === n) ||
        (ts.isPropertySignature(p) && p.name === n) ||
        (ts.isMethodDeclaration(p) && p.name === n) ||
        (ts.isQualifiedName(p) && p.right === n);
      if (!isMemberName) used.add(n.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { bound, used };
}

/**
 * The module a snippet runs as: one prelude line, then the snippet's code unchanged (so line `k`
 * of the snippet is line `k + 1` of the module). The prelude imports every name the snippet uses
 * but does not import or declare itself, from the first scope that exports it (the package's own
 * `src/index.ts` first, then its `@lab/*` dependencies), and `tf` from `@tensorflow/tfjs-core`;
 * imports of `self.name` are pointed at the package's source (`self.index`).
 *
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { dirname, join, resolve } from 'node:path';
 * const index = join(mkdtempSync(join(tmpdir(), 'lab-scope-')), 'index.ts');
 * writeFileSync(index, "export { add } from './add.js';\n");
 * const m = snippetModule('const three = add(1, 2);', [{ from: '@lab/demo', index }]);
 * if (!m.startsWith('import { add } from "@lab/demo";')) throw new Error(m);
 * ```
 */
export function snippetModule(
  code: string,
  scopes: readonly SnippetScope[],
  self?: { name: string; index: string },
): string {
  const { bound, used } = snippetNames(code);
  const taken = new Set(bound);
  const imports: string[] = [];
  for (const scope of scopes) {
    const values: string[] = [];
    const types: string[] = [];
    for (const e of indexExports(scope.index)) {
      if (!used.has(e.name) || taken.has(e.name)) continue;
      taken.add(e.name);
      (e.typeOnly ? types : values).push(e.name);
    }
    const from = JSON.stringify(scope.from);
    if (values.length > 0) imports.push(`import { ${values.join(', ')} } from ${from};`);
    if (types.length > 0) imports.push(`import type { ${types.join(', ')} } from ${from};`);
  }
  if (used.has('tf') && !taken.has('tf')) imports.push(`import * as tf from '@tensorflow/tfjs-core';`);
  let body = code;
  if (self) {
    const spec = JSON.stringify(self.index);
    body = body.replace(
      new RegExp(`(from\\s*|import\\s*\\(\\s*)(['"])${escapeRegExp(self.name)}\\2`, 'g'),
      `$1${spec}`,
    );
  }
  return `${imports.join(' ')} // prelude (runDocSnippets)\n${body}\n`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The scopes of a package: itself, then each `@lab/*` package it depends on (dependencies,
 * peer and dev dependencies, except `@lab/test-utils`) found as `../<name>/src/index.ts`.
 */
export function packageScopes(packageDir: string): {
  self: { name: string; index: string };
  scopes: SnippetScope[];
} {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const name = String(pkg.name);
  const index = join(packageDir, 'src', 'index.ts');
  const scopes: SnippetScope[] = [{ from: index, index }];
  const deps = new Set<string>();
  for (const key of ['dependencies', 'peerDependencies', 'devDependencies']) {
    const d = pkg[key];
    if (d && typeof d === 'object') for (const k of Object.keys(d)) deps.add(k);
  }
  for (const dep of [...deps].sort((a, b) =>
    a === '@lab/core' ? -1 : b === '@lab/core' ? 1 : a.localeCompare(b),
  )) {
    if (!dep.startsWith('@lab/') || dep === '@lab/test-utils' || dep === name) continue;
    const depIndex = join(packageDir, '..', dep.slice('@lab/'.length), 'src', 'index.ts');
    if (existsSync(depIndex)) scopes.push({ from: dep, index: depIndex });
  }
  return { self: { name, index }, scopes };
}

/**
 * Registers one vitest test per documentation snippet of a package ({@link extractDocSnippets}:
 * README Usage blocks and TSDoc `@example`s): each is written to `<packageDir>/.doc-snippets/` as a
 * module ({@link snippetModule}; an `@example` may also use the exports of its own source file)
 * and imported in this process, so `@lab/*` imports resolve as the
 * package's tests do and top-level `await` works. A snippet fails its test if it throws (or its
 * promise rejects); an `@example` without a ts/js code fence fails too. Call it at the top level
 * of a test file (it registers tests, so it is not an `@example` itself), `packages/<p>/test/docs.test.ts`:
 *
 * ```ts
 * import { fileURLToPath } from 'node:url';
 * import { initBackend } from '@lab/core';
 * import { runDocSnippets } from '@lab/test-utils';
 * runDocSnippets(fileURLToPath(new URL('..', import.meta.url)), { setup: () => initBackend() });
 * ```
 */
export function runDocSnippets(packageDir: string, options: RunDocSnippetsOptions = {}): void {
  const snippets = extractDocSnippets(packageDir).filter(options.filter ?? (() => true));
  const { self, scopes } = packageScopes(packageDir);
  const outDir = join(packageDir, '.doc-snippets');
  describe(`docs (${self.name})`, () => {
    beforeAll(() => mkdirSync(outDir, { recursive: true }));
    afterAll(() => rmSync(outDir, { recursive: true, force: true }));
    it('has documentation snippets', () => {
      if (snippets.length === 0) throw new Error(`no README Usage block or @example in ${packageDir}`);
    });
    const modulePath = (s: DocSnippet, i: number) =>
      join(
        outDir,
        `${String(i).padStart(3, '0')}-${s.file.replace(/[^\w]+/g, '_')}-${s.line}.${s.lang === 'js' ? 'mjs' : 'mts'}`,
      );
    const moduleText = (s: DocSnippet) => {
      // An @example may also use what its own file exports (internal helpers included).
      const own = join(packageDir, s.file);
      return snippetModule(
        s.code,
        s.kind === 'tsdoc' ? [{ from: own, index: own }, ...scopes] : scopes,
        self,
      );
    };
    snippets.forEach((s, i) => {
      it(
        `${s.name}${s.title ? ` (${s.title})` : ''}`,
        async () => {
          if (s.code.trim() === '') {
            throw new Error(
              `${s.name}: @example has no \`\`\`ts code block (every example must be runnable)`,
            );
          }
          await options.setup?.();
          const file = modulePath(s, i);
          writeFileSync(file, moduleText(s));
          try {
            await import(/* @vite-ignore */ pathToFileURL(file).href);
          } catch (e) {
            if (e instanceof Error) e.message = `${s.name} (module line = snippet line + 1): ${e.message}`;
            throw e;
          }
        },
        options.timeout,
      );
    });
    if (options.typecheck ?? true) {
      it(
        'snippets type-check (tsc, package tsconfig)',
        () => {
          const modules = snippets
            .map((snippet, i) => ({ path: modulePath(snippet, i), snippet }))
            .filter((m) => m.snippet.code.trim() !== '');
          for (const m of modules) writeFileSync(m.path, moduleText(m.snippet));
          const errors = typecheckSnippetModules(join(packageDir, 'tsconfig.json'), modules);
          if (errors.length > 0) throw new Error(`${errors.length} type errors:\n${errors.join('\n')}`);
        },
        options.timeout ?? 120_000,
      );
    }
  });
}
