// The Free Spoken Digit Dataset: loading and the speaker split.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LabInputError, loadWav } from '@lab/core';

/** One FSDD recording. */
export interface FsddClip {
  /** File name without extension, `{digit}_{speaker}_{take}`. */
  readonly id: string;
  readonly digit: number;
  readonly speaker: string;
  readonly take: number;
  /** Mono samples in [-1, 1] at `sampleRate`. */
  readonly audio: Float32Array;
  readonly sampleRate: number;
}

/** Options of {@link loadFsdd}. */
export interface LoadFsddOptions {
  /** Keep only takes `< maxTake` of each (digit, speaker) (default all 50). */
  readonly maxTake?: number;
  /** Keep only these speakers (default all). */
  readonly speakers?: readonly string[];
}

const NAME_RE = /^(\d)_([a-z]+)_(\d+)\.wav$/;

/**
 * Reads the FSDD recordings in `dir/recordings` (file names `{digit}_{speaker}_{take}.wav`), sorted
 * by id so the order never depends on the file system.
 *
 * @see Jackson et al., Free Spoken Digit Dataset, doi:10.5281/zenodo.1342401.
 */
export async function loadFsdd(dir: string, options: LoadFsddOptions = {}): Promise<FsddClip[]> {
  let names: string[];
  try {
    names = await readdir(join(dir, 'recordings'));
  } catch {
    throw new LabInputError('loadFsdd', 'dir', 'must contain a recordings/ folder of FSDD wav files', dir);
  }
  const maxTake = options.maxTake ?? Number.POSITIVE_INFINITY;
  const speakers = options.speakers ? new Set(options.speakers) : null;
  const picked = names
    .map((n) => ({ n, m: NAME_RE.exec(n) }))
    .filter(({ m }) => m !== null && Number(m[3]) < maxTake && (speakers === null || speakers.has(m[2] as string)))
    .sort((a, b) => (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
  if (picked.length === 0) throw new LabInputError('loadFsdd', 'dir', 'must hold matching FSDD recordings', dir);
  const clips: FsddClip[] = [];
  for (const { n, m } of picked) {
    const wav = await loadWav(join(dir, 'recordings', n));
    const audio = wav.channels[0] as Float32Array;
    clips.push({
      id: n.slice(0, -4),
      digit: Number(m?.[1]),
      speaker: m?.[2] as string,
      take: Number(m?.[3]),
      audio,
      sampleRate: wav.sampleRate,
    });
  }
  return clips;
}

/** Which speakers go where. */
export interface SpeakerSplit {
  readonly train: readonly string[];
  readonly validation: readonly string[];
  readonly test: readonly string[];
}

/**
 * The split used by the example: 4 training speakers, 1 validation speaker, 1 unseen test speaker
 * (chosen with different accents in every part).
 */
export const DEFAULT_SPLIT: SpeakerSplit = Object.freeze({
  train: ['jackson', 'nicolas', 'theo', 'yweweler'],
  validation: ['lucas'],
  test: ['george'],
});

/** Result of {@link splitBySpeaker}. */
export interface SplitBySpeakerResult {
  readonly train: FsddClip[];
  readonly validation: FsddClip[];
  readonly test: FsddClip[];
}

/** Splits clips by speaker; throws if a speaker is in two parts. */
export function splitBySpeaker(clips: readonly FsddClip[], split: SpeakerSplit = DEFAULT_SPLIT): SplitBySpeakerResult {
  const owner = new Map<string, keyof SpeakerSplit>();
  for (const part of ['train', 'validation', 'test'] as const) {
    for (const s of split[part]) {
      if (owner.has(s)) throw new LabInputError('splitBySpeaker', 'split', 'must not put a speaker in two parts', s);
      owner.set(s, part);
    }
  }
  const out: SplitBySpeakerResult = { train: [], validation: [], test: [] };
  for (const c of clips) {
    const part = owner.get(c.speaker);
    if (part !== undefined) out[part].push(c);
  }
  return out;
}
