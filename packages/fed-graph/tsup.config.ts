import { labTsup } from '../../tsup.base.js';

export default labTsup({ external: ['@lab/core', '@tensorflow/tfjs-core', 'graphology', 'nats'] });
