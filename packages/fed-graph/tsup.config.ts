import { labTsup } from '../../tsup.base.js';

export default labTsup({
  entry: ['src/index.ts', 'src/workerClient.ts'],
  external: ['@lab/core', '@tensorflow/tfjs-core', 'graphology', 'nats'],
});
