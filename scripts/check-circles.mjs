// Import circles in the workspace's sources, tests included: exits 1 and lists each circle.
// One madge run per source root, each resolving imports the way its tsconfig does (the web
// app's "@/..." paths need a baseUrl here: madge drops the tsconfig's folder when it parses it).
import path from "node:path";
import { fileURLToPath } from "node:url";
import madge from "madge";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const web = path.join(root, "apps/web");
const roots = [
  { dir: "packages/midi/src" },
  { dir: "packages/core/src" },
  { dir: "apps/trainer/src" },
  {
    dir: "apps/web/src",
    compilerOptions: {
      module: "esnext",
      moduleResolution: "bundler",
      jsx: "react-jsx",
      baseUrl: web,
      paths: { "@/*": ["./src/*"] },
    },
  },
];

let circles = 0;
for (const { dir, compilerOptions } of roots) {
  const base = path.join(root, dir);
  const result = await madge(base, {
    fileExtensions: ["ts", "tsx", "mts", "mjs", "js"],
    // Generated clients (Prisma, the wasm kernel's bytes) are not ours to arrange.
    excludeRegExp: [/(^|\/)generated\//],
    // Within one root only: another package is reached as its build (dist/), and package edges
    // point one way already (the workspace's dependencies and the lint rule on packages).
    dependencyFilter: (file) => file.startsWith(base + path.sep),
    tsConfig: { compilerOptions: compilerOptions ?? { module: "nodenext", moduleResolution: "nodenext" } },
  });
  const found = result.circular();
  const files = Object.keys(result.obj()).length;
  console.log(
    `${dir}: ${files} files, ${found.length === 0 ? "no import circle" : `${found.length} import circle(s)`}`,
  );
  for (const circle of found) console.log(`  ${[...circle, circle[0]].join(" -> ")}`);
  circles += found.length;
}
process.exitCode = circles === 0 ? 0 : 1;
