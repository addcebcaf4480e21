import { labTsup } from '../../tsup.base.js';

export default labTsup({
  // `register` is the one side-effectful entry (package.json `sideEffects`).
  entry: ['src/index.ts', 'src/register.ts'],
  external: [],
  // tfjs-core ships its gradient registrations only as extensionless ESM files that Node
  // cannot load; bundling them is safe because tfjs keeps its engine and its kernel and
  // gradient registries on a global, so the bundled copy registers into the one engine.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
