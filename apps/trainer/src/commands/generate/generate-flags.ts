// `generate` flags: parsed and validated here into a Composer recipe and the files to read and write.
import { z } from "zod";
import { RECIPE_DEFAULTS, parseKeyChoice, type KeyChoice, type Recipe } from "@motif/core";
import { BACKEND_CHOICES, BACKEND_CHOICES_TEXT, type BackendChoice } from "../../runtime/backend-choice.js";
import type { CommandSpec } from "../../cli/command-args.js";
import { integerFlag, numberFlag, seedFlag } from "../../cli/flag-values.js";

/** The flags: a Composer recipe (seed optional, primer as the CLI names it) and where to read and write. */
export interface GenerateCliOptions extends Omit<Recipe, "seed" | "primer" | "key"> {
  /** undefined = <models root>/demo (its LATEST version). */
  model: string | undefined;
  /** undefined = a random seed, printed. */
  seed: number | undefined;
  primer: { kind: "none" } | { kind: "corpus" } | { kind: "file"; path: string };
  /** For --primer corpus: the MIDI folder the model was trained on; undefined = the demo corpus. */
  data: string | undefined;
  out: string | undefined;
  /** undefined = "primer" with a primer, "as-trained" without. */
  key: KeyChoice | undefined;
  backend: BackendChoice | undefined;
}

const offOr = <T extends z.ZodType<number>>(schema: T) =>
  z.union([z.enum(["none", "off", "0"]).transform(() => null), schema]);

const schema = z
  .object({
    positionals: z.array(z.string()).max(0),
    model: z.string().min(1).optional(),
    length: integerFlag(1, 100_000).optional(),
    temperature: numberFlag(0, 10, { exclusiveMin: true }).optional(),
    "top-k": offOr(integerFlag(1, 100_000)).optional(),
    "top-p": offOr(numberFlag(0, 1, { exclusiveMin: true })).optional(),
    seed: seedFlag.optional(),
    primer: z.string().min(1).optional(),
    "primer-length": integerFlag(1, 10_000).optional(),
    "keep-primer": z.boolean().optional(),
    data: z.string().min(1).optional(),
    out: z.string().min(1).optional(),
    style: z.enum(["seed", "motif"]).optional(),
    guard: z.enum(["on", "off"]).optional(),
    bpm: numberFlag(10, 400).optional(),
    key: z
      .string()
      .transform((text, ctx) => {
        const choice = parseKeyChoice(text);
        if (choice === null)
          ctx.addIssue({
            code: "custom",
            message: `expected as-trained, primer or a key such as "D minor" or "Bb major"; got "${text}"`,
          });
        return choice ?? z.NEVER;
      })
      .optional(),
    backend: z.enum(BACKEND_CHOICES).optional(),
  })
  .superRefine((raw, ctx) => {
    const primer = raw.primer ?? "none";
    if (primer !== "none" && primer !== "corpus" && !/\.midi?$/i.test(primer)) {
      ctx.addIssue({
        code: "custom",
        path: ["primer"],
        message: `expected none, corpus or a .mid/.midi file; got "${primer}"`,
      });
    }
  })
  .transform((raw): GenerateCliOptions => ({
    model: raw.model,
    length: raw.length ?? RECIPE_DEFAULTS.length,
    temperature: raw.temperature ?? RECIPE_DEFAULTS.temperature,
    topK: raw["top-k"] === undefined ? RECIPE_DEFAULTS.topK : raw["top-k"],
    topP: raw["top-p"] === undefined ? RECIPE_DEFAULTS.topP : raw["top-p"],
    seed: raw.seed,
    primer:
      raw.primer === undefined || raw.primer === "none"
        ? { kind: "none" }
        : raw.primer === "corpus"
          ? { kind: "corpus" }
          : { kind: "file", path: raw.primer },
    primerLength: raw["primer-length"] ?? RECIPE_DEFAULTS.primerLength,
    keepPrimer: raw["keep-primer"] ?? RECIPE_DEFAULTS.keepPrimer,
    data: raw.data,
    out: raw.out,
    style: raw.style ?? RECIPE_DEFAULTS.style,
    repetitionGuard: raw.guard === undefined ? RECIPE_DEFAULTS.repetitionGuard : raw.guard === "on",
    bpm: raw.bpm ?? RECIPE_DEFAULTS.bpm,
    key: raw.key,
    backend: raw.backend,
  }));

export const generateCommand: CommandSpec<GenerateCliOptions> = {
  name: "generate",
  brief: "Generate a reproducible piece from a model bundle",
  summary:
    "Generate a piece from a published model bundle, step by step with the LSTM state carried, sampling with a seeded PRNG. " +
    "The recipe (bundle hash, seed, every parameter) is printed and written into the MIDI as text events; the same recipe gives a byte-identical file.",
  positionals: [],
  flags: {
    model: {
      type: "string",
      value: "DIR",
      description:
        "A bundle folder (<models>/<name>/<version>) or a model folder (<models>/<name>, uses its LATEST version).",
      defaultText: "<models root>/demo",
    },
    length: {
      type: "string",
      value: "N",
      description: "Number of tokens to generate after the primer.",
      defaultText: "500",
    },
    temperature: {
      type: "string",
      value: "T",
      description: "Sampling temperature (> 0); lower is more conservative.",
      defaultText: "1",
    },
    "top-k": {
      type: "string",
      value: "K",
      description: 'Sample only among the K most likely tokens; "none" = no limit.',
      defaultText: "none",
    },
    "top-p": {
      type: "string",
      value: "P",
      description:
        'Nucleus sampling: the smallest set of tokens with probability ≥ P (0 < P ≤ 1); "none" = off.',
      defaultText: "0.95",
    },
    seed: {
      type: "string",
      value: "N",
      description: "PRNG seed (0 to 2^32-1); the same seed and settings give the same piece.",
      defaultText: "random, printed",
    },
    primer: {
      type: "string",
      value: "none|corpus|FILE.mid",
      description:
        "What to start from: nothing, a window of a training song (seeded pick), or the beginning of a MIDI file.",
      defaultText: "none",
    },
    "primer-length": {
      type: "string",
      value: "N",
      description: "Primer tokens taken from the corpus song or the file.",
      defaultText: "32",
    },
    "keep-primer": {
      type: "boolean",
      description:
        "Keep the primer's notes at the start of the written piece (default: only the generated continuation).",
    },
    data: {
      type: "string",
      value: "DIR",
      description:
        "For --primer corpus: the MIDI folder the model was trained on (files are matched by hash).",
      defaultText: "the demo corpus",
    },
    out: {
      type: "string",
      value: "FILE.mid",
      description: "Where to write the piece.",
      defaultText: "<name>-<version>-seed<N>.mid",
    },
    key: {
      type: "string",
      value: "KEY",
      description:
        'The key of the piece: a key such as "D minor" or "Bb major" (the scale, and the tonic in the mode the model chose), "primer" (the primer\'s key) or "as-trained" (C major / A minor for key-normalised models).',
      defaultText: "primer with a primer, else as-trained",
    },
    style: {
      type: "string",
      value: "seed|motif",
      description:
        "notes-chords models only: decode like the seed (0.5-quarter steps, quarter notes) or Motif's better rhythm.",
      defaultText: "motif",
    },
    guard: {
      type: "string",
      value: "on|off",
      description:
        "Block a token that would repeat a short pattern a 9th time in a row (against collapsing into one note).",
      defaultText: "on",
    },
    bpm: { type: "string", value: "BPM", description: "Tempo of the written file.", defaultText: "120" },
    backend: {
      type: "string",
      value: "KIND",
      description: `${BACKEND_CHOICES_TEXT}.`,
      defaultText: "$MOTIF_BACKEND or auto",
    },
  },
  examples: [
    "pnpm --filter trainer generate",
    "pnpm --filter trainer generate --model models/demo/v1 --length 800 --temperature 0.9 --top-p 0.9 --seed 42 --out piece.mid",
    "pnpm --filter trainer generate --model models/final-fantasy --primer corpus --data ../shared/datasets/final-fantasy",
  ],
  schema,
};
