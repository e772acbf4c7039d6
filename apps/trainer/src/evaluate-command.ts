// `evaluate` flags.
import { z } from "zod";
import { BACKEND_CHOICES, type BackendChoice } from "./backend-choice.js";
import type { CommandSpec } from "./command-args.js";
import { integerFlag } from "./flag-values.js";

export interface EvaluateOptions {
  model: string | undefined;
  data: string | undefined;
  maxTokens: number;
  json: boolean;
  backend: BackendChoice | undefined;
}

export const evaluateCommand: CommandSpec<EvaluateOptions> = {
  name: "evaluate",
  brief: "Loss, accuracy and perplexity of a model on a MIDI folder",
  summary:
    "Measure a model on a folder of MIDI files: next-token loss, accuracy and perplexity per file and overall " +
    "(the model is run step by step with its state carried, like generation). Tokens the vocabulary lacks are counted and skipped.",
  positionals: [],
  flags: {
    model: { type: "string", value: "DIR", description: "A bundle folder or a model folder (uses its LATEST version).", defaultText: "<models root>/demo" },
    data: { type: "string", value: "DIR", description: "Folder of MIDI files to evaluate on.", defaultText: "the demo corpus" },
    "max-tokens": { type: "string", value: "N", description: "Evaluate at most the first N tokens of each file.", defaultText: "2000" },
    json: { type: "boolean", description: "Print one JSON object on stdout instead of the table." },
    backend: { type: "string", value: "KIND", description: "auto, node, wasm or cpu.", defaultText: "$MOTIF_BACKEND or auto" },
  },
  examples: ["pnpm --filter trainer evaluate --model models/final-fantasy --data ../shared/datasets/final-fantasy"],
  schema: z
    .object({
      positionals: z.array(z.string()).max(0),
      model: z.string().min(1).optional(),
      data: z.string().min(1).optional(),
      "max-tokens": integerFlag(2, 1_000_000).optional(),
      json: z.boolean().optional(),
      backend: z.enum(BACKEND_CHOICES).optional(),
    })
    .transform((raw) => ({ model: raw.model, data: raw.data, maxTokens: raw["max-tokens"] ?? 2000, json: raw.json ?? false, backend: raw.backend })),
};
