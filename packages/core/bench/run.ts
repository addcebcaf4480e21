/**
 * `pnpm bench` entry for @lab/core: `tsx bench/run.ts [--json FILE] [--quick] [--gcn]`.
 * `--gcn` runs only the GCN training-step benchmark (`bench/gcnEpoch.ts`; its PyTorch
 * counterpart is `bench/gcn_pytorch.py`); without it the op suite runs, then the GCN one.
 *
 * Runs straight from the TypeScript sources (no build needed): `scripts/tfjsResolveHook.ts` (shared by every package bench) first lets
 * Node load tfjs-core's ESM gradient files, whose relative imports have no extensions.
 */
import '../../../scripts/tfjsResolveHook.js';

function parseArgs(argv: string[]): { json?: string; quick: boolean; gcn: boolean } {
  const out: { json?: string; quick: boolean; gcn: boolean } = { quick: false, gcn: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') out.quick = true;
    else if (arg === '--gcn') out.gcn = true;
    else if (arg === '--json') {
      const file = argv[++i];
      if (file == null || file.startsWith('--')) throw new Error('bench: --json needs a file path');
      out.json = file;
    } else if (arg?.startsWith('--json=')) out.json = arg.slice('--json='.length);
    else
      throw new Error(
        `bench: unknown argument ${arg}; usage: tsx bench/run.ts [--json FILE] [--quick] [--gcn]`,
      );
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
// Imported after the hook is registered (static imports would be resolved before it).
const { runBench } = await import('./suite.js');
const { runGcnEpochBench } = await import('./gcnEpoch.js');
if (!args.gcn) await runBench(args);
await runGcnEpochBench({ quick: args.quick });
