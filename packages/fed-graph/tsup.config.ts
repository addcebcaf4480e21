import { labTsup } from '../../tsup.base.js';

export default labTsup({
  entry: ['src/index.ts', 'src/workerClient.ts', 'src/cli.ts'],
  external: ['@lab/core', '@tensorflow/tfjs-core', 'graphology', 'nats'],
});
