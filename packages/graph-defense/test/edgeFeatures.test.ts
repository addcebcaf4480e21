import { LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { edgeFeatures } from '../src/edgeFeatures.js';

// Float64 arithmetic on a handful of terms.
const EXACT_F64 = 1e-12;

describe('edgeFeatures', () => {
  // Path 0-1-2-3 plus edge 1-3; predicted labels [0, 0, 1, 1].
  const edges = Int32Array.from([0, 1, 1, 2, 2, 3, 1, 3]);
  const y = Int32Array.from([0, 0, 1, 1]);
  const features = Float32Array.from([1, 0, 1, 1, 0, 1, 0, 2]);
  const embeddings = Float32Array.from([0, 0, 3, 4, 0, 0, 1, 1]);
  const res = edgeFeatures({ numNodes: 4, edges, predictedLabels: y, numClasses: 2, features, numFeatures: 2, embeddings, embeddingDim: 2 });
  const col = (e: number, name: string): number => res.values[e * res.dim + res.names.indexOf(name)];

  it('matches a hand computation', () => {
    expect(res.dim).toBe(19);
    // Node 1: neighbours 0 (label 0), 2 (1), 3 (1): degree 3, 2 distinct labels, top 2/3, second 1/3, own label 0 share 1/3.
    // Node 2: neighbours 1 (0), 3 (1): degree 2, 2 distinct, top 1/2, second 1/2, own label 1 share 1/2.
    // Edge (1, 2) is edge 1.
    expect(col(1, 'logDegreeMin')).toBeCloseTo(Math.log(3), 12);
    expect(col(1, 'logDegreeMax')).toBeCloseTo(Math.log(4), 12);
    expect(col(1, 'distinctLabelsMin')).toBe(2);
    expect(col(1, 'meanCountPerLabelMin')).toBeCloseTo(1, 12);
    expect(col(1, 'meanCountPerLabelMax')).toBeCloseTo(1.5, 12);
    expect(col(1, 'topLabelShareMin')).toBeCloseTo(0.5, 12);
    expect(col(1, 'topLabelShareMax')).toBeCloseTo(2 / 3, 12);
    expect(col(1, 'secondLabelShareMin')).toBeCloseTo(1 / 3, 12);
    expect(col(1, 'topSecondSpreadMin')).toBeCloseTo(0, 12);
    expect(col(1, 'topSecondSpreadMax')).toBeCloseTo(1 / 3, 12);
    expect(col(1, 'ownLabelShareMin')).toBeCloseTo(1 / 3, 12);
    expect(col(1, 'labelAgreement')).toBe(0);
    // Other neighbours of 1 (0, 3) with label y2 = 1: 1 of 2; of 2 (3) with label y1 = 0: 0 of 1.
    expect(col(1, 'otherLabelShareMin')).toBeCloseTo(0, 12);
    expect(col(1, 'otherLabelShareMax')).toBeCloseTo(0.5, 12);
    // cos([1, 1], [0, 1]) = 1 / sqrt(2); |(3, 4) - (0, 0)| = 5.
    expect(Math.abs(col(1, 'featureCosine') - Math.SQRT1_2)).toBeLessThan(1e-6);
    expect(Math.abs(col(1, 'embeddingDistance') - 5)).toBeLessThan(EXACT_F64);
    // Edge (0, 1): labels agree; node 0 has no other neighbour (share 0), node 1's others (2, 3) carry label 1, not 0.
    expect(col(0, 'labelAgreement')).toBe(1);
    expect(col(0, 'otherLabelShareMax')).toBe(0);
  });

  it('is symmetric in the endpoint order', () => {
    const flipped = Int32Array.from([1, 0, 2, 1, 3, 2, 3, 1]);
    const res2 = edgeFeatures({ numNodes: 4, edges: flipped, predictedLabels: y, numClasses: 2, features, numFeatures: 2, embeddings, embeddingDim: 2 });
    expect(Array.from(res2.values)).toEqual(Array.from(res.values));
  });

  it('omits the optional columns and rejects bad input', () => {
    expect(edgeFeatures({ numNodes: 4, edges, predictedLabels: y, numClasses: 2 }).dim).toBe(17);
    expect(() => edgeFeatures({ numNodes: 4, edges, predictedLabels: Int32Array.from([0, 0, 2, 1]), numClasses: 2 })).toThrow(/predictedLabels\[2\]/);
    expect(() => edgeFeatures({ numNodes: 4, edges, predictedLabels: y, numClasses: 2, features, numFeatures: 3 })).toThrow(LabInputError);
  });
});
