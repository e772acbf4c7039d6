#!/usr/bin/env node
// `pnpm --filter web load-test [-- options]`: many generations at once against the built app while
// a reader keeps loading the gallery. Loopback only, bounded in count and time.
//
// Without --url it serves the built app itself (`pnpm build` first) on a free loopback port with a
// fresh SQLite database and the default models (the built-in ones, or MOTIF_MODELS_DIR), and stops
// it afterwards. It fires --requests tRPC `pieces.create` calls of --tokens tokens at once, loads
// `/` back to back until every accepted piece has finished, then lists the gallery to check that
// every accepted piece is stored exactly once. 429 answers are refusals (the rate limit or the queue
// bound working), counted apart from failures; --clients N spreads the calls over N addresses in
// X-Forwarded-For (the app keys its rate limit by it; the app it starts trusts one proxy).
// --restart-after-ms N (only with the app it starts) kills the server N ms after the calls were
// fired (SIGKILL, as a crash), starts it again on the same database and port, and checks that
// every accepted piece (resumed by the new server) finishes and is stored exactly once.
// Prints p50/p95/max latencies and the targets; exits 1 when one is missed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const LIMITS = { requests: 1000, tokens: 2000, clients: 1000, seconds: 1800 };
const TARGETS = { generateP95Ms: 1000, galleryP95Ms: 200, galleryMaxMs: 1000 };

const argv = process.argv.slice(2);
const { values: options } = parseArgs({
  // `pnpm load-test -- --requests 5` passes the "--" on.
  args: argv[0] === "--" ? argv.slice(1) : argv,
  options: {
    url: { type: "string" },
    requests: { type: "string", default: "200" },
    tokens: { type: "string", default: "1500" },
    clients: { type: "string", default: "1" },
    model: { type: "string" },
    "restart-after-ms": { type: "string" },
    "timeout-seconds": { type: "string", default: "600" },
    help: { type: "boolean", default: false },
  },
});

if (options.help) {
  console.log(`pnpm --filter web load-test [-- --requests 200] [--tokens 1500] [--clients 1] [--model name/version] [--restart-after-ms 3000] [--timeout-seconds 600] [--url http://127.0.0.1:3000]
  --url              a running app on this machine (loopback only); without it the built app is started here
  --requests         generate calls fired at once (≤ ${LIMITS.requests})
  --tokens           tokens per piece (16..${LIMITS.tokens})
  --clients          fake client addresses (X-Forwarded-For) the calls are spread over (≤ ${LIMITS.clients})
  --model            name/version or id of the model (default: the first usable one)
  --restart-after-ms kill the app it started this long after firing (SIGKILL), start it again on the same database and port
  --timeout-seconds  the whole run's bound (≤ ${LIMITS.seconds})`);
  process.exit(0);
}

function bounded(name, value, min, max) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    throw new Error(`--${name} must be a whole number ${min}..${max}, got "${value}"`);
  return number;
}
const requests = bounded("requests", options.requests, 1, LIMITS.requests);
const tokens = bounded("tokens", options.tokens, 16, LIMITS.tokens);
const clients = bounded("clients", options.clients, 1, LIMITS.clients);
const timeoutSeconds = bounded("timeout-seconds", options["timeout-seconds"], 10, LIMITS.seconds);
const restartAfterMs =
  options["restart-after-ms"] === undefined
    ? null
    : bounded("restart-after-ms", options["restart-after-ms"], 0, LIMITS.seconds * 1000);
if (restartAfterMs !== null && options.url) {
  console.error("load test: --restart-after-ms needs the app this script starts (not --url)");
  process.exit(1);
}
const deadline = Date.now() + timeoutSeconds * 1000;
const remaining = () => Math.max(0, deadline - Date.now());

// ---------- the app ----------

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The built app on a free loopback port, with a fresh SQLite database; stopped by stop(). */
async function startApp() {
  if (!existsSync(join(webDir, ".next", "BUILD_ID")))
    throw new Error("no build in apps/web/.next: run `pnpm --filter web build` first (or pass --url)");
  const dataDir = mkdtempSync(join(tmpdir(), "motif-load-"));
  const env = {
    ...process.env,
    DATABASE_URL: `file:${join(dataDir, "load.db")}`,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    MOTIF_TRUSTED_PROXIES: "1",
  };
  env.PATH = `${join(webDir, "node_modules", ".bin")}:${env.PATH ?? ""}`;
  const deployed = spawnSync(process.execPath, [join(webDir, "scripts", "db-deploy.mjs")], {
    cwd: webDir,
    env,
    encoding: "utf8",
  });
  if (deployed.status !== 0) throw new Error(`db:deploy failed:\n${deployed.stdout}\n${deployed.stderr}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  let child;
  const exited = (process) =>
    process.exitCode !== null || process.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => process.once("exit", resolve));
  async function serve() {
    const started = spawn(
      process.execPath,
      [join(webDir, "scripts", "next-server.mjs"), "-p", String(port), "-H", "127.0.0.1"],
      {
        cwd: webDir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = started;
    started.stdout.on("data", (chunk) => (log += chunk));
    started.stderr.on("data", (chunk) => (log += chunk));
    const ready = Date.now() + 60_000;
    while (
      !(await fetch(`${url}/models`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (started.exitCode !== null || Date.now() > ready)
        throw new Error(`the app server did not come up:\n${log.slice(-3000)}`);
      await sleep(300);
    }
  }
  await serve();
  return {
    url,
    log: () => log,
    /** A crash (SIGKILL: no shutdown code runs), then the same server again on the same database and port. */
    async restart() {
      const killed = child;
      killed.kill("SIGKILL");
      await exited(killed);
      log += "\n--- killed (SIGKILL), starting again ---\n";
      await serve();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await Promise.race([exited(child), sleep(5000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function loopbackOnly(url) {
  const { hostname } = new URL(url);
  if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(hostname))
    throw new Error(`--url must be a loopback address (127.0.0.1, localhost, ::1), not ${hostname}`);
  return url.replace(/\/$/, "");
}

// ---------- measuring ----------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentiles(values) {
  if (values.length === 0) return { n: 0, p50: NaN, p95: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) };
}

const fmt = (ms) => (Number.isFinite(ms) ? `${Math.round(ms)} ms` : "–");

/** Client i's address, one of --clients documentation-range addresses (RFC 5737 TEST-NET-2). */
const clientAddress = (i) => `198.51.${Math.floor((i % clients) / 250)}.${((i % clients) % 250) + 1}`;

async function trpcQuery(base, path, input) {
  const response = await fetch(
    `${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`,
    { signal: AbortSignal.timeout(remaining() + 1) },
  );
  const body = await response.json();
  if (!response.ok)
    throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body.error?.message ?? body)}`);
  return body.result.data;
}

async function chooseModel(base) {
  const models = await trpcQuery(base, "models.list", undefined);
  const usable = models.filter((m) => m.usable);
  const wanted = options.model;
  const model = wanted
    ? usable.find((m) => m.id === wanted || `${m.name}/${m.version}` === wanted)
    : usable[0];
  if (!model)
    throw new Error(
      wanted
        ? `no usable model "${wanted}" (usable: ${usable.map((m) => `${m.name}/${m.version}`).join(", ")})`
        : "the app has no usable model",
    );
  return model;
}

/** Every piece in the gallery, newest first (cursor pages of 60). */
async function allPieces(base) {
  const pieces = [];
  let cursor = null;
  do {
    const page = await trpcQuery(base, "pieces.list", { limit: 60, cursor });
    pieces.push(...page.items);
    cursor = page.nextCursor ?? null;
  } while (cursor && remaining() > 0);
  return pieces;
}

async function generate(base, modelId, i) {
  const started = performance.now();
  try {
    const response = await fetch(`${base}/api/trpc/pieces.create`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": clientAddress(i) },
      body: JSON.stringify({
        modelId,
        length: tokens,
        temperature: 1,
        topK: null,
        topP: 0.95,
        seed: 1_000_000 + i,
        primer: { kind: "none" },
      }),
      signal: AbortSignal.timeout(remaining() + 1),
    });
    const body = await response.json().catch(() => null);
    // `answered`: the whole body arrived (a crash may cut it after the status line).
    return {
      ms: performance.now() - started,
      endedAt: performance.now(),
      status: response.status,
      answered: body !== null,
      id: body?.result?.data?.id ?? null,
      retryAfter: response.headers.get("retry-after"),
      message: body?.error?.message ?? null,
    };
  } catch (error) {
    return {
      ms: performance.now() - started,
      endedAt: performance.now(),
      status: 0,
      answered: false,
      id: null,
      retryAfter: null,
      message: error.message,
    };
  }
}

// ---------- the run ----------

let app;
try {
  app = options.url
    ? { url: loopbackOnly(options.url), stop: async () => {}, log: () => "" }
    : await startApp();
} catch (error) {
  console.error(`load test: ${error.message}`);
  process.exit(1);
}
let failed = true; // until the checks ran
try {
  const base = app.url;
  const model = await chooseModel(base);
  const before = new Set((await allPieces(base)).map((p) => p.id));
  console.log(
    `load test: ${requests} × pieces.create (${tokens} tokens, ${model.name}/${model.version}) from ${clients} client address(es) against ${base}, while a reader loads /${restartAfterMs === null ? "" : `; the server is killed ${restartAfterMs} ms after firing and started again`}`,
  );

  // The crash and restart: the reader and the waiting pause while the server is down.
  let down = null;
  const crash = { at: null, snapshot: null, upAfterMs: null, cutCalls: 0, cutLoads: 0 };
  const restarted =
    restartAfterMs === null
      ? Promise.resolve()
      : (async () => {
          await sleep(restartAfterMs);
          // What the gallery holds just before the crash (new pieces by status).
          const listed = (await allPieces(base)).filter((p) => !before.has(p.id));
          crash.snapshot = {
            done: listed.filter((p) => p.status === "done").length,
            generating: listed.filter((p) => p.status === "generating").length,
            failed: listed.filter((p) => p.status === "failed").length,
          };
          let up;
          down = new Promise((resolve) => (up = resolve));
          crash.at = performance.now();
          await app.restart();
          crash.upAfterMs = performance.now() - crash.at;
          down = null;
          up();
        })();
  restarted.catch(() => undefined); // awaited (and reported) by the waiting below

  // The gallery reader: one page load after another until the generations are done.
  const gallery = [];
  const galleryErrors = [];
  let reading = true;
  const reader = (async () => {
    while (reading && remaining() > 0) {
      if (down) await down;
      const started = performance.now();
      try {
        const response = await fetch(`${base}/`, { signal: AbortSignal.timeout(remaining() + 1) });
        await response.arrayBuffer();
        gallery.push(performance.now() - started);
        if (!response.ok) galleryErrors.push(response.status);
      } catch (error) {
        // A load the crash cut is the crash's, not the gallery's.
        if (crash.at !== null && started <= crash.at + (crash.upAfterMs ?? Infinity)) crash.cutLoads += 1;
        else galleryErrors.push(error.message);
      }
    }
  })();

  const firedAt = performance.now();
  const answers = await Promise.all(Array.from({ length: requests }, (_, i) => generate(base, model.id, i)));
  // A call without an answer once the crash came may or may not have stored its piece: counted apart.
  const cut = (a) =>
    crash.at !== null && a.endedAt >= crash.at && (a.status === 0 || (a.status === 200 && !a.answered));
  crash.cutCalls = answers.filter(cut).length;
  const accepted = answers.filter((a) => a.status === 200 && a.id);
  const refused = answers.filter((a) => a.status === 429);
  const serverErrors = answers.filter((a) => a.status >= 500);
  const otherErrors = answers.filter(
    (a) => !(a.status === 200 && a.id) && a.status !== 429 && a.status < 500 && !cut(a),
  );
  console.log(
    `answered ${requests} calls in ${fmt(performance.now() - firedAt)}: ${accepted.length} accepted, ${refused.length} refused (429), ${serverErrors.length} 5xx, ${otherErrors.length} other${crash.cutCalls ? `, ${crash.cutCalls} cut by the crash` : ""}`,
  );

  // Wait until every accepted piece is done or failed.
  const waiting = new Set(accepted.map((a) => a.id));
  const failedPieces = [];
  while ((waiting.size > 0 || restartAfterMs !== null) && remaining() > 0) {
    await sleep(2000);
    // The restart must have happened (and the server be back) before the pieces can be judged.
    await restarted;
    if (waiting.size === 0) break;
    for (const piece of await allPieces(base)) {
      if (!waiting.has(piece.id) || piece.status === "generating") continue;
      waiting.delete(piece.id);
      if (piece.status !== "done") failedPieces.push(piece.id);
    }
  }
  const allDoneMs = performance.now() - firedAt;
  reading = false;
  await reader;

  // Stored exactly once: the new pieces are exactly the accepted ones, each listed once.
  const after = (await allPieces(base)).map((p) => p.id).filter((id) => !before.has(id));
  const counts = new Map();
  for (const id of after) counts.set(id, (counts.get(id) ?? 0) + 1);
  const acceptedIds = new Set(accepted.map((a) => a.id));
  const missing = [...acceptedIds].filter((id) => !counts.has(id));
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const unexpected = after.filter((id) => !acceptedIds.has(id));
  // A failed piece must say why.
  const failures = [];
  for (const id of failedPieces) failures.push(await trpcQuery(base, "pieces.byId", { id }));
  // After a crash, every accepted piece is read back whole: done, with all its tokens.
  const incomplete = [];
  if (crash.at !== null) {
    for (const a of accepted) {
      const piece = await trpcQuery(base, "pieces.byId", { id: a.id });
      if (piece.status !== "done" || piece.tokenCount !== tokens)
        incomplete.push(`${a.id} (${piece.status}, ${piece.tokenCount} tokens)`);
    }
  }
  const resumedLine =
    app
      .log()
      .match(/pieces: resumed \d+ interrupted generation\(s\)/g)
      ?.at(-1) ?? "pieces: nothing resumed";

  // Latencies of the calls answered (a call the crash cut has none).
  const gen = percentiles(answers.filter((a) => !cut(a)).map((a) => a.ms));
  const page = percentiles(gallery);
  const retryAfter = [...new Set(refused.map((a) => a.retryAfter))].join(", ");
  console.log("");
  console.log(`| measure | n | p50 | p95 | max |`);
  console.log(`|---|---|---|---|---|`);
  console.log(
    `| generate call (pieces.create) | ${gen.n} | ${fmt(gen.p50)} | ${fmt(gen.p95)} | ${fmt(gen.max)} |`,
  );
  for (const [label, calls] of [
    ["accepted", accepted],
    ["refused (429)", refused],
  ]) {
    const part = percentiles(calls.map((a) => a.ms));
    if (part.n > 0)
      console.log(
        `| … of which ${label} | ${part.n} | ${fmt(part.p50)} | ${fmt(part.p95)} | ${fmt(part.max)} |`,
      );
  }
  console.log(`| gallery page (/) | ${page.n} | ${fmt(page.p50)} | ${fmt(page.p95)} | ${fmt(page.max)} |`);
  console.log("");
  console.log(
    `accepted ${accepted.length}, refused (429) ${refused.length}${refused.length ? ` (Retry-After: ${retryAfter}; e.g. "${refused[0].message}")` : ""}, 5xx ${serverErrors.length}, other ${otherErrors.length}${otherErrors.length ? ` (e.g. ${otherErrors[0].status}: ${otherErrors[0].message})` : ""}`,
  );
  console.log(
    `all accepted pieces finished ${waiting.size === 0 ? `in ${(allDoneMs / 1000).toFixed(1)} s` : `NOT within the bound (${waiting.size} still generating)`}; ${failedPieces.length} failed; gallery errors ${galleryErrors.length}`,
  );
  console.log(
    `stored: ${after.length} new piece(s); accepted but missing ${missing.length}, listed twice ${duplicated.length}, not accepted ${unexpected.length}`,
  );
  for (const piece of failures.slice(0, 5))
    console.log(`failed: ${piece.id}: ${piece.error ?? "(no reason)"}`);
  if (crash.at !== null) {
    const at = crash.snapshot;
    console.log(
      `restart: killed ${Math.round(crash.at - firedAt)} ms after firing, with ${at.done} new piece(s) done, ${at.generating} generating, ${at.failed} failed; back (ready) after ${fmt(crash.upAfterMs)}; ` +
        `${crash.cutCalls} call(s) and ${crash.cutLoads} gallery load(s) cut by the crash; the new server's log: "${resumedLine}"; accepted pieces not done with ${tokens} tokens: ${incomplete.length}${incomplete.length ? ` (e.g. ${incomplete[0]})` : ""}`,
    );
  }

  const checks = [
    [`generate call p95 ≤ ${TARGETS.generateP95Ms} ms`, gen.p95 <= TARGETS.generateP95Ms],
    [`gallery p95 ≤ ${TARGETS.galleryP95Ms} ms`, page.p95 <= TARGETS.galleryP95Ms],
    [`gallery max ≤ ${TARGETS.galleryMaxMs} ms`, page.max <= TARGETS.galleryMaxMs],
    [
      "no 5xx (calls or gallery)",
      serverErrors.length === 0 && !galleryErrors.some((s) => typeof s === "number" && s >= 500),
    ],
    ["no other failed call", otherErrors.length === 0 && galleryErrors.length === 0],
    ["every accepted piece finished", waiting.size === 0 && failedPieces.length === 0],
    // A piece stored by a call the crash cut before its answer is the only one allowed unaccepted.
    [
      "every accepted piece stored exactly once",
      missing.length === 0 && duplicated.length === 0 && unexpected.length <= crash.cutCalls,
    ],
    [
      "every failed piece says why",
      failures.every((piece) => typeof piece.error === "string" && piece.error.length > 0),
    ],
    ...(crash.at === null
      ? []
      : [
          [
            "after the restart, every accepted piece done with all its tokens",
            incomplete.length === 0 && failedPieces.length === 0,
          ],
        ]),
  ];
  console.log("");
  for (const [name, ok] of checks) console.log(`${ok ? "ok  " : "MISS"} ${name}`);
  failed = checks.some(([, ok]) => !ok);
} catch (error) {
  console.error(`load test: ${error.message}`);
  if (app.log()) console.error(app.log().slice(-3000));
} finally {
  await app.stop();
}
process.exit(failed ? 1 : 0);
