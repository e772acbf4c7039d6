// The music report of `evaluate --pieces / --pieces-dir`: built by hand from note lists (copies,
// collapse, the human baseline), then once end to end through the CLI on a tiny model.
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, SCALAR_FEATURES } from "@motif/core";
import { parseMidi, type QuarterNote } from "@motif/midi";
import { demoCorpusFiles } from "../../data/demo-corpus.js";
import { buildMusicReport, formatMusicReport, median, type MusicReport } from "./evaluate-pieces.js";
import { writeFiles } from "../../test-support/midi-fixtures.js";
import { runCli } from "../../test-support/run-cli.js";

/** Monophonic legato melody: `gaps[i]` beats from note i to note i + 1 (and note i's length). */
function melody(pitches: readonly number[], gaps: readonly number[]): QuarterNote[] {
  let start = 0;
  return pitches.map((pitch, i) => {
    const gap = gaps[i % gaps.length]!;
    const note = { pitch, velocity: 80, startQuarter: start, endQuarter: start + gap };
    start += gap;
    return note;
  });
}

// Two hand-made 64-note songs with irregular leaps and rhythms (no 8 moves repeat inside them).
const SONG_A = melody(
  [
    64, 62, 55, 59, 66, 71, 70, 67, 64, 69, 76, 77, 76, 75, 82, 83, 80, 78, 80, 81, 78, 84, 82, 84, 80, 76,
    75, 73, 72, 65, 60, 56, 51, 49, 46, 47, 54, 58, 60, 62, 60, 53, 55, 58, 61, 60, 64, 69, 70, 72, 79, 83,
    76, 73, 78, 84, 81, 84, 82, 84, 77, 84, 79, 81,
  ],
  [
    0.75, 0.75, 0.75, 0.5, 0.75, 0.75, 1.5, 0.25, 0.5, 1.5, 0.5, 0.75, 1, 2, 0.25, 1.5, 0.5, 0.25, 2, 1.5,
    0.25, 1.5, 0.25, 0.75, 0.25, 0.75, 0.75, 0.25, 0.25, 0.25, 1, 0.75, 1, 0.25, 1.5, 0.25, 0.25, 0.5, 0.25,
    0.75, 0.25, 0.5, 2, 0.5, 0.75, 1.5, 1, 2, 0.5, 0.75, 0.25, 0.5, 0.5, 0.25, 1, 0.5, 0.25, 0.5, 0.75, 1.5,
    0.25, 1, 1, 0.75,
  ],
);
const SONG_B = melody(
  [
    57, 58, 51, 47, 45, 46, 50, 49, 47, 49, 53, 58, 56, 57, 64, 59, 58, 54, 50, 54, 53, 54, 52, 59, 52, 49,
    45, 49, 54, 56, 58, 62, 58, 53, 54, 53, 56, 55, 56, 54, 47, 46, 45, 48, 45, 50, 47, 52, 45, 49, 46, 53,
    58, 61, 57, 61, 64, 69, 62, 69, 65, 72, 70, 77,
  ],
  [
    0.75, 0.75, 0.75, 0.25, 0.75, 1, 1, 0.5, 0.5, 2, 0.25, 1.5, 0.25, 0.5, 1, 0.25, 0.5, 0.5, 1.5, 0.75, 0.5,
    2, 0.5, 1, 0.5, 0.25, 1, 1, 1, 0.75, 0.75, 1, 1.5, 0.5, 0.25, 0.75, 0.25, 0.25, 0.25, 2, 0.25, 2, 0.5,
    0.25, 2, 0.25, 0.5, 1, 0.75, 1.5, 0.75, 1, 0.25, 0.25, 2, 0.5, 1, 0.75, 0.25, 0.5, 0.5, 1.5, 1, 1.5,
  ],
);
const REFERENCE = [
  { name: "songs/a.mid", notes: SONG_A },
  { name: "songs/b.mid", notes: SONG_B },
];

/** Notes `from`..`from + count - 1` of a song, moved by `semitones` and re-timed to start at `at` beats. */
function excerpt(
  song: readonly QuarterNote[],
  from: number,
  count: number,
  semitones: number,
  at: number,
): QuarterNote[] {
  const part = song.slice(from, from + count);
  const shift = at - part[0]!.startQuarter;
  return part.map((note) => ({
    ...note,
    pitch: note.pitch + semitones,
    startQuarter: note.startQuarter + shift,
    endQuarter: note.endQuarter + shift,
  }));
}

/** A seeded random walk: steps of ±1..6 semitones, onsets 1/4 to 3/2 beats apart. */
function randomWalk(seed: number, count: number): QuarterNote[] {
  const rng = createRng(seed);
  const gaps = [0.25, 0.5, 0.75, 1, 1.5];
  let pitch = 60;
  let start = 0;
  return Array.from({ length: count }, () => {
    const gap = gaps[Math.floor(rng.next() * gaps.length)]!;
    const note = { pitch, velocity: 70, startQuarter: start, endQuarter: start + gap };
    const step = 1 + Math.floor(rng.next() * 6);
    pitch = Math.min(90, Math.max(40, pitch + (rng.next() < 0.5 ? -step : step)));
    start += gap;
    return note;
  });
}

const oneNote = (count: number): QuarterNote[] =>
  Array.from({ length: count }, (_, i) => ({
    pitch: 60,
    velocity: 80,
    startQuarter: i * 0.5,
    endQuarter: i * 0.5 + 0.5,
  }));

describe("buildMusicReport", () => {
  const copied = excerpt(SONG_A, 20, 40, 3, 9);
  const pieces = [
    { name: "copied.mid", notes: copied },
    { name: "walk.mid", notes: randomWalk(7, 80) },
    { name: "collapsed.mid", notes: oneNote(32) },
  ];
  const human = [
    { name: "held-out/b-quote.mid", notes: excerpt(SONG_B, 5, 30, -2, 0) },
    { name: "held-out/walk.mid", notes: randomWalk(11, 60) },
  ];
  const report = buildMusicReport({ pieces, reference: REFERENCE, human });

  it("finds a transposed, time-shifted excerpt as a whole copy, naming the source and bars", () => {
    const row = report.pieces[0]!;
    expect(row.file).toBe("copied.mid");
    expect(row.notes).toBe(40);
    expect(row.collapse).toBe(false);
    expect(row.copy["copy@8"]).toBe(1);
    expect(row.copy["copy@16"]).toBe(1);
    expect(row.copy["copy@32"]).toBe(1);
    const sourceBar = Math.floor(SONG_A[20]!.startQuarter / 4) + 1;
    expect(sourceBar).toBeGreaterThan(1);
    // Starts at beat 9 of the piece: bar 3.
    expect(row.copy.longest).toEqual({
      notes: 40,
      source: "songs/a.mid",
      bar: sourceBar,
      pieceBar: 3,
      sourceStartQuarter: SONG_A[20]!.startQuarter,
      pieceStartQuarter: 9,
    });
  });

  it("finds nothing copied in a seeded random walk", () => {
    const row = report.pieces[1]!;
    expect(row.notes).toBe(80);
    expect(row.collapse).toBe(false);
    expect(row.copy["copy@16"]).toBe(0);
    expect(row.copy["copy@32"]).toBe(0);
  });

  it("flags a one-note piece as collapsed and counts it in the summary", () => {
    expect(report.pieces[2]!.collapse).toBe(true);
    expect(report.pieces[2]!.features.distinctPitches).toBe(1);
    const s = report.summary;
    expect(s.pieces).toBe(3);
    expect(s.collapseRate).toBeCloseTo(1 / 3, 12);
    expect(s["copy@8"]).toBeCloseTo(report.pieces.reduce((sum, r) => sum + r.copy["copy@8"], 0) / 3, 12);
    expect(s["copy@16"]).toBeCloseTo(1 / 3, 12);
    expect(s["copy@32"]).toBeCloseTo(1 / 3, 12);
    expect(s.longestMax).toBe(40);
  });

  it("carries the scalar features per piece and their overlap with the reference", () => {
    for (const row of report.pieces)
      expect(Object.keys(row.features).sort()).toEqual([...SCALAR_FEATURES].sort());
    const oa = report.summary.oa!;
    expect(Object.keys(oa).sort()).toEqual([...SCALAR_FEATURES].sort());
    for (const feature of SCALAR_FEATURES) {
      expect(oa[feature].oa).toBeGreaterThanOrEqual(0);
      expect(oa[feature].oa).toBeLessThanOrEqual(1 + 1e-9);
      expect(oa[feature].kl).toBeGreaterThanOrEqual(0);
    }
    const mean = SCALAR_FEATURES.reduce((sum, f) => sum + oa[f].oa, 0) / SCALAR_FEATURES.length;
    expect(report.summary.meanOA).toBeCloseTo(mean, 12);
  });

  it("checks the held-out human songs against the same reference", () => {
    expect(report.human).toEqual({
      pieces: 2,
      "copy@8": 0.5,
      "copy@16": 0.5,
      "copy@32": 0,
      longestMax: 30,
      longestMedian: 15,
    });
  });

  it("leaves the human baseline out when no held-out songs are given, and OA out with one reference song", () => {
    const bare = buildMusicReport({ pieces: pieces.slice(0, 1), reference: REFERENCE.slice(0, 1) });
    expect(bare.human).toBeNull();
    expect(bare.summary.meanOA).toBeNull();
    expect(bare.summary.oa).toBeNull();
    expect(bare.pieces[0]!.copy.longest?.source).toBe("songs/a.mid");
    expect(() => buildMusicReport({ pieces, reference: [] })).toThrow(/reference corpus is empty/);
  });

  it("prints the summary beside the human baseline and one line per piece", () => {
    const text = formatMusicReport(report, "3 hand-made pieces");
    expect(text.startsWith("3 hand-made pieces\n")).toBe(true);
    expect(text).toMatch(/^measure +pieces +human baseline \(held-out songs\)$/m);
    expect(text).toMatch(/^copy@16 \(share found in the reference\) +0\.333 +0\.500$/m);
    expect(text).toMatch(/^longest copy, notes: max +40 +30$/m);
    expect(text).toMatch(
      /^copied\.mid +40 +no +1 +1 +1 +40 notes from songs\/a\.mid bar \d+ \(piece bar 3\)/m,
    );
    expect(text).toMatch(/^collapsed\.mid +32 +yes /m);
    expect(text).toMatch(/^pitchClassEntropy +[\d.]+ +[\d.]+ +[\d.]+$/m);
  });

  it("takes the median of an even count as the mean of the middle two", () => {
    expect(median([])).toBe(0);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([40, 0, 10, 20])).toBe(15);
  });
});

describe("evaluate --pieces through the CLI", () => {
  let work: string;
  let dataDir: string;
  let modelDir: string;
  const TINY = [
    "--units",
    "16",
    "--layers",
    "1",
    "--seq-len",
    "16",
    "--batch",
    "16",
    "--augment",
    "-1..1",
    "--val",
    "0.25",
    "--seed",
    "3",
    "--backend",
    "wasm",
  ];

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "motif-evaluate-"));
    dataDir = path.join(work, "data");
    const demo = demoCorpusFiles().filter((f) =>
      /^(twinkle|mary|minuet|alberti-c|alberti-g|scale-c|cadences-g)/.test(f.name),
    );
    await writeFiles(dataDir, Object.fromEntries(demo.map((f) => [f.name, f.bytes])));
    const trained = await runCli([
      "train",
      "--data",
      dataDir,
      "--out",
      path.join(work, "models"),
      "--name",
      "tiny",
      "--epochs",
      "1",
      ...TINY,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    modelDir = path.join(work, "models", "tiny");
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("generates, writes and reports 2 pieces as one JSON object; the files are what generate writes", async () => {
    const out = path.join(work, "pieces");
    const result = await runCli([
      "evaluate",
      "--model",
      modelDir,
      "--data",
      dataDir,
      "--pieces",
      "2",
      "--length",
      "60",
      "--out",
      out,
      "--json",
      "--backend",
      "wasm",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as MusicReport;
    expect(Object.keys(report).sort()).toEqual(["human", "pieces", "summary"]);
    expect(report.pieces.map((p) => p.file)).toEqual(["piece-1.mid", "piece-2.mid"]);
    expect(report.summary.pieces).toBe(2);
    expect(report.summary.collapseRate).toBeGreaterThanOrEqual(0);
    expect(typeof report.summary["copy@16"]).toBe("number");
    expect(report.summary.meanOA).not.toBeNull(); // 5 training songs in the reference
    expect(report.human?.pieces).toBe(2); // the 2 validation songs
    expect((await readdir(out)).sort()).toEqual([
      "piece-1.mid",
      "piece-2.mid",
      "report.json",
      "report.png",
      "report.svg",
    ]);

    const written = await readFile(path.join(out, "piece-1.mid"));
    const sequence = parseMidi(new Uint8Array(written));
    expect(sequence.texts).toEqual(
      expect.arrayContaining([
        "seed 1",
        "length 60",
        "temperature 1",
        "top-k none",
        "top-p 0.95",
        "guard on",
        "primer none",
        "model tiny v1",
      ]),
    );
    expect(sequence.notes.length).toBe(report.pieces[0]!.notes);
    const generated = await runCli([
      "generate",
      "--model",
      modelDir,
      "--seed",
      "1",
      "--length",
      "60",
      "--out",
      path.join(work, "g.mid"),
      "--backend",
      "wasm",
    ]);
    expect(generated.code, generated.stderr).toBe(0);
    expect((await readFile(path.join(work, "g.mid"))).equals(written)).toBe(true);

    // The same files read back with --pieces-dir: the same figures (reference = every data file without --model).
    const fromDir = await runCli(["evaluate", "--pieces-dir", out, "--data", dataDir, "--json"]);
    expect(fromDir.code, fromDir.stderr).toBe(0);
    const again = JSON.parse(fromDir.stdout) as MusicReport;
    expect(again.pieces.map((p) => [p.file, p.notes])).toEqual(report.pieces.map((p) => [p.file, p.notes]));
    expect(again.human).toBeNull();
  });

  it("refuses --pieces without --out (exit 2) and a --pieces-dir without MIDI files (exit 1)", async () => {
    const noOut = await runCli(["evaluate", "--model", modelDir, "--data", dataDir, "--pieces", "2"]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--pieces N writes the generated pieces .*add --out DIR/);
    const empty = path.join(work, "empty");
    await mkdir(empty);
    const noFiles = await runCli(["evaluate", "--pieces-dir", empty, "--data", dataDir]);
    expect(noFiles.code).toBe(1);
    expect(noFiles.stderr).toContain(`no MIDI files (.mid / .midi) in ${empty}`);
  });
});
