import { LabInputError, readOptions } from '@lab/core';
import { type AcceleratorConfig, resolveAccelerator } from './accelerators.js';

/** An NPU system: accelerator, clock, on-chip SRAM and the off-chip weight memory (flash or DRAM). */
export interface SystemConfig {
  readonly name: string;
  readonly accelerator: AcceleratorConfig;
  readonly clockHz: number;
  /** SRAM bandwidth in bytes per second. */
  readonly sramBytesPerSecond: number;
  /** SRAM available for activations (tensor arena), bytes. */
  readonly sramBytes: number;
  /**
   * Off-chip memory holding weights placed in 'flash': kind, bandwidth (bytes per second) and
   * read latency in NPU cycles (vela.ini: flash 64, DRAM 500).
   */
  readonly offChip: {
    readonly kind: 'flash' | 'dram';
    readonly bytesPerSecond: number;
    readonly readLatencyCycles: number;
  };
}

/** Options of {@link defineSystem}. */
export interface DefineSystemOptions {
  readonly name: string;
  readonly accelerator: string | AcceleratorConfig;
  readonly clockHz: number;
  readonly sramBytesPerSecond: number;
  readonly sramBytes: number;
  /** `readLatencyCycles` defaults to vela.ini's 64 (flash) / 500 (DRAM). */
  readonly offChip: {
    readonly kind: 'flash' | 'dram';
    readonly bytesPerSecond: number;
    readonly readLatencyCycles?: number;
  };
}

/** `> 0` and finite. */
const POSITIVE = { min: 0, open: { min: true } } as const;

/**
 * Builds and validates a system configuration (custom clock, bandwidths, SRAM size).
 * Throws `LabInputError` naming the bad field.
 *
 * @see Stamenovic et al., arXiv 2111.02351; Vela's `config_files/Arm/vela.ini` system presets.
 */
export function defineSystem(options: DefineSystemOptions): SystemConfig {
  const fn = 'defineSystem';
  const o = readOptions(fn, options, [
    'name',
    'accelerator',
    'clockHz',
    'sramBytesPerSecond',
    'sramBytes',
    'offChip',
  ]);
  const name = o.string('name');
  const accelerator = resolveAccelerator(fn, o.argName('accelerator'), o.raw('accelerator'));
  if (!o.has('offChip')) {
    throw new LabInputError(
      fn,
      o.argName('offChip'),
      "is required and must be { kind: 'flash' | 'dram', bytesPerSecond }",
    );
  }
  const off = o.nested('offChip', ['kind', 'bytesPerSecond', 'readLatencyCycles']);
  const kind = off.oneOf('kind', ['flash', 'dram']);
  return Object.freeze({
    name,
    accelerator,
    clockHz: o.number('clockHz', undefined, POSITIVE),
    sramBytesPerSecond: o.number('sramBytesPerSecond', undefined, POSITIVE),
    sramBytes: o.number('sramBytes', undefined, POSITIVE),
    offChip: Object.freeze({
      kind,
      bytesPerSecond: off.number('bytesPerSecond', undefined, POSITIVE),
      // vela.ini's read latencies.
      readLatencyCycles: off.number('readLatencyCycles', kind === 'flash' ? 64 : 500, { min: 0 }),
    }),
  });
}

const GB = 1e9;
const KiB = 1024;

/**
 * System presets following Vela's `vela.ini`: U55 "High-End Embedded" (500 MHz, SRAM 4 GB/s,
 * flash 0.5 GB/s), U55 "Deep Embedded" (200 MHz, SRAM 1.6 GB/s, flash 0.1 GB/s), U65 "High-End"
 * (1 GHz, SRAM 16 GB/s, DRAM 3.75 GB/s). SRAM sizes (2 MiB, 512 KiB, 4 MiB) are our assumptions
 * (vela.ini leaves the arena size to the user). Keys: `u55-high-end` (U55-256),
 * `u55-deep-embedded` (U55-256), `u65-high-end` (U65-512); use {@link systemFor} for other sizes.
 *
 * @see Stamenovic et al., arXiv 2111.02351 (U55 targets).
 */
export const systems: Readonly<Record<string, SystemConfig>> = Object.freeze({
  'u55-high-end': defineSystem({
    name: 'u55-high-end',
    accelerator: 'ethos-u55-256',
    clockHz: 500e6,
    sramBytesPerSecond: 4 * GB,
    sramBytes: 2048 * KiB,
    offChip: { kind: 'flash', bytesPerSecond: 0.5 * GB },
  }),
  'u55-deep-embedded': defineSystem({
    name: 'u55-deep-embedded',
    accelerator: 'ethos-u55-256',
    clockHz: 200e6,
    sramBytesPerSecond: 1.6 * GB,
    sramBytes: 512 * KiB,
    offChip: { kind: 'flash', bytesPerSecond: 0.1 * GB },
  }),
  'u65-high-end': defineSystem({
    name: 'u65-high-end',
    accelerator: 'ethos-u65-512',
    clockHz: 1e9,
    sramBytesPerSecond: 16 * GB,
    sramBytes: 4096 * KiB,
    offChip: { kind: 'dram', bytesPerSecond: 3.75 * GB },
  }),
});

/**
 * A preset system with another accelerator, e.g. `systemFor('u55-high-end', 'ethos-u55-128')`.
 *
 * @see Stamenovic et al., arXiv 2111.02351.
 */
export function systemFor(preset: string, accelerator: string | AcceleratorConfig): SystemConfig {
  const base = typeof preset === 'string' && Object.hasOwn(systems, preset) ? systems[preset] : undefined;
  if (!base) {
    throw new LabInputError(
      'systemFor',
      'preset',
      `must be one of ${Object.keys(systems).join(', ')}`,
      preset,
    );
  }
  const a = resolveAccelerator('systemFor', 'accelerator', accelerator);
  return defineSystem({ ...base, name: `${preset}/${a.name}`, accelerator: a });
}
