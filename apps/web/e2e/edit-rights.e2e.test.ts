// Edit rights in Debian's Chromium: the browser that generates a piece holds an HTTP-only edit
// cookie and may rename it (also after a reload); another browser context sees the piece, may play
// it, but has no rename control, and the server refuses its rename with 403.
import { existsSync, mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployMigrations } from "../test-support/test-database";
import { writeTinyBundle } from "../test-support/tiny-bundle";
import { CHROMIUM_ARGS, buildApp, chromiumPath, startApp, type RunningApp } from "./app-server";

const hasChromium = existsSync(chromiumPath);

describe.skipIf(!hasChromium)(
  `edit rights in Chromium${hasChromium ? "" : ` (skipped: ${chromiumPath} not found; apt-get install chromium)`}`,
  () => {
    let app: RunningApp;
    let browser: Browser;
    let workDir: string;

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), "motif-e2e-edit-"));
      const modelsDir = join(workDir, "models");
      await writeTinyBundle(modelsDir, { name: "e2e-edit", version: "v1" });
      const databaseUrl = `file:${join(workDir, "e2e.db")}`;
      deployMigrations(databaseUrl);
      buildApp();
      app = await startApp({
        DATABASE_URL: databaseUrl,
        MOTIF_MODELS_DIR: modelsDir,
        MOTIF_CORPUS_DIR: workDir,
      });
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: CHROMIUM_ARGS,
      });
    });

    afterAll(async () => {
      await browser?.close();
      await app?.stop();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it("lets the creator rename the piece and shows another browser no rename control (and refuses it with 403)", async () => {
      const creator = await browser.newContext();
      const page = await creator.newPage();
      await page.goto(`${app.url}/generate?where=server&length=40&seed=77`);
      await page.getByTestId("generate").click();
      await page.waitForURL(/\/pieces\/[^/]+$/);
      const pieceUrl = page.url();
      const pieceId = pieceUrl.split("/").pop()!;
      await page.waitForSelector('[data-testid="piece-view"][data-status="done"]', { timeout: 120_000 });

      // The token is a cookie scripts cannot read.
      const cookie = (await creator.cookies()).find((c) => c.name === "motif_edit");
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
      expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await page.evaluate(() => document.cookie)).not.toContain("motif_edit");

      await page.getByTestId("rename").click();
      await page.getByLabel("Title").fill("Creator's title");
      await page.getByRole("button", { name: "Save" }).click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="piece-title"]')?.textContent === "Creator's title",
      );
      // The server-rendered page knows the creator too (the cookie, read by the page's caller).
      await page.reload();
      expect(await page.getByTestId("piece-title").innerText()).toBe("Creator's title");
      expect(await page.getByTestId("rename").count()).toBe(1);

      const listener = await browser.newContext();
      const other = await listener.newPage();
      await other.goto(pieceUrl);
      await other.getByTestId("piece-view").waitFor();
      expect(await other.getByTestId("piece-title").innerText()).toBe("Creator's title");
      expect(await other.getByTestId("rename").count()).toBe(0);
      expect(await other.getByTestId("play").isEnabled()).toBe(true);
      expect(await other.getByTestId("download").count()).toBe(1);
      // Going around the page does not help: the server refuses the rename.
      const refused = await other.evaluate(async (id) => {
        const response = await fetch("/api/trpc/pieces.rename", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ id, title: "Not yours" }),
        });
        return { status: response.status, body: (await response.json()) as { error?: { message?: string } } };
      }, pieceId);
      expect(refused.status).toBe(403);
      expect(refused.body.error?.message).toMatch(/only the piece's creator can rename it/);
      await other.reload();
      expect(await other.getByTestId("piece-title").innerText()).toBe("Creator's title");

      await creator.close();
      await listener.close();
    });
  },
);
