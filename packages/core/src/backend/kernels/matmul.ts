/**
 * Placeholder: filled by the wasm kernel work (see packages/core/CONTRIBUTING notes).
 * Registers nothing yet.
 */
export function registerMatMulTransposeFix(): void {}
