// The Composer: the whole act of composing a piece from a loaded bundle, once, for every app
// (CLI, server worker, browser): primer → stateful seeded sampling → notes streamed as they
// settle → the key asked for → MIDI bytes that carry the recipe. Platform-free.
import type * as tf from "@tensorflow/tfjs";
import { writeMidi, type QuarterNote } from "@motif/midi";
import type { BundleManifest } from "../bundle/manifest.js";
import { keyShiftForPiece, transposeNotes, type KeyChoice } from "../evaluation/key.js";
import { generateTokens } from "../sampling/generate.js";
import { createStepModel, type StepModel } from "../sampling/step-model.js";
import type { Tokenizer } from "../tokenizer/types.js";
import type { Vocabulary } from "../tokenizer/vocabulary.js";
import { ComposeError } from "./errors.js";
import { createNoteStream } from "./note-stream.js";
import { resolvePrimer, type Primer, type PrimerSource } from "./primer.js";
import { checkRecipe, pieceTitle, recipeKeyChoice, recipeLines, type Recipe } from "./recipe.js";
import { durationSeconds } from "./tempo.js";

/** What `loadBundle` returns (its other fields are not needed). */
export interface ComposerBundle {
  model: tf.LayersModel;
  manifest: BundleManifest;
  vocabulary: Vocabulary;
  tokenizer: Tokenizer;
}

/** A streaming update: the piece's notes from index `from` on are now `notes`. */
export interface NotesUpdate {
  from: number;
  notes: readonly QuarterNote[];
  /** Tokens so far, primer included. */
  tokenCount: number;
}

export interface ComposeOptions {
  /**
   * Called as notes settle (usually appending: `from` is the number of notes sent so far). When
   * the key shift is known only at the end (a named key on a model trained on keys as written),
   * the stream goes out unmoved and a last update with `from: 0` replaces every note.
   */
  onNotes?(update: NotesUpdate): void;
}

/** A composed piece: plain data (write it with `pieceToMidi`). */
export interface Piece {
  primer: Primer;
  /** The sampled tokens (after the primer). */
  tokens: string[];
  /** The key choice in force and the semitones every note was moved by for it. */
  key: KeyChoice;
  keyShift: number;
  notes: QuarterNote[];
  /** The recipe's canonical text: printed, and stored in the MIDI file as text events. */
  recipeLines: string[];
  title: string;
  bpm: number;
  durationSeconds: number;
}

/**
 * Decoded notes → the piece's notes: moved by the key shift and, when the primer's notes are
 * dropped, the rest started at 0 (decoded notes come in time order, so the first sets the offset).
 */
class PieceNotes {
  readonly decoded: QuarterNote[] = [];
  readonly notes: QuarterNote[] = [];
  private offset: number | null = null;

  constructor(
    private readonly shift: number,
    /** Leading decoded notes that are the primer's and not in the piece. */
    private readonly dropped: number,
  ) {}

  /** Adds decoded notes; returns the piece notes they gave. */
  add(decoded: readonly QuarterNote[]): QuarterNote[] {
    const added: QuarterNote[] = [];
    for (const note of decoded) {
      this.decoded.push(note);
      if (this.decoded.length > this.dropped) added.push(this.place(note));
    }
    this.notes.push(...added);
    return added;
  }

  private place(note: QuarterNote): QuarterNote {
    const moved = transposeNotes([note], this.shift)[0] as QuarterNote;
    if (this.dropped === 0) return moved;
    this.offset ??= moved.startQuarter;
    return { ...moved, startQuarter: moved.startQuarter - this.offset, endQuarter: moved.endQuarter - this.offset };
  }
}

/**
 * Composes pieces from one loaded bundle. Holds the stateful step model (weights read once),
 * which `dispose()` frees; the bundle's model stays the caller's.
 * @example
 * const composer = new Composer(await loadBundle(files));
 * const piece = composer.compose(createRecipe({ seed: 7, length: 300, key: "D minor" }), { onNotes: draw });
 * const bytes = pieceToMidi(piece);
 * composer.dispose();
 */
export class Composer {
  readonly manifest: BundleManifest;
  private readonly step: StepModel;
  private disposed = false;

  constructor(private readonly bundle: ComposerBundle) {
    this.manifest = bundle.manifest;
    this.step = createStepModel(bundle.model, bundle.manifest.model);
  }

  /** Which code computes a step: core's WebAssembly SIMD step, its plain-JS step, or tfjs (windowed models). */
  get implementation(): "wasm-simd" | "js" | "tfjs" {
    return this.step.implementation ?? "tfjs";
  }

  /** The most primer tokens the model sees: a windowed model's window; null for a stateful model (no limit). */
  get context(): number | null {
    return this.step.kind === "windowed" ? this.manifest.model.seqLen : null;
  }

  /**
   * The primer a source gives for this seed and length (what `compose` uses), e.g. to show it
   * before generating and store it as a `tokens` primer. Throws `ComposeError`.
   */
  primer(source: PrimerSource, args: { seed: number; length: number }): Primer {
    const primer = resolvePrimer(this.bundle, source, args);
    const context = this.context;
    if (context !== null && primer.tokens.length > context) {
      throw new ComposeError("primer-too-long", `the primer has ${primer.tokens.length} tokens but this ${this.manifest.model.preset} model predicts from the last ${context}: use a primer of at most ${context} tokens`);
    }
    return primer;
  }

  /** Composes the recipe's piece, streaming its notes to `onNotes`. Same recipe → same tokens, notes and bytes. */
  compose(recipe: Recipe, options: ComposeOptions = {}): Piece {
    if (this.disposed) throw new Error("this Composer was disposed");
    checkRecipe(recipe);
    const key = recipeKeyChoice(recipe);
    const primer = this.primer(recipe.primer, { seed: recipe.seed, length: recipe.primerLength });
    const { manifest, tokenizer, vocabulary } = this.bundle;
    const normalized = manifest.training.keyNormalization === "song";
    const shiftFor = (notes: readonly QuarterNote[]) => keyShiftForPiece({ normalized, choice: key, primerShift: primer.keyShift, notes });
    // Known before any token, except a named key on a model trained on keys as written: that
    // depends on the finished piece's estimated key.
    const streamShift = key.kind === "key" && !normalized ? 0 : shiftFor([]);

    const stream = createNoteStream(tokenizer, recipe.style);
    const primerNotes = primer.tokens.flatMap((token) => stream.push(token));
    const dropped = recipe.keepPrimer ? 0 : primerNotes.length + stream.pending().length;
    const piece = new PieceNotes(streamShift, dropped);
    let tokenCount = primer.tokens.length;
    const send = (added: QuarterNote[]) => {
      if (added.length > 0) options.onNotes?.({ from: piece.notes.length - added.length, notes: added, tokenCount });
    };
    send(piece.add(primerNotes));
    const tokens = generateTokens({
      step: this.step,
      vocabulary,
      tokenizer,
      options: { length: recipe.length, seed: recipe.seed, primer: primer.tokens, temperature: recipe.temperature, topK: recipe.topK, topP: recipe.topP, repetitionGuard: recipe.repetitionGuard },
      onToken(token) {
        tokenCount += 1;
        send(piece.add(stream.push(token)));
      },
    });
    send(piece.add(stream.finish()));

    const keyShift = shiftFor(piece.decoded);
    let notes = piece.notes;
    if (keyShift !== streamShift) {
      notes = new PieceNotes(keyShift, dropped).add(piece.decoded);
      options.onNotes?.({ from: 0, notes: [...notes], tokenCount });
    }
    return {
      primer,
      tokens,
      key,
      keyShift,
      notes,
      recipeLines: recipeLines(manifest, recipe, primer.description),
      title: pieceTitle(manifest, recipe.seed),
      bpm: recipe.bpm,
      durationSeconds: durationSeconds(notes, recipe.bpm),
    };
  }

  /** Frees the step model (and its WebAssembly memory). The bundle's model is not touched. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.step.dispose();
  }
}

/** The piece as a Standard MIDI File: its notes at its bpm, its title, and its recipe as text events. */
export function pieceToMidi(piece: Pick<Piece, "notes" | "title" | "recipeLines" | "bpm">): Uint8Array {
  return writeMidi({ notes: piece.notes, title: piece.title, texts: piece.recipeLines, tempos: [{ quarter: 0, bpm: piece.bpm }] });
}
