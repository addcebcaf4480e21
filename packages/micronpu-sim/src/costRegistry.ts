// The op-kind -> cost-function table of estimateModel (as tfjs registers kernels per op name).
import { LabInputError } from '@lab/core';
import { activationCost } from './costs/activation.js';
import { addCost } from './costs/add.js';
import { conv2DCost } from './costs/conv2D.js';
import { depthwiseConv2DCost } from './costs/depthwiseConv2D.js';
import { fullyConnectedCost } from './costs/fullyConnected.js';
import { mulCost } from './costs/mul.js';
import type { OpCostFn, OpKind, OpOfKind } from './costs/opCost.js';

const registry = new Map<string, OpCostFn>();

/**
 * Registers the cost function of a primitive op kind (internal: the built-in kinds are
 * registered below, once, when this module loads; the table is not part of the public API).
 * Throws `LabInputError` if the kind already has one, so two modules cannot silently replace
 * each other's costs.
 */
export function registerOpCost<K extends OpKind>(kind: K, cost: OpCostFn<OpOfKind<K>>): void {
  if (registry.has(kind)) {
    throw new LabInputError('registerOpCost', 'kind', 'must not have a registered cost already', kind);
  }
  registry.set(kind, cost as OpCostFn);
}

/**
 * The cost function registered for `kind`; throws `LabInputError(fn, arg, ...)` naming the
 * registered kinds when there is none.
 */
export function getOpCost(kind: string, fn = 'getOpCost', arg = 'kind'): OpCostFn {
  const cost = registry.get(kind);
  if (cost === undefined) {
    throw new LabInputError(
      fn,
      arg,
      `must be an op kind with a registered cost (${[...registry.keys()].join(', ')})`,
      kind,
    );
  }
  return cost;
}

/** The kinds with a registered cost function, in registration order. */
export function registeredOpKinds(): OpKind[] {
  return [...registry.keys()] as OpKind[];
}

registerOpCost('FullyConnected', fullyConnectedCost);
registerOpCost('Conv2D', conv2DCost);
registerOpCost('DepthwiseConv2D', depthwiseConv2DCost);
registerOpCost('Add', addCost);
registerOpCost('Mul', mulCost);
registerOpCost('Activation', activationCost);
