import { LabFormatError, LabInputError, type OptionReader, readOptions } from '@lab/core';

/**
 * Largest sizes a forecaster accepts, in its constructor and in a saved manifest (checked before
 * anything is allocated). They bound the memory and time a constructor needs (DLinear builds an
 * `L x L` moving-average matrix; PatternForecaster orthonormalises a `P x K` basis), far above the
 * ETT literature's settings (L <= 720, H <= 720, P <= 64).
 */
export const FORECASTER_LIMITS = {
  /** Look-back length L. */
  lookback: 4096,
  /** Horizon H. */
  horizon: 4096,
  /** Number of series N. */
  numSeries: 65536,
  /** DLinear's moving-average window (odd). */
  kernel: 8191,
  /** PatternForecaster's patch length P (and so its numPatterns K <= P). */
  patchLength: 256,
  /** PatternForecaster's attention size. */
  attentionDim: 1024,
  /** PatternForecaster's correlation-matrix embedding size. */
  embeddingDim: 1024,
} as const;

/** Instance normalisation modes. Internal. */
export const INSTANCE_NORMS = ['none', 'last', 'mean', 'revin'] as const;

/** Option names every trainable forecaster's constructor reads. Internal. */
export const NEURAL_KEYS = ['lookback', 'horizon', 'numSeries', 'seed', 'rng', 'instanceNorm'] as const;

/** Option names of the three sizes every forecaster takes. Internal. */
export const SIZE_KEYS = ['lookback', 'horizon', 'numSeries'] as const;

/** The three sizes, checked against {@link FORECASTER_LIMITS}. Internal. */
export interface ForecasterSizes {
  lookback: number;
  horizon: number;
  numSeries: number;
}

/** Reads and checks `lookback`, `horizon`, `numSeries` (required integers within the limits). Internal. */
export function readSizes(o: OptionReader): ForecasterSizes {
  return {
    lookback: o.integer('lookback', undefined, { min: 1, max: FORECASTER_LIMITS.lookback }),
    horizon: o.integer('horizon', undefined, { min: 1, max: FORECASTER_LIMITS.horizon }),
    numSeries: o.integer('numSeries', undefined, { min: 1, max: FORECASTER_LIMITS.numSeries }),
  };
}

/** Resolved options of a PatternForecaster (every default applied). Internal. */
export interface PatternConfig extends ForecasterSizes {
  patchLength: number;
  patchStride: number;
  numPatterns: number;
  numPatches: number;
  patterns: 'fixed' | 'diverse';
  basis: 'fourier' | 'polynomial';
  diversityWeight: number;
  subsequenceCorrelation: boolean;
  attentionDim: number;
  seriesCorrelation: boolean;
  embeddingDim: number;
}

/** Option names of PatternForecaster. Internal. */
export const PATTERN_KEYS = [
  ...NEURAL_KEYS,
  'patchLength',
  'patchStride',
  'numPatterns',
  'patterns',
  'basis',
  'diversityWeight',
  'subsequenceCorrelation',
  'attentionDim',
  'seriesCorrelation',
  'embeddingDim',
] as const;

/** Reads every PatternForecaster option (no allocation). Internal. */
export function readPatternConfig(fn: string, options: unknown): PatternConfig {
  const o = readOptions(fn, options, PATTERN_KEYS);
  const sizes = readSizes(o);
  const L = sizes.lookback;
  const patchLength = o.integer('patchLength', Math.min(16, L), {
    min: 1,
    max: Math.min(L, FORECASTER_LIMITS.patchLength),
  });
  const patchStride = o.integer('patchStride', Math.max(1, Math.floor(patchLength / 2)), {
    min: 1,
    max: patchLength,
  });
  const numPatterns = o.integer('numPatterns', patchLength, { min: 1, max: patchLength });
  return {
    ...sizes,
    patchLength,
    patchStride,
    numPatterns,
    numPatches: Math.floor((L - patchLength) / patchStride) + 1,
    patterns: o.oneOf('patterns', ['fixed', 'diverse'] as const, 'diverse'),
    basis: o.oneOf('basis', ['fourier', 'polynomial'] as const, 'fourier'),
    diversityWeight: o.number('diversityWeight', 0.01, { min: 0 }),
    subsequenceCorrelation: o.boolean('subsequenceCorrelation', true),
    attentionDim: o.integer('attentionDim', 16, { min: 1, max: FORECASTER_LIMITS.attentionDim }),
    seriesCorrelation: o.boolean('seriesCorrelation', true),
    embeddingDim: o.integer('embeddingDim', 10, { min: 1, max: FORECASTER_LIMITS.embeddingDim }),
  };
}

/** Option names of DLinearForecaster. Internal. */
export const DLINEAR_KEYS = [...NEURAL_KEYS, 'kernel'] as const;

/** Reads DLinear's moving-average window (odd, within the limit). Internal. */
export function readKernel(fn: string, options: unknown): number {
  const o = readOptions(fn, options, DLINEAR_KEYS);
  const kernel = o.integer('kernel', 25, { min: 1, max: FORECASTER_LIMITS.kernel });
  if (kernel % 2 === 0) throw new LabInputError(fn, 'options.kernel', 'must be an odd integer', kernel);
  return kernel;
}

/** The kinds {@link loadForecaster} rebuilds. */
export type ForecasterKind = 'Linear' | 'DLinear' | 'PatternForecaster';

/** Parameter name -> shape a saved forecaster must hold, from its resolved options. Internal. */
export function expectedParameters(
  kind: ForecasterKind,
  config: unknown,
  fn: string,
): Record<string, number[]> {
  const o = readOptions(
    fn,
    config,
    kind === 'Linear' ? NEURAL_KEYS : kind === 'DLinear' ? DLINEAR_KEYS : PATTERN_KEYS,
  );
  const { lookback: L, horizon: H } = readSizes(o);
  if (kind === 'Linear') return { 'linear.kernel': [L, H], 'linear.bias': [H] };
  if (kind === 'DLinear') {
    readKernel(fn, config);
    return { 'seasonal.kernel': [L, H], 'seasonal.bias': [H], 'trend.kernel': [L, H], 'trend.bias': [H] };
  }
  const c = readPatternConfig(fn, config);
  const { patchLength: P, numPatterns: K, numPatches: M, numSeries: N } = c;
  const out: Record<string, number[]> = {};
  if (c.patterns === 'diverse') out['patterns.basis'] = [N, P, K];
  if (c.subsequenceCorrelation) {
    out['subseq.query'] = [K, c.attentionDim];
    out['subseq.key'] = [K, c.attentionDim];
    out['subseq.value'] = [K, K];
    out['subseq.position'] = [M, c.attentionDim];
  }
  if (c.seriesCorrelation) {
    out['series.e1'] = [N, c.embeddingDim];
    out['series.e2'] = [N, c.embeddingDim];
    out['series.gate'] = [N];
  }
  out['head.kernel'] = [M * K, H];
  out['head.bias'] = [H];
  return out;
}

/** Manifest metadata tag of saved forecasters. */
export const FORECASTER_FORMAT = 'lab-pattern-forecast';

/** What a forecaster manifest's metadata says, checked. Internal. */
export interface CheckedForecasterManifest {
  kind: ForecasterKind;
  config: Record<string, unknown>;
  expected: Record<string, number[]>;
}

/**
 * Checks a parsed manifest's forecaster metadata (format, kind, every option, within
 * {@link FORECASTER_LIMITS}) and derives the parameter shapes it implies, without allocating:
 * any problem is a {@link LabFormatError} naming `source`. Internal.
 */
export function checkForecasterManifest(
  fn: string,
  manifest: unknown,
  source: string,
): CheckedForecasterManifest {
  const where = { source };
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new LabFormatError(fn, 'manifest', where, 'must be a JSON object', manifest);
  }
  const metadata = (manifest as Record<string, unknown>).metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new LabFormatError(fn, 'manifest', where, 'must have a metadata object', metadata);
  }
  const m = metadata as Record<string, unknown>;
  if (m.format !== FORECASTER_FORMAT) {
    throw new LabFormatError(
      fn,
      'manifest',
      where,
      `must be saved by NeuralForecaster.save (metadata.format '${FORECASTER_FORMAT}')`,
      m.format,
    );
  }
  const kind = m.kind;
  if (kind !== 'Linear' && kind !== 'DLinear' && kind !== 'PatternForecaster') {
    throw new LabFormatError(
      fn,
      'manifest',
      where,
      "must hold metadata.kind 'Linear', 'DLinear' or 'PatternForecaster'",
      kind,
    );
  }
  const config = m.config;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new LabFormatError(fn, 'manifest', where, 'must hold a metadata.config object', config);
  }
  let expected: Record<string, number[]>;
  try {
    expected = expectedParameters(kind, config, `${kind} config`);
    const keys = kind === 'Linear' ? NEURAL_KEYS : kind === 'DLinear' ? DLINEAR_KEYS : PATTERN_KEYS;
    const o = readOptions(fn, config, keys);
    o.oneOf('instanceNorm', INSTANCE_NORMS, 'none');
    o.rng(); // checks seed (and rejects an rng, which JSON cannot hold)
  } catch (err) {
    if (!(err instanceof LabInputError)) throw err;
    throw new LabFormatError(
      fn,
      'manifest',
      where,
      `must hold a valid metadata.config (${err.message})`,
      undefined,
      { cause: err },
    );
  }
  return { kind, config: config as Record<string, unknown>, expected };
}
