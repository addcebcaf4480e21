/**
 * Lets `tsx` load tfjs-core's ESM `dist/` files, whose relative imports have no `.js` extension
 * (the same fix as packages/core/bench/resolveHook.ts). Import before anything that loads tfjs.
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
