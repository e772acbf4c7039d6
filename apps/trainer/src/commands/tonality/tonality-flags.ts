// `tonality` flags: a bundle, the MIDI folder it was trained on, how many pieces to generate (the run: tonality.ts).
import { z } from "zod";
import type { CommandSpec } from "../../cli/command-args.js";
import { RECIPE_DEFAULTS } from "@motif/core/compose";
import { integerFlag, numberFlag } from "../../cli/flag-values.js";

export interface TonalityOptions {
  model: string;
  data: string;
  pieces: number;
  length: number;
  longPieces: number;
  longLength: number;
  maxOrder: number;
  /** The generated pieces' sampler: the default recipe's unless given (to probe what the nucleus does to the music). */
  temperature: number;
  topP: number | null;
  json: string | undefined;
  /** Key memory strength of the teacher-forced figures and the pieces; undefined = the bundle's. */
  keyMemory: number | undefined;
  /** Its half-life in notes (null = never fades); undefined = the bundle's. */
  keyMemoryHalfLife: number | null | undefined;
  /** Teacher-forced figures for every strength × half-life (a table; the pieces use --key-memory). */
  sweepKeyMemory: number[];
  sweepHalfLives: (number | null)[];
  /** Tokens of a validation song's opening each piece continues (piece i: song i mod n); 0 = no primer. */
  primerTokens: number;
}

export const tonalityCommand: CommandSpec<TonalityOptions> = {
  name: "tonality",
  brief:
    "Music in key: in-key mass and note accuracy vs note n-grams, and generated pieces vs the validation songs",
  summary:
    "Scores a bundle on its own validation songs (the files its manifest marks `validation`, read from --data and key-normalised " +
    "as in training): teacher-forced loss, in-key probability mass and note accuracy, next to count-based note n-grams " +
    "(orders 1..--max-order) counted on its training songs. Then generates --pieces pieces of --length tokens and --long-pieces of " +
    "--long-length tokens at the default recipe (temperature 1, top-p 0.95, guard on, no primer; --temperature and --top-p change the sampler) and compares their scale " +
    "consistency, pitch-class entropy, polyphony, groove and inter-onset interval with the validation songs'.",
  positionals: [],
  flags: {
    model: {
      type: "string",
      value: "DIR",
      description: "A bundle folder or a model folder (its LATEST version).",
    },
    data: {
      type: "string",
      value: "DIR",
      description: "The MIDI folder the model was trained on (files are matched by hash).",
    },
    pieces: { type: "string", value: "N", description: "Generated pieces at --length.", defaultText: "16" },
    length: { type: "string", value: "N", description: "Tokens per piece.", defaultText: "500" },
    "long-pieces": {
      type: "string",
      value: "N",
      description: "Long pieces whose last third is measured for drift.",
      defaultText: "4",
    },
    "long-length": { type: "string", value: "N", description: "Tokens per long piece.", defaultText: "2000" },
    "max-order": {
      type: "string",
      value: "N",
      description: "Highest n-gram order (notes of context).",
      defaultText: "4",
    },
    temperature: {
      type: "string",
      value: "T",
      description: "Sampling temperature of the generated pieces.",
      defaultText: "the default recipe's (1)",
    },
    "top-p": {
      type: "string",
      value: "P|off",
      description: "Nucleus of the generated pieces; off samples the whole distribution.",
      defaultText: "the default recipe's (0.95)",
    },
    json: { type: "string", value: "FILE", description: "Also write every figure to this JSON file." },
    "key-memory": {
      type: "string",
      value: "S|off",
      description:
        "Key memory strength of the teacher-forced figures and the pieces (to probe what it does).",
      defaultText: "the bundle's (none unless trained with --key-memory)",
    },
    "key-memory-half-life": {
      type: "string",
      value: "N|off",
      description: "Notes after which the key memory's notes count half; off = they never fade.",
      defaultText: "the bundle's",
    },
    "primer-tokens": {
      type: "string",
      value: "N",
      description:
        "Each piece continues the first N tokens of a validation song (piece i: song i mod their count); only the continuation is measured.",
      defaultText: "0 (no primer, the default recipe)",
    },
    "sweep-key-memory": {
      type: "string",
      value: "S,S,...",
      description: "Also print teacher-forced figures at these key memory strengths ...",
    },
    "sweep-half-lives": {
      type: "string",
      value: "N|off,...",
      description: "... and these half-lives.",
      defaultText: "off",
    },
  },
  examples: [
    "pnpm --filter trainer tonality --model models/final-fantasy --data ../shared/datasets/final-fantasy",
    "pnpm --filter trainer tonality --model models/mutopia --data ../shared/datasets/mutopia-keyboard/midi --json runs/tonality.json",
  ],
  schema: z
    .object({
      positionals: z.array(z.string()).max(0),
      model: z.string().min(1),
      data: z.string().min(1),
      pieces: integerFlag(1, 1000).optional(),
      length: integerFlag(1, 100_000).optional(),
      "long-pieces": integerFlag(0, 1000).optional(),
      "long-length": integerFlag(3, 100_000).optional(),
      "max-order": integerFlag(1, 16).optional(),
      temperature: numberFlag(0, 5, { exclusiveMin: true }).optional(),
      "top-p": z.union([z.literal("off"), numberFlag(0, 1, { exclusiveMin: true })]).optional(),
      json: z.string().min(1).optional(),
      "key-memory": z.union([z.literal("off"), numberFlag(0, 4)]).optional(),
      "key-memory-half-life": z.union([z.literal("off"), numberFlag(1, 1e9)]).optional(),
      "primer-tokens": integerFlag(0, 10_000).optional(),
      "sweep-key-memory": z
        .string()
        .regex(/^[0-9.]+(,[0-9.]+)*$/)
        .optional(),
      "sweep-half-lives": z
        .string()
        .regex(/^(off|[0-9.]+)(,(off|[0-9.]+))*$/)
        .optional(),
    })
    .transform((raw) => ({
      model: raw.model,
      data: raw.data,
      pieces: raw.pieces ?? 16,
      length: raw.length ?? 500,
      longPieces: raw["long-pieces"] ?? 4,
      longLength: raw["long-length"] ?? 2000,
      maxOrder: raw["max-order"] ?? 4,
      temperature: raw.temperature ?? RECIPE_DEFAULTS.temperature,
      topP: raw["top-p"] === "off" ? null : (raw["top-p"] ?? RECIPE_DEFAULTS.topP),
      json: raw.json,
      keyMemory: raw["key-memory"] === "off" ? 0 : raw["key-memory"],
      keyMemoryHalfLife: raw["key-memory-half-life"] === "off" ? null : raw["key-memory-half-life"],
      primerTokens: raw["primer-tokens"] ?? 0,
      sweepKeyMemory: raw["sweep-key-memory"]?.split(",").map(Number) ?? [],
      sweepHalfLives: (raw["sweep-half-lives"] ?? "off")
        .split(",")
        .map((h) => (h === "off" ? null : Number(h))),
    })),
};
