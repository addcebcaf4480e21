/**
 * LSB-first bit writer used by the Ethos-U weight-stream encoder: field bit 0 is written
 * first, and bits fill each byte from its least significant bit upwards.
 */
export class BitWriter {
  private buf: Uint8Array;
  /** Bit position of the next bit. */
  pos = 0;

  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Appends the low `len` bits of `data` (len 0..32). */
  put(len: number, data: number): void {
    if (len <= 0) return;
    const needBytes = ((this.pos + len) >> 3) + 1;
    if (needBytes > this.buf.length) {
      const grown = new Uint8Array(Math.max(needBytes, this.buf.length * 2));
      grown.set(this.buf);
      this.buf = grown;
    }
    for (let i = 0; i < len; i++) {
      const bit = len > 31 ? Math.floor(data / 2 ** i) & 1 : (data >>> i) & 1;
      if (bit) this.buf[this.pos >> 3] = (this.buf[this.pos >> 3] as number) | (1 << (this.pos & 7));
      this.pos++;
    }
  }

  /** Copy of the written bytes (the partial last byte included). */
  bytes(): Uint8Array {
    return this.buf.slice(0, (this.pos + 7) >> 3);
  }
}

/** LSB-first bit reader matching {@link BitWriter}. */
export class BitReader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get bitLength(): number {
    return this.buf.length * 8;
  }

  /** Reads `len` bits (0..24) as an unsigned number; reading past the end throws. */
  get(len: number): number {
    if (this.pos + len > this.buf.length * 8) throw new RangeError('read past the end of the stream');
    let v = 0;
    for (let i = 0; i < len; i++) {
      const bit = ((this.buf[this.pos >> 3] as number) >> (this.pos & 7)) & 1;
      v |= bit << i;
      this.pos++;
    }
    return v;
  }
}
