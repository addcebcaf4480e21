/** Progress callback of a panel: fraction done in [0, 1] and what it is doing. */
export type Progress = (fraction: number, message: string) => void;

/**
 * Yields to the event loop (a macrotask), so a browser repaints the progress bar between the
 * synchronous stages of a computation; harmless in Node.
 */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
