/**
 * Shared by the package benchmarks (each package's `bench/run.ts`). Registers a Node module-resolution hook that adds the missing `.js` (or `/index.js`) to the
 * extensionless relative imports inside `@tensorflow/tfjs-*` `dist/` ESM files, so `tsx` can
 * run the sources (which import `@tensorflow/tfjs-core/dist/register_all_gradients`). Vitest
 * does the same by inlining those files; tsup by bundling them. Import it before anything
 * that loads tfjs-core's ESM files (use a dynamic import for those).
 *
 * @see https://nodejs.org/api/module.html#customization-hooks
 */
import { register } from 'node:module';

const HOOK = `
export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL ?? '';
  if (/[\\\\/]@tensorflow[\\\\/]tfjs-[a-z-]+[\\\\/]dist[\\\\/]/.test(parent) &&
      specifier.startsWith('.') && !/\\.[cm]?js$/.test(specifier)) {
    try { return await nextResolve(specifier + '.js', context); } catch {}
    try { return await nextResolve(specifier + '/index.js', context); } catch {}
  }
  return nextResolve(specifier, context);
}
`;

register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
