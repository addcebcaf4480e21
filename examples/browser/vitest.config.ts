import { labVitest } from '../../vitest.base.js';

// The page bundles @lab/core's built dist/, so the Node side of the comparison uses it too.
export default labVitest('@lab/example-browser', { coreFromSource: false });
