import { labVitest } from '../../vitest.base.js';

// Pure TypeScript helpers: no tfjs backend in this package's own tests.
export default labVitest('test-utils', { coreFromSource: false, tfjs: false });
