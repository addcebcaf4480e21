import * as wavefileModule from 'wavefile';
import { LabInputError } from '../errors.js';
import { checkBytes } from '../validation/checkBytes.js';
import { readOptions } from '../validation/readOptions.js';
import { LabFormatError } from './LabFormatError.js';
import { loadNodeFs, loadBinaryFile } from './nodeModules.js';

/** Decoded audio: one Float32Array per channel, samples in [-1, 1]. */
export interface WavAudio {
  sampleRate: number;
  /** One array per channel, all the same length. */
  channels: Float32Array[];
}

/** Result of {@link parseWav}: the audio plus what the file stored. */
export interface ParsedWav extends WavAudio {
  /** Stored sample format: `'8'`, `'16'`, `'24'`, `'32'` (integer PCM) or `'32f'`, `'64'` (float). */
  bitDepth: string;
}

/** Options for {@link parseWav} / {@link loadWav}. */
export interface ParseWavOptions {
  /** Label for error messages (default `'<bytes>'`, or the path for {@link loadWav}). */
  source?: string;
  /**
   * Keep NaN and +-Infinity float samples (and float64 samples that overflow float32) instead of
   * rejecting the file (default `false`).
   */
  allowNonFinite?: boolean;
}

/** Most top-level chunks {@link parseWav} walks before rejecting a file (a documented bound on work per file). */
export const WAV_MAX_CHUNKS = 4096;

/** Options for {@link encodeWav} / {@link saveWav}. */
export interface EncodeWavOptions {
  /** `'16'` = 16-bit PCM (default), `'32f'` = 32-bit IEEE float. */
  bitDepth?: '16' | '32f';
}

// wavefile is a UMD/CJS bundle for Node (default export holding WaveFile) and an ESM module with a
// named WaveFile export for bundlers; accept both shapes.
type WaveFileInstance = {
  fmt: {
    audioFormat: number;
    numChannels: number;
    sampleRate: number;
    blockAlign: number;
    bitsPerSample: number;
  };
  data: { chunkSize: number; samples: Uint8Array };
  bitDepth: string;
  getSamples(interleaved: boolean, out: Float64ArrayConstructor): Float64Array;
  fromScratch(numChannels: number, sampleRate: number, bitDepth: string, samples: ArrayLike<number>[]): void;
  toBuffer(): Uint8Array;
};
type WaveFileCtor = new (bytes?: Uint8Array) => WaveFileInstance;
const ns = wavefileModule as unknown as { WaveFile?: WaveFileCtor; default?: { WaveFile?: WaveFileCtor } };
function waveFileClass(): WaveFileCtor {
  const ctor = ns.WaveFile ?? ns.default?.WaveFile;
  if (typeof ctor !== 'function')
    throw new Error('wavefile: WaveFile class not found in the installed package');
  return ctor;
}

/** Integer PCM full-scale divisors and offsets: sample = (raw - offset) / scale. */
const PCM: Record<string, { scale: number; offset: number }> = {
  '8': { scale: 128, offset: 128 }, // 8-bit WAV is unsigned
  '16': { scale: 32768, offset: 0 },
  '24': { scale: 8388608, offset: 0 },
  '32': { scale: 2147483648, offset: 0 },
};
const FLOAT = new Set(['32f', '64']);

/**
 * Decodes WAV bytes (RIFF/RIFX/RF64 via the `wavefile` package) into per-channel Float32Arrays in
 * [-1, 1]. Pure: works in browsers on fetched bytes.
 *
 * Integer PCM (8/16/24/32-bit) is scaled by the full-scale value (16-bit: `x / 32768`); float
 * files (32/64-bit) are returned as stored. Malformed, truncated or unsupported (e.g. ADPCM,
 * a-law) input throws a {@link LabFormatError}; it never crashes or returns partial audio.
 * The chunk structure is walked first and every chunk size checked against the bytes present
 * (at most {@link WAV_MAX_CHUNKS} chunks); only the `fmt ` and `data` chunks (and RF64's `ds64`)
 * are decoded, so auxiliary chunks (`cue `, `smpl`, `LIST`, ...) cannot make it loop or allocate.
 * NaN and +-Infinity float samples, and float64 samples that overflow float32, are rejected
 * (naming frame and channel) unless `options.allowNonFinite` is `true`.
 *
 * @param bytes - the whole file: any `Uint8Array` view (a Node `Buffer`, a `subarray`); not modified.
 * @param options - `{ source, allowNonFinite }`; a string is read as `{ source }` (older form).
 * @returns sample rate, channels and the stored bit depth.
 * @see http://soundfile.sapp.org/doc/WaveFormat/
 */
export function parseWav(bytes: Uint8Array, options: ParseWavOptions | string = {}): ParsedWav {
  const o = readOptions('parseWav', typeof options === 'string' ? { source: options } : options, [
    'source',
    'allowNonFinite',
  ]);
  return parseWavAs(
    'parseWav',
    'bytes',
    bytes,
    o.string('source', '<bytes>'),
    o.boolean('allowNonFinite', false),
  );
}

const ascii = (b: Uint8Array, at: number): string =>
  String.fromCharCode(b[at] as number, b[at + 1] as number, b[at + 2] as number, b[at + 3] as number);

/**
 * Walks the RIFF chunk list (sizes checked against the bytes present) and returns a minimal file
 * holding only the header, `ds64` (RF64), `fmt ` and `data` chunks, for wavefile to decode.
 */
function minimalWav(fn: string, arg: string, b: Uint8Array, source: string): Uint8Array {
  const where = { source };
  if (b.length < 12)
    throw new LabFormatError(fn, arg, where, 'must be a WAV file (at least 12 bytes)', b.length);
  const id = ascii(b, 0);
  if (id !== 'RIFF' && id !== 'RIFX' && id !== 'RF64') {
    throw new LabFormatError(fn, arg, where, "must be a WAV file (start with 'RIFF', 'RIFX' or 'RF64')", id);
  }
  if (ascii(b, 8) !== 'WAVE')
    throw new LabFormatError(fn, arg, where, "must be a WAV file (form type 'WAVE')", ascii(b, 8));
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const little = id !== 'RIFX';
  const keep: Array<[number, number]> = [];
  let found = { fmt: false, data: false };
  let count = 0;
  for (let i = 12; i + 8 <= b.length; ) {
    if (++count > WAV_MAX_CHUNKS)
      throw new LabFormatError(fn, arg, where, `must have at most ${WAV_MAX_CHUNKS} chunks`);
    const cid = ascii(b, i);
    const size = view.getUint32(i + 4, little);
    const end = i + 8 + size;
    if (cid === 'fmt ' || cid === 'ds64' || cid === 'data') {
      if (cid === 'data' && found.data) break;
      // The data chunk may be cut short (reported below as truncated); others must be whole.
      if (end > b.length && cid !== 'data') {
        throw new LabFormatError(
          fn,
          arg,
          where,
          `must be a WAV file (chunk '${cid}' is truncated: it declares ${size} bytes, the file holds)`,
          b.length - i - 8,
        );
      }
      if (cid === 'fmt ' && !found.fmt) keep.push([i, Math.min(end, b.length)]);
      if (cid === 'ds64' && id === 'RF64' && keep.length === 0) keep.unshift([i, end]);
      if (cid === 'data') keep.push([i, Math.min(end, b.length)]);
      if (cid === 'fmt ') found = { ...found, fmt: true };
      if (cid === 'data') found = { ...found, data: true };
    }
    i = end + (size % 2);
  }
  if (!found.fmt) throw new LabFormatError(fn, arg, where, "must be a WAV file (with a 'fmt ' chunk)");
  if (!found.data) throw new LabFormatError(fn, arg, where, "must be a WAV file (with a 'data' chunk)");
  let total = 12;
  for (const [s0, e0] of keep) total += e0 - s0 + ((e0 - s0) % 2);
  const out = new Uint8Array(total);
  out.set(b.subarray(0, 12));
  new DataView(out.buffer).setUint32(4, id === 'RF64' ? 0xffffffff : total - 8, little);
  let at = 12;
  for (const [s0, e0] of keep) {
    out.set(b.subarray(s0, e0), at);
    at += e0 - s0 + ((e0 - s0) % 2);
  }
  return out;
}

function parseWavAs(
  fn: string,
  arg: string,
  input: unknown,
  source: string,
  allowNonFinite: boolean,
): ParsedWav {
  const bytes = checkBytes(fn, arg, input);
  const where = { source };
  const WaveFile = waveFileClass();
  // A fresh copy (offset 0) holding only the chunks we decode: the caller's bytes are never aliased.
  const minimal = minimalWav(fn, arg, bytes, source);
  let wav: WaveFileInstance;
  try {
    wav = new WaveFile(minimal);
  } catch (err) {
    throw new LabFormatError(fn, arg, where, `must be a WAV file (${(err as Error).message})`, bytes);
  }
  const { numChannels, sampleRate, blockAlign } = wav.fmt;
  const bitDepth = wav.bitDepth;
  if (!(Number.isInteger(numChannels) && numChannels >= 1)) {
    throw new LabFormatError(fn, arg, where, 'must declare at least one channel', numChannels);
  }
  if (!(Number.isInteger(sampleRate) && sampleRate >= 1)) {
    throw new LabFormatError(fn, arg, where, 'must declare a positive sample rate', sampleRate);
  }
  const pcm = PCM[bitDepth];
  if (pcm === undefined && !FLOAT.has(bitDepth)) {
    throw new LabFormatError(
      fn,
      arg,
      where,
      'must hold integer PCM (8/16/24/32-bit) or float (32/64-bit) samples',
      `audio format ${wav.fmt.audioFormat}, bit depth ${bitDepth}`,
    );
  }
  const bytesPerFrame = (numChannels * Number.parseInt(bitDepth, 10)) / 8;
  if (blockAlign !== bytesPerFrame) {
    throw new LabFormatError(
      fn,
      arg,
      where,
      `must have blockAlign ${bytesPerFrame} for ${numChannels} x ${bitDepth}-bit`,
      blockAlign,
    );
  }
  const stored = wav.data.samples.length;
  if (wav.data.chunkSize > stored) {
    throw new LabFormatError(
      fn,
      arg,
      where,
      `is truncated: the data chunk declares ${wav.data.chunkSize} bytes, the file holds`,
      stored,
    );
  }
  if (stored % bytesPerFrame !== 0) {
    throw new LabFormatError(
      fn,
      arg,
      where,
      `must hold whole frames of ${bytesPerFrame} bytes; data chunk size`,
      stored,
    );
  }
  let raw: Float64Array;
  try {
    raw = wav.getSamples(true, Float64Array);
  } catch (err) {
    throw new LabFormatError(fn, arg, where, `has undecodable samples (${(err as Error).message})`);
  }
  const frames = stored / bytesPerFrame;
  const channels: Float32Array[] = [];
  for (let c = 0; c < numChannels; c++) channels.push(new Float32Array(frames));
  const scale = pcm ? 1 / pcm.scale : 1;
  const offset = pcm ? pcm.offset : 0;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < numChannels; c++) {
      const v = ((raw[i * numChannels + c] as number) - offset) * scale;
      const ch = channels[c] as Float32Array;
      ch[i] = v;
      if (!allowNonFinite && !Number.isFinite(ch[i] as number)) {
        const what = Number.isFinite(v) ? `${v} overflows float32` : String(v);
        throw new LabFormatError(
          fn,
          arg,
          { source, column: c + 1 },
          `must hold finite samples (pass allowNonFinite: true to keep NaN/Infinity); frame ${i}, channel ${c + 1} is ${what}`,
        );
      }
    }
  }
  return { sampleRate, channels, bitDepth };
}

function checkAudio(fn: string, audio: WavAudio): void {
  if (audio === null || typeof audio !== 'object')
    throw new LabInputError(fn, 'audio', 'must be { sampleRate, channels }', audio);
  const { sampleRate, channels } = audio;
  if (!(Number.isInteger(sampleRate) && sampleRate >= 1 && sampleRate <= 0xffffffff)) {
    throw new LabInputError(fn, 'audio.sampleRate', 'must be a positive integer', sampleRate);
  }
  if (!Array.isArray(channels) || channels.length === 0 || channels.length > 65535) {
    throw new LabInputError(fn, 'audio.channels', 'must be a non-empty array of Float32Arrays', channels);
  }
  const n = channels[0]?.length;
  channels.forEach((ch: unknown, c) => {
    if (!(ch instanceof Float32Array || ch instanceof Float64Array)) {
      throw new LabInputError(fn, `audio.channels[${c}]`, 'must be a Float32Array (or Float64Array)', ch);
    }
    if (ch.length !== n)
      throw new LabInputError(fn, `audio.channels[${c}]`, `must have length ${n} like channel 0`, ch.length);
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i] as number)) {
        throw new LabInputError(fn, `audio.channels[${c}][${i}]`, 'must be finite', ch[i]);
      }
    }
  });
}

/**
 * Encodes audio as a WAV file (RIFF, little-endian) via `wavefile`. Pure: works in browsers.
 *
 * 16-bit PCM (default) stores `round(x * 32768)` clamped to [-32768, 32767], so any audio decoded
 * from a 16-bit file by {@link parseWav} round-trips bit-exactly (values outside [-1, 1) are
 * clipped). `'32f'` stores float32 samples unchanged (exact round trip, no clipping).
 *
 * @param audio - sample rate and channels (equal lengths, finite values); not modified.
 * @param options - `{ bitDepth: '16' | '32f' }`.
 * @returns the WAV bytes.
 */
export function encodeWav(audio: WavAudio, options?: EncodeWavOptions): Uint8Array {
  return encodeWavAs('encodeWav', audio, options);
}

function encodeWavAs(fn: string, audio: WavAudio, options: EncodeWavOptions | undefined): Uint8Array {
  checkAudio(fn, audio);
  const bitDepth = readOptions(fn, options, ['bitDepth']).oneOf('bitDepth', ['16', '32f'], '16');
  if (bitDepth === '32f') {
    audio.channels.forEach((ch, c) => {
      for (let i = 0; i < ch.length; i++) {
        if (!Number.isFinite(Math.fround(ch[i] as number))) {
          throw new LabInputError(fn, `audio.channels[${c}][${i}]`, 'must fit float32 (|x| < 3.4e38)', ch[i]);
        }
      }
    });
  }
  const samples = audio.channels.map((ch) => {
    if (bitDepth === '32f') return Float64Array.from(ch, (x) => Math.fround(x));
    const out = new Int16Array(ch.length);
    for (let i = 0; i < ch.length; i++)
      out[i] = Math.max(-32768, Math.min(32767, Math.round((ch[i] as number) * 32768)));
    return out;
  });
  const wav = new (waveFileClass())();
  wav.fromScratch(audio.channels.length, audio.sampleRate, bitDepth, samples);
  return wav.toBuffer();
}

/**
 * Reads a WAV file (Node only) with {@link parseWav}; errors name the path. A missing or
 * unreadable file is a {@link LabInputError} with the system error as `cause`.
 *
 * @param path - e.g. `resolveDataDir('speech', 'fsdd', 'recordings', '0_george_0.wav')`.
 * @param options - `{ allowNonFinite, source }` as for {@link parseWav} (`source` defaults to the path).
 * @example
 * ```ts
 * const path = resolveDataDir('speech', 'fsdd', 'recordings', '0_george_0.wav');
 * const { sampleRate, channels } = await loadWav(path); // 8000, [Float32Array]
 * ```
 */
export async function loadWav(path: string, options?: ParseWavOptions): Promise<ParsedWav> {
  if (typeof path !== 'string' || path === '')
    throw new LabInputError('loadWav', 'path', 'must be a non-empty path string', path);
  const o = readOptions('loadWav', options, ['source', 'allowNonFinite']);
  const source = o.string('source', path);
  const allowNonFinite = o.boolean('allowNonFinite', false);
  const bytes = await loadBinaryFile('loadWav', 'path', path);
  return parseWavAs('loadWav', 'path', bytes, source, allowNonFinite);
}

/**
 * Writes audio to a WAV file (Node only) with {@link encodeWav}.
 *
 * @param path - destination file (overwritten).
 * @param audio - sample rate and channels; not modified.
 * @param options - `{ bitDepth: '16' | '32f' }`.
 */
export async function saveWav(path: string, audio: WavAudio, options?: EncodeWavOptions): Promise<void> {
  if (typeof path !== 'string' || path === '')
    throw new LabInputError('saveWav', 'path', 'must be a non-empty path string', path);
  const bytes = encodeWavAs('saveWav', audio, options);
  const { fs } = await loadNodeFs('saveWav');
  await fs.writeFile(path, bytes);
}
