// The radio in Debian's Chromium against the built app: one model's endless stream composed on
// the device while it plays. Samples the buffer lead (seconds composed ahead of the playhead) for
// MOTIF_RADIO_SECONDS of playback (45 by default; 600 for the ten-minute run of apps/web/README.md's
// "Radio") and asserts it never reaches zero after the start, through a Skip; that the look-ahead is
// bounded (the worker pauses when far enough ahead); that Keep saves a device piece with its stream
// recipe, and that Share to gallery stores it as a cut the server replays.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveDatabaseTarget } from "@/database-url";
import { createDatabase } from "@/server/db";
import { webDir } from "../test-support/test-database";
import { CHROMIUM_ARGS, chromiumPath, serveWithTinyModel, type RunningApp } from "./app-server";

const hasChromium = existsSync(chromiumPath);
const shotsDir = join(webDir, "test-results");
const playSeconds = Number(process.env.MOTIF_RADIO_SECONDS ?? 45);
/** The radio's look-ahead target (radio-view.tsx AHEAD_SECONDS) plus what one chunk past it may add. */
const MAX_LEAD_SECONDS = 20;
const SAMPLE_MS = 250;

describe.skipIf(!hasChromium)(
  `the radio${hasChromium ? "" : ` (skipped: ${chromiumPath} not found)`}`,
  () => {
    let app: RunningApp;
    let remove: (() => Promise<void>) | undefined;
    let browser: Browser;
    let page: Page;
    let model: { id: string; name: string };

    beforeAll(async () => {
      const served = await serveWithTinyModel("e2e-radio-tiny");
      ({ app, remove } = served);
      const db = createDatabase(resolveDatabaseTarget(served.databaseUrl, webDir));
      try {
        // The built-in 2×256 model when it is listed (the real load), else the tiny one.
        const builtin = await db.model.findFirst({
          where: { name: "mutopia-piano", usable: true },
          select: { id: true, name: true },
        });
        model =
          builtin ??
          (await db.model.findFirstOrThrow({
            where: { name: "e2e-radio-tiny", usable: true },
            select: { id: true, name: true },
          }));
      } finally {
        await db.$disconnect();
      }
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [...CHROMIUM_ARGS, "--autoplay-policy=user-gesture-required"],
      });
      page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      mkdirSync(shotsDir, { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
      await remove?.();
    });

    async function read() {
      return page.getByTestId("radio").evaluate((element: HTMLElement) => {
        const d = element.dataset;
        return {
          phase: d.phase,
          lead: Number(d.lead),
          playhead: Number(d.playhead),
          seed: d.seed,
          streamId: d.streamId,
          tokens: Number(d.tokens),
          busyMs: Number(d.busyMs),
          elapsedMs: Number(d.elapsedMs),
          notes: Number(d.noteCount),
          implementation: d.implementation,
          audio: d.audioState,
        };
      });
    }

    it(
      `plays ${playSeconds} s without a gap: the lead stays above zero through a Skip and below the look-ahead bound; Keep saves a device piece the gallery takes`,
      async () => {
        await page.goto(`${app.url}/radio?model=${model.id}`);
        await page.getByRole("link", { name: "Radio" }).waitFor();
        await page.getByTestId("radio-start").click();
        await page.locator('[data-testid="radio"][data-phase="playing"]').waitFor({ timeout: 120_000 });
        const started = await read();
        expect(started.audio).toBe("running");
        expect(started.implementation).toBe("wasm-simd");

        const leads: number[] = [];
        const seeds = new Set<string>();
        let kept: { offset: number; length: number } | null = null;
        let skipped = false;
        const wallStart = Date.now();
        for (;;) {
          const elapsed = (Date.now() - wallStart) / 1000;
          if (elapsed >= playSeconds) break;
          const sample = await read();
          leads.push(sample.lead);
          if (sample.seed) seeds.add(sample.seed);
          // A gap fails at once, saying when.
          if (!(sample.lead > 0) || sample.phase !== "playing")
            throw new Error(
              `at ${elapsed.toFixed(2)} s the radio was ${sample.phase} with a lead of ${sample.lead} s`,
            );
          if (!skipped && elapsed >= playSeconds * 0.1) {
            skipped = true;
            await page.getByTestId("radio-skip").click();
          }
          // Late enough that the ~30 s kept start after the new stream's start: a cut from within it.
          if (!kept && elapsed >= playSeconds * 0.9) {
            await page.getByTestId("radio-keep").click();
            const note = page.getByTestId("radio-kept");
            await note.waitFor({ timeout: 30_000 });
            kept = {
              offset: Number(await note.getAttribute("data-offset")),
              length: Number(await note.getAttribute("data-length")),
            };
            await page.screenshot({ path: join(shotsDir, "radio-playing.png"), fullPage: true });
          }
          await page.waitForTimeout(SAMPLE_MS);
        }
        const end = await read();
        const wallSeconds = (Date.now() - wallStart) / 1000;
        const min = Math.min(...leads);
        const mean = leads.reduce((a, b) => a + b, 0) / leads.length;
        const tokensPerSecond = (end.tokens / end.busyMs) * 1000;
        console.log(
          [
            `e2e radio (${model.name}, ${end.implementation} step, ${playSeconds} s, ${leads.length} samples every ${SAMPLE_MS} ms):`,
            `  buffer lead: min ${min.toFixed(2)} s, mean ${mean.toFixed(2)} s, max ${Math.max(...leads).toFixed(2)} s`,
            `  playhead ${end.playhead.toFixed(1)} s after ${wallSeconds.toFixed(1)} s of sampling; ${end.notes} notes on the timeline`,
            `  generation: ${end.tokens} tokens in ${(end.busyMs / 1000).toFixed(2)} s of work (${Math.round(tokensPerSecond)} tokens/s), busy ${((end.busyMs / end.elapsedMs) * 100).toFixed(1)}% of ${(end.elapsedMs / 1000).toFixed(1)} s`,
            `  streams heard: ${seeds.size} (one Skip); kept tokens ${kept?.offset} to ${(kept?.offset ?? 0) + (kept?.length ?? 0)}`,
          ].join("\n"),
        );
        expect(min).toBeGreaterThan(0);
        // Bounded look-ahead: the worker stops composing when far enough ahead instead of running on.
        expect(Math.max(...leads)).toBeLessThan(MAX_LEAD_SECONDS);
        expect(end.busyMs).toBeLessThan(end.elapsedMs * 0.9);
        // The clock is real playback time, not a stalled one.
        expect(end.playhead - started.playhead).toBeGreaterThan(wallSeconds * 0.9);
        expect(seeds.size).toBe(2);
        expect(kept).not.toBeNull();
        expect(kept!.offset).toBeGreaterThan(0);
        expect(kept!.length).toBeGreaterThanOrEqual(16);

        // The kept piece is a device piece like the others: on this page's list and on /generate's, with its stream offset.
        const item = page.locator(`[data-testid="device-pieces-item"][data-offset="${kept!.offset}"]`);
        await item.waitFor();
        await page.getByTestId("radio-pause").click();
        await page.goto(`${app.url}/generate`);
        const listed = page.locator(`[data-testid="device-pieces-item"][data-offset="${kept!.offset}"]`);
        await listed.waitFor();
        // Share to gallery: the server composes the stream up to the cut and stores it only if the tokens agree.
        await listed.getByRole("button", { name: "Share to gallery" }).click();
        await listed.getByRole("link", { name: "in the gallery" }).click();
        await page.getByTestId("recipe-stream-cut").waitFor();
        expect(await page.getByTestId("recipe-stream-cut").innerText()).toContain(
          `tokens ${kept!.offset.toLocaleString("en-US")} to ${(kept!.offset + kept!.length).toLocaleString("en-US")}`,
        );
        expect(await page.getByTestId("replay-recipe").count()).toBe(0);
      },
      (playSeconds + 300) * 1000,
    );
  },
);
