/** A terminal progress bar on stderr; degrades to a line every 10% when stderr is not a TTY. */
export class ProgressBar {
  private readonly label: string;
  private readonly total: number;
  private readonly stream: NodeJS.WriteStream;
  private readonly start = Date.now();
  private lastDecile = -1;
  private finished = false;

  constructor(label: string, total: number, stream: NodeJS.WriteStream = process.stderr) {
    this.label = label;
    this.total = Math.max(1, total);
    this.stream = stream;
  }

  /** Shows `done` of `total` steps, with an optional short status (e.g. the current loss). */
  update(done: number, status = ''): void {
    if (this.finished) return;
    const frac = Math.min(1, Math.max(0, done / this.total));
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = frac > 0 ? elapsed * (1 / frac - 1) : Number.NaN;
    const timing = `${elapsed.toFixed(1)}s${Number.isFinite(eta) ? ` eta ${eta.toFixed(1)}s` : ''}`;
    if (this.stream.isTTY) {
      const width = 28;
      const filled = Math.round(frac * width);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
      this.stream.write(`\r${this.label} [${bar}] ${done}/${this.total} ${timing} ${status}\x1b[K`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile > this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(
          `${this.label}: ${done}/${this.total} (${Math.round(frac * 100)}%) ${timing} ${status}\n`,
        );
      }
    }
  }

  /** Completes the bar and moves to a new line. */
  finish(status = ''): void {
    if (this.finished) return;
    this.update(this.total, status);
    this.finished = true;
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
