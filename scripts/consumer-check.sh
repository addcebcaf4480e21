#!/usr/bin/env bash
# Consumer check: what a user who installs the published packages from npm gets.
# Packs every public package (`pnpm pack`, which rewrites `workspace:` ranges), installs the
# tarballs with npm into a fresh temporary project (tfjs-core, graphology and the tools from the
# npm registry; the optional backends are not installed), then checks:
#   1. an ESM script and 2. a CJS script calling each package's main API run in Node;
#   3. `tsc --noEmit` (strict, skipLibCheck false) of a consumer using every package's types, once
#      with module/moduleResolution nodenext (ESM .ts and CJS .cts files, so both the .d.ts and the
#      .d.cts are checked) and once with moduleResolution bundler;
#   4. an ESM browser entry bundles with esbuild (--platform=browser, no externals), Vite (the
#      workspace's, production build) and webpack (target web) with none of the optional tfjs
#      backends installed, and 5. the same three with @tensorflow/tfjs-backend-webgl installed and
#      `import '@lab/core/webgl'` (the bundle must then contain the webgl backend factory), and
#      6. esbuild with both optional backends installed and both entries imported.
# Run after `pnpm build`. Prints each check; exits non-zero on the first failure.
# KEEP=1 keeps the temporary folder (its path is printed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PNPM="npx --yes pnpm@10.34.9"
work=$(mktemp -d -t lab-consumer-XXXXXX)
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

say() { echo "consumer-check: $*"; }
# Versions the workspace pins (one version of each dependency across the workspace, sherif).
ver() { node -e "
const fs = require('fs');
for (const d of fs.readdirSync('$root/packages')) {
  const p = JSON.parse(fs.readFileSync('$root/packages/' + d + '/package.json', 'utf8'));
  for (const k of ['devDependencies', 'dependencies']) if (p[k] && p[k]['$1'] && /^[0-9]/.test(p[k]['$1'])) { console.log(p[k]['$1']); process.exit(0); }
}
const r = JSON.parse(fs.readFileSync('$root/package.json', 'utf8')).devDependencies['$1'];
if (r) { console.log(r); process.exit(0); }
process.exit(1);"; }
TFJS=$(ver @tensorflow/tfjs-core)
GRAPHOLOGY=$(ver graphology)
GRAPHOLOGY_TYPES=$(ver graphology-types)
TYPESCRIPT=$(ver typescript)
TYPES_NODE=$(ver @types/node)
ESBUILD=0.28.2
WEBPACK=5.112.2
# Vite as the workspace installs it (through vitest), so the check downloads no second copy.
VITE=$(node -e "const p = require('path'); const v = require('fs').realpathSync('$root/node_modules/vitest'); console.log(p.dirname(require.resolve('vite/package.json', { paths: [v] })))")

# 1. Pack every public package.
mkdir -p "$work/tarballs" "$work/app"
public=()
for dir in "$root"/packages/*/; do
  if [ "$(node -p "require('${dir}package.json').private === true")" = true ]; then continue; fi
  name=$(node -p "require('${dir}package.json').name")
  public+=("$name")
  (cd "$dir" && $PNPM pack --pack-destination "$work/tarballs" >/dev/null)
done
say "packed ${#public[@]} public packages: ${public[*]}"
# What the npm page shows: no workspace: ranges, one repository URL, no relative README links.
REPO_URL=git+https://github.com/lab-ml/lab.git
for t in "$work"/tarballs/*.tgz; do
  manifest=$(tar -xOzf "$t" package/package.json)
  if grep -q '"workspace:' <<<"$manifest"; then
    echo "consumer-check: FAIL $(basename "$t") still has a workspace: range" >&2
    exit 1
  fi
  url=$(node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")).repository; console.log(r && r.url && r.directory ? r.url : "")' <<<"$manifest")
  if [ "$url" != "$REPO_URL" ]; then
    echo "consumer-check: FAIL $(basename "$t"): repository.url '$url' (with directory) should be $REPO_URL" >&2
    exit 1
  fi
  if tar -xOzf "$t" package/README.md | grep -nE '\]\((\.\.?/)' >&2; then
    echo "consumer-check: FAIL $(basename "$t"): README has relative links (they break on npm; use $REPO_URL's https URL)" >&2
    exit 1
  fi
done
say "packed manifests: no workspace: ranges, repository $REPO_URL with directory, no relative README links"

# 2. A fresh project, installed with npm from the tarballs and the registry.
cd "$work/app"
cat >package.json <<'EOF'
{ "name": "lab-consumer", "private": true, "version": "0.0.0", "type": "module" }
EOF
say "npm install (tarballs, @tensorflow/tfjs-core@$TFJS, graphology@$GRAPHOLOGY, typescript@$TYPESCRIPT, esbuild@$ESBUILD, webpack@$WEBPACK)"
npm install --no-audit --no-fund --loglevel=error \
  "$work"/tarballs/*.tgz "@tensorflow/tfjs-core@$TFJS" "graphology@$GRAPHOLOGY" \
  "graphology-types@$GRAPHOLOGY_TYPES" "typescript@$TYPESCRIPT" "@types/node@$TYPES_NODE" "esbuild@$ESBUILD" \
  "webpack@$WEBPACK" >/dev/null
for opt in webgl webgpu; do
  if [ -e "node_modules/@tensorflow/tfjs-backend-$opt" ]; then
    echo "consumer-check: FAIL the optional @tensorflow/tfjs-backend-$opt was installed" >&2
    exit 1
  fi
done

# Each package's main API, written once as TypeScript-compatible JS (the ESM script, the browser
# entry and the type-checked file share it).
cat >api.mjs <<'EOF'
import * as tf from '@tensorflow/tfjs-core';
import { createRng, graphArrays, initBackend } from '@lab/core';
import { partitionGraph } from '@lab/fed-graph';
import { contextualSbm, randomAttack } from '@lab/graph-defense';
import { dtlnModel, estimateModel, systems } from '@lab/micronpu-sim';
import { ratioSplit } from '@lab/pattern-forecast';
import { expectedNorm } from '@lab/riemann-latent';
import { polynomialDecay } from '@lab/sparse-quant';
EOF
cat >checks.txt <<'EOF'
  const b = await initBackend();
  const rng = createRng(1);
  const t = tf.tensor1d([1, 2, 3]);
  const sum = tf.sum(t).dataSync()[0];
  t.dispose();
  const graph = contextualSbm({ nodes: 60, classes: 3, avgDegree: 4, homophily: 0.8, featureDim: 8, featureSignal: 1, seed: 1 });
  const attacked = randomAttack(graph, { rate: 0.1, seed: 1 });
  const arrays = graphArrays(attacked.graph);
  const report = estimateModel(dtlnModel({ seed: 1 }), systems['u55-high-end']);
  const split = ratioSplit(1000, { lookback: 96 });
  const norm = expectedNorm({ dim: 3, variance: 1, meanSquaredNorm: 4 });
  const schedule = polynomialDecay({ finalSparsity: 0.75, beginStep: 0, endStep: 20, frequency: 5 });
EOF
cat >result.txt <<'EOF'
  return {
    backend: b.backend,
    reason: b.reason,
    random: rng.next() >= 0,
    sum,
    nodes: arrays.numNodes,
    latency: report.totals.latencySeconds > 0,
    train: split.train.end > 0,
    norm: Math.round(norm * 1e4) / 1e4,
    sparsity: schedule.finalSparsity,
  };
EOF
node_checks=$(cat checks.txt)
node_result=$(cat result.txt)
expected='{"backend":"wasm","reason":"auto: the default in Node","random":true,"sum":6,"nodes":60,"latency":true,"train":true,"norm":2.4942,"sparsity":0.75,"clients":2}'

# 3. ESM in Node.
{
  cat api.mjs
  echo "async function main() {"
  echo "$node_checks"
  echo "  const { clients } = partitionGraph(graph, { numClients: 2, method: 'random', seed: 0 });"
  echo "$node_result" | sed 's/^  };$/    clients: clients.length,\n  };/'
  echo "}"
  echo "console.log(JSON.stringify(await main()));"
} >esm.mjs
say "ESM script (node esm.mjs): every package's main API"
out=$(node esm.mjs | tail -n 1)
[ "$out" = "$expected" ] || { echo "consumer-check: FAIL ESM: got $out, expected $expected" >&2; exit 1; }
say "  ok $out"

# 4. CJS in Node.
{
  sed -E "s/^import \* as ([a-z]+) from ('[^']+');/const \1 = require(\2);/; s/^import \{ (.*) \} from ('[^']+');/const { \1 } = require(\2);/" api.mjs
  echo "async function main() {"
  echo "$node_checks"
  echo "  const { clients } = partitionGraph(graph, { numClients: 2, method: 'random', seed: 0 });"
  echo "$node_result" | sed 's/^  };$/    clients: clients.length,\n  };/'
  echo "}"
  echo "main().then((r) => console.log(JSON.stringify(r)));"
} >cjs.cjs
say "CJS script (node cjs.cjs): the same through require()"
out=$(node cjs.cjs | tail -n 1)
[ "$out" = "$expected" ] || { echo "consumer-check: FAIL CJS: got $out, expected $expected" >&2; exit 1; }
say "  ok"

# 5. Types, skipLibCheck false, strict.
mkdir -p types
{
  cat api.mjs
  echo "import type { InitBackendResult, LabeledGraph } from '@lab/core';"
  echo "export async function main(): Promise<Record<string, unknown>> {"
  echo "$node_checks"
  echo "  const typed: InitBackendResult = b;"
  echo "  const g: LabeledGraph = attacked.graph;"
  echo "  void typed; void g;"
  echo "  const { clients } = partitionGraph(graph, { numClients: 2, method: 'random', seed: 0 });"
  echo "  void clients;"
  echo "$node_result"
  echo "}"
} >types/esm.ts
# The same imports from a CommonJS file (.cts): resolved through the `require` condition, so
# the packages' .d.cts files are what is checked.
{
  sed -E "s/^import \* as ([a-z]+) from ('[^']+');/import \1 = require(\2);/" api.mjs
  echo "import type { LabeledGraph } from '@lab/core';"
  echo "export async function main(): Promise<Record<string, unknown>> {"
  echo "$node_checks"
  echo "  const g: LabeledGraph = attacked.graph;"
  echo "  void g;"
  echo "  const { clients } = partitionGraph(graph, { numClients: 2, method: 'random', seed: 0 });"
  echo "  void clients;"
  echo "$node_result"
  echo "}"
} >types/cjs.cts
cat >tsconfig.nodenext.json <<'EOF'
{
  "compilerOptions": {
    "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext", "strict": true,
    "skipLibCheck": false, "noEmit": true, "lib": ["es2022", "dom"]
  },
  "files": ["types/esm.ts", "types/cjs.cts"]
}
EOF
cat >tsconfig.bundler.json <<'EOF'
{
  "compilerOptions": {
    "target": "es2022", "module": "esnext", "moduleResolution": "bundler", "strict": true,
    "skipLibCheck": false, "noEmit": true, "lib": ["es2022", "dom"]
  },
  "files": ["types/esm.ts"]
}
EOF
say "tsc --noEmit, strict, skipLibCheck false, module nodenext (types/esm.ts -> .d.ts, types/cjs.cts -> .d.cts)"
npx --no-install tsc -p tsconfig.nodenext.json
say "  ok"
say "tsc --noEmit, strict, skipLibCheck false, moduleResolution bundler"
npx --no-install tsc -p tsconfig.bundler.json
say "  ok"

# 6. Browser bundles, nothing external. fed-graph is Node-only (worker threads, NATS).
cat >vite-build.mjs <<EOF
import { build } from '$VITE/dist/node/index.js';
const [input, out] = process.argv.slice(2);
await build({
  root: process.cwd(), logLevel: 'warn', configFile: false,
  build: { outDir: 'out/' + out, emptyOutDir: true, minify: false, rollupOptions: { input } },
});
EOF
cat >webpack-build.cjs <<'EOF'
const path = require('path');
const webpack = require('webpack');
const [entry, out] = process.argv.slice(2);
webpack(
  {
    mode: 'production', target: 'web', entry: path.resolve(entry), devtool: false,
    optimization: { minimize: false }, performance: { hints: false },
    output: { path: path.resolve('out', out), filename: 'main.js' },
  },
  (err, stats) => {
    if (err || stats.hasErrors()) {
      console.error(err ?? stats.toString({ all: false, errors: true }));
      process.exit(1);
    }
    if (stats.hasWarnings()) console.warn(stats.toString({ all: false, warnings: true }));
  },
);
EOF
# An app calls main(): bundlers keep what it reaches (an entry's exports alone may be dropped).
bundle_all() { # entry-module label
  printf "import { main } from './%s';\nmain().then((r) => console.log(r));\n" "$1" >"app-$2.mjs"
  npx --no-install esbuild "app-$2.mjs" --bundle --platform=browser --format=esm --log-level=warning --outfile="out/esbuild-$2/main.js"
  node vite-build.mjs "app-$2.mjs" "vite-$2"
  node webpack-build.cjs "app-$2.mjs" "webpack-$2"
}
webgl_factory() { grep -rlF 'new MathBackendWebGL()' "out/$1" >/dev/null; }
browser_entry() {
  echo "$1"
  grep -v "@lab/fed-graph" api.mjs
  echo "export async function main() {"
  echo "$node_checks"
  echo "$node_result"
  echo "}"
}
browser_entry "" >browser.mjs
say "browser bundles, no externals, no optional backend installed: esbuild --platform=browser, vite build, webpack --target web"
bundle_all browser.mjs none
for b in esbuild vite webpack; do
  if grep -rq "tfjs-backend-webgl\|tfjs-backend-webgpu" "out/$b-none" || webgl_factory "$b-none"; then
    echo "consumer-check: FAIL the $b bundle references an optional backend" >&2
    exit 1
  fi
done
say "  ok (esbuild $(wc -c <out/esbuild-none/main.js) bytes; vite and webpack built)"

say "npm install @tensorflow/tfjs-backend-webgl@$TFJS; bundle (esbuild, vite, webpack) an entry importing '@lab/core/webgl'"
npm install --no-audit --no-fund --loglevel=error "@tensorflow/tfjs-backend-webgl@$TFJS" >/dev/null
browser_entry "import '@lab/core/webgl';" >browser-webgl.mjs
bundle_all browser-webgl.mjs webgl
for b in esbuild vite webpack; do
  webgl_factory "$b-webgl" || {
    echo "consumer-check: FAIL the $b bundle does not contain the webgl backend" >&2
    exit 1
  }
done
say "  ok (esbuild, vite and webpack bundles contain the webgl backend factory; esbuild $(wc -c <out/esbuild-webgl/main.js) bytes)"
say "npm install @tensorflow/tfjs-backend-webgpu@$TFJS too; esbuild an entry importing '@lab/core/webgl' and '@lab/core/webgpu'"
npm install --no-audit --no-fund --loglevel=error "@tensorflow/tfjs-backend-webgpu@$TFJS" >/dev/null
browser_entry "import '@lab/core/webgl'; import '@lab/core/webgpu';" >browser-both.mjs
printf "import { main } from './browser-both.mjs';\nmain().then((r) => console.log(r));\n" >app-both.mjs
npx --no-install esbuild app-both.mjs --bundle --platform=browser --format=esm --log-level=warning --outfile=out/esbuild-both/main.js
webgl_factory esbuild-both && grep -qF 'new WebGPUBackend(' out/esbuild-both/main.js || {
  echo "consumer-check: FAIL the esbuild bundle with both entries lacks the webgl or webgpu backend" >&2
  exit 1
}
say "  ok (both backends bundled; $(wc -c <out/esbuild-both/main.js) bytes)"
say "all checks passed"
