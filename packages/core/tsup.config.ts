import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/register.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  // tfjs-core ships its gradient registrations only as extensionless ESM files that Node
  // cannot load; bundling them is safe because tfjs keeps its engine and its kernel and
  // gradient registries on a global, so the bundled copy registers into the one engine.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
