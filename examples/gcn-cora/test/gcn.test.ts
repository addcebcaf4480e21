import { existsSync } from 'node:fs';
import { findDataDir, Gcn, graphArrays, initBackend, loadGraphFolder } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await initBackend();
});

// The GCN itself lives in @lab/core (graph/Gcn.ts, tested in packages/core/test/gcn.test.ts);
// this checks the example's setup on Cora.
const coraDir = (() => {
  try {
    return `${findDataDir()}/graphs/cora`;
  } catch {
    return '';
  }
})();

describe('gcn-cora', () => {
  it.runIf(coraDir !== '' && existsSync(coraDir))(
    'Cora smoke: the folder loads as a graph, 20 epochs of core Gcn reduce the loss and beat chance',
    async () => {
      const data = graphArrays(await loadGraphFolder(coraDir));
      let nnz = 0;
      for (const v of data.features) if (v !== 0) nnz++;
      expect(nnz).toBe(49216);
      expect([data.numNodes, data.numEdges, data.numFeatures, data.numClasses]).toEqual([
        2708, 5278, 1433, 7,
      ]);
      const gcn = new Gcn({ numFeatures: data.numFeatures, numClasses: data.numClasses, seed: 1 });
      const r = await gcn.fit(data, { epochs: 20, seed: 1, validation: true });
      gcn.dispose();
      expect(r.loss.at(-1)).toBeLessThan(r.loss[0] as number);
      expect(r.valLoss).toHaveLength(20);
      expect(r.testAccuracy).toBeGreaterThan(0.5); // 7 classes: chance ~0.3 (majority class)
    },
  );
});
