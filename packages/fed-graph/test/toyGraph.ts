// A small random graph and its split among clients, for the protocol tests.
import { createRng } from '@lab/core';
import type { ClientData } from '../src/clientData.js';

export interface Toy {
  n: number;
  f: number;
  c: number;
  edges: [number, number][];
  features: Float32Array;
  labels: Int32Array;
  split: Uint8Array;
}

export function toyGraph(seed: number): Toy {
  const rng = createRng(seed);
  const n = 40;
  const f = 12;
  const c = 3;
  const set = new Set<string>();
  const edges: [number, number][] = [];
  while (edges.length < 90) {
    const u = rng.int(n);
    const v = rng.int(n);
    if (u === v) continue;
    const [a, b] = u < v ? [u, v] : [v, u];
    if (set.has(`${a},${b}`)) continue;
    set.add(`${a},${b}`);
    edges.push([a, b]);
  }
  const features = Float32Array.from({ length: n * f }, () => (rng.next() < 0.3 ? 1 : 0));
  const labels = Int32Array.from({ length: n }, () => rng.int(c));
  const split = Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 3));
  return { n, f, c, edges, features, labels, split };
}

/** Node i has key `n${i}`: keys sort differently from indices (n10 < n2), as real keys may. */
export function clientsOf(g: Toy, assignment: Int32Array, numClients: number): ClientData[] {
  const local = new Int32Array(g.n);
  const members: number[][] = Array.from({ length: numClients }, () => []);
  for (let i = 0; i < g.n; i++) {
    local[i] = members[assignment[i]!]!.length;
    members[assignment[i]!]!.push(i);
  }
  return members.map((nodes, id) => {
    const le: number[] = [];
    const rl: number[] = [];
    const rn: string[] = [];
    const rc: number[] = [];
    for (const [u, v] of g.edges) {
      const cu = assignment[u]!;
      const cv = assignment[v]!;
      if (cu === id && cv === id) le.push(local[u]!, local[v]!);
      else if (cu === id) {
        rl.push(local[u]!);
        rn.push(`n${v}`);
        rc.push(cv);
      } else if (cv === id) {
        rl.push(local[v]!);
        rn.push(`n${u}`);
        rc.push(cu);
      }
    }
    const features = new Float32Array(nodes.length * g.f);
    nodes.forEach((i, r) => {
      features.set(g.features.subarray(i * g.f, (i + 1) * g.f), r * g.f);
    });
    return {
      id,
      numClients,
      numFeatures: g.f,
      numClasses: g.c,
      nodes: nodes.map((i) => `n${i}`),
      features,
      labels: Int32Array.from(nodes, (i) => g.labels[i]!),
      split: Uint8Array.from(nodes, (i) => g.split[i]!),
      localEdges: Int32Array.from(le),
      remoteEdges: { local: Int32Array.from(rl), remoteNode: rn, remoteClient: Int32Array.from(rc) },
    };
  });
}
