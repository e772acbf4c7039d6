import { describe, expect, it } from "vitest";
import { augmentBenchCommand } from "./bench/augment.js";
import { formatHelp, type CommandSpec } from "./cli/command-args.js";
import { evaluateCommand } from "./commands/evaluate/evaluate-flags.js";
import { generateCommand } from "./commands/generate/generate-flags.js";
import { scanCommand } from "./commands/scan/scan-flags.js";
import { runCli } from "./test-support/run-cli.js";
import { trainCommand } from "./commands/train/train-flags.js";

const specs = [
  scanCommand,
  trainCommand,
  generateCommand,
  evaluateCommand,
  augmentBenchCommand,
] as CommandSpec<unknown>[];

describe("--help", () => {
  it.each(specs.map((spec) => [spec.name, spec] as const))("%s documents every flag", (_name, spec) => {
    const help = formatHelp(spec, "motif");
    for (const [flag, info] of Object.entries(spec.flags)) {
      expect(info.description.length, flag).toBeGreaterThan(10);
      expect(help).toContain(
        `  --${flag}${info.type === "string" ? ` ${info.value}` : ""}\n      ${info.description}`,
      );
    }
  });

  it("prints the help on stdout and exits 0 through the real CLI", async () => {
    const result = await runCli(["train", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: pnpm --filter trainer train [flags]");
    expect(result.stdout).toContain("--augment RANGE");
    const overview = await runCli(["help"]);
    expect(overview.code).toBe(0);
    for (const name of ["scan", "train", "generate", "evaluate", "bench", "bench-augment"])
      expect(overview.stdout).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
    const unknown = await runCli(["trian"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "trian"');
  });
});
