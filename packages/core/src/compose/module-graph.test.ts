// @motif/core/compose must not pull in the training loop: walk its runtime import graph (type-only
// imports are erased) from the entry package.json names, as a bundler would.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const exportsMap = (
  JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
    exports: Record<string, Record<string, string>>;
  }
).exports;

/** Specifiers a module imports at run time (static imports and re-exports that are not type-only, dynamic imports). */
function runtimeSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, "utf8"),
    ts.ScriptTarget.ES2022,
    false,
    ts.ScriptKind.TS,
  );
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isImportDeclaration(node) &&
      !node.importClause?.isTypeOnly &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      specifiers.push(node.moduleSpecifier.text);
    if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      specifiers.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      specifiers.push(argument && ts.isStringLiteral(argument) ? argument.text : "<computed>");
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** Every source file reachable from `entry` (relative to src/), and the packages they import. */
function moduleGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const src = path.join(packageDir, "src");
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [path.join(packageDir, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    const relative = path.relative(src, file).split(path.sep).join("/");
    if (files.has(relative)) continue;
    files.add(relative);
    for (const specifier of runtimeSpecifiers(file)) {
      if (!specifier.startsWith(".")) {
        packages.add(specifier);
        continue;
      }
      const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"));
      expect(existsSync(target), `${relative} imports ${specifier}`).toBe(true);
      queue.push(target);
    }
  }
  return { files, packages };
}

const TRAINING = [
  "training/train.ts",
  "training/optimizer.ts",
  "training/gradient-shards.ts",
  "training/training-graph.ts",
  "training/lr-schedule.ts",
  "training/data.ts",
  "training/checkpoint.ts",
];

describe("@motif/core/compose", () => {
  it("is a subpath export like the root: source for @motif/source, dist otherwise", () => {
    expect(exportsMap["./compose"]).toEqual({
      "@motif/source": "./src/compose/index.ts",
      types: "./dist/compose/index.d.ts",
      default: "./dist/compose/index.js",
    });
  });

  it("does not reach the training loop, the model barrel or the root entry", () => {
    const { files, packages } = moduleGraph(exportsMap["./compose"]!["@motif/source"]!);
    expect(files).toContain("compose/composer.ts");
    expect(files).toContain("inference/wasm-step/wasm-step-model.ts");
    expect(files).toContain("bundle/load-bundle.ts");
    for (const file of [...TRAINING, "training/index.ts", "model/index.ts", "index.ts"])
      expect(files, file).not.toContain(file);
    expect([...packages].sort()).toEqual(["@motif/midi", "@tensorflow/tfjs", "zod"]);
  });

  it("is checked by a walk that does see the training loop from the root entry", () => {
    const { files } = moduleGraph(exportsMap["."]!["@motif/source"]!);
    for (const file of TRAINING) expect(files, file).toContain(file);
  });
});
