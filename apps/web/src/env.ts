// The only place that reads process.env (apps/web/README.md, "Environment"). Validated once, typed everywhere.
import "server-only";
import { resolve } from "node:path";
import { z } from "zod";
import { resolveDatabaseTarget } from "./database-url";

const schema = z.object({
  DATABASE_URL: z.string().optional(),
  /** Folder of the web app (apps/web); `next start` and vitest run there. */
  MOTIF_WEB_DIR: z.string().optional(),
  /** Published bundles: <root>/<name>/<version>/{model.json,weights.bin,bundle.json,curves.*}. */
  MOTIF_MODELS_DIR: z.string().optional(),
  /** Models that ship with Motif (committed): <repo>/builtin-models/<name>/<version>/. */
  MOTIF_BUILTIN_MODELS_DIR: z.string().optional(),
  /** MIDI folders searched for corpus-snippet primers (path-delimited list). */
  MOTIF_CORPUS_DIR: z.string().optional(),
  /**
   * Where generations run: `inprocess` (this process's worker threads; SQLite or PostgreSQL) or
   * `queue` (a graphile-worker job queue in PostgreSQL, run by `pnpm --filter web worker` processes).
   */
  MOTIF_ENGINE: z.enum(["inprocess", "queue"]).default("inprocess"),
  /** Queue engine: attempts of one generation (a crashed worker counts as one) before its piece is marked failed. */
  MOTIF_GENERATION_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(3),
  /** Queue engine: generation worker processes `pnpm --filter web start` runs beside the server (scripts/serve.mjs); 0 when they run elsewhere. */
  MOTIF_WORKER_PROCESSES: z.coerce.number().int().min(0).max(64).default(1),
  /** Generation workers (each holds its own tfjs + loaded bundles); in a queue worker process, also the jobs it runs at once. */
  MOTIF_GENERATION_WORKERS: z.coerce.number().int().min(1).max(8).default(1),
  /** Generations (create, variation, regenerate, share) one client may start per window. */
  MOTIF_RATE_LIMIT_GENERATIONS: z.coerce.number().int().min(1).max(1_000_000).default(20),
  MOTIF_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Generations accepted and unfinished (waiting or running) past which new ones get 429. */
  MOTIF_MAX_QUEUED_GENERATIONS: z.coerce.number().int().min(1).max(100_000).default(200),
  /** Reverse proxies in front of the app that append the client's address to X-Forwarded-For. */
  MOTIF_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

function loadEnv() {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${z.prettifyError(parsed.error)}`);
  }
  const raw = parsed.data;
  // Paths come from configuration at run time: keep Next's file tracer out of them.
  const webDir = resolve(/*turbopackIgnore: true*/ raw.MOTIF_WEB_DIR ?? process.cwd());
  const repoRoot = resolve(webDir, "..", "..");
  const corpusDirs = (raw.MOTIF_CORPUS_DIR ?? resolve(repoRoot, "..", "shared", "datasets", "final-fantasy"))
    .split(process.platform === "win32" ? ";" : ":")
    .filter((dir) => dir !== "")
    .map((dir) => resolve(dir));
  const database = resolveDatabaseTarget(raw.DATABASE_URL, webDir);
  return {
    nodeEnv: raw.NODE_ENV,
    webDir,
    repoRoot,
    database,
    engine: engineConfig(raw.MOTIF_ENGINE, raw.MOTIF_GENERATION_ATTEMPTS, database.provider),
    modelsDir: resolve(/*turbopackIgnore: true*/ raw.MOTIF_MODELS_DIR ?? resolve(repoRoot, "models")),
    builtinModelsDir: resolve(
      /*turbopackIgnore: true*/ raw.MOTIF_BUILTIN_MODELS_DIR ?? resolve(repoRoot, "builtin-models"),
    ),
    corpusDirs,
    generationWorkers: raw.MOTIF_GENERATION_WORKERS,
    generationLimits: {
      perClient: raw.MOTIF_RATE_LIMIT_GENERATIONS,
      windowSeconds: raw.MOTIF_RATE_LIMIT_WINDOW_SECONDS,
      maxQueued: raw.MOTIF_MAX_QUEUED_GENERATIONS,
    },
    trustedProxies: raw.MOTIF_TRUSTED_PROXIES,
    workerScript: resolve(webDir, "dist-worker", "generation-worker.mjs"),
  };
}

/** The queue engine keeps its jobs in PostgreSQL: refused at startup on SQLite, with what to change. */
export function engineConfig(
  kind: "inprocess" | "queue",
  attempts: number,
  provider: "sqlite" | "postgresql",
): { kind: "inprocess" } | { kind: "queue"; attempts: number } {
  if (kind === "inprocess") return { kind };
  if (provider !== "postgresql") {
    throw new Error(
      "Invalid environment: MOTIF_ENGINE=queue keeps generation jobs in PostgreSQL and needs a postgresql:// DATABASE_URL (this one is SQLite); unset MOTIF_ENGINE for the in-process engine",
    );
  }
  return { kind, attempts };
}

type Env = ReturnType<typeof loadEnv>;
export const env: Env = loadEnv();
