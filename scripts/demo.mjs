#!/usr/bin/env node
// Runs every example in quick mode (`pnpm --filter <example> start -- --quick --out out/demo/<dir>`)
// one after another, then prints a summary table from each example's report.json.
// Exits non-zero if any example fails or writes no report.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'out', 'demo');
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));

function pnpmCommand() {
  // pnpm sets npm_execpath to its own entry point when it runs a package script.
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) {
    return /\.(c?js|mjs)$/.test(execPath) ? [process.execPath, [execPath]] : [execPath, []];
  }
  return ['pnpm', []];
}

const examples = readdirSync(join(root, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'examples', d.name, 'package.json')))
  .map((d) => ({ dir: d.name, pkg: JSON.parse(readFileSync(join(root, 'examples', d.name, 'package.json'), 'utf8')) }))
  .filter((e) => e.pkg.scripts?.start && (only.length === 0 || only.includes(e.dir)))
  .sort((a, b) => a.dir.localeCompare(b.dir));

const [cmd, baseArgs] = pnpmCommand();
const results = [];
for (const { dir, pkg } of examples) {
  const out = join(outRoot, dir);
  process.stdout.write(`\n=== ${pkg.name} (quick) -> ${out}\n`);
  const t0 = Date.now();
  const run = spawnSync(cmd, [...baseArgs, '--filter', pkg.name, 'start', '--', '--quick', '--out', out], {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
  });
  const seconds = (Date.now() - t0) / 1000;
  const reportPath = join(out, 'report.json');
  let report = null;
  if (run.status === 0 && existsSync(reportPath)) {
    try {
      report = JSON.parse(readFileSync(reportPath, 'utf8'));
    } catch {
      report = null;
    }
  }
  results.push({ dir, name: pkg.name, ok: run.status === 0 && report !== null, seconds, report });
}

const rows = [];
for (const r of results) {
  const summary = r.report?.summary ?? [];
  if (!r.ok) rows.push([r.dir, 'FAILED', '', '', r.seconds.toFixed(1)]);
  else if (summary.length === 0) rows.push([r.dir, '(no summary)', '', '', r.seconds.toFixed(1)]);
  else {
    for (const [i, s] of summary.entries()) {
      rows.push([i === 0 ? r.dir : '', s.label, s.value, s.reference ?? '', i === 0 ? r.seconds.toFixed(1) : '']);
    }
  }
}
const header = ['example', 'metric', 'ours', 'reference', 'seconds'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
process.stdout.write(`\n## Demo summary (quick mode; full reports in ${outRoot})\n\n`);
process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
for (const r of rows) process.stdout.write(`${line(r)}\n`);
const failed = results.filter((r) => !r.ok);
if (examples.length === 0) {
  process.stderr.write('demo: no examples found\n');
  process.exit(1);
}
if (failed.length > 0) {
  process.stderr.write(`\ndemo: ${failed.length} example(s) failed: ${failed.map((f) => f.dir).join(', ')}\n`);
  process.exit(1);
}
