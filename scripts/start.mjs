#!/usr/bin/env node
// The main job: `pnpm start` on a fresh clone (after `pnpm install`).
// 1. applies the database migrations, 2. trains the quick demo model only when there is neither a
// built-in model (builtin-models/, committed) nor a published bundle, 3. builds the gallery,
// 4. serves it on http://localhost:$PORT (3000 by default).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modelsRoot = resolve(process.env.MOTIF_MODELS_DIR ?? join(repoRoot, "models"));
const builtinRoot = resolve(process.env.MOTIF_BUILTIN_MODELS_DIR ?? join(repoRoot, "builtin-models"));
const env = {
  ...process.env,
  MOTIF_MODELS_DIR: modelsRoot,
  MOTIF_BUILTIN_MODELS_DIR: builtinRoot,
  TURBO_TELEMETRY_DISABLED: "1",
  NEXT_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1",
};

function run(title, args) {
  console.log(`\n▶ ${title}`);
  const result = spawnSync("pnpm", args, { cwd: repoRoot, stdio: "inherit", env });
  if (result.status !== 0) {
    console.error(`✖ ${title} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

/** True when at least one published bundle (models/<name>/<version>/bundle.json) exists. */
function hasPublishedBundle(root) {
  if (!existsSync(root)) return false;
  for (const name of readdirSync(root, { withFileTypes: true })) {
    if (!name.isDirectory() || name.name.startsWith(".")) continue;
    for (const version of readdirSync(join(root, name.name), { withFileTypes: true })) {
      if (version.isDirectory() && existsSync(join(root, name.name, version.name, "bundle.json")))
        return true;
    }
  }
  return false;
}

run("Applying database migrations", ["--filter", "web", "db:deploy"]);
if (hasPublishedBundle(builtinRoot) || hasPublishedBundle(modelsRoot)) {
  const roots = [builtinRoot, modelsRoot].filter(hasPublishedBundle);
  console.log(
    `\n✔ Using the model bundles in ${roots.join(" and ")} (train your own with \`pnpm --filter trainer train\`)`,
  );
} else {
  run("No model yet: training the quick demo model on Motif's built-in corpus", [
    "--filter",
    "trainer",
    "train",
  ]);
}
run("Building the gallery", ["exec", "turbo", "run", "build", "--filter=web"]);
console.log(`\n♪ Motif gallery: http://localhost:${process.env.PORT ?? 3000}\n`);
run("Serving", ["--filter", "web", "start"]);
