// Structure-aware fuzz cases: Standard MIDI Files built from their grammar (header, chunks,
// events), then bent where real files and hostile ones bend: lying chunk lengths, VLQs longer
// than 4 bytes, sysex and meta lengths past the end, 65,535 tracks, running status after meta
// and sysex, RIFF wrappers, format 2, SMPTE division, huge delta times, stray status bytes, cuts.
// Seeded: the same seed gives the same cases.
import { randomInt } from "./random.js";
import { END_OF_TRACK, chunk, headerChunk, riff, riffChunk, u32, vlq } from "./smf-builder.js";

type Random = () => number;

/** One case's generator state: its random source, the defects made so far, and how often to make them. */
interface Gen {
  random: Random;
  traits: Set<string>;
  /** Scales every defect's chance: 0 makes a clean file. */
  noise: number;
}

/** True (and the trait recorded) with probability `p × noise`. */
function bend(gen: Gen, p: number, trait: string): boolean {
  if (gen.random() >= p * gen.noise) return false;
  gen.traits.add(trait);
  return true;
}

interface FuzzCase {
  bytes: Uint8Array;
  /** The defects it was built with, for the report. */
  traits: string[];
}

const chance = (random: Random, p: number) => random() < p;
const pick = <T>(random: Random, items: readonly T[]): T => items[randomInt(random, 0, items.length - 1)]!;
const bytesOf = (random: Random, count: number, low = 0, high = 255) =>
  Array.from({ length: count }, () => randomInt(random, low, high));

/** Delta times: mostly short, sometimes huge, padded or overlong. */
function deltaTime(gen: Gen): number[] {
  const { random } = gen;
  if (bend(gen, 0.03, "huge delta"))
    return vlq(pick(random, [0x0fffffff, 0x0ffffffe, randomInt(random, 1 << 20, 1 << 24)]));
  if (bend(gen, 0.03, "padded VLQ"))
    return [...new Array(randomInt(random, 1, 6)).fill(0x80), randomInt(random, 0, 127)];
  if (bend(gen, 0.01, "overlong VLQ"))
    return [...bytesOf(random, randomInt(random, 5, 40), 0x80, 0xff), randomInt(random, 0, 127)];
  return vlq(chance(random, 0.5) ? 0 : randomInt(random, 1, 480));
}

/** A length field: usually true, sometimes running past the end (or far past it). */
function lengthField(gen: Gen, actual: number, what: string): number[] {
  if (!bend(gen, 0.05, `${what} length past the end`)) return vlq(actual);
  return pick(gen.random, [
    vlq(actual + randomInt(gen.random, 1, 64)),
    vlq(0x0fffffff),
    [0xff, 0xff, 0xff, 0xff, 0x7f],
  ]);
}

function metaEvent(gen: Gen): number[] {
  const { random } = gen;
  const roll = random();
  let type: number;
  let data: number[];
  if (roll < 0.4) [type, data] = [pick(random, [0x01, 0x03]), bytesOf(random, randomInt(random, 0, 24))];
  else if (roll < 0.7)
    [type, data] = [
      0x51,
      bend(gen, 0.1, "bad tempo")
        ? [1, 2]
        : [randomInt(random, 0x02, 0x20), randomInt(random, 0, 255), randomInt(random, 0, 255)],
    ];
  else if (roll < 0.85)
    [type, data] = [
      0x58,
      bend(gen, 0.1, "bad time signature")
        ? [0, 9]
        : [randomInt(random, 1, 12), randomInt(random, 0, 5), 24, 8],
    ];
  else [type, data] = [randomInt(random, 0, 0x7f), bytesOf(random, randomInt(random, 0, 8), 0, 127)];
  if (bend(gen, 0.02, "meta type above 0x7F")) type = randomInt(random, 0x80, 0xfe);
  if (bend(gen, 0.01, "early end-of-track")) [type, data] = [0x2f, []];
  return [0xff, type, ...lengthField(gen, data.length, "meta"), ...data];
}

function sysexEvent(gen: Gen): number[] {
  const data = [...bytesOf(gen.random, randomInt(gen.random, 0, 12), 0, 127), 0xf7];
  return [pick(gen.random, [0xf0, 0xf7]), ...lengthField(gen, data.length, "sysex"), ...data];
}

const CHANNEL_STATUSES = [0x90, 0x90, 0x90, 0x80, 0xc0, 0xb0, 0xe0, 0xd0, 0xa0];
const STRAY_STATUSES = [0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe];

/** One channel message, with running status where the last status allows it. */
function channelMessage(gen: Gen, state: { runningStatus: number; afterMeta: boolean }): number[] {
  const { random } = gen;
  const useRunning =
    state.runningStatus >= 0 &&
    chance(random, 0.5) &&
    (!state.afterMeta || bend(gen, 0.5, "running status after meta/sysex"));
  const status = useRunning
    ? state.runningStatus
    : pick(random, CHANNEL_STATUSES) | (chance(random, 0.9) ? 0 : randomInt(random, 1, 15));
  state.runningStatus = status;
  state.afterMeta = false;
  const kind = status >> 4;
  const data =
    kind === 0xc || kind === 0xd
      ? [randomInt(random, 0, 127)]
      : [randomInt(random, 36, 96), randomInt(random, 0, 127)];
  if (bend(gen, 0.01, "status byte inside a message")) data[data.length - 1] = randomInt(random, 0x80, 0xef);
  if (bend(gen, 0.01, "real-time byte inside a message")) data.splice(1, 0, pick(random, [0xf8, 0xfe]));
  return [...(useRunning ? [] : [status]), ...data];
}

/** One track's events. */
function trackEvents(gen: Gen): number[] {
  const { random } = gen;
  const events: number[] = [];
  const state = { runningStatus: -1, afterMeta: false };
  const count = randomInt(random, 0, chance(random, 0.1) ? 400 : 40);
  for (let i = 0; i < count; i++) {
    events.push(...deltaTime(gen));
    const roll = random();
    if (bend(gen, 0.02, "stray status")) {
      events.push(pick(random, STRAY_STATUSES), ...bytesOf(random, randomInt(random, 0, 2), 0, 127));
    } else if (bend(gen, 0.005, "data byte without status")) {
      events.push(...bytesOf(random, 2, 0, 127));
    } else if (roll < 0.75) {
      events.push(...channelMessage(gen, state));
    } else if (roll < 0.9) {
      events.push(...metaEvent(gen));
      state.afterMeta = true;
    } else {
      events.push(...sysexEvent(gen));
      state.afterMeta = true;
    }
  }
  if (!bend(gen, 0.1, "no end-of-track")) events.push(...END_OF_TRACK);
  if (bend(gen, 0.05, "bytes after end-of-track")) events.push(...bytesOf(random, randomInt(random, 1, 8)));
  return events;
}

function trackChunkBytes(gen: Gen, events: number[]): number[] {
  if (!bend(gen, 0.12, "lying chunk length")) return chunk("MTrk", events);
  const { random } = gen;
  const lie = pick(random, [
    0,
    1,
    Math.max(0, events.length - randomInt(random, 1, 16)),
    events.length + randomInt(random, 1, 64),
    0xffffffff,
    randomInt(random, 0, 0x7fffffff),
  ]);
  return chunk("MTrk", events, lie);
}

function division(gen: Gen): number {
  const { random } = gen;
  if (bend(gen, 0.1, "SMPTE division")) {
    const frames = chance(random, 0.8)
      ? pick(random, [0xe8, 0xe7, 0xe3, 0xe2])
      : randomInt(random, 0x80, 0xff);
    return (frames << 8) | randomInt(random, chance(random, 0.1) ? 0 : 1, 255);
  }
  if (bend(gen, 0.02, "division 0")) return 0;
  return pick(random, [24, 96, 120, 192, 384, 480, 960, randomInt(random, 1, 0x7fff)]);
}

/** 65,535 tracks: only declared, or really present (about 1.2 MB). */
function manyTracks(gen: Gen): number[] {
  gen.traits.add("65,535 tracks");
  const one = chunk("MTrk", [0, 0x90, 60, 100, 10, 60, 0, ...END_OF_TRACK]);
  if (chance(gen.random, 0.5)) return [...headerChunk(1, 65_535, 96), ...one];
  const bytes = new Array<number>(14 + 65_535 * one.length);
  headerChunk(1, 65_535, 96).forEach((byte, i) => (bytes[i] = byte));
  for (let t = 0, at = 14; t < 65_535; t++, at += one.length)
    for (let i = 0; i < one.length; i++) bytes[at + i] = one[i]!;
  return bytes;
}

function smfBytes(gen: Gen): number[] {
  const { random } = gen;
  const trackCount = chance(random, 0.05) ? randomInt(random, 5, 60) : randomInt(random, 1, 4);
  let format = pick(random, [0, 1, 1, 2]);
  if (format === 0 && trackCount > 1 && !bend(gen, 0.5, "format 0 with several tracks")) format = 1;
  if (format === 2) gen.traits.add("format 2");
  if (bend(gen, 0.02, "unknown format")) format = randomInt(random, 3, 0xffff);
  let declared = trackCount;
  if (bend(gen, 0.05, "wrong track count")) declared = pick(random, [0, 65_535, randomInt(random, 0, 20)]);
  const file = headerChunk(format, declared, division(gen));
  if (bend(gen, 0.02, "wrong header length"))
    file.splice(4, 4, ...u32(pick(random, [0, 4, 0xffff, 0xffffffff])));
  for (let t = 0; t < trackCount; t++) {
    if (bend(gen, 0.03, "foreign chunk"))
      file.push(
        ...chunk(pick(random, ["XFIH", "XFKM", "MThd", "junk"]), bytesOf(random, randomInt(random, 0, 20))),
      );
    file.push(...trackChunkBytes(gen, trackEvents(gen)));
  }
  if (bend(gen, 0.03, "trailing bytes")) file.push(...bytesOf(random, randomInt(random, 1, 32)));
  return file;
}

/**
 * One seeded structured case. A case draws a noise level first, so the run mixes clean files,
 * files with one defect and files full of them. `heavy` allows the 65,535-track files.
 */
export function structuredCase(random: Random, heavy = true): FuzzCase {
  const gen: Gen = { random, traits: new Set(), noise: pick(random, [0, 0.1, 0.3, 1, 1, 3]) };
  const file = heavy && chance(random, 0.002) ? manyTracks(gen) : smfBytes(gen);
  let bytes: Uint8Array = new Uint8Array(file);
  if (bend(gen, 0.05, "RIFF RMID")) {
    const lying = chance(random, 0.2);
    bytes = riff("RMID", [
      ...(chance(random, 0.5) ? [riffChunk("INFO", [1, 2, 3])] : []),
      riffChunk("data", file, lying ? file.length + 99 : file.length),
    ]);
  }
  if (bend(gen, 0.05, "cut")) bytes = bytes.slice(0, randomInt(random, 0, bytes.length));
  return { bytes, traits: [...gen.traits].sort() };
}
