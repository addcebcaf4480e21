import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** Where a run happened: reported with every number. */
export interface RunEnvironment {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  backend: string;
}

/** Describes this machine plus the tfjs backend in use. */
export function runEnvironment(backend: string): RunEnvironment {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    backend,
  };
}

/** A headline row for the demo's summary table. */
export interface SummaryRow {
  /** What was measured, e.g. "test accuracy". */
  label: string;
  /** The measured value, formatted. */
  value: string;
  /** What the paper or reference reports, formatted ('' if none). */
  reference?: string;
}

/** The report every example writes; `metrics` keys are stable and documented in its README. */
export interface ExampleReport {
  example: string;
  title: string;
  schemaVersion: 1;
  quick: boolean;
  seed: number;
  settings: Record<string, unknown>;
  metrics: Record<string, unknown>;
  summary: SummaryRow[];
  environment: RunEnvironment;
  startedAt: string;
  durationSeconds: number;
}

/**
 * Writes `report.json`, `report.md` and the given SVG files into `outDir` (created if needed).
 * `markdownBody` is the human-readable part (tables) placed under the title.
 */
export async function writeReport(
  outDir: string,
  report: ExampleReport,
  markdownBody: string,
  svgs: Record<string, string> = {},
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const env = report.environment;
  const pictures = Object.keys(svgs)
    .map((f) => `![${f}](${f})`)
    .join('\n\n');
  const md = [
    `# ${report.title}`,
    '',
    `Run ${report.startedAt}, ${report.quick ? 'quick mode' : 'full mode'}, seed ${report.seed}, ` +
      `${report.durationSeconds.toFixed(1)} s on ${env.cpu} (${env.cores} cores), Node ${env.node}, ` +
      `tfjs backend \`${env.backend}\`.`,
    '',
    markdownBody.trim(),
    '',
    pictures,
    '',
  ].join('\n');
  await writeFile(join(outDir, 'report.md'), md);
  for (const [name, svg] of Object.entries(svgs)) await writeFile(join(outDir, name), svg);
}
