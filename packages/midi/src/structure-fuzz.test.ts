// Structure-aware fuzzing: seeded SMFs built from the grammar and bent where files bend (see
// test-support/smf-fuzz-cases.ts), each checked by test-support/fuzz-harness.ts: a sequence with
// warnings that writes and reads back to the same notes, or a typed error; never a crash, never
// more than a second. CI runs a few thousand cases; a long run:
//   MOTIF_FUZZ_CASES=1000000 pnpm --filter @motif/midi fuzz      (MOTIF_FUZZ_SEED to vary)
import { describe, expect, it } from "vitest";
import { FuzzTally, checkCase } from "./test-support/fuzz-harness.js";
import { seededRandom } from "./test-support/random.js";
import { structuredCase } from "./test-support/smf-fuzz-cases.js";

const CASES = Number(process.env.MOTIF_FUZZ_CASES ?? 3000);
const SEED = Number(process.env.MOTIF_FUZZ_SEED ?? 20_261_201);
const PROGRESS_EVERY = Math.max(10_000, Math.floor(CASES / 10));

describe(`structure-aware fuzz (${CASES} cases, seed ${SEED})`, () => {
  it(
    "every case: warnings and a faithful round trip, or a typed error; bounded time and memory",
    { timeout: Math.max(120_000, CASES * 5) },
    () => {
      const random = seededRandom(SEED);
      const tally = new FuzzTally();
      const traits = new Map<string, number>();
      let peakHeap = 0;
      for (let i = 0; i < CASES; i++) {
        const fuzzCase = structuredCase(random);
        for (const trait of fuzzCase.traits) traits.set(trait, (traits.get(trait) ?? 0) + 1);
        tally.add(
          `case ${i} (seed ${SEED}; ${fuzzCase.traits.join(", ") || "clean"}; ${fuzzCase.bytes.length} bytes)`,
          checkCase(fuzzCase.bytes),
        );
        if ((i + 1) % 1000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        if ((i + 1) % PROGRESS_EVERY === 0) console.log(`${tally.summary("structure fuzz (so far)")}`);
      }
      console.log(`${tally.summary("structure fuzz")}; peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`);
      console.log(`traits: ${[...traits].map(([trait, count]) => `${trait} ${count}`).join(", ")}`);
      expect(tally.failures.slice(0, 10)).toEqual([]);
      expect(tally.crashes).toBe(0);
      // The generator reaches both outcomes and most repairs; a regression in it fails here.
      expect(tally.parsed).toBeGreaterThan(CASES / 2);
      expect(tally.withWarnings).toBeGreaterThan(CASES / 4);
      expect(tally.errors.size).toBeGreaterThanOrEqual(3);
      if (CASES >= 3000) expect(tally.warningsSeen.size).toBeGreaterThanOrEqual(16);
    },
  );
});
