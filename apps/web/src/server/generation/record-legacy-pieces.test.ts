// RECORDER (run once before the worker moved to core's Composer, then removed): makes pieces
// through today's path (pieces.create → worker pool → SQLite) on core's committed fixture bundles
// and writes their stored recipe columns, tokens, notes and MIDI sha256 to
// test-support/fixtures/legacy-pieces.json, so later code can prove those rows still replay.
import { createHash } from "node:crypto";
import { execSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseMidi } from "@motif/midi";
import { createWorkerPool } from "@/server/generation/worker-pool";
import { createServices } from "@/server/services/services";
import type { PrimerInput } from "@/server/services/piece-service";
import { fixtureCorpusDir, fixturePrimerFile, installFixtureBundles, type FixtureBundleName } from "../../../test-support/compose-fixtures";
import { createTestDatabase } from "../../../test-support/test-database";

const workerScript = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");

interface LegacyInput {
  name: string;
  bundle: FixtureBundleName;
  seed: number;
  length: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  primer: "none" | "corpus" | "upload";
  key?: string;
}

const inputs: LegacyInput[] = [
  { name: "timed, no primer, top-k and top-p", bundle: "timed-tiny", seed: 42, length: 120, temperature: 0.9, topK: 20, topP: 0.9, primer: "none" },
  { name: "timed, corpus primer, key as the primer", bundle: "timed-tiny", seed: 7, length: 150, temperature: 1, topK: null, topP: 0.95, primer: "corpus" },
  { name: "timed, uploaded primer, D minor", bundle: "timed-tiny", seed: 11, length: 100, temperature: 1.1, topK: null, topP: 0.95, primer: "upload", key: "D minor" },
  { name: "notes-chords, no primer, Eb major (shift after the piece)", bundle: "chords-tiny", seed: 5, length: 80, temperature: 1, topK: null, topP: 0.95, primer: "none", key: "Eb major" },
  { name: "notes-chords, corpus primer", bundle: "chords-tiny", seed: 3, length: 60, temperature: 1, topK: 8, topP: null, primer: "corpus" },
  { name: "notes-chords, uploaded primer, as trained", bundle: "chords-tiny", seed: 9, length: 60, temperature: 0.8, topK: null, topP: 0.95, primer: "upload", key: "as-trained" },
];

it("records pieces made through today's path", async () => {
  const { db } = await createTestDatabase();
  const modelsDir = mkdtempSync(join(tmpdir(), "motif-legacy-"));
  await installFixtureBundles(modelsDir);
  const services = createServices({ db, engine: createWorkerPool({ script: workerScript, size: 1 }), modelsDir, corpusDirs: [fixtureCorpusDir] });
  expect(await services.models.refresh()).toMatchObject({ usable: 2 });
  const models = await db.model.findMany({ select: { id: true, name: true, bundleHash: true } });
  const upload = await fixturePrimerFile();
  const pieces = [];
  for (const input of inputs) {
    const model = models.find((m) => m.name === input.bundle)!;
    const primer: PrimerInput = input.primer === "upload" ? { kind: "upload", fileName: upload.name, bytes: upload.bytes } : { kind: input.primer };
    const { id } = await services.pieces.create({ modelId: model.id, seed: input.seed, length: input.length, temperature: input.temperature, topK: input.topK, topP: input.topP, key: input.key }, primer);
    await services.pieces.idle();
    const row = await db.piece.findUniqueOrThrow({
      where: { id },
      select: { status: true, bundleHash: true, seed: true, temperature: true, topK: true, topP: true, length: true, primerKind: true, primerTokens: true, primerLabel: true, primerKeyShift: true, key: true, tokens: true, notes: true, durationSeconds: true, midi: true },
    });
    expect(row.status).toBe("done");
    const { midi, status: _status, ...columns } = row;
    pieces.push({ input, ...columns, midiSha256: createHash("sha256").update(midi!).digest("hex"), midiTexts: parseMidi(new Uint8Array(midi!)).texts });
  }
  const recordedWith = execSync("git rev-parse HEAD", { encoding: "utf8" }).trim();
  await writeFile(join(import.meta.dirname, "..", "..", "..", "test-support", "fixtures", "legacy-pieces.json"), JSON.stringify({ recordedWith, pieces }, null, 1) + "\n");
  await services.engine.close();
  await db.$disconnect();
  await rm(modelsDir, { recursive: true, force: true });
});
