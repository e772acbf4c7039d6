// `evaluate`: next-token loss / accuracy / perplexity of a bundle on a MIDI folder.
import path from "node:path";
import { createStepModel } from "@motif/core";
import { selectBackend } from "./backend.js";
import { openBundle } from "./bundle-dir.js";
import { ingest, type MidiSource } from "./dataset.js";
import { demoCorpusFiles } from "./demo-corpus.js";
import { resolveUserPath, trainerEnv } from "./env.js";
import type { EvaluateOptions } from "./evaluate-command.js";
import { findMidiFiles, readMidiFile } from "./midi-files.js";
import { formatTable } from "./text-table.js";

interface FileScore {
  name: string;
  tokens: number;
  unknown: number;
  loss: number;
  accuracy: number;
}

/** Cross-entropy of `target` under softmax(logits), and whether it is the argmax. */
export function scoreStep(logits: Float32Array, target: number): { nll: number; correct: boolean } {
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i]! > max) {
      max = logits[i]!;
      argmax = i;
    }
  }
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return { nll: Math.log(sum) + max - logits[target]!, correct: argmax === target };
}

export async function runEvaluate(options: EvaluateOptions): Promise<number> {
  const env = trainerEnv();
  const backend = await selectBackend(options.backend ?? env.backend);
  process.stderr.write(`backend: ${backend.description}\n`);
  const bundle = await openBundle(options.model === undefined ? path.join(env.modelsDir, "demo") : resolveUserPath(options.model));
  const sources: MidiSource[] =
    options.data === undefined
      ? demoCorpusFiles().map((file) => ({ name: file.name, read: async () => file.bytes }))
      : (await findMidiFiles(resolveUserPath(options.data))).map((file) => ({ name: file.relativePath, read: () => readMidiFile(file) }));
  const { songs, skipped } = await ingest(sources, bundle.tokenizer);
  const step = createStepModel(bundle.model, bundle.manifest.model);
  const scores: FileScore[] = [];
  try {
    for (const song of songs) {
      const encoded = bundle.vocabulary.encode(song.tokens.slice(0, options.maxTokens));
      const ids = encoded.ids;
      if (ids.length < 2) continue;
      step.reset();
      let nll = 0;
      let correct = 0;
      for (let i = 0; i < ids.length - 1; i++) {
        const score = scoreStep(step.step(ids[i]!), ids[i + 1]!);
        nll += score.nll;
        if (score.correct) correct++;
      }
      const unknown = Object.values(encoded.unknown).reduce((a, b) => a + b, 0);
      scores.push({ name: song.name, tokens: ids.length - 1, unknown, loss: nll / (ids.length - 1), accuracy: correct / (ids.length - 1) });
    }
  } finally {
    step.dispose();
    bundle.model.dispose();
  }
  const tokens = scores.reduce((sum, s) => sum + s.tokens, 0);
  const loss = scores.reduce((sum, s) => sum + s.loss * s.tokens, 0) / Math.max(1, tokens);
  const accuracy = scores.reduce((sum, s) => sum + s.accuracy * s.tokens, 0) / Math.max(1, tokens);
  const overall = { files: scores.length, tokens, unknownTokens: scores.reduce((sum, s) => sum + s.unknown, 0), loss, accuracy, perplexity: Math.exp(loss) };
  if (options.json) {
    process.stdout.write(JSON.stringify({ model: `${bundle.manifest.name}/${bundle.manifest.version}`, files: scores, skipped, overall }) + "\n");
    return 0;
  }
  const rows = scores.map((s) => [s.name, s.tokens, s.unknown, Number(s.loss.toFixed(4)), Number(s.accuracy.toFixed(4)), Number(Math.exp(s.loss).toFixed(2))]);
  process.stdout.write(formatTable(["file", "tokens", "unknown", "loss", "acc", "ppl"], rows) + "\n");
  for (const file of skipped) process.stdout.write(`skipped ${file.name}: ${file.reason}\n`);
  process.stdout.write(
    `\n${bundle.manifest.name} ${bundle.manifest.version} on ${overall.files} files, ${tokens} tokens: loss ${loss.toFixed(4)}, accuracy ${accuracy.toFixed(4)}, perplexity ${overall.perplexity.toFixed(2)}` +
      (overall.unknownTokens > 0 ? `; ${overall.unknownTokens} tokens unknown to the vocabulary were skipped` : "") +
      "\n",
  );
  return 0;
}
