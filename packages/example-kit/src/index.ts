export { parseExampleArgs } from './args.js';
export type { ExampleArgs } from './args.js';
export { fmt, markdownTable } from './markdown.js';
export { ProgressBar } from './progress.js';
export { runEnvironment, writeReport } from './report.js';
export type { ExampleReport, RunEnvironment, SummaryRow } from './report.js';
export { svgBarChart, svgLineChart } from './svg.js';
export type { BarChartOptions, LineChartOptions, LineSeries } from './svg.js';
