// The only place the trainer reads process.env: every setting is validated once, here.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { BACKEND_CHOICES, type BackendChoice } from "./runtime/backend-choice.js";

/** The monorepo root: apps/trainer/src → ../../.. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const envSchema = z.object({
  MOTIF_MODELS_DIR: z.string().min(1).optional(),
  MOTIF_BUILTIN_MODELS_DIR: z.string().min(1).optional(),
  MOTIF_CORPUS_DIR: z.string().min(1).optional(),
  MOTIF_BACKEND: z.enum(BACKEND_CHOICES).optional(),
  // pnpm runs scripts inside apps/trainer but records where the user typed the command.
  INIT_CWD: z.string().min(1).optional(),
});

interface TrainerEnv {
  /** Root of published model bundles: `<modelsDir>/<name>/<version>/`. */
  modelsDir: string;
  /** The models that ship with Motif (committed): `<repo>/builtin-models/<name>/<version>/`. */
  builtinModelsDir: string;
  /** The seed's corpus (third-party, never copied into the repo). */
  corpusDir: string;
  /** Default for `--backend` when the flag is absent. */
  backend: BackendChoice;
  /** Where the user ran the command: relative paths on the command line are resolved from here. */
  invocationDir: string;
}

export function readEnv(source: NodeJS.ProcessEnv = process.env): TrainerEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const invocationDir = path.resolve(env.INIT_CWD ?? process.cwd());
  return {
    modelsDir: path.resolve(invocationDir, env.MOTIF_MODELS_DIR ?? path.join(repoRoot, "models")),
    builtinModelsDir: path.resolve(
      invocationDir,
      env.MOTIF_BUILTIN_MODELS_DIR ?? path.join(repoRoot, "builtin-models"),
    ),
    corpusDir: path.resolve(
      invocationDir,
      env.MOTIF_CORPUS_DIR ?? path.join(repoRoot, "../shared/datasets/final-fantasy"),
    ),
    backend: env.MOTIF_BACKEND ?? "auto",
    invocationDir,
  };
}

let cached: TrainerEnv | null = null;

/** The process environment, validated once. */
export function trainerEnv(): TrainerEnv {
  cached ??= readEnv();
  return cached;
}

/** Resolves a path typed on the command line against the directory the user ran the command in. */
export function resolveUserPath(typed: string): string {
  return path.resolve(trainerEnv().invocationDir, typed);
}

/** True when stderr is an interactive terminal (progress bars instead of plain lines). */
export function stderrIsTty(): boolean {
  return process.stderr.isTTY === true;
}
