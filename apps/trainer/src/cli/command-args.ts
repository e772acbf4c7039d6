// Flag parsing shared by every command: node:util parseArgs for the syntax, zod for the values,
// and one help text generated from the same flag table so the two never drift apart.
import { parseArgs } from "node:util";
import type { z } from "zod";
import { UsageError } from "../errors.js";

export interface FlagSpec {
  type: "string" | "boolean";
  /** Placeholder shown in help, e.g. "DIR" or "N". */
  value?: string;
  description: string;
  /** Shown in help; the schema decides the real default. */
  defaultText?: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
}

export interface CommandSpec<T> {
  name: string;
  /** One line for the command overview. */
  brief: string;
  summary: string;
  positionals: PositionalSpec[];
  flags: Record<string, FlagSpec>;
  examples: string[];
  /** Receives `{ positionals: string[], <flag>: string | boolean | undefined }`. */
  schema: z.ZodType<T>;
}

type ParsedCommand<T> = { help: true } | { help: false; options: T };

export function parseCommand<T>(spec: CommandSpec<T>, argv: string[]): ParsedCommand<T> {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, flag] of Object.entries(spec.flags)) options[name] = { type: flag.type };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, spec.flags),
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(describeParseArgsError(error), spec.name);
  }
  if (parsed.values.help === true) return { help: true };
  if (parsed.positionals.length > spec.positionals.length) {
    const extra = parsed.positionals.slice(spec.positionals.length).join(" ");
    throw new UsageError(`unexpected argument(s): ${extra}`, spec.name);
  }
  const { help: _help, ...values } = parsed.values;
  const result = spec.schema.safeParse({ ...values, positionals: parsed.positionals });
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path[0];
      const where =
        key === "positionals"
          ? (spec.positionals[Number(issue.path[1] ?? 0)]?.name ?? "argument")
          : key === undefined
            ? ""
            : `--${String(key)}`;
      return where ? `${where}: ${issue.message}` : issue.message;
    });
    throw new UsageError(lines.join("\n"), spec.name);
  }
  return { help: false, options: result.data };
}

/** `--augment -5..6` → `--augment=-5..6`: parseArgs would otherwise take "-5..6" for a flag. */
function joinNegativeValues(argv: string[], flags: Record<string, FlagSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const flag = arg.startsWith("--") ? flags[arg.slice(2)] : undefined;
    if (flag?.type === "string" && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function describeParseArgsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1];
    return `unknown flag ${flag ?? message}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return message.replace(/^Option '([^']+)'/, "flag $1");
  }
  return message;
}

export function formatHelp(spec: CommandSpec<unknown>, invocation: string): string {
  const positionals = spec.positionals.map((p) => ` <${p.name}>`).join("");
  const lines = [`Usage: ${invocation} ${spec.name}${positionals} [flags]`, "", spec.summary, ""];
  if (spec.positionals.length > 0) {
    lines.push("Arguments:");
    for (const p of spec.positionals) lines.push(`  <${p.name}>`, `      ${p.description}`);
    lines.push("");
  }
  lines.push("Flags:");
  for (const [name, flag] of Object.entries(spec.flags)) {
    const value = flag.type === "string" ? ` ${flag.value ?? "VALUE"}` : "";
    lines.push(`  --${name}${value}`);
    const defaultText = flag.defaultText === undefined ? "" : ` (default: ${flag.defaultText})`;
    lines.push(`      ${flag.description}${defaultText}`);
  }
  lines.push("  --help, -h", "      Show this help.");
  if (spec.examples.length > 0) lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  return lines.join("\n") + "\n";
}
