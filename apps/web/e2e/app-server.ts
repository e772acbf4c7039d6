// Builds (unless MOTIF_E2E_SKIP_BUILD=1 and a build exists) and serves the real app for browser specs.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployMigrations, webDir } from "../test-support/test-database";
import { writeTinyBundle } from "../test-support/tiny-bundle";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

const binPath = `${join(webDir, "node_modules", ".bin")}:${process.env.PATH ?? ""}`;

export function buildApp(): void {
  if (process.env.MOTIF_E2E_SKIP_BUILD === "1" && existsSync(join(webDir, ".next", "BUILD_ID"))) return;
  const started = Date.now();
  const result = spawnSync("pnpm", ["run", "build"], {
    cwd: webDir,
    env: { ...process.env, PATH: binPath, NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
  });
  if (result.status !== 0)
    throw new Error(`next build failed:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  console.log(`e2e: built the app in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export interface RunningApp {
  url: string;
  logs: () => string;
  stop(): Promise<void>;
}

export async function startApp(env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [join(webDir, "scripts", "next-server.mjs"), "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: webDir,
      env: { ...process.env, ...env, PATH: binPath, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app server exited (${child.exitCode}):\n${output}`);
    const ok = await fetch(`${url}/models`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    logs: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** Debian's Chromium for the specs (MOTIF_CHROMIUM overrides), and the flags every spec runs it with. */
export const chromiumPath = process.env.MOTIF_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * A temporary folder with a tiny trained model and a migrated SQLite database, the app built and
 * served over them; `remove` stops the app and deletes the folder.
 */
export async function serveWithTinyModel(
  name: string,
  env: Record<string, string> = {},
): Promise<{ app: RunningApp; databaseUrl: string; remove(): Promise<void> }> {
  const workDir = mkdtempSync(join(tmpdir(), `motif-${name}-`));
  const modelsDir = join(workDir, "models");
  await writeTinyBundle(modelsDir, { name, version: "v1", epochs: 2 });
  const databaseUrl = `file:${join(workDir, "e2e.db")}`;
  deployMigrations(databaseUrl);
  buildApp();
  const app = await startApp({
    DATABASE_URL: databaseUrl,
    MOTIF_MODELS_DIR: modelsDir,
    MOTIF_CORPUS_DIR: workDir,
    ...env,
  });
  return {
    app,
    databaseUrl,
    async remove() {
      await app.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
