import type { NpuDtype } from '../model.js';

/** Bias + scale bytes per output channel (Vela's 80-bit entries). */
export const BIAS_BYTES_PER_CHANNEL = 10;
/** SRAM read latency in cycles (Vela). */
export const SRAM_LATENCY = 32;

/** Bytes per element of an activation type. */
export const bytesOf = (d: NpuDtype | undefined): number => (d === 'int16' ? 2 : 1);
export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);
export const roundUp = (a: number, b: number): number => Math.ceil(a / b) * b;
