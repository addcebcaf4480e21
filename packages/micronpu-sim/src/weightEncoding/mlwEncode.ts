/**
 * Lossless Ethos-U weight-stream codec (the "MLW" format of Arm's Vela compiler), written from
 * a reading of the public format: the stream is cut into palette sections; each section has a
 * value palette (up to 32 entries) plus a direct offset for values outside it, optionally codes
 * zeros as separate zero runs, and codes weight indices and zero runs with Golomb-Rice codes
 * whose parameters change per slice (chosen by a Viterbi-style search). Sections follow the same
 * heuristics as Vela's encoder so that the produced streams are bit-identical to it.
 *
 * @see Arm Vela, `ethosu/mlw_codec/mlw_encode.c` (format and heuristics).
 * @see Stamenovic et al., "Weight, Block or Unit? Exploring Sparsity Tradeoffs for Speech
 *   Enhancement on Tiny Neural Accelerators", NeurIPS 2021 ENLSP (arXiv 2111.02351).
 */
import { BitWriter } from './bitWriter.js';

/** Zero runs are used when zero is this many times more frequent than the next value. */
const ZERO_RUN_THRESHOLD = 4;
/** ZDIV header value: section codes no zero runs. */
export const ZDIV_DISABLE = 6;
/** ZDIV header value: end of stream. */
export const ZDIV_EOS = 7;
/** WDIV header value: weights stored uncompressed. */
export const WDIV_UNCOMPRESSED = 7;
/** Longest slice, in coded weights (15-bit SLICELEN field). */
const MAX_SLICE_LEN = 32767;
/** Cost (bits) charged by the parameter search for a new slice header. */
const SLICE_COMMAND_COST = 40;
/** Weight GRC configurations: [divisor bits, truncated?]; index 12 = uncompressed. */
const WEIGHT_CONFIGS = 13;
/** Zero-run GRC configurations searched (divisor 0..3). */
const ZRUN_CONFIGS = 4;

function weightDiv(cfg: number): number {
  return cfg < 12 ? cfg % 6 : 0;
}
function weightTrunc(cfg: number): boolean {
  return cfg >= 6 && cfg < 12;
}

/** Bit counts of the parts of an encoded stream. */
export interface MlwStreamStats {
  /** Palette sections (each starts with a new palette). */
  sections: number;
  /** Sections that code zeros as zero runs. */
  zeroRunSections: number;
  /** Slices (each has a 23-bit header; the first of a section adds the palette header). */
  slices: number;
  /** Slices whose weights are stored uncompressed. */
  uncompressedSlices: number;
  /** Bits of slice headers (ZDIV, SLICELEN, WDIV, WTRUNC, NEWPAL, and DIROFS/PALSIZE/PALBITS). */
  headerBits: number;
  /** Bits of palette entries. */
  paletteBits: number;
  /** Bits of the unary parts of weight codes (WUNARY0 + WUNARY1). */
  weightUnaryBits: number;
  /** Bits of weight remainders (and of uncompressed weights). */
  weightRemainderBits: number;
  /** Bits of the unary parts of zero-run codes. */
  zeroRunUnaryBits: number;
  /** Bits of zero-run remainders. */
  zeroRunRemainderBits: number;
  /** End-of-stream marker, byte alignment and padding to 16 bytes. */
  paddingBits: number;
  /** Number of input values. */
  values: number;
  /** Number of zero input values. */
  zeros: number;
}

interface Palette {
  lut: number[];
  /** inverse map: weight + 256 -> coded index */
  invLut: Int32Array;
  palsize: number;
  palbits: number;
  useZeroRuns: boolean;
  onlyPalette: boolean;
  directOffset: number;
  onlyZeros: boolean;
}

function isPowerOfTwo(x: number): boolean {
  return ((x - 1) & x) === 0;
}

function paletteIndexBits(size: number): number {
  for (let i = 7; i >= 0; i--) if (size > 1 << i) return i + 1;
  return 0;
}

/** Finds positions where a new palette should start (always includes 0). */
function findSectionStarts(buf: Int16Array): number[] {
  const size = buf.length;
  const prevIdx = new Int32Array(512).fill(-1);
  const starts = [0];
  let lastRestart = 0;
  let gotPalette = false;
  let paletteSize = 0;
  let zeroCnt = 0;
  const windows = [32, 64, 128, 256, 512];
  // The walk back to the n-th previous non-zero only depends on (lastRestart, n, number of
  // non-zeros since lastRestart); while zeros are appended it is repeated with the same answer,
  // so cache it per window (this keeps long zero runs linear instead of quadratic).
  const cacheKey = windows.map(() => [-1, -1, -1]);
  const cacheIdx = windows.map(() => 0);
  for (let i = 0; i < size; i++) {
    const v = buf[i] as number;
    const excludeZero = zeroCnt > Math.floor((i - lastRestart) / 4) ? 1 : 0;
    if (gotPalette && (prevIdx[v + 256] as number) < lastRestart) {
      paletteSize++;
      if (isPowerOfTwo(paletteSize - 1 - excludeZero)) {
        if (i - lastRestart - zeroCnt > 512 || paletteSize - excludeZero > 32) {
          // growing a long-lived palette by one more index bit: start a new one here
          starts.push(i);
          lastRestart = i;
          gotPalette = false;
          zeroCnt = 0;
        }
      }
    }
    prevIdx[v + 256] = i;
    if (v === 0) zeroCnt++;
    for (let wi = 0; wi < windows.length; wi++) {
      const n = (windows[wi] as number) * (gotPalette ? 2 : 1);
      const nonZeros = i - lastRestart - zeroCnt;
      if (nonZeros <= 0 || nonZeros % n !== 0) continue;
      const key = cacheKey[wi] as number[];
      let restartIdx: number;
      if (key[0] === lastRestart && key[1] === n && key[2] === nonZeros && buf[i] === 0) {
        restartIdx = cacheIdx[wi] as number;
      } else {
        // walk back to the position n non-zero values earlier
        let nz = 0;
        let j = i;
        for (; j > lastRestart; j--) {
          if (buf[j] !== 0) {
            if (nz === n + 1) break;
            nz++;
          }
        }
        restartIdx = j;
        key[0] = lastRestart;
        key[1] = n;
        key[2] = nonZeros;
        cacheIdx[wi] = j;
      }
      let newSize = 0;
      for (let k = 0; k < 512; k++) if ((prevIdx[k] as number) >= restartIdx) newSize++;
      let create = false;
      if (gotPalette) {
        const newBits = paletteIndexBits(newSize - excludeZero);
        const oldBits = paletteIndexBits(paletteSize - excludeZero);
        const savings = Math.trunc((n * (oldBits * 15 - newBits * 15)) / 16) - newSize * 8 - 20;
        create = savings > 0;
      } else if (newSize - excludeZero <= 32) {
        const newBits = paletteIndexBits(newSize - excludeZero);
        const savings = Math.trunc((n * (90 - newBits * 15)) / 16) - newSize * 8 - 20;
        create = savings > 0;
      }
      if (create) {
        paletteSize = newSize;
        gotPalette = true;
        lastRestart = restartIdx;
        if (starts[starts.length - 1] !== lastRestart) starts.push(lastRestart);
        zeroCnt = 0;
        for (let k = lastRestart; k <= i; k++) if (buf[k] === 0) zeroCnt++;
      }
    }
  }
  return starts;
}

/** Sign-magnitude code of a weight: (|w| << 1) | sign. */
function palValue(w: number): number {
  return (Math.abs(w) << 1) | (w < 0 ? 1 : 0);
}
function fromPalValue(pv: number): number {
  const mag = pv >> 1;
  return pv & 1 ? -mag : mag;
}

function buildPalette(section: Int16Array): Palette {
  const freq = new Int32Array(512);
  for (const v of section) freq[v + 256] = (freq[v + 256] as number) + 1;
  // two most common values (first wins on ties, scanning from -256 upwards)
  let f0 = 0;
  let f1 = 0;
  let v0 = 0;
  for (let i = 0; i < 512; i++) {
    const f = freq[i] as number;
    if (f > f0) {
      f1 = f0;
      f0 = f;
      v0 = i - 256;
    } else if (f > f1) {
      f1 = f;
    }
  }
  const useZeroRuns = v0 === 0 && f0 > ZERO_RUN_THRESHOLD * f1;

  // (count, palval) pairs indexed by palval; unused slots are (0, 0)
  const counts = new Int32Array(512);
  const vals = new Int32Array(512);
  let allCnt = 0;
  let allMaxVal = 0;
  for (let w = -255; w < 256; w++) {
    if (w === 0 && useZeroRuns) continue;
    const pv = palValue(w);
    const c = freq[w + 256] as number;
    counts[pv] = c;
    vals[pv] = pv;
    allCnt += c;
    if (c > 0) allMaxVal = Math.max(allMaxVal, pv);
  }
  let directOffset = 0;
  while (directOffset < 31 && counts[directOffset] === 0) directOffset++;
  const order = Array.from({ length: 512 }, (_, i) => i);
  // descending by count, then by palette value
  order.sort(
    (a, b) => (counts[b] as number) - (counts[a] as number) || (vals[b] as number) - (vals[a] as number),
  );
  const cnt = (k: number): number => counts[order[k] as number] as number;
  const onlyZeros = cnt(0) === 0;
  if (onlyZeros) directOffset = 0;
  const onlyPalette = cnt(0) > 0 && cnt(32) === 0;
  let maxPaletteSize: number;
  if (onlyPalette) {
    maxPaletteSize = 32;
  } else {
    // keep the largest direct index within 9 bits
    maxPaletteSize = Math.min(32, 511 - allMaxVal);
    if (maxPaletteSize === 1) maxPaletteSize = 0;
  }
  const lut: number[] = [];
  let paletteMaxVal = 0;
  let palCnt = 0;
  for (let k = 0; k < maxPaletteSize; k++) {
    const c = cnt(k);
    if (c === 0) break;
    const pv = vals[order[k] as number] as number;
    lut.push(pv);
    paletteMaxVal = Math.max(paletteMaxVal, pv);
    palCnt += c;
  }
  if (lut.length === 1) lut.push(0); // a palette of one entry is not allowed
  let palsize: number;
  let palbitsVal: number;
  if (palCnt > Math.floor(allCnt / 2)) {
    palsize = lut.length;
    palbitsVal = paletteMaxVal;
  } else {
    palsize = 0;
    palbitsVal = allMaxVal;
  }
  let palbits = 2;
  while (1 << palbits <= palbitsVal) palbits++;

  const invLut = new Int32Array(512);
  for (let pv = 0; pv < 512; pv++) invLut[fromPalValue(pv) + 256] = pv + palsize - directOffset;
  for (let k = 0; k < palsize; k++) invLut[fromPalValue(lut[k] as number) + 256] = k;
  return {
    lut: lut.slice(0, palsize),
    invLut,
    palsize,
    palbits,
    useZeroRuns,
    onlyPalette,
    directOffset,
    onlyZeros,
  };
}

interface GrcPlan {
  cfg: number[];
  /** end position (exclusive) of each slice */
  pos: number[];
}

/** Viterbi-style search for the per-slice Golomb-Rice parameters. */
function searchGrcParams(
  values: Int32Array,
  n: number,
  zeroRunMode: boolean,
  uncompressedBits: number,
  existingPos: number[],
): GrcPlan {
  const nCfg = zeroRunMode ? ZRUN_CONFIGS : WEIGHT_CONFIGS;
  // state (position i, config j) at i * nCfg + j; bit counts stay far below 2^31
  const bitcnt = new Int32Array((n + 1) * nCfg);
  const prev = new Uint8Array((n + 1) * nCfg);
  for (let j = 0; j < nCfg; j++) prev[j] = j;
  const bits = new Int32Array(nCfg);
  let existingIdx = 0;
  for (let i = 0; i < n; i++) {
    const value = values[i] as number;
    const row = i * nCfg;
    const next = row + nCfg;
    let best = 0x7fffffff;
    let bestCfg = 0;
    for (let j = 0; j < nCfg; j++) {
      const b = bitcnt[row + j] as number;
      if (b < best) {
        best = b;
        bestCfg = j;
      }
    }
    let cmdCost = SLICE_COMMAND_COST;
    if (existingIdx < existingPos.length && existingPos[existingIdx] === i + 1) {
      cmdCost = 0; // the weight stream already starts a slice here
      existingIdx++;
    }
    if (zeroRunMode) {
      for (let j = 0; j < nCfg; j++) bits[j] = (value >> j) + 1 + j;
    } else {
      for (let div = 0; div < 6; div++) {
        const q = value >> div;
        bits[div] = q > 31 ? 10000 : q + 1 + div;
        bits[div + 6] = q > 2 ? 10000 : Math.min(q + 1, 2) + div;
      }
      bits[12] = uncompressedBits;
    }
    const switched = best + cmdCost;
    for (let j = 0; j < nCfg; j++) {
      const here = bitcnt[row + j] as number;
      if (switched < here) {
        prev[next + j] = bestCfg;
        bitcnt[next + j] = switched + (bits[j] as number);
      } else {
        prev[next + j] = j;
        bitcnt[next + j] = here + (bits[j] as number);
      }
    }
  }
  let best = 0x7fffffff;
  let cfg = 0;
  for (let j = 0; j < nCfg; j++) {
    const b = bitcnt[n * nCfg + j] as number;
    if (b < best) {
      best = b;
      cfg = j;
    }
  }
  const cfgs: number[] = [];
  const pos: number[] = [];
  let endpos = n;
  for (let i = n; i >= 0; i--) {
    const p = prev[i * nCfg + cfg] as number;
    if (p !== cfg || i === 0) {
      cfgs.push(cfg);
      pos.push(endpos);
      cfg = p;
      endpos = i - 1;
    }
  }
  cfgs.reverse();
  pos.reverse();
  return { cfg: cfgs, pos };
}

/** An all-zero stream statistics record. */
export function newStats(): MlwStreamStats {
  return {
    sections: 0,
    zeroRunSections: 0,
    slices: 0,
    uncompressedSlices: 0,
    headerBits: 0,
    paletteBits: 0,
    weightUnaryBits: 0,
    weightRemainderBits: 0,
    zeroRunUnaryBits: 0,
    zeroRunRemainderBits: 0,
    paddingBits: 0,
    values: 0,
    zeros: 0,
  };
}

function encodeSlice(
  bw: BitWriter,
  w: Int32Array,
  wOff: number,
  z: Int32Array | null,
  zOff: number,
  nvalues: number,
  p: Palette,
  newPalette: boolean,
  uncompressedBits: number,
  wCfg: number,
  zCfg: number,
  st: MlwStreamStats,
): void {
  const wUncompressed = wCfg === 12;
  const wTrunc = weightTrunc(wCfg);
  const wDiv = wUncompressed ? uncompressedBits : weightDiv(wCfg);
  const zDiv = zCfg;
  st.slices++;
  if (wUncompressed) st.uncompressedSlices++;

  const h0 = bw.pos;
  bw.put(3, p.useZeroRuns ? zDiv : ZDIV_DISABLE);
  bw.put(15, nvalues - 1);
  bw.put(3, wUncompressed ? WDIV_UNCOMPRESSED : wDiv);
  bw.put(1, wTrunc ? 1 : 0);
  bw.put(1, newPalette ? 1 : 0);
  if (newPalette) {
    bw.put(5, p.directOffset);
    bw.put(5, Math.max(0, p.palsize - 1));
    bw.put(3, p.palbits - 2);
    st.headerBits += bw.pos - h0;
    for (let k = 0; k < p.palsize; k++) bw.put(p.palbits, p.lut[k] as number);
    st.paletteBits += p.palsize * p.palbits;
  } else {
    st.headerBits += bw.pos - h0;
  }

  const zN = nvalues + (newPalette ? 1 : 0);
  const zUnaryLen = zDiv < 3 ? 12 : 8;
  let wPos = 0;
  let zPos = 0;
  let wq = -1;
  let wr = 0;
  let zq = -1;
  let zr = 0;
  let wRemain: number[] = [];
  let zRemain: number[] = [];
  let wPrevEnable = false;
  let zPrevEnable = false;
  let wPrevRemain: number[] = [];
  let zPrevRemain: number[] = [];
  do {
    const balance = p.useZeroRuns ? wPos - zPos : 0;
    const wEnable = balance < 8 && wPos < nvalues;
    const zEnable = balance >= 0 && p.useZeroRuns && zPos < zN;
    let unary0 = 0;
    let unary1 = 0;
    let unary1Len = 0;
    let zUnary = 0;
    if (wEnable) {
      wRemain = [];
      const maxSymbols = wUncompressed && wDiv > 5 ? 8 : 12;
      let j = 0;
      while (j < maxSymbols) {
        if (wq < 0) {
          if (wPos < nvalues) {
            const value = w[wOff + wPos] as number;
            wq = value >> wDiv;
            wr = value & ((1 << wDiv) - 1);
          } else {
            wq = 0;
            wr = -1; // padding symbol, no remainder
          }
        }
        while (wq >= 0 && j < maxSymbols) {
          if (wq > 0) {
            unary0 |= 1 << j;
            if (wq > 1) unary1 |= 1 << unary1Len;
            unary1Len++;
          }
          j++;
          wq -= wTrunc ? 3 : 2;
        }
        if (wq < 0 && wr >= 0) {
          wRemain.push(wr);
          wPos++;
        }
      }
    }
    if (zEnable && z) {
      zRemain = [];
      let j = 0;
      while (j < zUnaryLen) {
        if (zq < 0) {
          if (zPos < zN) {
            const value = z[zOff + zPos] as number;
            zq = value >> zDiv;
            zr = value & ((1 << zDiv) - 1);
          } else {
            zq = 0;
            zr = -1;
          }
        }
        while (zq >= 0 && j < zUnaryLen) {
          if (zq > 0) zUnary |= 1 << j;
          j++;
          zq--;
        }
        if (zq < 0 && zr >= 0) {
          zRemain.push(zr);
          zPos++;
        }
      }
    }
    if (wEnable && !wUncompressed) {
      bw.put(12, unary0);
      st.weightUnaryBits += 12;
    }
    if (zEnable) {
      bw.put(zUnaryLen, zUnary);
      st.zeroRunUnaryBits += zUnaryLen;
    }
    if (wEnable && !wUncompressed) {
      bw.put(unary1Len, unary1);
      st.weightUnaryBits += unary1Len;
    }
    if (wPrevEnable) {
      for (const r of wPrevRemain) bw.put(wDiv, r);
      st.weightRemainderBits += wPrevRemain.length * wDiv;
    }
    if (zPrevEnable) {
      for (const r of zPrevRemain) bw.put(zDiv, r);
      st.zeroRunRemainderBits += zPrevRemain.length * zDiv;
    }
    wPrevEnable = wEnable;
    zPrevEnable = zEnable;
    wPrevRemain = wEnable ? wRemain : [];
    zPrevRemain = zEnable ? zRemain : [];
  } while (wPrevEnable || zPrevEnable);
}

function encodeSection(bw: BitWriter, inbuf: Int16Array, p: Palette, st: MlwStreamStats): void {
  const size = inbuf.length;
  let uncompressedBits: number;
  if (p.onlyPalette) {
    uncompressedBits = 0;
    while (1 << uncompressedBits < p.palsize) uncompressedBits++;
  } else if (p.palsize === 0) {
    uncompressedBits = p.palbits;
  } else {
    uncompressedBits = 100; // uncompressed mode not usable
  }
  const weights = new Int32Array(size);
  const zruns = new Int32Array(size + 1);
  let i = 0;
  let n = 0;
  for (;;) {
    if (p.useZeroRuns) {
      let zc = 0;
      // an all-zero section still codes its first zero as a weight
      if (!p.onlyZeros || i > 0) {
        while (i < size && inbuf[i] === 0) {
          zc++;
          i++;
        }
      }
      zruns[n] = zc;
    }
    if (i === size) break;
    weights[n] = p.invLut[(inbuf[i] as number) + 256] as number;
    n++;
    i++;
  }
  const wPlan = n > 0 ? searchGrcParams(weights, n, false, uncompressedBits, []) : { cfg: [], pos: [] };
  const zPlan = p.useZeroRuns ? searchGrcParams(zruns, n + 1, true, 0, wPlan.pos) : { cfg: [], pos: [] };

  let pos = 0;
  let iw = 0;
  let iz = 0;
  let newPalette = true;
  while (pos < n || newPalette) {
    let endpos = pos + MAX_SLICE_LEN;
    if (iw < wPlan.pos.length && (wPlan.pos[iw] as number) < endpos) endpos = wPlan.pos[iw] as number;
    if (iz < zPlan.pos.length && (zPlan.pos[iz] as number) < endpos) endpos = zPlan.pos[iz] as number;
    if (n < endpos) endpos = n;
    const len = endpos - pos;
    encodeSlice(
      bw,
      weights,
      pos,
      p.useZeroRuns ? zruns : null,
      pos + (newPalette ? 0 : 1),
      len,
      p,
      newPalette,
      uncompressedBits,
      wPlan.cfg[iw] ?? 0,
      p.useZeroRuns ? (zPlan.cfg[iz] ?? 0) : 0,
      st,
    );
    newPalette = false;
    if (iw < wPlan.pos.length && wPlan.pos[iw] === endpos) iw++;
    if (iz < zPlan.pos.length && zPlan.pos[iz] === endpos) iz++;
    pos = endpos;
  }
}

/** Result of {@link mlwEncode}. */
export interface MlwEncodeResult {
  /** The encoded stream, padded to a multiple of 16 bytes. */
  stream: Uint8Array;
  /** Bit counts of its parts. */
  stats: MlwStreamStats;
}

/**
 * Encodes an already reordered weight sequence (values in [-255, 255]) into one Ethos-U weight
 * stream, terminated by an end-of-stream marker and padded to 16 bytes. Internal: callers check
 * their input; {@link encodeWeights} is the public entry point.
 *
 * @see Arm Vela, `ethosu/mlw_codec/mlw_encode.c`.
 */
export function mlwEncode(values: Int16Array): MlwEncodeResult {
  const bw = new BitWriter(values.length * 2 + 1024);
  const st = newStats();
  st.values = values.length;
  for (const v of values) if (v === 0) st.zeros++;
  const starts = findSectionStarts(values);
  for (let s = 0; s < starts.length; s++) {
    const from = starts[s] as number;
    const to = s < starts.length - 1 ? (starts[s + 1] as number) : values.length;
    const section = values.subarray(from, to);
    const p = buildPalette(section);
    st.sections++;
    if (p.useZeroRuns) st.zeroRunSections++;
    encodeSection(bw, section, p, st);
  }
  const p0 = bw.pos;
  bw.put(3, ZDIV_EOS);
  bw.put((8 - (bw.pos & 7)) & 7, 0xff);
  while (bw.pos & 127) bw.put(8, 0xff);
  st.paddingBits = bw.pos - p0;
  return { stream: bw.bytes(), stats: st };
}
