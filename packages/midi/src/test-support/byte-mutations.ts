// Byte-level mutations of real files (flips, inserts, deletes, cuts, lying chunk lengths,
// header bytes, duplicated runs), seeded: the same seed gives the same files.
import { concatBytes } from "../concat-bytes.js";
import { randomInt, seededRandom } from "./random.js";

function chunkLengthOffsets(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i++) {
    if (bytes[i] === 0x4d && bytes[i + 1] === 0x54 && (bytes[i + 2] === 0x72 || bytes[i + 2] === 0x68))
      offsets.push(i + 4);
  }
  return offsets;
}

type Mutation = (bytes: Uint8Array, random: () => number) => Uint8Array;

export const MUTATIONS: Record<string, Mutation> = {
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
    const choices = [
      0,
      1,
      current + randomInt(random, -16, 16),
      current * 2,
      0xffffffff,
      randomInt(random, 0, 0x7fffffff),
    ];
    new DataView(out.buffer).setUint32(
      at,
      Math.max(0, Math.min(0xffffffff, choices[randomInt(random, 0, choices.length - 1)]!)),
    );
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

/** `count` seeded mutated files: 1 to 3 of the `names` mutations of one of `sources` each. */
export function* mutatedCases(
  sources: Uint8Array[],
  count: number,
  seed: number,
  names = Object.keys(MUTATIONS),
): Generator<{ label: string; bytes: Uint8Array }> {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    let bytes = sources[randomInt(random, 0, sources.length - 1)]!;
    const applied: string[] = [];
    for (let k = randomInt(random, 1, 3); k > 0 && bytes.length > 0; k--) {
      const name = names[randomInt(random, 0, names.length - 1)]!;
      applied.push(name);
      bytes = MUTATIONS[name]!(bytes, random);
    }
    yield { label: `case ${i} (seed ${seed}; ${applied.join("+")}, ${bytes.length} bytes)`, bytes };
  }
}
