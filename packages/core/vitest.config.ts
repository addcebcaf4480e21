import { labVitest } from '../../vitest.base.js';

// Core's own tests import its source directly.
export default labVitest('core', { coreFromSource: false });
