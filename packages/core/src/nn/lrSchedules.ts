import { LabInputError } from '../errors.js';

/**
 * A learning-rate schedule: the learning rate for optimizer step `step` (0-based: the first
 * update uses `schedule(0)`).
 */
export type LrSchedule = (step: number) => number;

function positive(fn: string, arg: string, v: unknown, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (allowZero ? v < 0 : v <= 0)) {
    throw new LabInputError(
      fn,
      arg,
      allowZero ? 'must be a finite number >= 0' : 'must be a finite number > 0',
      v,
    );
  }
  return v;
}

function posInt(fn: string, arg: string, v: unknown, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || (allowZero ? v < 0 : v <= 0)) {
    throw new LabInputError(fn, arg, allowZero ? 'must be an integer >= 0' : 'must be a positive integer', v);
  }
  return v;
}

/** `lr` at every step. */
export function constantLr(lr: number): LrSchedule {
  positive('constantLr', 'lr', lr, true);
  return () => lr;
}

/**
 * Step decay: `lr * gamma^floor(step / stepSize)` (PyTorch's StepLR counted in optimizer steps).
 */
export function stepLr(options: { lr: number; stepSize: number; gamma?: number }): LrSchedule {
  const lr = positive('stepLr', 'options.lr', options?.lr, true);
  const stepSize = posInt('stepLr', 'options.stepSize', options.stepSize);
  const gamma = positive('stepLr', 'options.gamma', options.gamma ?? 0.1, true);
  return (step) => lr * gamma ** Math.floor(step / stepSize);
}

/** Exponential decay: `lr * gamma^(step / decaySteps)` (continuous; `decaySteps` default 1). */
export function exponentialLr(options: { lr: number; gamma: number; decaySteps?: number }): LrSchedule {
  const lr = positive('exponentialLr', 'options.lr', options?.lr, true);
  const gamma = positive('exponentialLr', 'options.gamma', options.gamma);
  const decaySteps = positive('exponentialLr', 'options.decaySteps', options.decaySteps ?? 1);
  return (step) => lr * gamma ** (step / decaySteps);
}

/**
 * Linear warmup to `lr` over `warmupSteps` (`lr * (step + 1) / warmupSteps`, so the first step
 * is not wasted at 0), then `after(step - warmupSteps)` (default: constant `lr`).
 * @see Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", 2017.
 */
export function linearWarmupLr(options: { lr: number; warmupSteps: number; after?: LrSchedule }): LrSchedule {
  const lr = positive('linearWarmupLr', 'options.lr', options?.lr, true);
  const warmup = posInt('linearWarmupLr', 'options.warmupSteps', options.warmupSteps, true);
  const after = options.after;
  if (after !== undefined && typeof after !== 'function') {
    throw new LabInputError('linearWarmupLr', 'options.after', 'must be a schedule function', after);
  }
  return (step) => {
    if (step < warmup) return (lr * (step + 1)) / warmup;
    return after ? after(step - warmup) : lr;
  };
}

/**
 * Linear warmup (as {@link linearWarmupLr}) then cosine annealing from `lr` to `minLr` at
 * `totalSteps`; `minLr` afterwards:
 * `minLr + (lr - minLr) * (1 + cos(pi * (step - warmup) / (totalSteps - warmup))) / 2`.
 * @see Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017.
 */
export function cosineLr(options: {
  lr: number;
  totalSteps: number;
  warmupSteps?: number;
  minLr?: number;
}): LrSchedule {
  const lr = positive('cosineLr', 'options.lr', options?.lr, true);
  const total = posInt('cosineLr', 'options.totalSteps', options.totalSteps);
  const warmup = posInt('cosineLr', 'options.warmupSteps', options.warmupSteps ?? 0, true);
  const minLr = positive('cosineLr', 'options.minLr', options.minLr ?? 0, true);
  if (warmup >= total)
    throw new LabInputError('cosineLr', 'options.warmupSteps', `must be < totalSteps = ${total}`, warmup);
  if (minLr > lr) throw new LabInputError('cosineLr', 'options.minLr', `must be <= lr = ${lr}`, minLr);
  return (step) => {
    if (step < warmup) return (lr * (step + 1)) / warmup;
    const progress = Math.min(1, (step - warmup) / (total - warmup));
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
  };
}
