// `evaluate` flags: next-token loss / accuracy on a MIDI folder, or, with --pieces / --pieces-dir,
// a music report of pieces against a reference corpus.
import { z } from "zod";
import { RECIPE_DEFAULTS } from "@motif/core";
import { BACKEND_CHOICES, BACKEND_CHOICES_TEXT, type BackendChoice } from "../../runtime/backend-choice.js";
import type { CommandSpec } from "../../cli/command-args.js";
import { integerFlag, numberFlag } from "../../cli/flag-values.js";

export interface EvaluateOptions {
  model: string | undefined;
  data: string | undefined;
  maxTokens: number;
  json: boolean;
  backend: BackendChoice | undefined;
  /** Music report: generate this many pieces (seeds 1..N) and write them to `out`. */
  pieces: number | undefined;
  /** Music report on the MIDI files of this folder instead of generated pieces. */
  piecesDir: string | undefined;
  out: string | undefined;
  /** The generated pieces' recipe: generate's defaults but for these. */
  length: number;
  temperature: number;
  topP: number | null;
  /** Write the bundle's own evaluation (evaluation.json, reference notes, pictures) into its folder. */
  attach: boolean;
}

const PIECE_ONLY = ["length", "temperature", "top-p"] as const;

export const evaluateCommand: CommandSpec<EvaluateOptions> = {
  name: "evaluate",
  brief: "Loss, accuracy and perplexity of a model on a MIDI folder, or a music report of pieces",
  summary:
    "Measure a model on a folder of MIDI files: next-token loss, accuracy and perplexity per file and overall " +
    "(the model is run step by step with its state carried, like generation). Tokens the vocabulary lacks are counted and skipped. " +
    "With --pieces N: generate N pieces (seeds 1..N, default recipe: temperature 1, top-p 0.95, guard on, no primer), write them to --out " +
    "and report, per piece and overall, the collapse rate, the scalar piece features and their overlap (OA, KL) with the reference songs, " +
    "and how much they copy (copy@8/16/32: share of n-note-move runs found in the reference; the longest copy with its source and bar). " +
    "The reference is the bundle's training songs found in --data by hash; its validation songs are the human baseline, checked for copies the same way. " +
    "With --pieces-dir DIR: the same report for MIDI files made elsewhere (reference: every file of --data, or the bundle's training songs with --model).",
  positionals: [],
  flags: {
    model: {
      type: "string",
      value: "DIR",
      description: "A bundle folder or a model folder (uses its LATEST version).",
      defaultText: "<models root>/demo; none with --pieces-dir",
    },
    data: {
      type: "string",
      value: "DIR",
      description: "Folder of MIDI files to evaluate on; with --pieces / --pieces-dir, the reference corpus.",
      defaultText: "the demo corpus",
    },
    "max-tokens": {
      type: "string",
      value: "N",
      description: "Evaluate at most the first N tokens of each file (loss mode).",
      defaultText: "2000",
    },
    pieces: {
      type: "string",
      value: "N",
      description:
        "Music report: generate N pieces with seeds 1..N and write them to --out as piece-<seed>.mid.",
    },
    "pieces-dir": {
      type: "string",
      value: "DIR",
      description: "Music report on the MIDI files of DIR (made elsewhere) instead of generating.",
    },
    attach: {
      type: "boolean",
      description:
        "Compute the bundle's own evaluation (what `train` writes when it publishes: 8 pieces, the training songs' notes, histograms) and write it into the bundle folder.",
    },
    out: {
      type: "string",
      value: "DIR",
      description:
        "With --pieces: the folder the pieces are written to (created if missing). With --pieces or --pieces-dir: report.json, report.svg and report.png (feature histograms, pieces vs reference) go there too.",
    },
    length: {
      type: "string",
      value: "N",
      description: "With --pieces: tokens per generated piece.",
      defaultText: "500",
    },
    temperature: {
      type: "string",
      value: "T",
      description: "With --pieces: sampling temperature (> 0).",
      defaultText: "1",
    },
    "top-p": {
      type: "string",
      value: "P",
      description: 'With --pieces: nucleus sampling threshold (0 < P ≤ 1); "none" = off.',
      defaultText: "0.95",
    },
    json: { type: "boolean", description: "Print one JSON object on stdout instead of the table." },
    backend: {
      type: "string",
      value: "KIND",
      description: `${BACKEND_CHOICES_TEXT}.`,
      defaultText: "$MOTIF_BACKEND or auto",
    },
  },
  examples: [
    "pnpm --filter trainer evaluate --model models/final-fantasy --data ../shared/datasets/final-fantasy",
    "pnpm --filter trainer evaluate --model models/final-fantasy --data ../shared/datasets/final-fantasy --pieces 16 --out runs/ff-pieces",
    "pnpm --filter trainer evaluate --pieces-dir runs/ff-pieces --data ../shared/datasets/final-fantasy --model models/final-fantasy --json",
    "pnpm --filter trainer evaluate --attach --model models/final-fantasy --data ../shared/datasets/final-fantasy",
  ],
  schema: z
    .object({
      positionals: z.array(z.string()).max(0),
      model: z.string().min(1).optional(),
      data: z.string().min(1).optional(),
      "max-tokens": integerFlag(2, 1_000_000).optional(),
      pieces: integerFlag(1, 10_000).optional(),
      "pieces-dir": z.string().min(1).optional(),
      out: z.string().min(1).optional(),
      length: integerFlag(1, 100_000).optional(),
      temperature: numberFlag(0, 10, { exclusiveMin: true }).optional(),
      "top-p": z
        .union([z.enum(["none", "off", "0"]).transform(() => null), numberFlag(0, 1, { exclusiveMin: true })])
        .optional(),
      json: z.boolean().optional(),
      attach: z.boolean().optional(),
      backend: z.enum(BACKEND_CHOICES).optional(),
    })
    .superRefine((raw, ctx) => {
      if (raw.pieces !== undefined && raw["pieces-dir"] !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["pieces-dir"],
          message: "give either --pieces N (generate) or --pieces-dir DIR (existing files), not both",
        });
      }
      if (raw.pieces !== undefined || raw["pieces-dir"] !== undefined) {
        if (raw["max-tokens"] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["max-tokens"],
            message: "only for the loss mode, not with --pieces / --pieces-dir",
          });
      }
      if (raw.pieces === undefined) {
        for (const flag of PIECE_ONLY)
          if (raw[flag] !== undefined)
            ctx.addIssue({ code: "custom", path: [flag], message: "only with --pieces N" });
      }
      if (raw.out !== undefined && raw.pieces === undefined && raw["pieces-dir"] === undefined)
        ctx.addIssue({ code: "custom", path: ["out"], message: "only with --pieces N or --pieces-dir DIR" });
      if (raw.attach === true) {
        if (raw.model === undefined)
          ctx.addIssue({
            code: "custom",
            path: ["attach"],
            message: "--attach writes into a bundle: add --model DIR",
          });
        for (const flag of ["pieces", "pieces-dir", "out", "max-tokens", "json"] as const) {
          if (raw[flag] !== undefined)
            ctx.addIssue({
              code: "custom",
              path: [flag],
              message: "not with --attach (it always writes the publish-time evaluation into the bundle)",
            });
        }
      }
    })
    .transform((raw): EvaluateOptions => ({
      model: raw.model,
      data: raw.data,
      maxTokens: raw["max-tokens"] ?? 2000,
      json: raw.json ?? false,
      attach: raw.attach ?? false,
      backend: raw.backend,
      pieces: raw.pieces,
      piecesDir: raw["pieces-dir"],
      out: raw.out,
      length: raw.length ?? RECIPE_DEFAULTS.length,
      temperature: raw.temperature ?? RECIPE_DEFAULTS.temperature,
      topP: raw["top-p"] === undefined ? RECIPE_DEFAULTS.topP : raw["top-p"],
    })),
};
