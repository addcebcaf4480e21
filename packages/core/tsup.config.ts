import { labTsup } from '../../tsup.base.js';

export default labTsup({
  // `register`, `webgl` and `webgpu` are the side-effectful entries (package.json `sideEffects`);
  // the optional backends (peers) are imported only by `webgl` / `webgpu`, never by `index`.
  entry: ['src/index.ts', 'src/register.ts', 'src/webgl.ts', 'src/webgpu.ts'],
  external: [],
  // tfjs-core ships its gradient registrations only as extensionless ESM files that Node
  // cannot load; bundling them is safe because tfjs keeps its engine and its kernel and
  // gradient registries on a global, so the bundled copy registers into the one engine.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
