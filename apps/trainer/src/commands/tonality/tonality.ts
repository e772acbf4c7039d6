// `tonality`: is a model in key? Teacher-forced in-key mass and note accuracy on the bundle's own
// validation songs against count-based note n-grams on the same split, then generated pieces'
// music measures against those songs' (the targets of the "music in key" work, printed, not asserted).
import { writeFile } from "node:fs/promises";
import {
  compareSets,
  Composer,
  keepGrammatical,
  CopyIndex,
  createRecipe,
  createStepModel,
  inKeyWeights,
  NoteNgram,
  noteIds,
  pieceFeatures,
  pitchClassMasks,
  scoreNgram,
  summarize,
  TonalityMeter,
  KeyMemory,
  type KeyMemorySettings,
  type PrimerSource,
  type PieceFeatures,
  type TonalitySummary,
} from "@motif/core";
import type { QuarterNote } from "@motif/midi";
import { selectBackend } from "../../runtime/backend.js";
import { openBundle, type OpenedBundle } from "../../store/bundle-dir.js";
import { CliError } from "../../errors.js";
import { bundleSplit, ingest, songScaleMask, type IngestedSong } from "../../data/dataset.js";
import { scoreStep } from "../evaluate/evaluate.js";
import { resolveUserPath, trainerEnv } from "../../env.js";
import { findMidiFiles, readMidiFile } from "../../data/midi-files.js";
import { formatTable } from "../../cli/text-table.js";
import type { TonalityOptions } from "./tonality-flags.js";

const log = (line: string) => process.stderr.write(line + "\n");

interface PreparedSong {
  name: string;
  notes: QuarterNote[];
  tokens: readonly string[];
  ids: Int32Array;
  weights: Float32Array;
}

/** The bundle's training and validation songs found in `dir`, as the model saw them. */
async function bundleSongs(
  bundle: OpenedBundle,
  dir: string,
  masks: Uint16Array,
): Promise<{ train: PreparedSong[]; validation: PreparedSong[] }> {
  const files = await findMidiFiles(dir);
  const { songs } = await ingest(
    files.map((file) => ({ name: file.relativePath, read: () => readMidiFile(file) })),
    bundle.tokenizer,
  );
  const split = bundleSplit(songs, bundle.manifest, bundle.tokenizer);
  const prepare = (song: IngestedSong): PreparedSong => ({
    name: song.name,
    notes: song.notes,
    tokens: song.tokens,
    ids: bundle.vocabulary.encode(song.tokens).ids,
    weights: inKeyWeights(masks, songScaleMask(song.notes)),
  });
  if (split.validation.length === 0)
    throw new CliError(
      `none of the bundle's validation files were found under ${dir}; pass --data with the folder it was trained on`,
    );
  return { train: split.train.map(prepare), validation: split.validation.map(prepare) };
}

type TeacherForced = TonalitySummary & { loss: number; accuracy: number; tokens: number; noteLoss: number };

/**
 * Teacher-forced, stateful over each whole song (as generation runs): loss, token accuracy and
 * tonality, once per key memory setting (the LSTM runs once; each memory adjusts its logits).
 */
function teacherForced(
  bundle: OpenedBundle,
  songs: readonly PreparedSong[],
  masks: Uint16Array,
  memories: readonly KeyMemorySettings[],
): TeacherForced[] {
  const step = createStepModel(bundle.model, bundle.manifest.model);
  const runs = memories.map(() => ({ meter: new TonalityMeter(masks), nll: 0, noteNll: 0, correct: 0 }));
  let tokens = 0;
  try {
    for (const song of songs) {
      step.reset();
      const keyMemories = memories.map((settings) => new KeyMemory(masks, settings));
      for (let i = 0; i + 1 < song.ids.length; i++) {
        const input = song.ids[i] as number;
        const logits = step.step(input);
        const target = song.ids[i + 1] as number;
        tokens++;
        keyMemories.forEach((memory, index) => {
          const run = runs[index]!;
          memory.observe(input);
          const adjusted = memory.adjust(logits);
          const score = scoreStep(adjusted, target);
          run.nll += score.nll;
          if (masks[target] !== 0) run.noteNll += score.nll;
          if (score.correct) run.correct++;
          run.meter.add(adjusted, target, song.weights);
        });
      }
    }
  } finally {
    step.dispose();
  }
  return runs.map((run) => {
    const summary = run.meter.summary();
    return {
      ...summary,
      loss: run.nll / Math.max(1, tokens),
      accuracy: run.correct / Math.max(1, tokens),
      noteLoss: run.noteNll / Math.max(1, summary.notes),
      tokens,
    };
  });
}

/**
 * Pieces at generate's default recipe (no primer, the model's own key) or the sampler asked for,
 * seeds firstSeed..; with `primers`, piece i continues primers[i mod n] (its notes left out).
 */
function generatePieces(
  bundle: OpenedBundle,
  count: number,
  length: number,
  firstSeed: number,
  sampler: Pick<TonalityOptions, "temperature" | "topP">,
  keyMemory: KeyMemorySettings,
  primers: readonly PrimerSource[] = [],
): QuarterNote[][] {
  // The bundle as it is, or with the key memory asked for (a probe: its content hash is not recomputed).
  const manifest = { ...bundle.manifest, model: { ...bundle.manifest.model, keyMemory } };
  const composer = new Composer({ ...bundle, manifest });
  try {
    return Array.from(
      { length: count },
      (_, i) =>
        composer.compose(
          createRecipe({
            seed: firstSeed + i,
            length,
            temperature: sampler.temperature,
            topP: sampler.topP,
            ...(primers.length > 0 ? { primer: primers[i % primers.length]! } : {}),
          }),
        ).notes,
    );
  } finally {
    composer.dispose();
  }
}

/** The notes starting in the last third of the piece's time span. */
function lastThird(notes: readonly QuarterNote[]): QuarterNote[] {
  const end = Math.max(0, ...notes.map((note) => note.startQuarter));
  return notes.filter((note) => note.startQuarter >= (2 * end) / 3);
}

type SetStats = Record<
  | "scaleConsistency"
  | "windowedScaleConsistency"
  | "pitchClassEntropy"
  | "polyphony"
  | "grooveConsistency"
  | "meanInterOnsetInterval",
  ReturnType<typeof summarize>
> & { collapsed: number; count: number };

function setStats(features: readonly PieceFeatures[]): SetStats {
  const of = (key: keyof SetStats & keyof PieceFeatures) => summarize(features.map((f) => f[key] as number));
  return {
    scaleConsistency: of("scaleConsistency"),
    windowedScaleConsistency: of("windowedScaleConsistency"),
    pitchClassEntropy: of("pitchClassEntropy"),
    polyphony: of("polyphony"),
    grooveConsistency: of("grooveConsistency"),
    meanInterOnsetInterval: of("meanInterOnsetInterval"),
    collapsed: features.filter((f) => f.collapsed).length,
    count: features.length,
  };
}

const f3 = (value: number): string => value.toFixed(3);

/** The key memory `tonality` scores: the flags' where given, else the bundle's, else off. */
function effectiveKeyMemory(
  bundled: KeyMemorySettings | undefined,
  options: Pick<TonalityOptions, "keyMemory" | "keyMemoryHalfLife">,
): KeyMemorySettings {
  return {
    strength: options.keyMemory ?? bundled?.strength ?? 0,
    halfLife:
      options.keyMemoryHalfLife !== undefined ? options.keyMemoryHalfLife : (bundled?.halfLife ?? null),
  };
}

const memoryText = (memory: KeyMemorySettings): string =>
  memory.strength === 0 ? "off" : `strength ${memory.strength}, half-life ${memory.halfLife ?? "off"}`;
const pass = (ok: boolean): string => (ok ? "met" : "MISSED");

export async function runTonality(options: TonalityOptions): Promise<number> {
  const env = trainerEnv();
  const backend = await selectBackend(env.backend);
  log(`backend: ${backend.description}`);
  const bundle = await openBundle(resolveUserPath(options.model));
  const m = bundle.manifest;
  const masks = pitchClassMasks(bundle.vocabulary.tokens, bundle.tokenizer);
  try {
    const { train, validation } = await bundleSongs(bundle, resolveUserPath(options.data), masks);
    log(
      `${m.name} ${m.version}: ${m.tokenizer.kind} tokens, keys ${m.training.keyNormalization === "song" ? "normalised to C major / A minor" : "as written"}; ${train.length} training and ${validation.length} validation songs found`,
    );

    log("teacher-forced on the validation songs ...");
    const memory = effectiveKeyMemory(m.model.keyMemory, options);
    const sweep = options.sweepKeyMemory.flatMap((strength) =>
      options.sweepHalfLives.map((halfLife) => ({ strength, halfLife })),
    );
    const [model, lstmAlone, ...swept] = teacherForced(bundle, validation, masks, [
      memory,
      { strength: 0, halfLife: null },
      ...sweep,
    ]) as [TeacherForced, TeacherForced, ...TeacherForced[]];
    if (swept.length > 0) {
      const sweepRows = swept.map((run, i) => [
        `${sweep[i]!.strength}`,
        `${sweep[i]!.halfLife ?? "off"}`,
        run.loss.toFixed(4),
        run.noteLoss.toFixed(4),
        f3(run.inKeyMass),
        f3(run.noteAccuracy),
      ]);
      process.stdout.write(
        "key memory, teacher-forced on the validation songs:\n" +
          formatTable(
            ["strength", "half-life", "loss/token", "loss/note", "in-key mass", "note acc."],
            sweepRows,
          ) +
          "\n",
      );
    }
    const ngrams = Array.from({ length: options.maxOrder }, (_, i) => {
      const ngram = new NoteNgram(i + 1);
      for (const song of train) ngram.addSong(noteIds(song.ids, masks));
      return {
        order: i + 1,
        ...scoreNgram(
          ngram,
          validation.map((song) => ({ notes: noteIds(song.ids, masks), weights: song.weights })),
        ),
      };
    });

    log(
      `generating ${options.pieces} x ${options.length} and ${options.longPieces} x ${options.longLength} tokens at temperature ${options.temperature}, top-p ${options.topP ?? "off"} ...`,
    );
    const referenceFeatures = validation.map((song) => pieceFeatures(song.notes));
    const reference = setStats(referenceFeatures);
    // The validation songs' openings as the model saw them (key-normalised, tokens outside its
    // vocabulary left out as in scoring, then whatever no longer follows the grammar), to continue.
    const primers: PrimerSource[] =
      options.primerTokens === 0
        ? []
        : validation.map((song) => ({
            kind: "tokens",
            tokens: keepGrammatical(
              Array.from(song.ids.subarray(0, options.primerTokens), (id) => bundle.vocabulary.tokens[id]!),
              bundle.tokenizer,
            ).kept,
            description: `${song.name}, first ${options.primerTokens} tokens`,
            keyShift: 0,
          }));
    const generated = generatePieces(bundle, options.pieces, options.length, 1, options, memory, primers);
    const generatedFeatures = generated.map((notes) => pieceFeatures(notes));
    const pieces = setStats(generatedFeatures);
    const overlap =
      referenceFeatures.length >= 2 ? compareSets(generatedFeatures, referenceFeatures).meanOA : null;
    // Transposition-invariant, so normalised training songs and pieces compare as they are.
    const copyIndex = new CopyIndex(train.map((song) => ({ name: song.name, notes: song.notes })));
    const copies = generated.map((notes) => copyIndex.check(notes));
    const longestCopy = copies.reduce<(typeof copies)[number]["longest"]>(
      (best, report) =>
        report.longest !== null && (best === null || report.longest.notes > best.notes)
          ? report.longest
          : best,
      null,
    );
    const copyAt16 = summarize(copies.map((report) => report.copyAt16)).mean;
    const long =
      options.longPieces > 0
        ? setStats(
            generatePieces(
              bundle,
              options.longPieces,
              options.longLength,
              1001,
              options,
              memory,
              primers,
            ).map((notes) => pieceFeatures(lastThird(notes))),
          )
        : null;

    const best = ngrams[ngrams.length - 1]!;
    const within = (value: number, target: number, tolerance: number) =>
      Math.abs(value - target) <= tolerance;
    const inRange = (value: number, range: { min: number; max: number }) =>
      value >= range.min && value <= range.max;
    const rows: (string | number)[][] = [
      [
        "in-key mass, teacher-forced",
        f3(model.inKeyMass),
        `${f3(reference.scaleConsistency.mean)} ± 0.05 (songs' scale consistency)`,
        pass(within(model.inKeyMass, reference.scaleConsistency.mean, 0.05)),
      ],
      [
        "note accuracy, teacher-forced",
        f3(model.noteAccuracy),
        `> ${f3(best.noteAccuracy)} (note ${best.order}-gram)`,
        pass(model.noteAccuracy > best.noteAccuracy),
      ],
      ...ngrams.map((g) => [
        `  note ${g.order}-gram: in-key mass / note accuracy`,
        `${f3(g.inKeyMass)} / ${f3(g.noteAccuracy)}`,
        "",
        "",
      ]),
      ["  true next notes in key", f3(model.targetsInKey), "", ""],
      ["loss / accuracy per token (validation)", `${model.loss.toFixed(4)} / ${f3(model.accuracy)}`, "", ""],
      ["loss per note token", model.noteLoss.toFixed(4), "", ""],
      ...(memory.strength > 0
        ? [
            [
              "  LSTM alone (no key memory): in-key mass / note accuracy / loss per note",
              `${f3(lstmAlone.inKeyMass)} / ${f3(lstmAlone.noteAccuracy)} / ${lstmAlone.noteLoss.toFixed(4)}`,
              "",
              "",
            ],
          ]
        : []),
      [
        `scale consistency, ${pieces.count} pieces`,
        f3(pieces.scaleConsistency.mean),
        `${f3(reference.scaleConsistency.mean)} ± 0.05`,
        pass(within(pieces.scaleConsistency.mean, reference.scaleConsistency.mean, 0.05)),
      ],
      [
        "  inside 8-beat windows",
        f3(pieces.windowedScaleConsistency.mean),
        f3(reference.windowedScaleConsistency.mean),
        "",
      ],
      [
        "pitch-class entropy (bits)",
        f3(pieces.pitchClassEntropy.mean),
        `${f3(reference.pitchClassEntropy.mean)} ± ${f3(reference.pitchClassEntropy.std)}`,
        pass(
          within(
            pieces.pitchClassEntropy.mean,
            reference.pitchClassEntropy.mean,
            reference.pitchClassEntropy.std,
          ),
        ),
      ],
      ...(long
        ? [
            [
              `scale consistency, last third of ${long.count} x ${options.longLength}`,
              f3(long.scaleConsistency.mean),
              `${f3(reference.scaleConsistency.mean)} ± 0.05`,
              pass(within(long.scaleConsistency.mean, reference.scaleConsistency.mean, 0.05)),
            ],
            [
              "pitch-class entropy, last third",
              f3(long.pitchClassEntropy.mean),
              `${f3(reference.pitchClassEntropy.mean)} ± ${f3(reference.pitchClassEntropy.std)}`,
              pass(
                within(
                  long.pitchClassEntropy.mean,
                  reference.pitchClassEntropy.mean,
                  reference.pitchClassEntropy.std,
                ),
              ),
            ],
          ]
        : []),
      ...(["polyphony", "grooveConsistency", "meanInterOnsetInterval"] as const).map((key) => [
        key === "meanInterOnsetInterval"
          ? "inter-onset interval (beats)"
          : key === "grooveConsistency"
            ? "groove consistency"
            : "polyphony",
        f3(pieces[key].mean),
        `${f3(reference[key].min)}..${f3(reference[key].max)} (songs' range)`,
        pass(inRange(pieces[key].mean, reference[key])),
      ]),
      [
        "mean overlapping area (OA) with the validation songs' features",
        overlap === null ? "-" : f3(overlap),
        "(1 = the same distributions)",
        "",
      ],
      ["copied: share of 16-note n-grams found in training songs", f3(copyAt16), "", ""],
      [
        "  longest run copied verbatim",
        longestCopy === null
          ? "none ≥ 9 notes"
          : `${longestCopy.notes} notes from ${longestCopy.source}, bar ${longestCopy.sourceBar}`,
        "",
        "",
      ],
      [
        "collapsed pieces",
        `${pieces.collapsed + (long?.collapsed ?? 0)}`,
        "0",
        pass(pieces.collapsed + (long?.collapsed ?? 0) === 0),
      ],
    ];
    process.stdout.write(
      `\n${m.name} ${m.version} on ${validation.length} validation songs (${model.notes} notes), key memory ${memoryText(memory)}\n`,
    );
    process.stdout.write(formatTable(["measure", "model", "target (validation songs)", ""], rows) + "\n");
    const result = {
      model: `${m.name}/${m.version}`,
      bundle: m.contentHash,
      keyNormalization: m.training.keyNormalization ?? "none",
      keyMemory: memory,
      teacherForced: model,
      lstmAlone,
      ngrams,
      reference,
      pieces,
      long,
      overlap,
      copyAt16,
      longestCopy,
      options,
    };
    process.stdout.write(JSON.stringify(result) + "\n");
    if (options.json !== undefined)
      await writeFile(resolveUserPath(options.json), JSON.stringify(result, null, 2) + "\n");
    return 0;
  } finally {
    bundle.model.dispose();
  }
}
