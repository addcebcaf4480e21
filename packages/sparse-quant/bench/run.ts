/**
 * `pnpm bench` entry for @lab/sparse-quant: `tsx bench/run.ts [--quick] [--json FILE]`.
 * Sparse TypeScript kernels vs tfjs-wasm dense matMul; prints Markdown tables.
 */
import '../../../scripts/tfjsResolveHook.js';

const argv = process.argv.slice(2);
const options: { quick: boolean; json?: string } = { quick: false };
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--quick') options.quick = true;
  else if (argv[i] === '--json' && argv[i + 1] !== undefined) options.json = argv[++i];
  else throw new Error(`bench: unknown argument ${argv[i]}; usage: tsx bench/run.ts [--quick] [--json FILE]`);
}
// Imported after the hook is registered.
const { runBench } = await import('./suite.js');
await runBench(options);
