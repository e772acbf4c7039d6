// Share to gallery (real SQLite, real worker pool, core's fixture bundles): a piece composed as the
// device worker composes it (its recipe module, core's Composer in this process) is stored only when
// the server's replay gives the same tokens, and then its stored MIDI is the device's, byte for
// byte; tampered tokens, another bundle or a corpus primer that is not the seed's are refused with a
// 400, never stored. A corpus primer comes from pieces.primer, an upload from the Composer as the
// device worker reads it; the server's own piece of the same recipe has the same bytes. A piece
// kept from the radio (a cut of a stream) is checked by composing the stream up to it. Also the
// bundle files the browser loads: content-hash URLs, only the bundle's own file names.
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_FILES, Composer, loadBundle, pieceToMidi } from "@motif/core/compose";
import type { DevicePrimer, DeviceRecipe } from "@/browser/device-protocol";
import { deviceGalleryRecipe } from "@/browser/device-recipe";
import { GALLERY_RECIPE } from "@/lib/gallery-recipe";
import type { Database } from "@/server/db";
import { createWorkerPool } from "@/server/generation/worker-pool";
import { appRouter } from "@/server/routers/app-router";
import { createBundleFiles } from "@/server/services/bundle-files";
import { createServices, type Services } from "@/server/services/services";
import { createCallerFactory, createContextInner } from "@/server/trpc";
import {
  fixtureCorpusDir,
  fixturePrimerFile,
  installFixtureBundles,
  type FixtureBundleName,
} from "../../../test-support/compose-fixtures";
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
  services = createServices({
    db,
    engine: createWorkerPool({ script: workerScript, size: 1 }),
    modelsDir,
    corpusDirs: [fixtureCorpusDir],
    limits: TEST_LIMITS,
  });
  caller = createCaller(createContextInner(services));
  expect(await caller.models.refresh()).toMatchObject({ usable: 2 });
  for (const model of await caller.models.list())
    models[model.name as FixtureBundleName] = { id: model.id, bundleHash: model.bundleHash };
}, 300_000);

afterAll(async () => {
  await closeTestServices(services, db, [modelsDir]);
});

/** What the device worker does with a recipe: loadBundle on the served files, the device recipe, the Composer. */
async function composeLikeTheDevice(
  bundle: FixtureBundleName,
  recipe: Omit<DeviceRecipe, "modelId">,
  upload?: { name: string; bytes: Uint8Array },
) {
  const files = Object.fromEntries(
    await Promise.all(
      Object.values(BUNDLE_FILES).map(
        async (file) => [file, new Uint8Array(await readFile(join(bundleDirs[bundle], file)))] as const,
      ),
    ),
  );
  const loaded = await loadBundle(files);
  const composer = new Composer(loaded);
  try {
    // The device worker's primer-midi: the Composer reads the file, seed unused, the gallery's primer length.
    const read = upload
      ? composer.primer(
          { kind: "midi", name: upload.name, bytes: upload.bytes },
          { seed: 0, length: GALLERY_RECIPE.primerLength },
        )
      : null;
    const primer: DevicePrimer | undefined = read
      ? { kind: "upload", tokens: read.tokens, description: read.description, keyShift: read.keyShift }
      : recipe.primer;
    const piece = composer.compose(
      deviceGalleryRecipe({ ...recipe, modelId: models[bundle].id, ...(primer ? { primer } : {}) }),
    );
    return { tokens: [...piece.primer.tokens, ...piece.tokens], midi: pieceToMidi(piece), primer };
  } finally {
    composer.dispose();
    loaded.model.dispose();
  }
}

const recipes: { bundle: FixtureBundleName; recipe: Omit<DeviceRecipe, "modelId"> }[] = [
  {
    bundle: "timed-tiny",
    recipe: { seed: 42, length: 120, temperature: 0.9, topK: 20, topP: 0.9, key: "as-trained" },
  },
  {
    bundle: "chords-tiny",
    recipe: { seed: 5, length: 80, temperature: 1, topK: null, topP: 0.95, key: "Eb major" },
  },
];

describe("pieces.share", () => {
  it.each(recipes)(
    "stores a device piece whose tokens the server replays exactly, with the device's MIDI bytes ($bundle, seed $recipe.seed)",
    async ({ bundle, recipe }) => {
      const device = await composeLikeTheDevice(bundle, recipe);
      const before = await db.piece.count();
      const shared = await caller.pieces.share({
        ...recipe,
        modelId: models[bundle].id,
        bundleHash: models[bundle].bundleHash,
        primer: { kind: "none" },
        tokens: device.tokens,
      });
      expect(shared.tokenCount).toBe(device.tokens.length);
      expect(await db.piece.count()).toBe(before + 1);
      const stored = await caller.pieces.byId({ id: shared.id });
      expect(stored).toMatchObject({
        status: "done",
        seed: recipe.seed,
        length: recipe.length,
        primerKind: "none",
        key: recipe.key,
        tokenCount: device.tokens.length,
      });
      const { bytes } = await services.pieces.midi(shared.id);
      expect(sha256(bytes)).toBe(sha256(device.midi));
    },
  );

  it("refuses tampered, missing and extra tokens with a 400 that says they differ, and stores nothing", async () => {
    const { recipe } = recipes[0]!;
    const device = await composeLikeTheDevice("timed-tiny", recipe);
    const input = {
      ...recipe,
      modelId: models["timed-tiny"].id,
      bundleHash: models["timed-tiny"].bundleHash,
      primer: { kind: "none" as const },
    };
    const before = await db.piece.count();
    const tampered = [...device.tokens];
    const other = tampered.find((token) => token !== tampered[10])!;
    tampered[10] = other;
    await expectTrpcError(
      caller.pieces.share({ ...input, tokens: tampered }),
      "BAD_REQUEST",
      /tokens differ .* at token 10 .*not stored/,
    );
    await expectTrpcError(
      caller.pieces.share({ ...input, tokens: device.tokens.slice(0, -1) }),
      "BAD_REQUEST",
      /tokens differ .* at length/,
    );
    await expectTrpcError(
      caller.pieces.share({ ...input, tokens: [...device.tokens, device.tokens[0]!] }),
      "BAD_REQUEST",
      /tokens differ .* at length/,
    );
    // Same tokens, another recipe (the seed): refused too.
    await expectTrpcError(
      caller.pieces.share({ ...input, seed: recipe.seed + 1, tokens: device.tokens }),
      "BAD_REQUEST",
      /tokens differ/,
    );
    expect(await db.piece.count()).toBe(before);
  });

  it("refuses another bundle, a primer and out-of-bounds input before replaying anything", async () => {
    const { recipe } = recipes[0]!;
    const input = {
      ...recipe,
      modelId: models["timed-tiny"].id,
      bundleHash: models["timed-tiny"].bundleHash,
      primer: { kind: "none" as const },
      tokens: ["x"],
    };
    await expectTrpcError(
      caller.pieces.share({ ...input, bundleHash: models["chords-tiny"].bundleHash }),
      "BAD_REQUEST",
      /cannot be checked/,
    );
    await expectTrpcError(
      caller.pieces.share({ ...input, bundleHash: "../../etc/passwd" }),
      "BAD_REQUEST",
      /content hash/,
    );
    await expectTrpcError(
      caller.pieces.share({ ...input, primer: { kind: "corpus" } as never }),
      "BAD_REQUEST",
      /tokens/,
    );
    await expectTrpcError(
      caller.pieces.share({ ...input, tokens: Array.from({ length: 2049 }, () => "x") }),
      "BAD_REQUEST",
      /at most 2048 tokens/,
    );
    const primer = { kind: "upload" as const, tokens: ["x"], description: "file:a.mid", keyShift: 0 };
    await expectTrpcError(
      caller.pieces.share({ ...input, primer: { ...primer, tokens: Array.from({ length: 49 }, () => "x") } }),
      "BAD_REQUEST",
      /at most 48 tokens/,
    );
    await expectTrpcError(
      caller.pieces.share({ ...input, primer: { ...primer, description: "corpus:tune.mid@0+48" } }),
      "BAD_REQUEST",
      /description starts with .*file:/,
    );
    await expectTrpcError(
      caller.pieces.share({ ...input, primer: { ...primer, description: `file:${"x".repeat(300)}` } }),
      "BAD_REQUEST",
      /longer than 300/,
    );
    await expectTrpcError(
      caller.pieces.share({ ...input, primer: { ...primer, keyShift: 12 } }),
      "BAD_REQUEST",
      /keyShift|12/,
    );
    await expectTrpcError(
      caller.pieces.primer({ modelId: models["timed-tiny"].id, seed: 1, kind: "upload" as never }),
      "BAD_REQUEST",
      /only a corpus primer/,
    );
    await expectTrpcError(
      caller.pieces.share({ ...input, tokens: ["x".repeat(65)] }),
      "BAD_REQUEST",
      /longer than 64/,
    );
    await expectTrpcError(
      caller.pieces.share({ ...input, modelId: "nope" }),
      "BAD_REQUEST",
      /does not exist/,
    );
  });
});

describe("pieces.share with a primer", () => {
  const recipe = { seed: 11, length: 64, temperature: 1, topK: null, topP: 0.95, key: "primer" };
  /** The server's own piece of the recipe (pieces.create), finished: its MIDI bytes. */
  async function serverMidi(
    bundle: FixtureBundleName,
    primer: Parameters<typeof caller.pieces.create>[0]["primer"],
  ) {
    const { id } = await caller.pieces.create({ ...recipe, modelId: models[bundle].id, primer });
    await services.pieces.idle();
    expect((await caller.pieces.byId({ id })).status).toBe("done");
    return (await services.pieces.midi(id)).bytes;
  }

  it.each(["timed-tiny", "chords-tiny"] as const)(
    "composes a corpus-primer recipe from pieces.primer with the server's MIDI bytes, shares it, and refuses another snippet (%s)",
    async (bundle) => {
      const { bundleHash, tokens, description, keyShift } = await caller.pieces.primer({
        modelId: models[bundle].id,
        seed: recipe.seed,
        kind: "corpus",
      });
      expect(bundleHash).toBe(models[bundle].bundleHash);
      expect(description).toMatch(/^corpus:.+\.mid@\d+\+\d+/);
      expect(tokens.length).toBeGreaterThan(0);
      expect(tokens.length).toBeLessThanOrEqual(GALLERY_RECIPE.primerLength);
      const primer: DevicePrimer = { kind: "corpus", tokens, description, keyShift };
      const device = await composeLikeTheDevice(bundle, { ...recipe, primer });
      expect(device.tokens.slice(0, tokens.length)).toEqual(tokens);
      expect(sha256(await serverMidi(bundle, { kind: "corpus" }))).toBe(sha256(device.midi));

      const input = {
        ...recipe,
        modelId: models[bundle].id,
        bundleHash: models[bundle].bundleHash,
        tokens: device.tokens,
      };
      const before = await db.piece.count();
      const swapped = [...tokens];
      swapped[1] = swapped[0]!;
      // Other notes passed off as the seed's snippet, with the piece's tokens made to agree; another description; another shift.
      await expectTrpcError(
        caller.pieces.share({
          ...input,
          primer: { ...primer, tokens: swapped },
          tokens: [...swapped, ...device.tokens.slice(tokens.length)],
        }),
        "BAD_REQUEST",
        /not seed 11's corpus snippet on the server \(corpus:.*not stored/,
      );
      await expectTrpcError(
        caller.pieces.share({ ...input, primer: { ...primer, description: "corpus:other.mid@0+48" } }),
        "BAD_REQUEST",
        /not seed 11's corpus snippet/,
      );
      await expectTrpcError(
        caller.pieces.share({ ...input, primer: { ...primer, keyShift: keyShift + 1 } }),
        "BAD_REQUEST",
        /not seed 11's corpus snippet/,
      );
      await expectTrpcError(
        caller.pieces.share({ ...input, seed: recipe.seed + 1, primer }),
        "BAD_REQUEST",
        /not seed 12's corpus snippet/,
      );
      expect(await db.piece.count()).toBe(before);

      const shared = await caller.pieces.share({ ...input, primer });
      const stored = await caller.pieces.byId({ id: shared.id });
      expect(stored).toMatchObject({
        status: "done",
        primerKind: "corpus",
        primerLabel: description,
        primerTokens: tokens,
        primerKeyShift: keyShift,
        key: "primer",
        tokenCount: device.tokens.length,
      });
      expect(sha256((await services.pieces.midi(shared.id)).bytes)).toBe(sha256(device.midi));
    },
  );

  it.each(["timed-tiny", "chords-tiny"] as const)(
    "composes an uploaded-MIDI recipe (read by the Composer, the file never sent) with the server's MIDI bytes, and shares it (%s)",
    async (bundle) => {
      const file = await fixturePrimerFile();
      const device = await composeLikeTheDevice(bundle, recipe, file);
      const primer = device.primer!;
      expect(primer.description).toMatch(/^file:ode-to-joy\.mid sha256=[0-9a-f]{16} tokens=\d+/);
      expect(
        sha256(
          await serverMidi(bundle, {
            kind: "upload",
            fileName: file.name,
            base64: Buffer.from(file.bytes).toString("base64"),
          }),
        ),
      ).toBe(sha256(device.midi));

      const input = { ...recipe, modelId: models[bundle].id, bundleHash: models[bundle].bundleHash, primer };
      const before = await db.piece.count();
      // The primer's tokens changed but not the piece's: the replay starts elsewhere.
      const other = primer.tokens.find((token) => token !== primer.tokens[2])!;
      const changed = primer.tokens.map((token, i) => (i === 2 ? other : token));
      await expectTrpcError(
        caller.pieces.share({ ...input, primer: { ...primer, tokens: changed }, tokens: device.tokens }),
        "BAD_REQUEST",
        /tokens differ|does not follow/,
      );
      // A token the model does not know: a 400 from the replay, not a server error.
      const unknown = ["no-such-token", ...primer.tokens.slice(1)];
      await expectTrpcError(
        caller.pieces.share({
          ...input,
          primer: { ...primer, tokens: unknown },
          tokens: [...unknown, ...device.tokens.slice(unknown.length)],
        }),
        "BAD_REQUEST",
        /"no-such-token" is not in the model's vocabulary: the piece was not stored/,
      );
      expect(await db.piece.count()).toBe(before);

      const shared = await caller.pieces.share({ ...input, tokens: device.tokens });
      const stored = await caller.pieces.byId({ id: shared.id });
      expect(stored).toMatchObject({
        status: "done",
        primerKind: "upload",
        primerLabel: primer.description,
        primerTokens: primer.tokens,
        primerKeyShift: primer.keyShift,
      });
      expect(sha256((await services.pieces.midi(shared.id)).bytes)).toBe(sha256(device.midi));
    },
  );
});

describe("pieces.share of a piece kept from the radio", () => {
  const recipe = { seed: 23, length: 0, temperature: 1, topK: null, topP: 0.95, key: "as-trained" } as const;

  /** What the radio does on the device: the recipe's stream, composed on, and a cut of it kept (radio-stream.ts). */
  async function keepFromTheStream(bundle: FixtureBundleName, offset: number, length: number) {
    const files = Object.fromEntries(
      await Promise.all(
        Object.values(BUNDLE_FILES).map(
          async (file) => [file, new Uint8Array(await readFile(join(bundleDirs[bundle], file)))] as const,
        ),
      ),
    );
    const loaded = await loadBundle(files);
    const composer = new Composer(loaded);
    try {
      const stream = composer.stream(deviceGalleryRecipe({ ...recipe, modelId: models[bundle].id }));
      while (stream.tokenCount < offset + length + 40) stream.next(16);
      const piece = stream.cut(offset, length);
      return { tokens: [...piece.primer.tokens, ...piece.tokens], midi: pieceToMidi(piece) };
    } finally {
      composer.dispose();
      loaded.model.dispose();
    }
  }

  it.each(["timed-tiny", "chords-tiny"] as const)(
    "stores a cut whose tokens the server's replay of the stream gives, with the device's MIDI bytes, and Regenerate replays it (%s)",
    async (bundle) => {
      const [offset, length] = [150, 90];
      const kept = await keepFromTheStream(bundle, offset, length);
      const input = {
        ...recipe,
        length,
        modelId: models[bundle].id,
        bundleHash: models[bundle].bundleHash,
        primer: { kind: "none" as const },
        tokens: kept.tokens,
      };
      const before = await db.piece.count();
      // The same tokens claimed for another place in the stream, or for a piece on its own: refused.
      await expectTrpcError(
        caller.pieces.share({ ...input, offset: offset + 1 }),
        "BAD_REQUEST",
        /tokens differ .* not stored/,
      );
      await expectTrpcError(caller.pieces.share(input), "BAD_REQUEST", /tokens differ .* not stored/);
      expect(await db.piece.count()).toBe(before);

      const shared = await caller.pieces.share({ ...input, offset });
      const stored = await caller.pieces.byId({ id: shared.id });
      expect(stored).toMatchObject({
        status: "done",
        seed: recipe.seed,
        length,
        streamOffset: offset,
        tokenCount: kept.tokens.length,
      });
      expect(sha256((await services.pieces.midi(shared.id)).bytes)).toBe(sha256(kept.midi));

      const replay = await caller.pieces.regenerate({ id: shared.id });
      await services.pieces.idle();
      expect(await caller.pieces.byId({ id: replay.id })).toMatchObject({
        status: "done",
        streamOffset: offset,
        matchesOriginal: true,
      });
      expect(sha256((await services.pieces.midi(replay.id)).bytes)).toBe(sha256(kept.midi));
    },
  );

  it("bounds the offset: the server composes the stream from its start to check a cut", async () => {
    const input = {
      ...recipe,
      length: 64,
      modelId: models["timed-tiny"].id,
      bundleHash: models["timed-tiny"].bundleHash,
      primer: { kind: "none" as const },
      tokens: ["x"],
    };
    await expectTrpcError(
      caller.pieces.share({ ...input, offset: 20_001 }),
      "BAD_REQUEST",
      /offset must be at most 20,000/,
    );
    await expectTrpcError(caller.pieces.share({ ...input, offset: -1 }), "BAD_REQUEST", /offset must be ≥ 0/);
    await expectTrpcError(caller.pieces.share({ ...input, offset: 1.5 }), "BAD_REQUEST", /whole number/);
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
      expect(sha256(served.bytes)).toBe(
        sha256(new Uint8Array(await readFile(join(bundleDirs["timed-tiny"], file.name)))),
      );
    }
    expect(listing.totalBytes).toBe(listing.files.reduce((sum, f) => sum + f.bytes, 0));
  });

  it("serves only the bundle's own file names, under its current hash (404 otherwise)", async () => {
    const files = createBundleFiles({ db });
    const { id, bundleHash } = models["timed-tiny"];
    for (const name of [
      "../bundle.json",
      "..%2Fbundle.json",
      "/etc/passwd",
      "curves.png",
      "NOTICE.md",
      "reference-notes.bin.gz",
      "bundle.json/",
      "BUNDLE.JSON",
      "",
      "weights.bin\u0000",
    ]) {
      await expect(files.file(id, bundleHash, name)).rejects.toMatchObject({ name: "NotFoundError" });
    }
    await expect(files.file(id, models["chords-tiny"].bundleHash, "weights.bin")).rejects.toMatchObject({
      name: "NotFoundError",
    });
    await expect(files.file(id, "../..", "weights.bin")).rejects.toMatchObject({ name: "NotFoundError" });
    await expect(files.file("nope", bundleHash, "weights.bin")).rejects.toMatchObject({
      name: "NotFoundError",
    });
    await expect(files.listing("nope")).rejects.toMatchObject({ name: "NotFoundError" });
  });
});
