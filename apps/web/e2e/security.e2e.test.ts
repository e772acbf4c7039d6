// The gallery on the internet, against the built app in Debian's Chromium: security headers on
// every response (a per-request nonce CSP on pages, no CSP violation while pages load, compose
// on the device and play), file routes that never serve a path from the request, titles and MIDI
// text that render as text, a download name that cannot inject a header, and a bounded tRPC body.
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeMidi } from "@motif/midi";
import { deployMigrations, webDir } from "../test-support/test-database";
import { tinyTuneNotes, writeTinyBundle } from "../test-support/tiny-bundle";
import { CHROMIUM_ARGS, buildApp, chromiumPath, startApp, type RunningApp } from "./app-server";
import { watchCspViolations } from "./csp-watch";

const hasChromium = existsSync(chromiumPath);
const CANARY = "MOTIF-CANARY-d41d8cd98f00";

/** GET with the path sent exactly as written (fetch and URL would normalise `../` away). */
function rawGet(
  base: string,
  path: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

// Script payloads: if any of them ran, window.__xss would be set.
const TITLE_PAYLOAD = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2"><a href="javascript:window.__xss=3">go</a>`;
const FILE_PAYLOAD = `"><img src=y onerror="window.__xss=4">.mid`;
const TRACK_PAYLOAD = `<script>window.__xss=5</script>`;
const TEXT_PAYLOADS = [`<img src=z onerror="window.__xss=6">`, `javascript:window.__xss=7`];

describe.skipIf(!hasChromium)(
  `security in Chromium${hasChromium ? "" : ` (skipped: ${chromiumPath} not found)`}`,
  () => {
    let app: RunningApp;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let violations: string[];
    let workDir: string;
    let model: { id: string; bundleHash: string };

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), "motif-e2e-security-"));
      const modelsDir = join(workDir, "models");
      await writeTinyBundle(modelsDir, { name: "e2e-security-tiny", version: "v1", epochs: 2 });
      // Files a traversal would reach: beside the bundle, above the models root.
      await writeFile(join(modelsDir, "e2e-security-tiny", "secret.txt"), CANARY);
      await writeFile(join(workDir, "secret.txt"), CANARY);
      const databaseUrl = `file:${join(workDir, "e2e.db")}`;
      deployMigrations(databaseUrl);
      buildApp();
      app = await startApp({
        DATABASE_URL: databaseUrl,
        MOTIF_MODELS_DIR: modelsDir,
        MOTIF_CORPUS_DIR: workDir,
      });
      const listed = (await (await fetch(`${app.url}/api/trpc/models.list`)).json()) as {
        result: { data: { id: string; name: string; bundleHash: string; usable: boolean }[] };
      };
      model = listed.result.data.find((m) => m.name === "e2e-security-tiny" && m.usable)!;
      expect(model).toBeDefined();
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: CHROMIUM_ARGS,
      });
      context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      violations = await watchCspViolations(context);
      page = await context.newPage();
      mkdirSync(join(webDir, "test-results"), { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
      await app?.stop();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    /** A tRPC mutation from the browser's context (its cookies included), answered with its data. */
    async function mutate<T>(path: string, input: unknown): Promise<T> {
      const response = await context.request.post(`${app.url}/api/trpc/${path}`, { data: input });
      const body = (await response.json()) as { result?: { data: T }; error?: unknown };
      if (!response.ok() || !body.result)
        throw new Error(`${path} answered ${response.status()}: ${JSON.stringify(body.error)}`);
      return body.result.data;
    }

    async function finishedPiece(input: Record<string, unknown>): Promise<string> {
      const { id } = await mutate<{ id: string }>("pieces.create", {
        modelId: model.id,
        length: 48,
        temperature: 1,
        topK: null,
        topP: 0.95,
        seed: 11,
        ...input,
      });
      await page.goto(`${app.url}/pieces/${id}`);
      await page.waitForSelector('[data-testid="piece-view"][data-status="done"]', { timeout: 120_000 });
      return id;
    }

    it("sends the security headers with every response, and a fresh nonce CSP with every page", async () => {
      const home = await fetch(app.url);
      const html = await home.text();
      const chunk = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
      expect(chunk).toBeDefined();
      const urls = [
        "/",
        "/generate",
        "/models",
        "/attribution",
        "/no-such-page",
        "/pieces/no-such-piece",
        chunk!,
        "/workers/device-worker.js",
        "/samples/A0.mp3",
        "/api/trpc/models.list",
        `/api/models/${model.id}/bundle`,
        "/api/pieces/no-such-piece/midi",
      ];
      for (const url of urls) {
        const response = await fetch(`${app.url}${url}`);
        const headers = response.headers;
        expect.soft(headers.get("x-content-type-options"), url).toBe("nosniff");
        expect.soft(headers.get("x-frame-options"), url).toBe("DENY");
        expect.soft(headers.get("referrer-policy"), url).toBe("same-origin");
        const csp = headers.get("content-security-policy") ?? "";
        if (url.startsWith("/_next/static/") || url.startsWith("/samples/")) continue;
        expect.soft(csp, url).toContain("frame-ancestors 'none'");
        expect.soft(csp, url).not.toContain("'unsafe-eval'");
        expect.soft(csp, url).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      }

      // Pages: only scripts with this response's nonce run, and every script Next wrote carries it.
      const pageCsp = home.headers.get("content-security-policy")!;
      const nonce = /'nonce-([^']+)'/.exec(pageCsp)?.[1];
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(pageCsp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
      expect(pageCsp).toContain("object-src 'none'");
      expect(pageCsp).toContain("base-uri 'none'");
      expect(pageCsp).not.toContain("wasm-unsafe-eval");
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(2);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      const again = (await fetch(app.url)).headers.get("content-security-policy")!;
      expect(/'nonce-([^']+)'/.exec(again)?.[1]).not.toBe(nonce);
      // A 404 page renders per request too, so its scripts run.
      const missing = await fetch(`${app.url}/no-such-page`);
      expect(missing.status).toBe(404);
      const missingNonce = /'nonce-([^']+)'/.exec(missing.headers.get("content-security-policy") ?? "")?.[1];
      expect(await missing.text()).toContain(`nonce="${missingNonce}"`);
      // The device worker's own policy: WebAssembly, nothing from elsewhere.
      const worker = await fetch(`${app.url}/workers/device-worker.js`);
      expect(worker.headers.get("content-security-policy")).toBe(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; frame-ancestors 'none'",
      );
    });

    it("logs no CSP violation while pages hydrate, a piece is composed on the device and one plays", async () => {
      for (const path of ["/", "/models", "/attribution", "/no-such-page"]) {
        await page.goto(`${app.url}${path}`);
        await page.waitForLoadState("networkidle");
      }
      // Hydrated: a client-side navigation happens without a document load.
      await page.goto(app.url);
      await page.locator("nav").getByRole("link", { name: "Generate" }).click();
      await page.waitForURL(/\/generate$/);
      // The device worker compiles WebAssembly under its own policy and fetches the bundle.
      await page.goto(`${app.url}/generate?model=${model.id}&seed=5&length=64&where=device`);
      await page.waitForSelector('input[name="where"][value="device"]:checked');
      await page.getByTestId("generate").click();
      await page.locator('[data-testid="device-piece"][data-status="done"]').waitFor({ timeout: 120_000 });
      // Tone.js: samples, its clock worker (a Blob URL), the audio context.
      const id = await finishedPiece({ primer: { kind: "none" } });
      expect(id).not.toBe("");
      await page.getByTestId("play").click();
      await page.waitForSelector('[data-testid="piece-view"][data-audio-state="running"]', {
        timeout: 30_000,
      });
      await page.waitForTimeout(1000);
      await page.getByTestId("play").click();
      expect(violations).toEqual([]);
      // The watch sees violations, and the policy holds against injected markup: the inline event
      // handler an `<img onerror>` payload needs is refused and reported. (Code that Playwright
      // evaluates is exempt from CSP, so the handler is left for the page itself to compile.)
      await page.evaluate(() => {
        const box = document.createElement("div");
        box.innerHTML = `<img src="data:," onerror="window.__xss='handler'">`;
        document.body.append(box);
      });
      await expect.poll(() => violations.join("\n")).toMatch(/script-src-attr|inline event handler/);
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
      violations.length = 0;
    });

    it("answers every path trick on the file routes with a 4xx and never a file from elsewhere", async () => {
      const tricks = [
        "..%2f..%2fsecret.txt",
        "%2e%2e%2f%2e%2e%2fsecret.txt",
        "%2e%2e",
        "..",
        "..%5c..%5csecret.txt",
        "%2fetc%2fpasswd",
        "%2Fetc%2Fpasswd",
        "secret.txt%00.json",
        "bundle.json%00",
        "%00",
        "C:%5cWindows%5cwin.ini",
        "%252e%252e%252fsecret.txt",
        "....%2f%2fsecret.txt",
      ];
      const paths: string[] = [];
      for (const trick of tricks) {
        paths.push(
          `/api/pieces/${trick}/midi`,
          `/api/models/${trick}/curves?format=svg`,
          `/api/models/${trick}/notice`,
          `/api/models/${trick}/bundle`,
        );
        paths.push(
          `/api/models/${model.id}/bundle/${model.bundleHash}/${trick}`,
          `/api/models/${model.id}/bundle/${trick}/bundle.json`,
          `/api/models/${model.id}/curves?format=${trick}`,
        );
      }
      // Raw `../` and absolute paths in the request line, which no browser sends but anyone can.
      paths.push(
        `/api/models/${model.id}/bundle/${model.bundleHash}/../../../../secret.txt`,
        `/api/models/${model.id}/bundle/${model.bundleHash}/..%2f..%2f..%2fsecret.txt`,
        "/api/pieces/../../../../etc/passwd/midi",
        "/workers/..%2f..%2fpackage.json",
        "/samples/..%2f..%2f..%2fsecret.txt",
        "/samples/%2e%2e/%2e%2e/package.json",
        "/_next/static/..%2f..%2f..%2fpackage.json",
      );
      const answers = new Map<number, number>();
      for (const path of paths) {
        const { status, headers, body } = await rawGet(app.url, path);
        answers.set(status, (answers.get(status) ?? 0) + 1);
        if (status === 308) {
          // Next normalises a last `..` segment (`…/<hash>/..`) by redirecting to the parent route:
          // the same app, never a file. Followed once, it must be that route's own answer.
          const location = String(headers.location);
          expect.soft(location, path).toMatch(/^\/api\/models\/[^/.]+\/bundle\/?$/);
          expect.soft((await rawGet(app.url, location)).body, location).not.toContain(CANARY);
          continue;
        }
        expect.soft(status, path).toBeGreaterThanOrEqual(400);
        expect.soft(status, path).toBeLessThan(500);
        expect.soft(body, path).not.toContain(CANARY);
        expect.soft(body, path).not.toMatch(/root:x?:0:0|"name": "web"|\[fonts\]/);
      }
      console.log(
        `e2e: ${paths.length} path tricks answered ${[...answers].map(([status, n]) => `${n}× ${status}`).join(", ")}`,
      );
      // The real files are still served, so the 4xx above are refusals, not a broken route.
      expect(
        (await fetch(`${app.url}/api/models/${model.id}/bundle/${model.bundleHash}/bundle.json`)).status,
      ).toBe(200);
    });

    it("refuses a tRPC body over its limit with a 413 that says so, declared or streamed, and still serves the next request", async () => {
      const big = JSON.stringify({
        modelId: model.id,
        seed: 1,
        length: 64,
        temperature: 1,
        topK: null,
        topP: 0.95,
        primer: { kind: "upload", fileName: "big.mid", base64: "A".repeat(3 * 1024 * 1024) },
      });
      const declared = await fetch(`${app.url}/api/trpc/pieces.create`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: big,
      });
      expect(declared.status).toBe(413);
      expect(((await declared.json()) as { error: { message: string } }).error.message).toMatch(
        /larger than 2,097,152 bytes/,
      );
      // No Content-Length: the body arrives in chunks and is cut off at the limit.
      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 48; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x41));
          controller.close();
        },
      });
      const streamed = await fetch(`${app.url}/api/trpc/pieces.create`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: chunks,
        duplex: "half",
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect((await fetch(`${app.url}/api/trpc/models.list`)).status).toBe(200);
    });

    it("shows a title with script payloads as text, in the piece page, the gallery and the tab title, and runs none of it", async () => {
      const id = await finishedPiece({ primer: { kind: "none" }, seed: 12 });
      await page.getByTestId("piece-view").getByRole("button", { name: "rename" }).click();
      await page.locator(".title-form input").fill(TITLE_PAYLOAD);
      await page.locator(".title-form").getByRole("button").first().click();
      await page.waitForFunction(
        (title) => document.querySelector('[data-testid="piece-title"]')?.textContent === title,
        TITLE_PAYLOAD,
      );
      for (const path of [`/pieces/${id}`, "/"]) {
        await page.goto(`${app.url}${path}`);
        await page.waitForLoadState("networkidle");
        const where =
          path === "/"
            ? page.getByTestId("piece-card").filter({ hasText: "window.__xss=1" })
            : page.getByTestId("piece-title");
        expect(await where.first().innerText()).toContain(TITLE_PAYLOAD);
        expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
        // Nothing of the payload became an element.
        expect(await page.locator('img[src="x"], a[href^="javascript:"], main script').count()).toBe(0);
      }
      await page.goto(`${app.url}/pieces/${id}`);
      expect(await page.title()).toContain(TITLE_PAYLOAD);
      expect(violations).toEqual([]);
    });

    it("shows an uploaded MIDI's file name and text events literally, and refuses a hostile non-MIDI name as text", async () => {
      const upload = writeMidi({ title: TRACK_PAYLOAD, texts: TEXT_PAYLOADS, notes: tinyTuneNotes(2) });
      const id = await finishedPiece({
        primer: { kind: "upload", fileName: FILE_PAYLOAD, base64: Buffer.from(upload).toString("base64") },
        seed: 13,
      });
      const view = page.getByTestId("piece-view");
      expect(await view.innerText()).toContain(FILE_PAYLOAD);
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
      expect(
        await page.locator('img[src="y"], img[src="z"], a[href^="javascript:"], main script').count(),
      ).toBe(0);
      expect(id).not.toBe("");

      await page.goto(`${app.url}/generate?where=server`);
      await page.check('input[name="primer"][value="upload"]');
      const hostileName = `<img src=w onerror="window.__xss=8">.txt`;
      await page.setInputFiles('input[name="midi"]', {
        name: hostileName,
        mimeType: "text/plain",
        buffer: Buffer.from("not a song"),
      });
      await page.getByTestId("generate").click();
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="form-error"]')?.textContent?.includes("is not a MIDI file"),
      );
      expect(await page.getByTestId("form-error").innerText()).toContain(hostileName);
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
      expect(await page.locator('img[src="w"]').count()).toBe(0);
      expect(violations).toEqual([]);
    });

    it("names the MIDI download after the title without letting quotes, newlines or non-ASCII into the header", async () => {
      const id = await finishedPiece({ primer: { kind: "none" }, seed: 14 });
      const title = `Nocturne "No. 1"\r\nX-Injected: yes; filename=evil.exe 夜曲 ünï`;
      await mutate("pieces.rename", { id, title });
      const response = await fetch(`${app.url}/api/pieces/${id}/midi`);
      expect(response.status).toBe(200);
      expect(response.headers.get("x-injected")).toBeNull();
      const disposition = response.headers.get("content-disposition")!;
      expect(disposition).toMatch(
        /^attachment; filename="[a-z0-9-]+\.mid"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+$/,
      );
      const decoded = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!);
      expect(decoded).toBe(`Nocturne "No. 1" X-Injected: yes; filename=evil.exe 夜曲 ünï.mid`);
      // Chromium takes filename* (RFC 6266) for the saved file.
      await page.goto(`${app.url}/pieces/${id}`);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByTestId("download").click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/夜曲 ünï\.mid$/);
      expect(download.suggestedFilename()).not.toMatch(/[\r\n/\\]/);
    });
  },
);
