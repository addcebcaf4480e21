/**
 * Decoder for the Ethos-U weight stream produced by {@link mlwEncode} (and by Vela's
 * `mlw_codec`): parses slice headers, palettes and the interleaved chunks of weight / zero-run
 * Golomb-Rice codes, and returns the reordered weight sequence. Written from the format as the
 * encoder writes it; used to prove lossless round trips.
 *
 * @see Arm Vela, `ethosu/mlw_codec/mlw_decode.c` (reference decoder, not used here).
 */
import { BitReader } from './bitWriter.js';
import { WDIV_UNCOMPRESSED, ZDIV_DISABLE, ZDIV_EOS } from './mlwEncode.js';

/** Thrown (as a plain Error) when a stream is malformed. */
function bad(msg: string): never {
  throw new Error(`mlwDecode: malformed weight stream: ${msg}`);
}

/** Result of {@link mlwDecode}. */
export interface MlwDecodeResult {
  /** The decoded sequence (int16, as the codec's input). */
  values: Int16Array;
  /** Bytes consumed: up to the end-of-stream marker, rounded up to 16 bytes. */
  bytes: number;
}

/**
 * Decodes one stream (up to its end-of-stream marker) into the weight sequence it codes.
 * @param stream encoded bytes (may continue with further streams)
 * @param maxValues stop with an error as soon as more values than this are decoded (default:
 *   no limit), so a hostile zero run cannot make the output grow past what the caller expects
 * @throws Error on a malformed or truncated stream
 */
export function mlwDecode(stream: Uint8Array, maxValues = Number.POSITIVE_INFINITY): MlwDecodeResult {
  const br = new BitReader(stream);
  try {
    return decodeAll(br, maxValues);
  } catch (e) {
    if (e instanceof RangeError) bad('truncated');
    throw e;
  }
}

function decodeAll(br: BitReader, maxValues: number): MlwDecodeResult {
  const out: number[] = [];
  let lut: number[] = [];
  let palsize = 0;
  let directOffset = 0;
  let palbits = 2;
  let sections = 0;
  const toWeight = (v: number): number => {
    const pv = v < palsize ? (lut[v] as number) : v - palsize + directOffset;
    const mag = pv >> 1;
    return pv & 1 ? -mag : mag;
  };
  for (;;) {
    const zdiv = br.get(3);
    if (zdiv === ZDIV_EOS) break;
    const nvalues = br.get(15) + 1;
    const wdivField = br.get(3);
    const wTrunc = br.get(1) === 1;
    const newPalette = br.get(1) === 1;
    if (newPalette) {
      sections++;
      directOffset = br.get(5);
      const ps = br.get(5);
      palsize = ps === 0 ? 0 : ps + 1;
      palbits = br.get(3) + 2;
      lut = [];
      for (let k = 0; k < palsize; k++) lut.push(br.get(palbits));
    } else if (sections === 0) {
      bad('first slice has no palette');
    }
    if (zdiv === 5) bad('zero-run divisor 5');
    const useZeroRuns = zdiv !== ZDIV_DISABLE;
    const wUncompressed = wdivField === WDIV_UNCOMPRESSED;
    let wDiv: number;
    if (wUncompressed) {
      // uncompressed width: palette index bits when a palette is used (the encoder only allows
      // uncompressed slices then if every value is in the palette), else palbits
      if (palsize > 0) {
        wDiv = 0;
        while (1 << wDiv < palsize) wDiv++;
      } else {
        wDiv = palbits;
      }
    } else {
      if (wdivField > 5) bad(`weight divisor ${wdivField}`);
      wDiv = wdivField;
    }
    const zDiv = useZeroRuns ? zdiv : 0;
    const zN = useZeroRuns ? nvalues + (newPalette ? 1 : 0) : 0;
    const zUnaryLen = zDiv < 3 ? 12 : 8;

    const wq: number[] = []; // completed quotients of weights
    const zq: number[] = [];
    let wPos = 0; // weights whose quotient is complete
    let zPos = 0;
    let wAcc = 0; // quotient under construction
    let zAcc = 0;
    let prevW = 0; // symbols completed in the previous chunk (their remainders follow)
    let prevZ = 0;
    let prevWEnable = false;
    let prevZEnable = false;
    let wRemIdx = 0;
    let zRemIdx = 0;
    const wVals: number[] = [];
    const zVals: number[] = [];
    do {
      const balance = useZeroRuns ? wPos - zPos : 0;
      const wEnable = balance < 8 && wPos < nvalues;
      const zEnable = balance >= 0 && useZeroRuns && zPos < zN;
      let wDone = 0;
      let zDone = 0;
      let unary0 = 0;
      let ones = 0;
      if (wEnable && !wUncompressed) {
        unary0 = br.get(12);
        for (let j = 0; j < 12; j++) if ((unary0 >> j) & 1) ones++;
      }
      if (zEnable) {
        const zu = br.get(zUnaryLen);
        for (let j = 0; j < zUnaryLen; j++) {
          if (zPos + zDone >= zN) break; // padding
          if ((zu >> j) & 1) zAcc++;
          else {
            zq.push(zAcc);
            zAcc = 0;
            zDone++;
          }
        }
      }
      if (wEnable) {
        if (wUncompressed) {
          const maxSymbols = wDiv > 5 ? 8 : 12;
          for (let j = 0; j < maxSymbols && wPos + wDone < nvalues; j++) {
            wq.push(0);
            wDone++;
          }
        } else {
          const unary1 = br.get(ones);
          let u1 = 0;
          for (let j = 0; j < 12; j++) {
            if (wPos + wDone >= nvalues) break; // padding
            if (((unary0 >> j) & 1) === 0) {
              wq.push(wAcc);
              wAcc = 0;
              wDone++;
            } else {
              const second = (unary1 >> u1++) & 1;
              if (wTrunc) {
                wq.push(1 + second);
                wAcc = 0;
                wDone++;
              } else if (second) {
                wAcc += 2;
              } else {
                wq.push(wAcc + 1);
                wAcc = 0;
                wDone++;
              }
            }
          }
        }
      }
      if (prevWEnable) {
        for (let k = 0; k < prevW; k++) wVals.push(((wq[wRemIdx++] as number) << wDiv) | br.get(wDiv));
      }
      if (prevZEnable) {
        for (let k = 0; k < prevZ; k++) zVals.push(((zq[zRemIdx++] as number) << zDiv) | br.get(zDiv));
      }
      wPos += wDone;
      zPos += zDone;
      prevW = wDone;
      prevZ = zDone;
      prevWEnable = wEnable;
      prevZEnable = zEnable;
    } while (prevWEnable || prevZEnable);
    if (wVals.length !== nvalues || zVals.length !== zN) bad('slice length mismatch');
    let sliceValues = nvalues;
    for (const z of zVals) sliceValues += z;
    if (out.length + sliceValues > maxValues) bad(`more than ${maxValues} values`);
    if (useZeroRuns) {
      let zi = 0;
      const pushZeros = (count: number): void => {
        for (let r = 0; r < count; r++) out.push(0);
      };
      if (newPalette) pushZeros(zVals[zi++] as number);
      for (let k = 0; k < nvalues; k++) {
        out.push(toWeight(wVals[k] as number));
        pushZeros(zVals[zi++] as number);
      }
    } else {
      for (const v of wVals) out.push(toWeight(v));
    }
  }
  return { values: Int16Array.from(out), bytes: Math.ceil(br.pos / 128) * 16 };
}
