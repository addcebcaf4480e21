const path = require('path');
const webpack = require('webpack');
const [entry, out] = process.argv.slice(2);
webpack(
  {
    mode: 'production', target: 'web', entry: path.resolve(entry), devtool: false,
    optimization: { minimize: false }, performance: { hints: false },
    output: { path: path.resolve('out', out), filename: 'main.js' },
  },
  (err, stats) => {
    if (err || stats.hasErrors()) {
      console.error(err ?? stats.toString({ all: false, errors: true }));
      process.exit(1);
    }
    if (stats.hasWarnings()) console.warn(stats.toString({ all: false, warnings: true }));
  },
);
