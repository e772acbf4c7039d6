import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTokenizer } from "@motif/core";
import { parseMidi, pianoNotes } from "@motif/midi";
import { readEnv } from "./env.js";
import type { ScanReport } from "./scan-report.js";
import { BROKEN_MIDI, midiWithDrums, phraseFile, writeFiles } from "./test-support/midi-fixtures.js";
import { runCli } from "./test-support/run-cli.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "motif-scan-"));
  await writeFiles(dir, {
    "nested/deeper/Upper.MID": phraseFile(2),
    "two.midi": phraseFile(3, 5),
    "drums.mid": midiWithDrums(),
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
    expect(report.files.map((f) => f.path)).toEqual(["broken.mid", "drums.mid", "empty.mid", "nested/deeper/Upper.MID", "two.midi"]);

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
    });
    const upper = report.files.find((f) => f.path === "nested/deeper/Upper.MID")!;
    expect(upper.notes).toBe(18);
    expect(upper.format).toBe(1);

    const broken = report.files.find((f) => f.path === "broken.mid")!;
    expect(broken.ok).toBe(false);
    expect(broken.error).toMatch(/\S/);
    expect(broken.notes).toBeNull();
    expect(report.files.find((f) => f.path === "empty.mid")!.error).toMatch(/empty|0 bytes/i);

    expect(report.summary).toMatchObject({ files: 5, ok: 3, failed: 2, notes: 3 + 18 + 27, drumNotes: 1 });
    expect(report.summary.vocab["notes-chords"]).toBeGreaterThan(5);
    expect(report.summary.vocab.timed).toBeGreaterThan(5);
  });

  it("prints a table with the failures and a summary without --json", async () => {
    const result = await runCli(["scan", dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^file\s+format\s+tracks\s+notes\s+drums\s+seconds/);
    expect(result.stdout).toContain("Failed (2):");
    expect(result.stdout).toMatch(/broken\.mid: \S/);
    expect(result.stdout).toContain("Summary: 5 files, 3 ok, 2 failed; 48 notes (1 drum)");
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
    expect(report.files.find((f) => f.path === "AT.mid")!.drumNotes).toBeGreaterThan(0);
  });
});
