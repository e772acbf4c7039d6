import { describe, expect, it } from "vitest";
import { concatBytes } from "./concat-bytes.js";
import { MidiParseError, type MidiErrorCode } from "./errors.js";
import { parseMidi } from "./parse-midi.js";
import { corpusDir, readCorpus } from "./test-support/corpus.js";
import { randomInt, seededRandom } from "./test-support/random.js";
import { END_OF_TRACK, channelEvent, runningEvent, smf, tempoEvent, textEvent, trackChunk } from "./test-support/smf-builder.js";
import { writeMidi } from "./write-midi.js";

const CASES = 4000;
const SEED = 20_261_125;

/** Hand-made sources, so the fuzz test also runs where the corpus is absent. */
function handMadeSources(): Uint8Array[] {
  const notes = Array.from({ length: 40 }, (_, i) => ({ pitch: 48 + ((i * 7) % 30), velocity: 20 + i, startQuarter: i / 2, endQuarter: i / 2 + 1 + (i % 3) }));
  return [
    writeMidi({ notes, title: "fuzz", texts: ["one", "two"], tempos: [{ quarter: 0, bpm: 90 }, { quarter: 8, bpm: 140 }] }),
    smf(0, 96, [
      trackChunk([
        ...textEvent(0, 0x03, "running"),
        ...tempoEvent(0, 100),
        ...channelEvent(0, 0xc0, 5),
        ...channelEvent(0, 0x90, 60, 100),
        ...runningEvent(0, 64, 90),
        ...runningEvent(96, 60, 0),
        ...runningEvent(0, 64, 0),
        ...[0, 0xf0, 3, 0x7e, 0x7f, 0xf7],
        ...channelEvent(10, 0x99, 36, 120),
        ...runningEvent(10, 36, 0),
        ...END_OF_TRACK,
      ]),
    ]),
    smf(2, 48, [
      trackChunk([...tempoEvent(0, 60), ...channelEvent(0, 0x90, 60, 90), ...channelEvent(5, 0x90, 60, 91), ...runningEvent(5, 60, 0), ...END_OF_TRACK]),
      trackChunk([...channelEvent(0, 0xe0, 0, 64), ...channelEvent(0, 0x91, 62, 90), ...END_OF_TRACK]),
    ]),
  ];
}

function chunkLengthOffsets(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i++) {
    if (bytes[i] === 0x4d && bytes[i + 1] === 0x54 && (bytes[i + 2] === 0x72 || bytes[i + 2] === 0x68)) offsets.push(i + 4);
  }
  return offsets;
}

type Mutation = (bytes: Uint8Array, random: () => number) => Uint8Array;

const MUTATIONS: Record<string, Mutation> = {
  flip(bytes, random) {
    const out = bytes.slice();
    for (let k = randomInt(random, 1, 8); k > 0; k--) {
      const at = randomInt(random, 0, out.length - 1);
      out[at] = out[at]! ^ randomInt(random, 1, 255);
    }
    return out;
  },
  insert(bytes, random) {
    const at = randomInt(random, 0, bytes.length);
    const extra = Array.from({ length: randomInt(random, 1, 16) }, () => randomInt(random, 0, 255));
    return concatBytes(bytes.subarray(0, at), extra, bytes.subarray(at));
  },
  delete(bytes, random) {
    const at = randomInt(random, 0, bytes.length - 1);
    return concatBytes(bytes.subarray(0, at), bytes.subarray(at + randomInt(random, 1, 64)));
  },
  truncate(bytes, random) {
    return bytes.slice(0, randomInt(random, 0, bytes.length - 1));
  },
  spliceChunkLength(bytes, random) {
    const offsets = chunkLengthOffsets(bytes);
    const out = bytes.slice();
    if (offsets.length === 0) return out;
    const at = offsets[randomInt(random, 0, offsets.length - 1)]!;
    const current = new DataView(out.buffer).getUint32(at);
    const choices = [0, 1, current + randomInt(random, -16, 16), current * 2, 0xffffffff, randomInt(random, 0, 0x7fffffff)];
    new DataView(out.buffer).setUint32(at, Math.max(0, Math.min(0xffffffff, choices[randomInt(random, 0, choices.length - 1)]!)));
    return out;
  },
  header(bytes, random) {
    const out = bytes.slice();
    out[randomInt(random, 8, 13)] = randomInt(random, 0, 255);
    return out;
  },
  duplicate(bytes, random) {
    const from = randomInt(random, 0, bytes.length - 1);
    const piece = bytes.subarray(from, from + randomInt(random, 1, 256));
    const at = randomInt(random, 0, bytes.length);
    return concatBytes(bytes.subarray(0, at), piece, bytes.subarray(at));
  },
};

describe(`parseMidi fuzz (${CASES} seeded mutations of ${corpusDir ? "the real corpus" : "hand-made fixtures: corpus not found"})`, () => {
  it("returns a NoteSequence or throws MidiParseError, never anything else, with output bounded by input size", () => {
    const sources = corpusDir ? readCorpus().map((file) => file.bytes) : handMadeSources();
    const random = seededRandom(SEED);
    const names = Object.keys(MUTATIONS);
    const codes = new Map<MidiErrorCode, number>();
    const problems: string[] = [];
    let parsed = 0;
    for (let i = 0; i < CASES; i++) {
      let bytes = sources[randomInt(random, 0, sources.length - 1)]!;
      const applied: string[] = [];
      for (let k = randomInt(random, 1, 3); k > 0 && bytes.length > 0; k--) {
        const name = names[randomInt(random, 0, names.length - 1)]!;
        applied.push(name);
        bytes = MUTATIONS[name]!(bytes, random);
      }
      const label = `case ${i} (${applied.join("+")}, ${bytes.length} bytes)`;
      try {
        const seq = parseMidi(bytes);
        parsed++;
        // Counting bounds: nothing grows faster than the input.
        if (seq.notes.length > bytes.length || seq.tempos.length > bytes.length || seq.texts.length > bytes.length) problems.push(`${label}: output larger than input`);
        if (!seq.notes.every((n) => n.endTick > n.startTick && Number.isFinite(n.endTime) && n.pitch >= 0 && n.pitch <= 127 && n.velocity >= 1)) {
          problems.push(`${label}: an invalid note`);
        }
        if (!Number.isFinite(seq.totalTime)) problems.push(`${label}: total time ${seq.totalTime}`);
      } catch (error) {
        if (!(error instanceof MidiParseError)) {
          problems.push(`${label}: threw ${String(error)}`);
          continue;
        }
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
        if (!error.message || /undefined|NaN/.test(error.message)) problems.push(`${label}: vague message "${error.message}"`);
        if (error.byteOffset !== null && (error.byteOffset < 0 || error.byteOffset > bytes.length)) problems.push(`${label}: offset ${error.byteOffset} outside the input`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // The mutations reach both outcomes and many distinct failure kinds.
    // A strict reader refuses most mutations; still, some must come through as sequences.
    expect(parsed).toBeGreaterThan(CASES / 100);
    expect(codes.size).toBeGreaterThanOrEqual(5);
  });
});
