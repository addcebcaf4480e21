import * as tf from '@tensorflow/tfjs-core';
import { LabFormatError, loadParameters } from '@lab/core';
import { DLinearForecaster, type DLinearForecasterOptions } from './DLinearForecaster.js';
import { LinearForecaster, type LinearForecasterOptions } from './LinearForecaster.js';
import { FORECASTER_FORMAT, type NeuralForecaster } from './NeuralForecaster.js';
import { PatternForecaster, type PatternForecasterOptions } from './PatternForecaster.js';

/**
 * Loads a forecaster saved with `NeuralForecaster.save`: rebuilds the model from the stored
 * configuration, then loads its weights (names and shapes must match exactly).
 *
 * @param path - the manifest path given to `save`.
 * @returns the trained forecaster (call `dispose()` when done).
 * @see Cheng, Guo et al., arXiv 2212.10306.
 */
export async function loadForecaster(path: string): Promise<NeuralForecaster> {
  const { tensors, metadata } = await loadParameters(path);
  try {
    if (metadata.format !== FORECASTER_FORMAT || typeof metadata.config !== 'object' || metadata.config === null) {
      throw new LabFormatError('loadForecaster', 'path', { source: path }, `must be a manifest saved by NeuralForecaster.save (format '${FORECASTER_FORMAT}')`, metadata.format);
    }
    const config = metadata.config as Record<string, unknown>;
    let model: NeuralForecaster;
    switch (metadata.kind) {
      case 'Linear':
        model = new LinearForecaster(config as unknown as LinearForecasterOptions);
        break;
      case 'DLinear':
        model = new DLinearForecaster(config as unknown as DLinearForecasterOptions);
        break;
      case 'PatternForecaster':
        model = new PatternForecaster(config as unknown as PatternForecasterOptions);
        break;
      default:
        throw new LabFormatError('loadForecaster', 'path', { source: path }, "must hold kind 'Linear', 'DLinear' or 'PatternForecaster'", metadata.kind);
    }
    try {
      model.store.loadRecord(tensors);
    } catch (err) {
      model.dispose();
      throw err;
    }
    return model;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
