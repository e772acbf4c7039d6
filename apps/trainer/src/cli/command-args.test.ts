import { describe, expect, it } from "vitest";
import { z } from "zod";
import { formatHelp, parseCommand, type CommandSpec } from "./command-args.js";
import { UsageError } from "../errors.js";
import { integerFlag } from "./flag-values.js";

const spec: CommandSpec<{ dir: string; epochs: number; json: boolean }> = {
  name: "demo",
  brief: "A test command",
  summary: "A test command.",
  positionals: [{ name: "dir", description: "A folder." }],
  flags: {
    epochs: { type: "string", value: "N", description: "How many epochs.", defaultText: "3" },
    json: { type: "boolean", description: "JSON output." },
  },
  examples: ["demo ./x --epochs 4"],
  schema: z
    .object({
      positionals: z.tuple([z.string()], { error: "the folder is required" }),
      epochs: integerFlag(1, 10).optional(),
      json: z.boolean().optional(),
    })
    .transform((raw) => ({ dir: raw.positionals[0], epochs: raw.epochs ?? 3, json: raw.json ?? false })),
};

function usageMessage(argv: string[]): string {
  try {
    parseCommand(spec, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected a UsageError");
}

describe("parseCommand", () => {
  it("parses positionals and typed flags", () => {
    expect(parseCommand(spec, ["./songs", "--epochs", "7", "--json"])).toEqual({
      help: false,
      options: { dir: "./songs", epochs: 7, json: true },
    });
    expect(parseCommand(spec, ["./songs", "--epochs=2"])).toEqual({
      help: false,
      options: { dir: "./songs", epochs: 2, json: false },
    });
  });
  it("answers --help before validating anything", () => {
    expect(parseCommand(spec, ["--help"])).toEqual({ help: true });
    expect(parseCommand(spec, ["-h", "--epochs", "nope"])).toEqual({ help: true });
  });
  it("names the unknown flag, the bad value and the missing argument", () => {
    expect(usageMessage(["x", "--epoch", "3"])).toBe("unknown flag --epoch");
    expect(usageMessage(["x", "--epochs", "99"])).toBe("--epochs: must be at most 10");
    expect(usageMessage(["x", "--epochs"])).toMatch(/--epochs/);
    expect(usageMessage([])).toBe("dir: the folder is required");
    expect(usageMessage(["x", "y"])).toBe("unexpected argument(s): y");
  });
  it("documents every flag in the help text", () => {
    const help = formatHelp(spec as CommandSpec<unknown>, "motif");
    expect(help).toContain("Usage: motif demo <dir> [flags]");
    expect(help).toContain("--epochs N");
    expect(help).toContain("How many epochs. (default: 3)");
    expect(help).toContain("--json");
    expect(help).toContain("--help, -h");
  });
});

describe("negative values", () => {
  const withRange: CommandSpec<{ shift: string | undefined }> = {
    name: "t",
    brief: "",
    summary: "",
    positionals: [],
    flags: { shift: { type: "string", description: "" } },
    examples: [],
    schema: z
      .object({ positionals: z.array(z.string()), shift: z.string().optional() })
      .transform((raw) => ({ shift: raw.shift })),
  };
  it("accepts a value that starts with a minus sign", () => {
    expect(parseCommand(withRange, ["--shift", "-5..6"])).toEqual({
      help: false,
      options: { shift: "-5..6" },
    });
    expect(parseCommand(withRange, ["--shift", "-2"])).toEqual({ help: false, options: { shift: "-2" } });
  });
});
