// Share to gallery (real SQLite, real worker pool, core's fixture bundles): a piece composed as the
// device worker composes it (its recipe module, core's Composer in this process) is stored only when
// the server's replay gives the same tokens, and then its stored MIDI is the device's, byte for
// byte; tampered tokens, another bundle or a primer are refused with a 400, never stored. Also the
// bundle files the browser loads: content-hash URLs, only the bundle's own file names.
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_FILES, Composer, loadBundle, pieceToMidi } from "@motif/core/compose";
import type { DeviceRecipe } from "@/browser/device-protocol";
import { deviceGalleryRecipe } from "@/browser/device-recipe";
import type { Database } from "@/server/db";
import { createWorkerPool } from "@/server/generation/worker-pool";
import { appRouter } from "@/server/routers/app-router";
import { createBundleFiles } from "@/server/services/bundle-files";
import { createServices, type Services } from "@/server/services/services";
import { createCallerFactory, createContextInner } from "@/server/trpc";
import { installFixtureBundles, type FixtureBundleName } from "../../../test-support/compose-fixtures";
import { createTestDatabase } from "../../../test-support/test-database";
import { TEST_LIMITS, closeTestServices } from "../../../test-support/test-services";
import { expectTrpcError } from "../../../test-support/trpc-errors";

const workerScript = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");
const createCaller = createCallerFactory(appRouter);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let db: Database;
let services: Services;
let caller: ReturnType<typeof createCaller>;
let modelsDir: string;
let bundleDirs: Record<FixtureBundleName, string>;
const models = {} as Record<FixtureBundleName, { id: string; bundleHash: string }>;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  modelsDir = mkdtempSync(join(tmpdir(), "motif-share-"));
  bundleDirs = await installFixtureBundles(modelsDir);
  services = createServices({ db, engine: createWorkerPool({ script: workerScript, size: 1 }), modelsDir, corpusDirs: [], limits: TEST_LIMITS });
  caller = createCaller(createContextInner(services));
  expect(await caller.models.refresh()).toMatchObject({ usable: 2 });
  for (const model of await caller.models.list()) models[model.name as FixtureBundleName] = { id: model.id, bundleHash: model.bundleHash };
}, 300_000);

afterAll(async () => {
  await closeTestServices(services, db, [modelsDir]);
});

/** What the device worker does with a recipe: loadBundle on the served files, the device recipe, the Composer. */
async function composeLikeTheDevice(bundle: FixtureBundleName, recipe: Omit<DeviceRecipe, "modelId">) {
  const files = Object.fromEntries(await Promise.all(Object.values(BUNDLE_FILES).map(async (file) => [file, new Uint8Array(await readFile(join(bundleDirs[bundle], file)))] as const)));
  const loaded = await loadBundle(files);
  const composer = new Composer(loaded);
  try {
    const piece = composer.compose(deviceGalleryRecipe({ ...recipe, modelId: models[bundle].id }));
    return { tokens: [...piece.primer.tokens, ...piece.tokens], midi: pieceToMidi(piece) };
  } finally {
    composer.dispose();
    loaded.model.dispose();
  }
}

const recipes: { bundle: FixtureBundleName; recipe: Omit<DeviceRecipe, "modelId"> }[] = [
  { bundle: "timed-tiny", recipe: { seed: 42, length: 120, temperature: 0.9, topK: 20, topP: 0.9, key: "as-trained" } },
  { bundle: "chords-tiny", recipe: { seed: 5, length: 80, temperature: 1, topK: null, topP: 0.95, key: "Eb major" } },
];

describe("pieces.share", () => {
  it.each(recipes)("stores a device piece whose tokens the server replays exactly, with the device's MIDI bytes ($bundle, seed $recipe.seed)", async ({ bundle, recipe }) => {
    const device = await composeLikeTheDevice(bundle, recipe);
    const before = await db.piece.count();
    const shared = await caller.pieces.share({ ...recipe, modelId: models[bundle].id, bundleHash: models[bundle].bundleHash, primer: { kind: "none" }, tokens: device.tokens });
    expect(shared.tokenCount).toBe(device.tokens.length);
    expect(await db.piece.count()).toBe(before + 1);
    const stored = await caller.pieces.byId({ id: shared.id });
    expect(stored).toMatchObject({ status: "done", seed: recipe.seed, length: recipe.length, primerKind: "none", key: recipe.key, tokenCount: device.tokens.length });
    const { bytes } = await services.pieces.midi(shared.id);
    expect(sha256(bytes)).toBe(sha256(device.midi));
  });

  it("refuses tampered, missing and extra tokens with a 400 that says they differ, and stores nothing", async () => {
    const { recipe } = recipes[0]!;
    const device = await composeLikeTheDevice("timed-tiny", recipe);
    const input = { ...recipe, modelId: models["timed-tiny"].id, bundleHash: models["timed-tiny"].bundleHash, primer: { kind: "none" as const } };
    const before = await db.piece.count();
    const tampered = [...device.tokens];
    const other = tampered.find((token) => token !== tampered[10])!;
    tampered[10] = other;
    await expectTrpcError(caller.pieces.share({ ...input, tokens: tampered }), "BAD_REQUEST", /tokens differ .* at token 10 .*not stored/);
    await expectTrpcError(caller.pieces.share({ ...input, tokens: device.tokens.slice(0, -1) }), "BAD_REQUEST", /tokens differ .* at length/);
    await expectTrpcError(caller.pieces.share({ ...input, tokens: [...device.tokens, device.tokens[0]!] }), "BAD_REQUEST", /tokens differ .* at length/);
    // Same tokens, another recipe (the seed): refused too.
    await expectTrpcError(caller.pieces.share({ ...input, seed: recipe.seed + 1, tokens: device.tokens }), "BAD_REQUEST", /tokens differ/);
    expect(await db.piece.count()).toBe(before);
  });

  it("refuses another bundle, a primer and out-of-bounds input before replaying anything", async () => {
    const { recipe } = recipes[0]!;
    const input = { ...recipe, modelId: models["timed-tiny"].id, bundleHash: models["timed-tiny"].bundleHash, primer: { kind: "none" as const }, tokens: ["x"] };
    await expectTrpcError(caller.pieces.share({ ...input, bundleHash: models["chords-tiny"].bundleHash }), "BAD_REQUEST", /cannot be checked/);
    await expectTrpcError(caller.pieces.share({ ...input, bundleHash: "../../etc/passwd" }), "BAD_REQUEST", /content hash/);
    await expectTrpcError(caller.pieces.share({ ...input, primer: { kind: "corpus" } as never }), "BAD_REQUEST", /without a primer/);
    await expectTrpcError(caller.pieces.share({ ...input, tokens: Array.from({ length: 2001 }, () => "x") }), "BAD_REQUEST", /at most 2000 tokens/);
    await expectTrpcError(caller.pieces.share({ ...input, tokens: ["x".repeat(65)] }), "BAD_REQUEST", /longer than 64/);
    await expectTrpcError(caller.pieces.share({ ...input, modelId: "nope" }), "BAD_REQUEST", /does not exist/);
  });
});

describe("bundle files for the browser", () => {
  it("lists the three files loadBundle needs under content-hash URLs, with sizes", async () => {
    const files = createBundleFiles({ db });
    const { id, bundleHash } = models["timed-tiny"];
    const listing = await files.listing(id);
    expect(listing).toMatchObject({ modelId: id, bundleHash, name: "timed-tiny" });
    expect(listing.files.map((f) => f.name)).toEqual(["bundle.json", "model.json", "weights.bin"]);
    for (const file of listing.files) {
      expect(file.url).toBe(`/api/models/${id}/bundle/${bundleHash}/${file.name}`);
      const served = await files.file(id, bundleHash, file.name);
      expect(served.bytes.byteLength).toBe(file.bytes);
      expect(served.immutable).toBe(true);
      expect(sha256(served.bytes)).toBe(sha256(new Uint8Array(await readFile(join(bundleDirs["timed-tiny"], file.name)))));
    }
    expect(listing.totalBytes).toBe(listing.files.reduce((sum, f) => sum + f.bytes, 0));
  });

  it("serves only the bundle's own file names, under its current hash (404 otherwise)", async () => {
    const files = createBundleFiles({ db });
    const { id, bundleHash } = models["timed-tiny"];
    for (const name of ["../bundle.json", "..%2Fbundle.json", "/etc/passwd", "curves.png", "NOTICE.md", "reference-notes.bin.gz", "bundle.json/", "BUNDLE.JSON", "", "weights.bin\u0000"]) {
      await expect(files.file(id, bundleHash, name)).rejects.toMatchObject({ name: "NotFoundError" });
    }
    await expect(files.file(id, models["chords-tiny"].bundleHash, "weights.bin")).rejects.toMatchObject({ name: "NotFoundError" });
    await expect(files.file(id, "../..", "weights.bin")).rejects.toMatchObject({ name: "NotFoundError" });
    await expect(files.file("nope", bundleHash, "weights.bin")).rejects.toMatchObject({ name: "NotFoundError" });
    await expect(files.listing("nope")).rejects.toMatchObject({ name: "NotFoundError" });
  });
});
