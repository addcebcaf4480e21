import type { AcceleratorConfig } from '../accelerators.js';

/** SRAM write-burst efficiency of an NHWC OFM (Vela: 32-byte bursts, `min(16 x cores, depth)` bytes per write). */
export function ofmWriteFactor(acc: AcceleratorConfig, blockDepth: number, elementBytes: number): number {
  const burst = Math.min(64, 16 * elementBytes * acc.cores, blockDepth * elementBytes);
  return 32 / Math.min(32, burst);
}

/**
 * SRAM read-burst efficiency of an NHWC IFM whose reads burst over `depth` channels of
 * `elementBytes` (Vela: 32-byte bursts); 1 for the brick format.
 */
export function ifmReadFactor(nhwc: boolean, depth: number, elementBytes: number): number {
  return nhwc ? 32 / Math.min(32, depth * elementBytes) : 1;
}
