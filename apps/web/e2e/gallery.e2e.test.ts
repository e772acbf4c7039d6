// The listener's path through the built app in Debian's Chromium: gallery → generate → notes
// stream onto the roll → play (audio context running, playhead moving) → download and parse the
// MIDI → find the piece in the gallery after a reload. Also: 404 page, form errors, non-MIDI upload.
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMidi } from "@motif/midi";
import { deployMigrations, webDir } from "../test-support/test-database";
import { writeTinyBundle } from "../test-support/tiny-bundle";
import { buildApp, startApp, type RunningApp } from "./app-server";

const chromiumPath = process.env.MOTIF_CHROMIUM ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
const shotsDir = join(webDir, "test-results");

describe.skipIf(!hasChromium)(`gallery in Chromium${hasChromium ? "" : ` (skipped: ${chromiumPath} not found; apt-get install chromium)`}`, () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let workDir: string;
  let pieceId = "";

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "motif-e2e-"));
    // MOTIF_E2E_MODELS_DIR runs the same path on real bundles (e.g. the demo model) to measure it.
    const modelsDir = process.env.MOTIF_E2E_MODELS_DIR ?? join(workDir, "models");
    if (!process.env.MOTIF_E2E_MODELS_DIR) await writeTinyBundle(modelsDir, { name: "e2e-tiny", version: "v1", epochs: 2 });
    const databaseUrl = `file:${join(workDir, "e2e.db")}`;
    deployMigrations(databaseUrl);
    buildApp();
    app = await startApp({ DATABASE_URL: databaseUrl, MOTIF_MODELS_DIR: modelsDir, MOTIF_CORPUS_DIR: workDir });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--autoplay-policy=user-gesture-required"],
    });
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    mkdirSync(shotsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("opens the empty gallery and lists the test model", async () => {
    await page.goto(app.url);
    await expect(page.getByRole("heading", { name: "Gallery" }).isVisible()).resolves.toBe(true);
    await page.goto(`${app.url}/models`);
    const cards = page.getByTestId("model-card");
    if (process.env.MOTIF_E2E_MODELS_DIR) expect(await cards.count()).toBeGreaterThan(0);
    else expect(await cards.innerText()).toContain("e2e-tiny/v1");
    await page.screenshot({ path: join(shotsDir, "models.png"), fullPage: true });
  });

  it("shows the server's message for bad input and for an upload that is not MIDI", async () => {
    await page.goto(`${app.url}/generate`);
    await page.fill('input[name="temperature"]', "9");
    await page.getByTestId("generate").click();
    await page.getByTestId("form-error").waitFor();
    expect(await page.getByTestId("form-error").innerText()).toContain("temperature must be at most 2.5");
    await page.fill('input[name="temperature"]', "1");

    await page.check('input[name="primer"][value="upload"]');
    await page.setInputFiles('input[name="midi"]', { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a song at all") });
    await page.getByTestId("generate").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="form-error"]')?.textContent?.includes("is not a MIDI file"));
    expect(await page.getByTestId("form-error").innerText()).toMatch(/"notes.txt" is not a MIDI file Motif can read/);
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
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="piano-roll"]')?.getAttribute("data-note-count") ?? 0) > 0);
    const firstNoteMs = Date.now() - clickedAt;
    const statusAtFirstNote = await page.getByTestId("piece-view").getAttribute("data-status");
    console.log(`e2e: Generate → first note on the piano roll: ${firstNoteMs} ms (piece status then: ${statusAtFirstNote})`);
    pieceId = page.url().split("/").pop()!;
    await page.screenshot({ path: join(shotsDir, "piece-streaming.png") });
    await page.waitForSelector('[data-testid="piece-view"][data-status="done"]', { timeout: 120_000 });
    await page.getByTestId("download").waitFor();
    const noteCount = Number(await page.getByTestId("piano-roll").getAttribute("data-note-count"));
    expect(noteCount).toBeGreaterThan(0);
    expect(await page.getByTestId("recipe-seed").innerText()).toBe("4242");
    expect(await page.getByTestId("recipe-key").innerText()).toBe("D minor");
  });

  it("plays: the audio context runs and the playhead moves", async () => {
    await page.getByTestId("play").click();
    await page.waitForSelector('[data-testid="piece-view"][data-audio-state="running"]', { timeout: 30_000 });
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
    console.log(`e2e: piece lasts ${duration.toFixed(1)} s; playhead went from ${first.toFixed(2)} s to ${furthest.toFixed(2)} s`);
    expect(furthest).toBeGreaterThan(first + Math.min(0.5, duration * 0.5));
    if ((await page.getByTestId("play").innerText()) === "Pause") await page.getByTestId("play").click();
  });

  it("downloads a MIDI file that parses to the notes on the roll", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
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
    await page.waitForFunction(() => !document.querySelector('[data-testid="replay-result"]')?.textContent?.includes("comparing"), undefined, { timeout: 30_000 });
    expect(await page.getByTestId("replay-result").innerText()).toContain("identical tokens ✓");
    expect(await page.getByTestId("recipe-seed").innerText()).toBe("4242");
    await page.screenshot({ path: join(shotsDir, "piece-regenerated.png") });
  });

  it("finds the piece in the gallery after a reload, and shows a 404 page for an unknown piece", async () => {
    await page.goto(app.url);
    await page.reload();
    const card = page.locator(`[data-testid="piece-card"][data-piece-id="${pieceId}"]`);
    expect(await card.count()).toBe(1);
    await page.screenshot({ path: join(shotsDir, "gallery.png"), fullPage: true });
    const response = await page.goto(`${app.url}/pieces/no-such-piece`);
    expect(response?.status()).toBe(404);
    expect(await page.getByTestId("not-found").isVisible()).toBe(true);
    await writeFile(join(shotsDir, "server.log"), app.logs());
  });
});
