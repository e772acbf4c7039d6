// Motif trainer command line: `scan`, `train`, `generate`, `evaluate`, `quality`, `tonality`, `bench`, `bench-augment`.
// Exit codes: 0 ok, 1 failure (message on stderr), 2 bad command-line input, 130 interrupted.
import { formatHelp, parseCommand, type CommandSpec } from "./cli/command-args.js";
import { CliError, UsageError } from "./errors.js";
import { scanCommand } from "./commands/scan/scan-flags.js";
import { runScan } from "./commands/scan/scan.js";

const INVOCATION = "pnpm --filter trainer";

interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

function command<T>(
  spec: CommandSpec<T>,
  load: () => Promise<(options: T) => Promise<number | void>>,
): Command {
  return {
    summary: spec.brief,
    async run(argv) {
      const parsed = parseCommand(spec, argv);
      if (parsed.help) {
        process.stdout.write(formatHelp(spec as CommandSpec<unknown>, INVOCATION));
        return 0;
      }
      const run = await load();
      return (await run(parsed.options)) ?? 0;
    },
  };
}

async function commands(): Promise<Record<string, Command>> {
  // Command modules that pull in tfjs are imported lazily so `scan` and `--help` start fast.
  const { trainCommand } = await import("./commands/train/train-flags.js");
  const { generateCommand } = await import("./commands/generate/generate-flags.js");
  const { evaluateCommand } = await import("./commands/evaluate/evaluate-flags.js");
  const { qualityCommand, runQuality } = await import("./bench/quality.js");
  const { tonalityCommand } = await import("./commands/tonality/tonality-flags.js");
  const { shipCommand } = await import("./commands/ship/ship-flags.js");
  const { augmentBenchCommand, runAugmentBench } = await import("./bench/augment.js");
  return {
    scan: command(
      scanCommand,
      async () => (options) => runScan(options, (text) => process.stdout.write(text)),
    ),
    train: command(trainCommand, async () => (await import("./commands/train/train.js")).runTrain),
    generate: command(
      generateCommand,
      async () => (await import("./commands/generate/generate.js")).runGenerate,
    ),
    evaluate: command(
      evaluateCommand,
      async () => (await import("./commands/evaluate/evaluate.js")).runEvaluate,
    ),
    quality: command(qualityCommand, async () => runQuality),
    tonality: command(
      tonalityCommand,
      async () => (await import("./commands/tonality/tonality.js")).runTonality,
    ),
    ship: command(shipCommand, async () => (await import("./commands/ship/ship.js")).runShip),
    "bench-augment": command(augmentBenchCommand, async () => runAugmentBench),
    bench: {
      summary: "Run the performance benchmarks (see src/bench)",
      async run(argv) {
        // The bench folder belongs to the performance work; it is loaded only when asked for.
        const benchEntry = "./bench/index.js";
        const bench = (await import(benchEntry)) as { runBench(argv: string[]): Promise<number | void> };
        return (await bench.runBench(argv)) ?? 0;
      },
    },
  };
}

function overview(all: Record<string, Command>): string {
  const width = Math.max(...Object.keys(all).map((name) => name.length));
  return [
    `Usage: ${INVOCATION} <command> [flags]`,
    "",
    "Commands:",
    ...Object.entries(all).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    `Run \`${INVOCATION} <command> --help\` for the flags of each command.`,
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const all = await commands();
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(overview(all));
    return name === undefined ? 2 : 0;
  }
  const selected = all[name];
  if (!selected) {
    process.stderr.write(`Unknown command "${name}".\n\n${overview(all)}`);
    return 2;
  }
  try {
    return await selected.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `${name}: ${error.message}\nRun \`${INVOCATION} ${name} --help\` for the list of flags.\n`,
      );
      return 2;
    }
    if (error instanceof CliError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
