// The listener's path through the built app in Debian's Chromium: gallery → generate → notes
// stream onto the roll → play (audio context running, playhead moving) → download and parse the
// MIDI → the piece's music report (metrics against the training songs, provenance, the source
// passage played) → find the piece in the gallery after a reload, with the heavy-copy filter.
// Also: a recipe URL filling the form, 404 page, form errors, non-MIDI upload, the models page with
// and without an evaluation, the built-in model's notice and the attribution page, a training run's curve.
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMidi } from "@motif/midi";
import { resolveDatabaseTarget } from "@/database-url";
import { createDatabase, DbNull } from "@/server/db";
import { deployMigrations, webDir } from "../test-support/test-database";
import { brokenChordNotes, writeTinyBundle } from "../test-support/tiny-bundle";
import { CHROMIUM_ARGS, buildApp, chromiumPath, startApp, type RunningApp } from "./app-server";
import { watchCspViolations } from "./csp-watch";

const hasChromium = existsSync(chromiumPath);
const shotsDir = join(webDir, "test-results");

describe.skipIf(!hasChromium)(
  `gallery in Chromium${hasChromium ? "" : ` (skipped: ${chromiumPath} not found; apt-get install chromium)`}`,
  () => {
    let app: RunningApp;
    let browser: Browser;
    let page: Page;
    /** CSP violations Chromium reported on any page of this spec (none allowed). */
    let cspViolations: string[] = [];
    let workDir: string;
    let databaseUrl: string;
    let pieceId = "";
    /** Pieces whose report was read, and whether their provenance panel called them a heavy copy. */
    const heavyById = new Map<string, boolean>();

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), "motif-e2e-"));
      // MOTIF_E2E_MODELS_DIR runs the same path on real bundles (e.g. the demo model) to measure it.
      const modelsDir = process.env.MOTIF_E2E_MODELS_DIR ?? join(workDir, "models");
      if (!process.env.MOTIF_E2E_MODELS_DIR) {
        // With an evaluation (a second reference song, so the OA exists); the same weights once more without one.
        const tiny = await writeTinyBundle(modelsDir, {
          name: "e2e-tiny",
          version: "v1",
          epochs: 2,
          evaluation: { extraReference: [{ name: "broken-chords.mid", notes: brokenChordNotes() }] },
        });
        // The training song itself, for a corpus-snippet primer (the manifest's name and sha256).
        await writeFile(join(workDir, "tiny-tune.mid"), tiny.tuneBytes);
        const plain = join(modelsDir, "e2e-unevaluated", "v1");
        await cp(tiny.dir, plain, { recursive: true });
        await rm(join(plain, "evaluation.json"));
        await rm(join(plain, "reference-notes.bin.gz"));
      }
      databaseUrl = `file:${join(workDir, "e2e.db")}`;
      deployMigrations(databaseUrl);
      buildApp();
      app = await startApp({
        DATABASE_URL: databaseUrl,
        MOTIF_MODELS_DIR: modelsDir,
        MOTIF_CORPUS_DIR: workDir,
      });
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [...CHROMIUM_ARGS, "--autoplay-policy=user-gesture-required"],
      });
      page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
      cspViolations = await watchCspViolations(page.context());
      mkdirSync(shotsDir, { recursive: true });
    });

    /** Read from the piece page on screen: does the provenance panel say it copies more than the human baseline? */
    async function isHeavy(): Promise<boolean> {
      const baseline = page.getByTestId("provenance-baseline");
      return (await baseline.count()) > 0 && (await baseline.innerText()).includes("this piece copies more");
    }

    afterAll(async () => {
      await browser?.close();
      await app?.stop();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it("opens the empty gallery and lists the test models with their evaluation, or says there is none", async () => {
      await page.goto(app.url);
      await expect(page.getByRole("heading", { name: "Gallery" }).isVisible()).resolves.toBe(true);
      await page.goto(`${app.url}/models`);
      const cards = page.getByTestId("model-card");
      expect(await cards.count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(shotsDir, "models.png"), fullPage: true });
      if (process.env.MOTIF_E2E_MODELS_DIR) return;
      const tiny = cards.filter({ hasText: "e2e-tiny/v1" });
      const evaluation = tiny.getByTestId("model-evaluation");
      expect(await evaluation.getAttribute("data-state")).toBe("ready");
      expect(await evaluation.getByTestId("evaluation-mean-oa").innerText()).toMatch(/mean OA\s+\d\.\d{3}/);
      expect(await evaluation.getByTestId("evaluation-copy16").innerText()).toMatch(
        /copy@16\s+[\d.]+%\s+[\d.]+%/,
      );
      expect(await evaluation.getByTestId("evaluation-longest").innerText()).toMatch(
        /longest copy\s+\d+ notes\s+\d+ notes \(median/,
      );
      expect(await evaluation.getByTestId("evaluation-collapse").innerText()).toContain("50%");
      expect(await evaluation.locator('[data-testid="evaluation-feature"] svg rect').count()).toBeGreaterThan(
        20,
      );
      const plain = cards.filter({ hasText: "e2e-unevaluated/v1" }).getByTestId("model-evaluation");
      expect(await plain.getAttribute("data-state")).toBe("none");
      expect(await plain.innerText()).toContain("No evaluation in this bundle");
    });

    it("lists the built-in model with its notice, linked from the footer's attribution page, and a training run's curve", async () => {
      if (process.env.MOTIF_E2E_MODELS_DIR) return;
      // A run as the trainer records it (<models>/<name>/runs/<id>/metrics.jsonl), finished.
      const runDir = join(workDir, "models", "e2e-tiny", "runs", "2026-12-02T00-00-00-000Z");
      mkdirSync(runDir, { recursive: true });
      const line = (epoch: number, valLoss: number) =>
        JSON.stringify({
          at: "epoch",
          epoch,
          step: epoch * 4,
          tokensSeen: epoch * 256,
          elapsedSeconds: epoch * 20,
          loss: valLoss,
          accuracy: 0.2,
          valLoss,
          valAccuracy: 0.3,
          learningRate: 0.002,
        });
      await writeFile(join(runDir, "metrics.jsonl"), `${line(1, 3.1)}\n${line(2, 2.7)}\n`);
      await writeFile(
        join(runDir, "summary.json"),
        JSON.stringify({
          version: "v1",
          stoppedReason: "epochs",
          bestValLoss: 2.7,
          bestValAccuracy: 0.3,
          epochsRun: 2,
          wallSeconds: 41,
          tokensPerSecond: 500,
        }),
      );
      await page.goto(`${app.url}/models`);
      const builtin = page.getByTestId("model-card").filter({ hasText: "mutopia-piano/v1" });
      expect(await builtin.getByTestId("model-evaluation").getAttribute("data-state")).toBe("ready");
      const noticeHref = await builtin.getByTestId("model-notice").getAttribute("href");
      const notice = await fetch(`${app.url}${noticeHref}`);
      expect(notice.status).toBe(200);
      expect(await notice.text()).toMatch(/## Creative Commons Attribution \(\d+ files\)/);
      const run = page.getByTestId("training-run").filter({ hasText: "e2e-tiny" });
      await run.waitFor();
      expect(await run.getAttribute("data-state")).toBe("finished");
      expect(await run.innerText()).toMatch(/2 validation\(s\).*best val loss 2\.700/s);
      expect(await page.getByTestId("training-chart").locator("circle").count()).toBeGreaterThanOrEqual(2);
      await page.locator("footer").getByRole("link", { name: "attribution", exact: true }).click();
      await page.waitForURL(/\/attribution$/);
      expect(await page.getByTestId("attribution-notice").first().getAttribute("href")).toBe(noticeHref);
    });

    it("shows the server's message for bad input and for an upload that is not MIDI", async () => {
      // This spec follows the server path; e2e/device.e2e.test.ts follows the device one.
      await page.goto(`${app.url}/generate?where=server`);
      await page.fill('input[name="temperature"]', "9");
      await page.getByTestId("generate").click();
      await page.getByTestId("form-error").waitFor();
      expect(await page.getByTestId("form-error").innerText()).toContain("temperature must be at most 2.5");
      await page.fill('input[name="temperature"]', "1");

      await page.check('input[name="primer"][value="upload"]');
      await page.setInputFiles('input[name="midi"]', {
        name: "notes.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("not a song at all"),
      });
      await page.getByTestId("generate").click();
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="form-error"]')?.textContent?.includes("is not a MIDI file"),
      );
      expect(await page.getByTestId("form-error").innerText()).toMatch(
        /notes\.txt is not a MIDI file Motif can read/,
      );
      await page.screenshot({ path: join(shotsDir, "generate-error.png"), fullPage: true });
      await page.check('input[name="primer"][value="none"]');
    });

    it("generates: notes appear on the roll while streaming, measured from the Generate click", async () => {
      await page.fill('input[name="length"]', "2000");
      await page.fill('input[name="seed"]', "4242");
      await page.selectOption('select[name="key"]', "D minor");
      const clickedAt = Date.now();
      await page.getByTestId("generate").click();
      await page.waitForURL(/\/pieces\/[^/]+$/);
      await page.waitForFunction(
        () =>
          Number(document.querySelector('[data-testid="piano-roll"]')?.getAttribute("data-note-count") ?? 0) >
          0,
      );
      const firstNoteMs = Date.now() - clickedAt;
      const statusAtFirstNote = await page.getByTestId("piece-view").getAttribute("data-status");
      console.log(
        `e2e: Generate → first note on the piano roll: ${firstNoteMs} ms (piece status then: ${statusAtFirstNote})`,
      );
      pieceId = page.url().split("/").pop()!;
      await page.screenshot({ path: join(shotsDir, "piece-streaming.png") });
      await page.waitForSelector('[data-testid="piece-view"][data-status="done"]', { timeout: 120_000 });
      await page.getByTestId("download").waitFor();
      const noteCount = Number(await page.getByTestId("piano-roll").getAttribute("data-note-count"));
      expect(noteCount).toBeGreaterThan(0);
      expect(await page.getByTestId("recipe-seed").innerText()).toBe("4242");
      expect(await page.getByTestId("recipe-key").innerText()).toBe("D minor");
    });

    it("shows the piece's music report: metrics against the training songs, and where it copied from", async () => {
      const card = page.locator('[data-testid="metrics-card"][data-state="ready"]');
      await card.waitFor({ timeout: 30_000 });
      expect(await page.getByTestId("report-key").innerText()).toMatch(/^[A-G][b#]? (major|minor)/);
      const metrics = card.getByTestId("metric");
      expect(await metrics.count()).toBeGreaterThan(6);
      if (!process.env.MOTIF_E2E_MODELS_DIR) {
        // Every measure has a training-set range here: a bar and typical / below / above.
        expect(await card.locator('[data-testid="metric"] svg.range-bar').count()).toBe(
          await metrics.count(),
        );
        expect(await card.locator('[data-testid="metric"][data-position="none"]').count()).toBe(0);
      }
      const provenance = page.getByTestId("provenance-panel");
      const text = await provenance.getByTestId("provenance-text").innerText();
      console.log(`e2e: provenance: ${text}`);
      expect(text).toMatch(
        /Longest passage found in the training data: \d+ notes from \S+\.mid, bar \d+|No passage of 9 or more notes|No copy figures: no evaluation in this bundle/,
      );
      await page.screenshot({ path: join(shotsDir, "piece-report.png"), fullPage: true });
      heavyById.set(pieceId, await isHeavy());
    });

    it("plays: the audio context runs and the playhead moves", async () => {
      await page.getByTestId("play").click();
      await page.waitForSelector('[data-testid="piece-view"][data-audio-state="running"]', {
        timeout: 30_000,
      });
      const roll = page.getByTestId("piano-roll");
      const duration = Number(await roll.getAttribute("data-duration"));
      const first = Number(await roll.getAttribute("data-playhead"));
      // Sample the playhead for 1.5 s (a very short piece may end and rewind within that time).
      let furthest = first;
      for (let i = 0; i < 15; i += 1) {
        await page.waitForTimeout(100);
        furthest = Math.max(furthest, Number(await roll.getAttribute("data-playhead")));
        if (i === 5) await page.screenshot({ path: join(shotsDir, "piece-playing.png") });
      }
      console.log(
        `e2e: piece lasts ${duration.toFixed(1)} s; playhead went from ${first.toFixed(2)} s to ${furthest.toFixed(2)} s`,
      );
      expect(furthest).toBeGreaterThan(first + Math.min(0.5, duration * 0.5));
      if ((await page.getByTestId("play").innerText()) === "Pause") await page.getByTestId("play").click();
    });

    it("downloads a MIDI file that parses to the notes on the roll", async () => {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByTestId("download").click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/\.mid$/);
      const file = join(workDir, "download.mid");
      await download.saveAs(file);
      const sequence = parseMidi(new Uint8Array(await readFile(file)));
      const noteCount = Number(await page.getByTestId("piano-roll").getAttribute("data-note-count"));
      expect(sequence.notes.length).toBe(noteCount);
    });

    it("regenerates the same recipe and shows that the tokens matched", async () => {
      await page.getByTestId("regenerate").click();
      await page.waitForURL((url) => url.pathname.startsWith("/pieces/") && !url.pathname.endsWith(pieceId));
      await page.waitForSelector('[data-testid="piece-view"][data-status="done"]', { timeout: 120_000 });
      await page.waitForFunction(
        () => !document.querySelector('[data-testid="replay-result"]')?.textContent?.includes("comparing"),
        undefined,
        { timeout: 30_000 },
      );
      expect(await page.getByTestId("replay-result").innerText()).toContain("identical tokens ✓");
      expect(await page.getByTestId("recipe-seed").innerText()).toBe("4242");
      await page.screenshot({ path: join(shotsDir, "piece-regenerated.png") });
    });

    it("measures a piece from before reports when its page is first opened", async () => {
      const id = page.url().split("/").pop()!;
      const db = createDatabase(resolveDatabaseTarget(databaseUrl, webDir));
      try {
        await db.piece.update({
          where: { id },
          data: { report: DbNull, heavyCopy: false, longestCopyNotes: null },
          select: { id: true },
        });
        await page.reload();
        await page.locator('[data-testid="metrics-card"][data-state="ready"]').waitFor({ timeout: 30_000 });
        expect(
          (await db.piece.findUniqueOrThrow({ where: { id }, select: { report: true } })).report,
        ).not.toBeNull();
      } finally {
        await db.$disconnect();
      }
    });

    it("replays a recipe from its URL: the piece's link fills the form, bad values are left out with a note", async () => {
      await page.getByTestId("replay-recipe").click();
      await page.waitForURL(/\/generate\?/);
      const query = new URL(page.url()).searchParams;
      expect(Object.fromEntries(query)).toMatchObject({
        seed: "4242",
        length: "2000",
        temperature: "1",
        topK: "off",
        topP: "0.95",
        primer: "none",
        key: "D minor",
      });
      await page.getByTestId("generate-form").waitFor();
      expect(await page.inputValue('input[name="seed"]')).toBe("4242");
      expect(await page.inputValue('input[name="length"]')).toBe("2000");
      expect(await page.inputValue('input[name="topK"]')).toBe("");
      expect(await page.inputValue('select[name="key"]')).toBe("D minor");
      expect(await page.inputValue('select[name="modelId"]')).toBe(query.get("model"));
      expect(await page.getByTestId("recipe-notes").count()).toBe(0);

      await page.goto(
        `${app.url}/generate?model=nope&seed=abc&length=64&temperature=9&topP=off&primer=corpus&key=H%20major`,
      );
      const notes = page.getByTestId("recipe-notes");
      await notes.waitFor();
      const text = await notes.innerText();
      for (const expected of [
        'model "nope" ignored',
        'seed "abc" ignored: not a number',
        'temperature "9" ignored: temperature must be at most 2.5',
        'key "H major" ignored',
      ])
        expect(text).toContain(expected);
      expect(await page.inputValue('input[name="length"]')).toBe("64");
      expect(await page.inputValue('input[name="topP"]')).toBe("");
      expect(await page.inputValue('input[name="temperature"]')).toBe("1");
      expect(await page.inputValue('input[name="seed"]')).toMatch(/^\d+$/);
      expect(await page.isChecked('input[name="primer"][value="corpus"]')).toBe(true);
      await page.screenshot({ path: join(shotsDir, "generate-from-url.png"), fullPage: true });
    });

    it("names the training song a piece started from and plays that passage from the source", async () => {
      if (process.env.MOTIF_E2E_MODELS_DIR) return;
      // The server's piece: a corpus primer would otherwise be composed on this device too.
      await page.goto(`${app.url}/generate?where=server`);
      await page.check('input[name="primer"][value="corpus"]');
      await page.fill('input[name="length"]', "100");
      await page.fill('input[name="seed"]', "7");
      await page.getByTestId("generate").click();
      await page.waitForURL(/\/pieces\/[^/]+$/);
      await page.waitForSelector('[data-testid="piece-view"][data-status="done"]', { timeout: 120_000 });
      const provenance = page.getByTestId("provenance-panel");
      await provenance.waitFor({ timeout: 30_000 });
      const text = await provenance.getByTestId("provenance-text").innerText();
      console.log(`e2e: provenance of a piece primed from the training song: ${text}`);
      expect(text).toMatch(
        /Longest passage found in the training data: \d+ notes from tiny-tune\.mid, bar \d+/,
      );
      heavyById.set(page.url().split("/").pop()!, await isHeavy());
      // Only the passage's notes come from the server; they play on the same piano.
      const play = provenance.getByTestId("source-play");
      await play.click();
      await page.waitForSelector('[data-testid="source-play"][data-state="playing"]', { timeout: 30_000 });
      expect(await play.getAttribute("data-audio-state")).toBe("running");
      await page.screenshot({ path: join(shotsDir, "piece-provenance.png"), fullPage: true });
      await play.click();
      expect(await play.getAttribute("data-state")).not.toBe("playing");
    });

    it("finds the piece in the gallery after a reload, and shows a 404 page for an unknown piece", async () => {
      await page.goto(app.url);
      await page.reload();
      const card = page.locator(`[data-testid="piece-card"][data-piece-id="${pieceId}"]`);
      expect(await card.count()).toBe(1);
      const cardOf = (id: string) => page.locator(`[data-testid="piece-card"][data-piece-id="${id}"]`);
      for (const [id, heavy] of heavyById)
        expect(await cardOf(id).getByTestId("heavy-copy-badge").count()).toBe(heavy ? 1 : 0);
      await page.screenshot({ path: join(shotsDir, "gallery.png"), fullPage: true });
      // The heavy-copy filter: each piece is on exactly one side.
      await page.selectOption('select[name="copies"]', "heavy");
      await Promise.all([
        page.waitForURL(/copies=heavy/),
        page.getByRole("button", { name: "Filter" }).click(),
      ]);
      for (const [id, heavy] of heavyById) expect(await cardOf(id).count()).toBe(heavy ? 1 : 0);
      await page.goto(`${app.url}/?copies=hide-heavy`);
      for (const [id, heavy] of heavyById) expect(await cardOf(id).count()).toBe(heavy ? 0 : 1);
      const response = await page.goto(`${app.url}/pieces/no-such-piece`);
      expect(response?.status()).toBe(404);
      expect(await page.getByTestId("not-found").isVisible()).toBe(true);
      await writeFile(join(shotsDir, "server.log"), app.logs());
    });

    it("logged no Content-Security-Policy violation on any page it opened", () => {
      expect(cspViolations).toEqual([]);
    });
  },
);
