import { fc, fuzzDecoder, fuzzRuns } from '@lab/test-utils';
import { initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientData } from '../src/clientData.js';
import { decodeClientData } from '../src/decodeClientData.js';
import { encodeClientData } from '../src/encodeClientData.js';
import { partitionGraph } from '../src/partitionGraph.js';
import { smallGraph } from './helpers.js';

function checkValid(d: ClientData): void {
  const n = d.nodes.length;
  expect(d.id).toBeLessThan(d.numClients);
  expect(d.features.length).toBe(n * d.numFeatures);
  for (const v of d.features) expect(Number.isFinite(v)).toBe(true);
  for (const l of d.labels) expect(l >= -1 && l < d.numClasses).toBe(true);
  for (const s of d.split) expect(s).toBeLessThanOrEqual(3);
  for (let e = 0; e < d.localEdges.length; e += 2) {
    expect(d.localEdges[e]).toBeLessThan(d.localEdges[e + 1] as number);
    expect(d.localEdges[e + 1]).toBeLessThan(n);
  }
  for (const c of d.remoteEdges.remoteClient) expect(c !== d.id && c >= 0 && c < d.numClients).toBe(true);
  for (const u of d.remoteEdges.local) expect(u >= 0 && u < n).toBe(true);
  expect(new Set(d.nodes).size).toBe(n);
}

// fuzzDecoder counts tensors (a decoder must not leak any), which needs a backend.
beforeAll(async () => {
  await initBackend();
});

describe('decodeClientData (fuzz)', () => {
  it('arbitrary bytes and mutated files: a valid result or a LabFormatError, fast, input unchanged', async () => {
    const parts = [
      partitionGraph(smallGraph(12, 0.3, 21, 2, 2), { numClients: 2, method: 'random' }),
      partitionGraph(smallGraph(20, 0.2, 22, 3, 4), { numClients: 3, method: 'dirichlet', alpha: 0.5 }),
    ];
    const valid = parts.flatMap((p) => p.clients.map((c) => encodeClientData(c)));
    await fuzzDecoder({ decode: (b) => decodeClientData(b), valid, check: checkValid });
  });

  it('round trips: seeded random graphs and partitions encode and decode exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 25 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom('louvain' as const, 'random' as const, 'dirichlet' as const),
        (n, p, seed, method) => {
          const g = smallGraph(n, p, seed, 2, 3);
          const part = partitionGraph(g, { numClients: Math.min(n, 3), method, seed });
          for (const c of part.clients) {
            const d = decodeClientData(encodeClientData(c));
            expect(d.nodes).toEqual(c.nodes);
            expect(d.features).toEqual(c.features);
            expect(d.labels).toEqual(c.labels);
            expect(d.split).toEqual(c.split);
            expect(d.localEdges).toEqual(c.localEdges);
            expect(d.remoteEdges).toEqual(c.remoteEdges);
          }
        },
      ),
      { numRuns: fuzzRuns(50), seed: 7 },
    );
  });
});
