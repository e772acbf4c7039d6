// `train --init-from`: the bundle a fine-tuning run starts from, checked against the run's settings.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { presetOf, type InitFrom, type ModelConfig, type TrainingConfig } from "@motif/core";
import { CliError } from "../../errors.js";
import { modelDirFor, openBundle, type OpenedBundle } from "../../store/bundle-dir.js";
import { resolvedTokenizer, type TrainOptions } from "./train-flags.js";

/** Opens the bundle `--init-from` names (a folder, a model name, or a built-in model) and checks it. */
export async function openInitBundle(spec: string): Promise<OpenedBundle> {
  return openBundle(await modelDirFor(spec));
}

export function initFromRecord(bundle: OpenedBundle): InitFrom {
  const { name, version, weightsSha256 } = bundle.manifest;
  return { name, version, weightsSha256 };
}

/**
 * The run's model config with the init bundle's architecture (the weights must fit it): layers,
 * units, embedding, cell and target come from the bundle; the vocabulary size, window and dropout
 * stay the run's. A flag that asks for another architecture, another tokenizer or other key
 * handling is refused, naming both sides.
 */
export function adoptInitArchitecture(
  run: { model: ModelConfig; training: TrainingConfig },
  init: OpenedBundle,
  options: TrainOptions,
): ModelConfig {
  const from = init.manifest.model;
  const label = `--init-from ${init.manifest.name} ${init.manifest.version}`;
  const conflicts: string[] = [];
  const tokenizer = resolvedTokenizer(options);
  if (tokenizer !== init.manifest.tokenizer.kind)
    conflicts.push(`it reads ${init.manifest.tokenizer.kind} tokens, this run ${tokenizer}`);
  const keys = (training: TrainingConfig) => training.keyNormalization ?? "none";
  if (keys(run.training) !== keys(init.manifest.training))
    conflicts.push(
      `it was trained with --keys ${keys(init.manifest.training)}, this run uses --keys ${keys(run.training)}`,
    );
  if (presetOf(run.model.preset) !== presetOf(from.preset))
    conflicts.push(`it is the ${from.preset} preset, this run ${run.model.preset}`);
  if (options.layers !== undefined && options.layers !== from.units.length)
    conflicts.push(`it has ${from.units.length} LSTM layers, --layers says ${options.layers}`);
  if (options.units !== undefined && from.units.some((units) => units !== options.units))
    conflicts.push(`its LSTM is ${from.units.join("x")}, --units says ${options.units}`);
  if (options.cell !== undefined && options.cell !== from.cell)
    conflicts.push(`its cell is ${from.cell}, --cell says ${options.cell}`);
  if (conflicts.length > 0) throw new CliError(`${label} does not fit this run: ${conflicts.join("; ")}`, 2);
  return {
    ...run.model,
    input: from.input,
    embeddingDim: from.embeddingDim,
    units: [...from.units],
    denseUnits: from.denseUnits,
    target: from.target,
    cell: from.cell,
  };
}

/**
 * The init bundle's NOTICE.md (the attribution of the music it learned from), headed by what was
 * fine-tuned from it: a fine-tuned model learned from that music too, so it carries the notice on
 * (the gallery shows a bundle's NOTICE.md). Empty when the init folder has none.
 */
export async function inheritedNotice(
  initDir: string,
  init: InitFrom,
  tuned: { name: string; version: string },
): Promise<Record<string, Uint8Array>> {
  const notice = await readFile(path.join(initDir, "NOTICE.md"), "utf8").catch(() => null);
  if (notice === null) return {};
  const header =
    `# ${tuned.name} ${tuned.version}: notice and attribution\n\n` +
    `This model was fine-tuned from ${init.name} ${init.version} (weights sha256 ${init.weightsSha256}), ` +
    "so it also learned from the music that model was trained on. Its notice follows.\n\n";
  // One heading level down, under this bundle's own title.
  return { "NOTICE.md": new TextEncoder().encode(header + notice.replace(/^(#+) /gm, "#$1 ")) };
}
