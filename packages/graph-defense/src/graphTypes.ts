import type { LabeledGraph } from '@lab/core';

/** One edge flip: add an edge that was absent, or remove one that was present. */
export interface EdgeFlip {
  source: string;
  target: string;
  op: 'add' | 'remove';
}

/** What every global or targeted attack returns. */
export interface AttackResult {
  /** A perturbed copy; the input graph is never modified. */
  graph: LabeledGraph;
  /** Exactly the flips that turn the input into `graph`, in the order they were chosen. */
  flips: EdgeFlip[];
  /** Budget the attack was given (number of flips). */
  budget: number;
}
