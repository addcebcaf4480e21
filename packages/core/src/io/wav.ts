import * as wavefileModule from 'wavefile';
import { LabInputError } from '../errors.js';
import { LabFormatError } from './LabFormatError.js';
import { loadNodeFs, readBinaryFile } from './nodeModules.js';

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

/** Options for {@link encodeWav} / {@link writeWav}. */
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
 *
 * @param bytes - the whole file.
 * @param source - label for error messages (default `'<bytes>'`).
 * @returns sample rate, channels and the stored bit depth.
 * @see http://soundfile.sapp.org/doc/WaveFormat/
 */
export function parseWav(bytes: Uint8Array, source = '<bytes>'): ParsedWav {
  return parseWavAs('parseWav', 'bytes', bytes, source);
}

function parseWavAs(fn: string, arg: string, bytes: Uint8Array, source: string): ParsedWav {
  if (!(bytes instanceof Uint8Array)) throw new LabInputError(fn, arg, 'must be a Uint8Array', bytes);
  const where = { source };
  const WaveFile = waveFileClass();
  let wav: WaveFileInstance;
  try {
    // wavefile reads from the buffer without writing to it; copy anyway so the caller's bytes are never aliased.
    wav = new WaveFile(bytes.slice());
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
      (channels[c] as Float32Array)[i] = ((raw[i * numChannels + c] as number) - offset) * scale;
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
export function encodeWav(audio: WavAudio, options: EncodeWavOptions = {}): Uint8Array {
  return encodeWavAs('encodeWav', audio, options);
}

function encodeWavAs(fn: string, audio: WavAudio, options: EncodeWavOptions): Uint8Array {
  checkAudio(fn, audio);
  if (options === null || typeof options !== 'object')
    throw new LabInputError(fn, 'options', 'must be an object', options);
  const bitDepth = options.bitDepth ?? '16';
  if (bitDepth !== '16' && bitDepth !== '32f')
    throw new LabInputError(fn, 'options.bitDepth', "must be '16' or '32f'", bitDepth);
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
 * Reads a WAV file (Node only) with {@link parseWav}; errors name the path.
 *
 * @param path - e.g. `resolveDataDir('speech', 'fsdd', 'recordings', '0_george_0.wav')`.
 * @example
 * ```ts
 * const path = resolveDataDir('speech', 'fsdd', 'recordings', '0_george_0.wav');
 * const { sampleRate, channels } = await readWav(path); // 8000, [Float32Array]
 * ```
 */
export async function readWav(path: string): Promise<ParsedWav> {
  if (typeof path !== 'string' || path === '')
    throw new LabInputError('readWav', 'path', 'must be a non-empty path string', path);
  const bytes = await readBinaryFile('readWav', 'path', path);
  return parseWavAs('readWav', 'path', bytes, path);
}

/**
 * Writes audio to a WAV file (Node only) with {@link encodeWav}.
 *
 * @param path - destination file (overwritten).
 * @param audio - sample rate and channels; not modified.
 * @param options - `{ bitDepth: '16' | '32f' }`.
 */
export async function writeWav(path: string, audio: WavAudio, options: EncodeWavOptions = {}): Promise<void> {
  if (typeof path !== 'string' || path === '')
    throw new LabInputError('writeWav', 'path', 'must be a non-empty path string', path);
  const bytes = encodeWavAs('writeWav', audio, options);
  const { fs } = await loadNodeFs('writeWav');
  await fs.writeFile(path, bytes);
}
