import type { OptionReader } from '@lab/core';
import type { FedModelSpec } from './clientModel.js';

/** Model options of {@link runServer} (and of {@link createBiasProbe}, which must match). */
export interface FedModelOptions {
  /** `'gcn'` (2-layer Kipf GCN, 2 hops) or `'appnp'` (2-layer MLP, then K propagation hops); default `'gcn'`. */
  kind?: 'gcn' | 'appnp';
  /** Hidden units (default 16). */
  hidden?: number;
  /** APPNP propagation steps K (default 10; ignored by GCN). */
  hops?: number;
  /** APPNP teleport probability (default 0.1). */
  alpha?: number;
}

/** Keys of {@link FedModelOptions}. */
export const MODEL_KEYS = ['kind', 'hidden', 'hops', 'alpha'] as const;

/** Reads {@link FedModelOptions} with their defaults (internal). */
export function readModelSpec(mo: OptionReader): FedModelSpec {
  return {
    kind: mo.oneOf('kind', ['gcn', 'appnp'] as const, 'gcn'),
    hidden: mo.integer('hidden', 16, { min: 1 }),
    hops: mo.integer('hops', 10, { min: 1, max: 64 }),
    alpha: mo.number('alpha', 0.1, { min: 0, max: 1, open: { min: true } }),
  };
}
