// Benchmark of the Ethos-U weight encoder: encoded size vs raw int8 for each sparsity structure
// on a 1024 x 512 gaussian int8 matrix (the shape of the reference measurements quoted in
// /work/shared/papers.md), and encoder speed. `benchEncode()` is called by bench/run.ts; running
// this file alone (`npx tsx bench/encode.ts`) prints the same table.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { encodeWeights } from '../src/encodeWeights.js';
import { type WeightStructure, syntheticWeights } from '../src/weightEncoding/syntheticWeights.js';

/** One row of {@link benchEncode}. */
export interface BenchEncodeRow {
  set: string;
  structure: WeightStructure;
  sparsity: number;
  /** Encoded bytes (ours). */
  bytes: number;
  /** Vela's byte count for the same weights and accelerator (test/fixtures/vela-vectors.json), if recorded. */
  velaBytes: number | null;
  /** Raw int8 bytes / encoded bytes. */
  ratio: number;
  /** Ratio reported in papers.md for this structure, if any. */
  referenceRatio: number | null;
  /** Median encode time (ms). */
  ms: number;
  /** Weights encoded (fewer than 1024 x 512 when pruned rows are removed). */
  values: number;
}

const SHAPE: [number, number] = [1024, 512];
// Ethos-U55-128 micro-blocks (8 x 8) and Vela's block depth for batch-1 FC layers (the default).
const ACCELERATOR = { name: 'ethos-u55-128', macsPerCycle: 128 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function velaBytesById(): Map<string, number> {
  const url = new URL('../test/fixtures/vela-vectors.json', import.meta.url);
  const doc = JSON.parse(readFileSync(url, 'utf8')) as {
    velaApiVectors: { id: string; velaBytes: number }[];
  };
  const suffix = '@ethos-u55-128/default-block';
  return new Map(
    doc.velaApiVectors
      .filter((v) => v.id.endsWith(suffix))
      .map((v) => [v.id.slice(0, -suffix.length), v.velaBytes]),
  );
}

/**
 * Encodes the benchmark weight sets and returns the rows plus a Markdown table.
 * @param options `repeats` timing repeats per set (default 3); `quick` uses only 4 sets
 */
export function benchEncode(options: { repeats?: number; quick?: boolean } = {}): {
  rows: BenchEncodeRow[];
  markdown: string;
} {
  const repeats = options.repeats ?? 3;
  const vela = velaBytesById();
  const sets: {
    id: string;
    structure: WeightStructure;
    sparsity: number;
    ref: number | null;
    compact?: boolean;
  }[] = [
    { id: 'dense', structure: 'dense', sparsity: 0, ref: 1.12 },
    { id: 'unstructured-50', structure: 'unstructured', sparsity: 0.5, ref: null },
    { id: 'unstructured-90', structure: 'unstructured', sparsity: 0.9, ref: 6.8 },
    { id: 'unstructured-95', structure: 'unstructured', sparsity: 0.95, ref: 12.4 },
    { id: 'unstructured-98', structure: 'unstructured', sparsity: 0.98, ref: null },
    { id: 'block8x8-90', structure: 'block8x8', sparsity: 0.9, ref: 4.5 },
    { id: 'block8x8-98', structure: 'block8x8', sparsity: 0.98, ref: null },
    { id: 'unit-90', structure: 'unit', sparsity: 0.9, ref: null },
    { id: 'unit-90-compact', structure: 'unit', sparsity: 0.9, ref: 11, compact: true },
  ];
  const chosen = options.quick
    ? sets.filter((s) => ['dense', 'unstructured-90', 'block8x8-90', 'unit-90'].includes(s.id))
    : sets;
  const rows: BenchEncodeRow[] = [];
  for (const s of chosen) {
    let w = syntheticWeights({ shape: SHAPE, structure: s.structure, sparsity: s.sparsity, seed: 1 });
    let shape: [number, number] = SHAPE;
    if (s.compact) {
      // unit pruning shrinks the layer: keep only the non-zero output rows
      const keep: number[] = [];
      for (let r = 0; r < SHAPE[0]; r++)
        if (w.subarray(r * SHAPE[1], (r + 1) * SHAPE[1]).some((v) => v !== 0)) keep.push(r);
      const c = new Int8Array(keep.length * SHAPE[1]);
      for (const [i, r] of keep.entries()) c.set(w.subarray(r * SHAPE[1], (r + 1) * SHAPE[1]), i * SHAPE[1]);
      w = c;
      shape = [keep.length, SHAPE[1]];
    }
    encodeWeights(w, shape, ACCELERATOR); // warm-up
    const ts: number[] = [];
    let bytes = 0;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      bytes = encodeWeights(w, shape, ACCELERATOR).byteCount;
      ts.push(performance.now() - t0);
    }
    rows.push({
      set: s.id,
      structure: s.structure,
      sparsity: s.sparsity,
      bytes,
      velaBytes: vela.get(s.id) ?? null,
      // ratio against the original (uncompacted) 1024 x 512 int8 matrix
      ratio: (SHAPE[0] * SHAPE[1]) / bytes,
      referenceRatio: s.ref,
      ms: median(ts),
      values: w.length,
    });
  }
  const header = [
    'weight set (1024x512 int8)',
    'encoded bytes',
    'Vela bytes',
    'x smaller than raw',
    'papers.md',
    'encode ms',
    'MB/s',
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    lines.push(
      `| ${[
        r.set,
        r.bytes,
        r.velaBytes ?? '-',
        r.ratio.toFixed(2),
        r.referenceRatio === null ? '-' : `${r.referenceRatio}x`,
        r.ms.toFixed(0),
        (r.values / 1e6 / (r.ms / 1000)).toFixed(1),
      ].join(' | ')} |`,
    );
  }
  lines.push(
    '',
    'Ethos-U55-128 ordering, default OFM block depth (128). "x smaller" is against the 1024 x 512 int8 matrix; ' +
      'unit-90-compact drops the pruned output rows first (a [102, 512] layer). Vela bytes: Vela 3.10 ' +
      'npu_encode_weights on the same weights (test/fixtures/vela-vectors.json).',
  );
  return { rows, markdown: lines.join('\n') };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  console.log(benchEncode({ quick }).markdown);
}
