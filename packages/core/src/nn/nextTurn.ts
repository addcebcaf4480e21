/**
 * Resolves on the next turn of the event loop (`setImmediate` in Node, else a 0 ms timeout):
 * what an async `fit` awaits between epochs under the training contract, so progress shows
 * and a browser stays responsive.
 *
 * @example
 * ```ts
 * let ticked = false;
 * setTimeout(() => { ticked = true; }, 0);
 * await nextTurn();
 * await new Promise((r) => setTimeout(r, 1));
 * if (!ticked) throw new Error('the event loop ran');
 * ```
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
    if (typeof immediate === 'function') immediate(resolve);
    else setTimeout(resolve, 0);
  });
}
