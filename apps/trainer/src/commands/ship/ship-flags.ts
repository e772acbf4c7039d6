// `ship` flags: a published bundle trained on an openly licensed corpus → a built-in model.
import path from "node:path";
import { z } from "zod";
import { BACKEND_CHOICES, BACKEND_CHOICES_TEXT, type BackendChoice } from "../../runtime/backend-choice.js";
import type { CommandSpec } from "../../cli/command-args.js";

export interface ShipOptions {
  model: string;
  data: string;
  catalog: string | undefined;
  name: string;
  version: string;
  out: string | undefined;
  backend: BackendChoice | undefined;
}

export const shipCommand: CommandSpec<ShipOptions> = {
  name: "ship",
  brief: "Make a bundle trained on an openly licensed corpus a built-in model (builtin-models/)",
  summary:
    "Copies the bundle into <out>/<name>/<version>/ re-sealed under that name (the weights are untouched), runs its evaluation again on --data " +
    "(8 pieces; the training songs' notes ship as reference-notes.bin.gz), and writes sources.json (every training and validation file with its " +
    "sha256, licence and attribution, from the catalog) and NOTICE.md. Refuses a file the catalog lacks or whose licence is not public domain, CC0 or CC BY.",
  positionals: [],
  flags: {
    model: { type: "string", value: "DIR", description: "The published bundle (or its model folder)." },
    data: {
      type: "string",
      value: "DIR",
      description: "The MIDI folder it was trained on (files are matched by sha256).",
    },
    catalog: {
      type: "string",
      value: "FILE",
      description: "catalog.json with path, title, composer, license, sha256 per file.",
      defaultText: "<data>/../catalog.json",
    },
    name: {
      type: "string",
      value: "NAME",
      description: "Name of the built-in model.",
      defaultText: "mutopia-piano",
    },
    version: { type: "string", value: "V", description: "Its version.", defaultText: "v1" },
    out: {
      type: "string",
      value: "DIR",
      description: "Root of the built-in models.",
      defaultText: "<repo>/builtin-models",
    },
    backend: {
      type: "string",
      value: "KIND",
      description: `${BACKEND_CHOICES_TEXT}.`,
      defaultText: "$MOTIF_BACKEND or auto",
    },
  },
  examples: [
    "pnpm --filter trainer ship --model models/mutopia-keyboard --data ../shared/datasets/mutopia-keyboard/midi",
  ],
  schema: z
    .object({
      positionals: z.array(z.string()).max(0),
      model: z.string().min(1),
      data: z.string().min(1),
      catalog: z.string().min(1).optional(),
      name: z
        .string()
        .regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, '.', '_' or '-'")
        .optional(),
      version: z
        .string()
        .regex(/^v\d+$/, "v<number>")
        .optional(),
      out: z.string().min(1).optional(),
      backend: z.enum(BACKEND_CHOICES).optional(),
    })
    .transform((raw): ShipOptions => ({
      model: raw.model,
      data: raw.data,
      catalog: raw.catalog,
      name: raw.name ?? "mutopia-piano",
      version: raw.version ?? "v1",
      out: raw.out,
      backend: raw.backend,
    })),
};

/** --catalog, else catalog.json beside the MIDI folder (mutopia-keyboard/{catalog.json,midi/}). */
export const catalogPathFor = (options: Pick<ShipOptions, "catalog">, dataDir: string): string =>
  options.catalog ?? path.join(path.dirname(dataDir), "catalog.json");
