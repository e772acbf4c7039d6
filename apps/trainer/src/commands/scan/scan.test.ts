import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTokenizer } from "@motif/core";
import { parseMidi, pianoNotes } from "@motif/midi";
import { readEnv } from "../../env.js";
import type { ScanReport } from "./scan-report.js";
import { BROKEN_MIDI, midiWithDrums, phraseFile, writeFiles } from "../../test-support/midi-fixtures.js";
import { runCli } from "../../test-support/run-cli.js";

/** A format-0 file with a stray MIDI clock byte (0xF8) at byte 27 between a note's on and off. */
function midiWithClockByte(): Uint8Array {
  const track = [0x00, 0x90, 60, 80, 0x00, 0xf8, 0x83, 0x60, 0x90, 60, 0, 0x00, 0xff, 0x2f, 0x00];
  return new Uint8Array([
    0x4d,
    0x54,
    0x68,
    0x64,
    0,
    0,
    0,
    6,
    0,
    0,
    0,
    1,
    0x01,
    0xe0,
    0x4d,
    0x54,
    0x72,
    0x6b,
    0,
    0,
    0,
    track.length,
    ...track,
  ]);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "motif-scan-"));
  await writeFiles(dir, {
    "nested/deeper/Upper.MID": phraseFile(2),
    "two.midi": phraseFile(3, 5),
    "drums.mid": midiWithDrums(),
    "repaired.mid": midiWithClockByte(),
    "broken.mid": BROKEN_MIDI,
    "empty.mid": new Uint8Array(0),
    "notes.txt": "not scanned",
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("scan --json", () => {
  it("prints exactly one JSON object describing every MIDI file, broken ones included, and exits 0", async () => {
    const result = await runCli(["scan", dir, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ScanReport; // throws if anything else is on stdout
    expect(report.files.map((f) => f.path)).toEqual([
      "broken.mid",
      "drums.mid",
      "empty.mid",
      "nested/deeper/Upper.MID",
      "repaired.mid",
      "two.midi",
    ]);

    const drums = report.files.find((f) => f.path === "drums.mid")!;
    const timed = getTokenizer("timed").encode(pianoNotes(parseMidi(midiWithDrums())));
    expect(drums).toEqual({
      path: "drums.mid",
      ok: true,
      error: null,
      format: 0,
      tracks: 1,
      notes: 3, // every note-on with velocity > 0, the drum included
      drumNotes: 1,
      durationSeconds: 1,
      tokens: { "notes-chords": 2, timed: timed.length },
      warnings: [],
    });
    const repaired = report.files.find((f) => f.path === "repaired.mid")!;
    expect(repaired).toMatchObject({ ok: true, notes: 1, durationSeconds: 0.5 });
    expect(repaired.warnings).toEqual([
      {
        code: "stray-status",
        byteOffset: 27,
        track: 0,
        message: "track 0: skipped real-time byte 0xF8 at byte 27",
      },
    ]);
    const upper = report.files.find((f) => f.path === "nested/deeper/Upper.MID")!;
    expect(upper.notes).toBe(18);
    expect(upper.format).toBe(1);

    const broken = report.files.find((f) => f.path === "broken.mid")!;
    expect(broken.ok).toBe(false);
    expect(broken.error).toMatch(/\S/);
    expect(broken.notes).toBeNull();
    expect(broken.warnings).toEqual([]);
    expect(report.files.find((f) => f.path === "empty.mid")!.error).toMatch(/empty|0 bytes/i);

    expect(report.summary).toMatchObject({
      files: 6,
      ok: 4,
      failed: 2,
      repaired: 1,
      notes: 3 + 18 + 1 + 27,
      drumNotes: 1,
    });
    expect(report.summary.vocab["notes-chords"]).toBeGreaterThan(5);
    expect(report.summary.vocab.timed).toBeGreaterThan(5);
  });

  it("prints a table with the repairs, the failures and a summary without --json", async () => {
    const result = await runCli(["scan", dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^file\s+format\s+tracks\s+notes\s+drums\s+seconds\s.*\swarnings$/m);
    expect(result.stdout).toMatch(/^repaired\.mid\s.*\s1$/m);
    expect(result.stdout).toMatch(/^drums\.mid\s.*\s0$/m);
    expect(result.stdout).toContain(
      "Read with repairs (1):\n  repaired.mid: track 0: skipped real-time byte 0xF8 at byte 27\n",
    );
    expect(result.stdout).toContain("Failed (2):");
    expect(result.stdout).toMatch(/broken\.mid: \S/);
    expect(result.stdout).toContain("Summary: 6 files, 4 ok (1 repaired), 2 failed; 49 notes (1 drum)");
  });

  it("fails clearly on a missing folder and on bad flags", async () => {
    const missing = await runCli(["scan", path.join(dir, "does-not-exist")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("folder not found");
    expect(missing.stdout).toBe("");
    const badFlag = await runCli(["scan", dir, "--jsn"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("unknown flag --jsn");
  });
});

const corpusDir = readEnv().corpusDir;
describe.skipIf(!existsSync(corpusDir))(`scan of the seed corpus (skipped: ${corpusDir} not found)`, () => {
  it("reads all 92 files", async () => {
    const result = await runCli(["scan", corpusDir, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ScanReport;
    expect(report.summary.files).toBe(92);
    expect(report.summary.ok).toBe(92);
    expect(report.summary.repaired).toBe(0);
    expect(report.files.find((f) => f.path === "AT.mid")!.drumNotes).toBeGreaterThan(0);
  });
});
