import { type CsvSeries, type ParseCsvSeriesOptions, readCsvSeries } from '@lab/core';

/**
 * Reads a multivariate time series with a date column (the ETT layout
 * `date,HUFL,HULL,MUFL,MULL,LUFL,LULL,OT`) from a CSV file. A thin wrapper over
 * `readCsvSeries` from `@lab/core`, which reports ragged rows, non-numeric or empty cells and
 * `NaN`s as a `LabFormatError` naming the file, the 1-based line and the column.
 *
 * @param path - CSV path, e.g. `resolveDataDir('timeseries', 'ett', 'ETTh1.csv')`.
 * @param options - column selection, dtype (default float32), date column name.
 * @returns dates, column names and the row-major `rows x cols` values.
 * @see Zhou et al., "Informer", AAAI 2021 (the ETT data sets), https://github.com/zhouhaoyi/ETDataset
 */
export async function loadCsvSeries(path: string, options: ParseCsvSeriesOptions = {}): Promise<CsvSeries> {
  return readCsvSeries(path, options);
}
