// The short README.md written into every published bundle folder.
import type { BundleManifest } from "@motif/core";

export function bundleReadme(manifest: BundleManifest, files: string[]): string {
  const history = manifest.metrics;
  const best = history.reduce<(typeof history)[number] | null>(
    (b, m) => (m.valLoss !== null && (b === null || b.valLoss === null || m.valLoss < b.valLoss) ? m : b),
    null,
  );
  const trainFiles = manifest.dataset.files.filter((f) => f.split === "train").length;
  const validationFiles = manifest.dataset.files.length - trainFiles;
  const fmt = (v: number | null | undefined, digits = 4) =>
    v === null || v === undefined ? "-" : v.toFixed(digits);
  return [
    `# ${manifest.name} ${manifest.version}`,
    "",
    `A Motif model bundle, created ${manifest.createdAt} on the ${manifest.backend} backend.`,
    "",
    `- Preset \`${manifest.model.preset}\`: ${manifest.model.input} input, LSTM ${manifest.model.units.join("→")} (${manifest.model.cell} cell), seq ${manifest.model.seqLen}, target ${manifest.model.target}; ${manifest.parameters.toLocaleString("en-US")} parameters.`,
    `- Tokenizer \`${manifest.tokenizer.kind}\` v${manifest.tokenizer.version}, vocabulary of ${manifest.vocabulary.tokens.length} tokens.`,
    `- Data: ${trainFiles} training and ${validationFiles} validation files (${manifest.dataset.skipped.length} skipped), split ${manifest.training.split}, augmentation ${manifest.training.augment.length === 0 ? "none" : manifest.training.augment.join(", ")}.`,
    ...(manifest.training.initFrom
      ? [
          `- Fine-tuned from \`${manifest.training.initFrom.name}\` ${manifest.training.initFrom.version} (weights sha256 \`${manifest.training.initFrom.weightsSha256}\`).`,
        ]
      : []),
    `- Trained ${history.length} epochs; best validation loss ${fmt(best?.valLoss)} (accuracy ${fmt(best?.valAccuracy)}, epoch ${best?.epoch ?? "-"}).`,
    `- Content hash \`${manifest.contentHash}\`.`,
    "",
    "![training curves](curves.png)",
    "",
    "| epoch | loss | acc | val loss | val acc | tokens/s |",
    "|---|---|---|---|---|---|",
    ...history.map(
      (m) =>
        `| ${m.epoch} | ${fmt(m.loss)} | ${fmt(m.accuracy)} | ${fmt(m.valLoss)} | ${fmt(m.valAccuracy)} | ${Math.round(m.tokensPerSecond)} |`,
    ),
    "",
    "Files: " +
      files.map((f) => `\`${f}\``).join(", ") +
      ". `bundle.json` is checked against the weights and model on load;",
    "generate with `pnpm --filter trainer generate --model <this folder>`.",
    "",
  ].join("\n");
}
