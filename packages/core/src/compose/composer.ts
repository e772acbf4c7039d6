// The Composer: the whole act of composing a piece from a loaded bundle, once, for every app
// (CLI, server worker, browser): primer → stateful seeded sampling → notes streamed as they
// settle → the key asked for → MIDI bytes that carry the recipe. Platform-free.
import type * as tf from "@tensorflow/tfjs";
import { writeMidi, type QuarterNote } from "@motif/midi";
import type { BundleManifest } from "../bundle/manifest.js";
import { keyChoiceText, keyShiftForPiece, transposeNotes, type KeyChoice } from "../evaluation/key.js";
import { createTokenSampler, type TokenSampler } from "../inference/generate.js";
import { createStepModel, type StepModel } from "../inference/step-model.js";
import { pitchClassMasks } from "../evaluation/tonality.js";
import { KeyMemory } from "../sampling/key-memory.js";
import type { Tokenizer } from "../tokenizer/types.js";
import type { Vocabulary } from "../tokenizer/vocabulary.js";
import { ComposeError } from "./errors.js";
import { createNoteStream, type NoteStream } from "./note-stream.js";
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
    /** Leading decoded notes that are the primer's (or a cut's skipped tokens') and not in the piece. */
    readonly dropped: number,
    /** Start the piece at 0 (its first note's start): when notes were dropped, or for a cut. */
    readonly rebase: boolean = dropped > 0,
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
    if (!this.rebase) return moved;
    this.offset ??= moved.startQuarter;
    return {
      ...moved,
      startQuarter: moved.startQuarter - this.offset,
      endQuarter: moved.endQuarter - this.offset,
    };
  }
}

/** An open-ended composition from one recipe (`Composer.stream`). */
export interface CompositionStream {
  readonly primer: Primer;
  /** Tokens sampled so far (after the primer). */
  readonly tokenCount: number;
  /** Samples `count` more tokens; returns the notes they settled (appending, in stream time: quarters from the stream's start). */
  next(count: number): QuarterNote[];
  /** The piece `compose({ ...recipe, offset, length })` gives, from the tokens sampled so far (`offset + length` ≤ `tokenCount`). */
  cut(offset: number, length: number): Piece;
}

/** What a recipe resolves to before its first token. */
interface Plan {
  key: KeyChoice;
  primer: Primer;
  shiftFor(notes: readonly QuarterNote[]): number;
  /** The key shift needs the finished piece (a named key on a model trained on keys as written). */
  keyAtEnd: boolean;
  /** The shift the notes are streamed with. */
  streamShift: number;
}

/**
 * Tokens → a piece: the primer and a cut's skipped tokens (`lead`) decoded first, then each of the
 * piece's tokens decoded as it comes (streamed to `onNotes`), then the key and the MIDI's recipe.
 */
class PieceBuild {
  readonly tokens: string[] = [];
  private readonly stream: NoteStream;
  private readonly piece: PieceNotes;
  private tokenCount: number;

  constructor(
    private readonly bundle: ComposerBundle,
    private readonly recipe: Recipe,
    private readonly plan: Plan,
    lead: readonly string[],
    private readonly onNotes?: (update: NotesUpdate) => void,
  ) {
    this.stream = createNoteStream(bundle.tokenizer, recipe.style);
    const leadNotes = [...plan.primer.tokens, ...lead].flatMap((token) => this.stream.push(token));
    // A cut from later in the stream never keeps what came before it.
    const cutLater = (recipe.offset ?? 0) > 0;
    const dropped = recipe.keepPrimer && !cutLater ? 0 : leadNotes.length + this.stream.pending().length;
    this.piece = new PieceNotes(plan.streamShift, dropped, dropped > 0 || cutLater);
    this.tokenCount = plan.primer.tokens.length + lead.length;
    this.send(this.piece.add(leadNotes));
  }

  /** Adds one of the piece's tokens; returns the piece notes it settled. */
  push(token: string): QuarterNote[] {
    this.tokens.push(token);
    this.tokenCount += 1;
    return this.send(this.piece.add(this.stream.push(token)));
  }

  finish(): Piece {
    const { plan, recipe, piece } = this;
    this.send(piece.add(this.stream.finish()));
    const keyShift = plan.shiftFor(piece.decoded);
    let notes = piece.notes;
    if (keyShift !== plan.streamShift) {
      notes = new PieceNotes(keyShift, piece.dropped, piece.rebase).add(piece.decoded);
      this.onNotes?.({ from: 0, notes: [...notes], tokenCount: this.tokenCount });
    }
    return {
      primer: plan.primer,
      tokens: this.tokens,
      key: plan.key,
      keyShift,
      notes,
      recipeLines: recipeLines(this.bundle.manifest, recipe, plan.primer.description),
      title: pieceTitle(this.bundle.manifest, recipe.seed),
      bpm: recipe.bpm,
      durationSeconds: durationSeconds(notes, recipe.bpm),
    };
  }

  private send(added: QuarterNote[]): QuarterNote[] {
    if (added.length > 0)
      this.onNotes?.({
        from: this.piece.notes.length - added.length,
        notes: added,
        tokenCount: this.tokenCount,
      });
    return added;
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
  /** Per vocabulary id, the pitch classes it sounds: for the model's key memory, made once. */
  private pitchMasks: Uint16Array | null = null;
  private disposed = false;
  /** Bumped whenever the step model is reset: a stream holding an older value was ended. */
  private lease = 0;

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
      throw new ComposeError(
        "primer-too-long",
        `the primer has ${primer.tokens.length} tokens but this ${this.manifest.model.preset} model predicts from the last ${context}: use a primer of at most ${context} tokens`,
      );
    }
    return primer;
  }

  /** Composes the recipe's piece, streaming its notes to `onNotes`. Same recipe → same tokens, notes and bytes. */
  compose(recipe: Recipe, options: ComposeOptions = {}): Piece {
    const plan = this.plan(recipe);
    const sampler = this.sampler(recipe, plan.primer);
    const cut = recipe.offset !== undefined;
    const lead = Array.from({ length: recipe.offset ?? 0 }, () => sampler.next());
    const build = new PieceBuild(this.bundle, recipe, plan, lead, options.onNotes);
    // A piece on its own draws its last token as a last token; a cut continues the stream.
    for (let index = 0; index < recipe.length; index++)
      build.push(sampler.next(!cut && index === recipe.length - 1));
    return build.finish();
  }

  /**
   * Opens the recipe's open-ended stream (the radio): tokens sampled on and on with the LSTM state
   * carried, its notes in stream time (`recipe.length` is not used). A cut of it, `{ ...recipe,
   * offset, length }`, is a recipe `compose` replays to the same tokens and notes; `cut` makes it
   * from the stream's own tokens without stepping the model again. The stream holds this
   * Composer's step model: composing or opening another stream ends it. Throws `ComposeError`.
   * @example
   * const stream = composer.stream(createRecipe({ seed: 7 }));
   * const notes = stream.next(32); // … and on
   * const kept = stream.cut(64, 200); // = composer.compose(createRecipe({ seed: 7, offset: 64, length: 200 }))
   */
  stream(recipe: Recipe): CompositionStream {
    const plan = this.plan(recipe);
    if (plan.keyAtEnd)
      throw new ComposeError(
        "key-needs-piece",
        `a stream cannot be moved to ${keyChoiceText(plan.key)}: this model was trained on keys as written, so that shift is estimated from the finished piece (choose as-trained)`,
      );
    const sampler = this.sampler(recipe, plan.primer);
    const lease = this.lease;
    const build = new PieceBuild(this.bundle, { ...recipe, offset: 0 }, plan, []);
    const live = () => {
      if (this.lease !== lease)
        throw new Error(
          "this stream was ended: its Composer composed another piece or opened another stream (or was disposed)",
        );
    };
    return {
      primer: plan.primer,
      get tokenCount() {
        return build.tokens.length;
      },
      next: (count) => {
        live();
        const settled: QuarterNote[] = [];
        for (let i = 0; i < count; i++) settled.push(...build.push(sampler.next()));
        return settled;
      },
      cut: (offset, length) => {
        const cutRecipe = { ...recipe, offset, length };
        checkRecipe(cutRecipe);
        if (offset + length > build.tokens.length)
          throw new ComposeError(
            "invalid-recipe",
            `recipe: the stream has ${build.tokens.length} tokens, fewer than offset ${offset} + length ${length}`,
          );
        const cutBuild = new PieceBuild(this.bundle, cutRecipe, plan, build.tokens.slice(0, offset));
        for (const token of build.tokens.slice(offset, offset + length)) cutBuild.push(token);
        return cutBuild.finish();
      },
    };
  }

  /** Checks the recipe and resolves what a piece and a stream both need before the first token. */
  private plan(recipe: Recipe): Plan {
    if (this.disposed) throw new Error("this Composer was disposed");
    checkRecipe(recipe);
    const key = recipeKeyChoice(recipe);
    const primer = this.primer(recipe.primer, { seed: recipe.seed, length: recipe.primerLength });
    const normalized = this.manifest.training.keyNormalization === "song";
    const shiftFor = (notes: readonly QuarterNote[]) =>
      keyShiftForPiece({ normalized, choice: key, primerShift: primer.keyShift, notes });
    // Known before any token, except a named key on a model trained on keys as written: that
    // depends on the finished piece's estimated key.
    const keyAtEnd = key.kind === "key" && !normalized;
    return { key, primer, shiftFor, keyAtEnd, streamShift: keyAtEnd ? 0 : shiftFor([]) };
  }

  /** A sampler on this Composer's step model, which it takes from any open stream. */
  private sampler(recipe: Recipe, primer: Primer): TokenSampler {
    this.lease += 1;
    const options = {
      seed: recipe.seed,
      primer: primer.tokens,
      temperature: recipe.temperature,
      topK: recipe.topK,
      topP: recipe.topP,
      repetitionGuard: recipe.repetitionGuard,
    };
    const memory = this.manifest.model.keyMemory;
    let keyMemory: KeyMemory | undefined;
    if (memory !== undefined && memory.strength > 0) {
      this.pitchMasks ??= pitchClassMasks(this.bundle.vocabulary.tokens, this.bundle.tokenizer);
      keyMemory = new KeyMemory(this.pitchMasks, memory);
    }
    return createTokenSampler({
      step: this.step,
      vocabulary: this.bundle.vocabulary,
      tokenizer: this.bundle.tokenizer,
      options,
      keyMemory,
    });
  }

  /** Frees the step model (and its WebAssembly memory). The bundle's model is not touched. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.lease += 1;
    this.step.dispose();
  }
}

/** The piece as a Standard MIDI File: its notes at its bpm, its title, and its recipe as text events. */
export function pieceToMidi(piece: Pick<Piece, "notes" | "title" | "recipeLines" | "bpm">): Uint8Array {
  return writeMidi({
    notes: piece.notes,
    title: piece.title,
    texts: piece.recipeLines,
    tempos: [{ quarter: 0, bpm: piece.bpm }],
  });
}
