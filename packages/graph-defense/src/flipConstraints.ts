import { LabInputError, type GraphArrays, type LabeledGraph } from '@lab/core';
import { applyEdgeFlips } from './applyEdgeFlips.js';
import type { AttackResult, EdgeFlip } from './graphTypes.js';

/**
 * Book-keeping for structure attacks under DeepRobust's constraints: symmetric flips of unordered
 * pairs `{i, j}`, no self loops, never the same pair twice, and no removal that leaves a node
 * without neighbours (no singleton nodes created; nodes already isolated may stay so). Tracks the
 * current edge set and degrees as flips are made, and records the flips in order.
 *
 * @see Zügner & Günnemann, "Adversarial Attacks on Graph Neural Networks via Meta Learning",
 *   ICLR 2019 (singleton filter); DeepRobust `deeprobust/graph/global_attack`.
 */
export class FlipConstraints {
  readonly numNodes: number;
  /** Current degree of every node. */
  readonly degree: Int32Array;
  private readonly nodes: readonly string[];
  private readonly edgeSet = new Set<number>();
  private readonly flipped = new Set<number>();
  private readonly list: EdgeFlip[] = [];
  private readonly pairs: Array<[number, number]> = [];

  /** Starts from the clean graph's arrays (see `graphArrays`). */
  constructor(arrays: GraphArrays) {
    this.numNodes = arrays.numNodes;
    this.nodes = arrays.nodes;
    this.degree = new Int32Array(arrays.numNodes);
    for (let e = 0; e < arrays.numEdges; e++) {
      const i = arrays.edges[2 * e] as number;
      const j = arrays.edges[2 * e + 1] as number;
      this.edgeSet.add(this.key(i, j));
      this.degree[i] = (this.degree[i] as number) + 1;
      this.degree[j] = (this.degree[j] as number) + 1;
    }
  }

  /** Unordered pair key `min * N + max`. */
  key(i: number, j: number): number {
    return i < j ? i * this.numNodes + j : j * this.numNodes + i;
  }

  /** Whether `{i, j}` is currently an edge. */
  hasEdge(i: number, j: number): boolean {
    return this.edgeSet.has(this.key(i, j));
  }

  /** Whether `{i, j}` was already flipped. */
  wasFlipped(i: number, j: number): boolean {
    return this.flipped.has(this.key(i, j));
  }

  /** Whether flipping `{i, j}` now respects every constraint. */
  canFlip(i: number, j: number): boolean {
    if (i === j || this.flipped.has(this.key(i, j))) return false;
    if (this.edgeSet.has(this.key(i, j)))
      return (this.degree[i] as number) > 1 && (this.degree[j] as number) > 1;
    return true;
  }

  /** Flips `{i, j}` (throws if not allowed); returns the operation made. */
  flip(i: number, j: number): 'add' | 'remove' {
    if (!this.canFlip(i, j)) {
      throw new LabInputError(
        'FlipConstraints.flip',
        'pair',
        'must be a flippable pair (constraints)',
        `${i}-${j}`,
      );
    }
    const k = this.key(i, j);
    const op = this.edgeSet.has(k) ? 'remove' : 'add';
    const d = op === 'add' ? 1 : -1;
    if (op === 'add') this.edgeSet.add(k);
    else this.edgeSet.delete(k);
    this.degree[i] = (this.degree[i] as number) + d;
    this.degree[j] = (this.degree[j] as number) + d;
    this.flipped.add(k);
    const [a, b] = i < j ? [i, j] : [j, i];
    this.pairs.push([a, b]);
    this.list.push({ source: this.nodes[a] as string, target: this.nodes[b] as string, op });
    return op;
  }

  /** Number of flips made. */
  get count(): number {
    return this.list.length;
  }

  /** The flips made so far, in order (a copy). */
  flips(): EdgeFlip[] {
    return this.list.map((f) => ({ ...f }));
  }

  /** The flipped pairs as node indices `[i, j]`, `i < j`, in order (a copy). */
  flippedPairs(): Array<[number, number]> {
    return this.pairs.map(([a, b]) => [a, b]);
  }

  /** The attack result: the clean graph with the flips applied, the flips and the budget. */
  result(graph: LabeledGraph, budget: number): AttackResult {
    const flips = this.flips();
    return { graph: applyEdgeFlips(graph, flips), flips, budget };
  }
}
