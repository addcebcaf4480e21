import { labVitest } from '../../vitest.base.js';

export default labVitest('fed-graph');
