// Generation in the browser, in Debian's Chromium against the built app: the device worker loads
// the bundle from its content-hash URLs (Cache Storage: the second visit downloads nothing),
// composes the gallery recipe and gives the same MIDI sha256 as the server for the same recipe;
// Share to gallery stores it (the server's replay agrees) and refuses a tampered token list. With a
// corpus primer (its snippet from pieces.primer) and an uploaded MIDI primer (read on the device,
// the file never sent) too, and a tampered primer refused.
// Also prints the device benchmark on the built-in 2×256 model (numbers, not assertions).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { writeMidi } from "@motif/midi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceRecipe } from "@/browser/device-protocol";
import { resolveDatabaseTarget } from "@/database-url";
import { createDatabase } from "@/server/db";
import { deployMigrations, webDir } from "../test-support/test-database";
import { tinyTuneNotes, writeTinyBundle } from "../test-support/tiny-bundle";
import { buildApp, startApp, type RunningApp } from "./app-server";
import { watchCspViolations } from "./csp-watch";

const chromiumPath = process.env.MOTIF_CHROMIUM ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
const shotsDir = join(webDir, "test-results");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

type Recipe = Omit<DeviceRecipe, "modelId" | "primer"> & { primer?: "none" | "corpus" | "upload" };

const recipes: Recipe[] = [
  { seed: 42, length: 160, temperature: 0.9, topK: 20, topP: 0.9, key: "as-trained" },
  { seed: 7, length: 220, temperature: 1.1, topK: null, topP: 0.95, key: "D minor" },
  { seed: 2026, length: 120, temperature: 1, topK: null, topP: null, key: "Eb major" },
];

function recipeQuery(modelId: string, recipe: Recipe, where: "device" | "server"): string {
  const query = new URLSearchParams({
    model: modelId,
    seed: String(recipe.seed),
    length: String(recipe.length),
    temperature: String(recipe.temperature),
    topK: recipe.topK === null ? "off" : String(recipe.topK),
    topP: recipe.topP === null ? "off" : String(recipe.topP),
    primer: recipe.primer ?? "none",
    key: recipe.key,
    where,
  });
  return `/generate?${query.toString()}`;
}

describe.skipIf(!hasChromium)(
  `generation in the browser${hasChromium ? "" : ` (skipped: ${chromiumPath} not found)`}`,
  () => {
    let app: RunningApp;
    let browser: Browser;
    let context: BrowserContext;
    /** CSP violations Chromium reported on any page of this spec (none allowed). */
    let cspViolations: string[] = [];
    let page: Page;
    let workDir: string;
    let tiny: { id: string; bundleHash: string };
    let builtin: { id: string; bundleHash: string } | null = null;
    let uploadPath: string;
    const deviceSha = new Map<number, string>();

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), "motif-e2e-device-"));
      const modelsDir = join(workDir, "models");
      const { tuneBytes } = await writeTinyBundle(modelsDir, {
        name: "e2e-device-tiny",
        version: "v1",
        epochs: 2,
      });
      // The corpus the server finds the training song in (MOTIF_CORPUS_DIR), and a file to upload: the tune's first bars, louder.
      writeFileSync(join(workDir, "tiny-tune.mid"), tuneBytes);
      uploadPath = join(workDir, "my upload.mid");
      writeFileSync(
        uploadPath,
        writeMidi({
          notes: tinyTuneNotes(3).map((n) => ({ ...n, velocity: Math.min(127, n.velocity + 10) })),
          title: "my upload",
        }),
      );
      const databaseUrl = `file:${join(workDir, "e2e.db")}`;
      deployMigrations(databaseUrl);
      buildApp();
      app = await startApp({
        DATABASE_URL: databaseUrl,
        MOTIF_MODELS_DIR: modelsDir,
        MOTIF_CORPUS_DIR: workDir,
      });
      const db = createDatabase(resolveDatabaseTarget(databaseUrl, webDir));
      try {
        tiny = await db.model.findFirstOrThrow({
          where: { name: "e2e-device-tiny", usable: true },
          select: { id: true, bundleHash: true },
        });
        builtin = await db.model.findFirst({
          where: { name: "mutopia-piano", usable: true },
          select: { id: true, bundleHash: true },
        });
      } finally {
        await db.$disconnect();
      }
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--disable-quic",
        ],
      });
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      cspViolations = await watchCspViolations(context);
      page = await context.newPage();
      mkdirSync(shotsDir, { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
      await app?.stop();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    /** Opens the recipe's form on the device path, presses Generate and waits for the finished device piece. */
    async function composeOnDevice(target: Page, modelId: string, recipe: Recipe) {
      await target.goto(`${app.url}${recipeQuery(modelId, recipe, "device")}`);
      await target.waitForSelector('input[name="where"][value="device"]:checked');
      if (recipe.primer === "upload") await target.locator('input[name="midi"]').setInputFiles(uploadPath);
      await target.getByTestId("generate").click();
      return readDevicePiece(target);
    }

    async function readDevicePiece(target: Page, run = 1) {
      const piece = target.locator(`[data-testid="device-piece"][data-run="${run}"][data-status="done"]`);
      await piece.waitFor({ timeout: 120_000 });
      const attr = async (name: string) => (await piece.getAttribute(name)) ?? "";
      return {
        sha256: await attr("data-midi-sha256"),
        firstNoteMs: Number(await attr("data-first-note-ms")),
        composeMs: Number(await attr("data-compose-ms")),
        loadMs: Number(await attr("data-load-ms")),
        downloadedBytes: Number(await attr("data-downloaded-bytes")),
        bundleBytes: Number(await attr("data-bundle-bytes")),
        implementation: await attr("data-implementation"),
        tokenCount: Number(await attr("data-token-count")),
      };
    }

    it("serves the bundle files under content-hash URLs with immutable caching, and nothing else", async () => {
      const listing = (await (await fetch(`${app.url}/api/models/${tiny.id}/bundle`)).json()) as {
        bundleHash: string;
        files: { name: string; url: string; bytes: number }[];
      };
      expect(listing.bundleHash).toBe(tiny.bundleHash);
      expect(listing.files.map((f) => f.name)).toEqual(["bundle.json", "model.json", "weights.bin"]);
      for (const file of listing.files) {
        const response = await fetch(`${app.url}${file.url}`);
        expect(response.status).toBe(200);
        expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
        expect((await response.arrayBuffer()).byteLength).toBe(file.bytes);
      }
      const base = `${app.url}/api/models/${tiny.id}/bundle/${tiny.bundleHash}`;
      for (const path of [
        "..%2Fbundle.json",
        "..%2F..%2F..%2Fpackage.json",
        "%2E%2E%2Fweights.bin",
        "curves.svg",
        "reference-notes.bin.gz",
        "NOTICE.md",
        "bundle.json%00",
        "model.json%2F",
      ]) {
        expect({ path, status: (await fetch(`${base}/${path}`)).status }).toEqual({ path, status: 404 });
      }
      // Unencoded ../ is resolved by the URL itself: it lands on another route, never on a file.
      expect((await fetch(`${base}/../../../../package.json`)).status).toBe(404);
      expect(
        (await fetch(`${app.url}/api/models/${tiny.id}/bundle/${"0".repeat(64)}/weights.bin`)).status,
      ).toBe(404);
      expect((await fetch(`${app.url}/api/models/nope/bundle`)).status).toBe(404);
    });

    it.each(recipes.map((recipe, index) => ({ ...recipe, index })))(
      "composes recipe $index (seed $seed, key $key) on this device with the server's MIDI bytes",
      async (recipe) => {
        const device = await composeOnDevice(page, tiny.id, recipe);
        expect(device.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(device.implementation).toBe("wasm-simd");
        deviceSha.set(recipe.index, device.sha256);
        if (recipe.index === 0)
          await page.screenshot({ path: join(shotsDir, "device-piece.png"), fullPage: true });

        await page.goto(`${app.url}${recipeQuery(tiny.id, recipe, "server")}`);
        await page.waitForSelector('input[name="where"][value="server"]:checked');
        await page.getByTestId("generate").click();
        await page.waitForURL(/\/pieces\/[^/]+$/);
        await page.waitForSelector('[data-testid="piece-view"][data-status="done"]', { timeout: 120_000 });
        const pieceId = new URL(page.url()).pathname.split("/").at(-1)!;
        const serverMidi = new Uint8Array(
          await (await fetch(`${app.url}/api/pieces/${pieceId}/midi`)).arrayBuffer(),
        );
        console.log(
          `e2e device: recipe ${recipe.index} (seed ${recipe.seed}, ${recipe.length} tokens, key ${recipe.key}): device ${device.sha256.slice(0, 16)} server ${sha256(serverMidi).slice(0, 16)}`,
        );
        expect(sha256(serverMidi)).toBe(device.sha256);
      },
    );

    it("shares a device piece: a tampered token list is refused, the real one is stored with the same bytes", async () => {
      const recipe = recipes[1]!;
      const device = await composeOnDevice(page, tiny.id, recipe);
      // The first share request goes out with one token swapped for another.
      let tampered = false;
      await page.route(
        "**/api/trpc/pieces.share**",
        async (route) => {
          const body = JSON.parse(route.request().postData() ?? "{}") as Record<string, { tokens: string[] }>;
          const input = body["0"]!;
          const at = input.tokens.findIndex((token, i) => i > 5 && token !== input.tokens[i - 1]);
          input.tokens[at] = input.tokens[at - 1]!;
          tampered = true;
          await route.continue({ postData: JSON.stringify(body) });
        },
        { times: 1 },
      );
      await page.getByTestId("share").click();
      await page.getByTestId("device-error").waitFor();
      expect(tampered).toBe(true);
      expect(await page.getByTestId("device-error").innerText()).toMatch(
        /Not shared: the tokens differ from this recipe's replay on the server at token \d+/,
      );
      await page.screenshot({ path: join(shotsDir, "device-share-refused.png"), fullPage: true });

      await page.getByTestId("share").click();
      const link = page.getByTestId("shared-link");
      await link.waitFor({ timeout: 120_000 });
      const pieceId = (await link.getAttribute("data-piece-id"))!;
      const stored = new Uint8Array(
        await (await fetch(`${app.url}/api/pieces/${pieceId}/midi`)).arrayBuffer(),
      );
      expect(sha256(stored)).toBe(device.sha256);
      expect(device.sha256).toBe(deviceSha.get(1));
      await link.click();
      await page.waitForSelector('[data-testid="piece-view"][data-status="done"]');
      await page.screenshot({ path: join(shotsDir, "device-shared-piece.png"), fullPage: true });
    });

    it("keeps device pieces in IndexedDB across visits and shares one from the list", async () => {
      await page.goto(`${app.url}/generate`);
      const items = page.getByTestId("device-pieces-item");
      await items.first().waitFor();
      // Three recipes and the shared one, newest first.
      expect(await items.count()).toBe(4);
      expect(await items.first().getAttribute("data-shared")).toBe("true");
      const unshared = page.locator(
        '[data-testid="device-pieces-item"][data-shared="false"][data-seed="2026"]',
      );
      await unshared.getByRole("button", { name: "Share to gallery" }).click();
      await page
        .locator('[data-testid="device-pieces-item"][data-shared="true"][data-seed="2026"]')
        .waitFor({ timeout: 120_000 });
      await page.screenshot({ path: join(shotsDir, "device-pieces.png"), fullPage: true });
    });

    /** The server's piece of the recipe, through the form: its MIDI sha256. */
    async function composeOnServer(target: Page, modelId: string, recipe: Recipe): Promise<string> {
      await target.goto(`${app.url}${recipeQuery(modelId, recipe, "server")}`);
      await target.waitForSelector('input[name="where"][value="server"]:checked');
      if (recipe.primer === "upload") await target.locator('input[name="midi"]').setInputFiles(uploadPath);
      await target.getByTestId("generate").click();
      await target.waitForURL(/\/pieces\/[^/]+$/);
      await target.waitForSelector('[data-testid="piece-view"][data-status="done"]', { timeout: 120_000 });
      const pieceId = new URL(target.url()).pathname.split("/").at(-1)!;
      return sha256(
        new Uint8Array(await (await fetch(`${app.url}/api/pieces/${pieceId}/midi`)).arrayBuffer()),
      );
    }

    const primerRecipes: Recipe[] = [
      { seed: 99, length: 100, temperature: 1, topK: null, topP: 0.95, key: "primer", primer: "corpus" },
      { seed: 5, length: 90, temperature: 0.9, topK: 20, topP: null, key: "primer", primer: "upload" },
    ];

    it.each(primerRecipes)(
      "composes a $primer-primer recipe on this device with the server's MIDI bytes; Share refuses a tampered primer and stores the real one",
      async (recipe) => {
        const trpcCalls: string[] = [];
        const onRequest = (request: { url(): string }) => {
          const match = /\/api\/trpc\/([^?]+)/.exec(request.url());
          if (match) trpcCalls.push(...match[1]!.split(","));
        };
        page.on("request", onRequest);
        const device = await composeOnDevice(page, tiny.id, recipe);
        page.off("request", onRequest);
        expect(device.implementation).toBe("wasm-simd");
        // A corpus snippet is the server's answer; an uploaded file is read here and nothing is sent.
        expect(trpcCalls.filter((call) => call.startsWith("pieces."))).toEqual(
          recipe.primer === "corpus" ? ["pieces.primer"] : [],
        );

        const shareTampered = async () => {
          let tampered = false;
          await page.route(
            "**/api/trpc/pieces.share**",
            async (route) => {
              const body = JSON.parse(route.request().postData() ?? "{}") as Record<
                string,
                { tokens: string[]; primer: { tokens: string[] } }
              >;
              const input = body["0"]!;
              // One primer token swapped for another, and the piece's tokens made to agree: other notes passed off as the primer.
              const at = input.primer.tokens.findIndex(
                (token, i) => i > 0 && token !== input.primer.tokens[i - 1],
              );
              input.primer.tokens[at] = input.primer.tokens[at - 1]!;
              input.tokens[at] = input.primer.tokens[at]!;
              tampered = true;
              await route.continue({ postData: JSON.stringify(body) });
            },
            { times: 1 },
          );
          await page.getByTestId("share").click();
          await page.getByTestId("device-error").waitFor({ timeout: 120_000 });
          expect(tampered).toBe(true);
          return page.getByTestId("device-error").innerText();
        };
        const refusal = await shareTampered();
        // A corpus primer is chosen again from the seed; an upload's tokens are the listener's, so the replay of the rest differs (or the grammar refuses them).
        expect(refusal).toMatch(
          recipe.primer === "corpus"
            ? /Not shared: the primer is not seed 99's corpus snippet on the server \(corpus:tiny-tune\.mid@/
            : /Not shared: (the tokens differ from this recipe's replay on the server at token \d+|.*does not follow the tokens before it)/,
        );
        await page.screenshot({
          path: join(shotsDir, `device-${recipe.primer}-share-refused.png`),
          fullPage: true,
        });

        await page.getByTestId("share").click();
        const link = page.getByTestId("shared-link");
        await link.waitFor({ timeout: 120_000 });
        const sharedId = (await link.getAttribute("data-piece-id"))!;
        const stored = sha256(
          new Uint8Array(await (await fetch(`${app.url}/api/pieces/${sharedId}/midi`)).arrayBuffer()),
        );

        const server = await composeOnServer(page, tiny.id, recipe);
        console.log(
          `e2e device: ${recipe.primer} primer (seed ${recipe.seed}, ${recipe.length} tokens, key ${recipe.key}): device ${device.sha256.slice(0, 16)} server ${server.slice(0, 16)} shared ${stored.slice(0, 16)}`,
        );
        expect(server).toBe(device.sha256);
        expect(stored).toBe(device.sha256);
        await page.goto(`${app.url}/pieces/${sharedId}`);
        await page.waitForSelector('[data-testid="piece-view"][data-status="done"]');
        await page.screenshot({
          path: join(shotsDir, `device-${recipe.primer}-shared-piece.png`),
          fullPage: true,
        });
      },
    );

    it("keeps the bundle in Cache Storage: a new page (a second visit) downloads nothing", async () => {
      const visits = await browser.newContext();
      const visit = async () => {
        const target = await visits.newPage();
        const bundleRequests: string[] = [];
        target.on("request", (request) => {
          if (/\/api\/models\/[^/]+\/bundle\/[0-9a-f]{64}\//.test(request.url()))
            bundleRequests.push(request.url());
        });
        const device = await composeOnDevice(target, tiny.id, recipes[0]!);
        const loadText = await target.getByTestId("device-model").innerText();
        await target.close();
        return { device, bundleRequests, loadText };
      };
      try {
        const first = await visit();
        expect(first.device.downloadedBytes).toBe(first.device.bundleBytes);
        expect(first.bundleRequests).toHaveLength(3);
        expect(first.loadText).toContain("downloaded");
        const second = await visit();
        expect(second.device.downloadedBytes).toBe(0);
        expect(second.bundleRequests).toEqual([]);
        expect(second.loadText).toMatch(/from this device's cache, ready/);
        expect(second.device.sha256).toBe(deviceSha.get(0));
      } finally {
        await visits.close();
      }
    });

    it("prints the device benchmark on the built-in model (500 tokens, click → first note, sizes)", async () => {
      if (!builtin)
        return console.log("e2e device bench: skipped (builtin-models/mutopia-piano is not listed)");
      const recipe: Recipe = {
        seed: 1,
        length: 500,
        temperature: 1,
        topK: null,
        topP: 0.95,
        key: "as-trained",
      };
      const bench = await browser.newContext();
      try {
        // First visit: Generate pressed as soon as the form shows (its preload of the model has begun).
        const first = await bench.newPage();
        const cold = await composeOnDevice(first, builtin.id, recipe);
        // Same page, model in memory: only the composition.
        await first.getByTestId("generate").click();
        const warm = await readDevicePiece(first, 2);
        // The page's own scripts as this browser fetched them (the worker's script is counted below).
        const pageScripts = await first.evaluate(() =>
          (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
            .filter((entry) => new URL(entry.name).pathname.endsWith(".js"))
            .reduce(
              (sum, entry) => ({
                files: sum.files + 1,
                sent: sum.sent + entry.encodedBodySize,
                size: sum.size + entry.decodedBodySize,
              }),
              { files: 0, sent: 0, size: 0 },
            ),
        );
        await first.close();
        // Second visit: the worker starts again and reads the bundle from Cache Storage; Generate once it is ready.
        const cachedPage = await bench.newPage();
        await cachedPage.goto(`${app.url}${recipeQuery(builtin.id, recipe, "device")}`);
        await cachedPage.waitForSelector('[data-testid="device-model"][data-ready="true"]', {
          timeout: 120_000,
        });
        await cachedPage.getByTestId("generate").click();
        const cached = await readDevicePiece(cachedPage);
        await cachedPage.close();
        const script = readFileSync(join(webDir, "public", "workers", "device-worker.js"));
        const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
        console.log(
          [
            `e2e device bench (built-in mutopia-piano, ${cold.implementation} step, ${recipe.length} tokens):`,
            `  first visit, Generate as soon as the form shows: model download ${kb(cold.downloadedBytes)} of ${kb(cold.bundleBytes)}, load ${cold.loadMs} ms, compose ${cold.composeMs} ms, click → first note ${cold.firstNoteMs} ms`,
            `  model in memory: compose ${warm.composeMs} ms (${Math.round((recipe.length / warm.composeMs) * 1000)} tokens/s), click → first note ${warm.firstNoteMs} ms`,
            `  second visit, model ready from Cache Storage: downloaded ${kb(cached.downloadedBytes)}, load ${cached.loadMs} ms, compose ${cached.composeMs} ms, click → first note ${cached.firstNoteMs} ms`,
            `  generate page scripts: ${pageScripts.files} files, ${kb(pageScripts.size)} (${kb(pageScripts.sent)} as sent, compressed)`,
            `  worker script ${kb(script.length)} (${kb(gzipSync(script).length)} gzipped)`,
          ].join("\n"),
        );
        expect(warm.sha256).toBe(cold.sha256);
        expect(cached.sha256).toBe(cold.sha256);
        expect(cached.downloadedBytes).toBe(0);
      } finally {
        await bench.close();
      }
    });

    it("logged no Content-Security-Policy violation on any page it opened", () => {
      expect(cspViolations).toEqual([]);
    });
  },
);
