// The radio's stream, apart from messaging (device-worker.ts posts what it gives): the device
// recipe's endless stream composed a chunk at a time until it is far enough ahead of the playhead,
// and Keep as a cut of it whose recipe (seed, offset, length) replays it.
import {
  quartersToSeconds,
  secondsToQuarters,
  type Composer,
  type CompositionStream,
  type Piece,
} from "@motif/core/compose";
import type { QuarterNote } from "@motif/midi";
import type { DeviceRecipe, RadioStats } from "./device-protocol";
import { deviceGalleryRecipe } from "./device-recipe";
import { keepWindow, type StreamMark } from "./radio-window";

/** Tokens composed between two looks at the playhead (a few ms of work: skip, keep and the playhead are not kept waiting). */
const RADIO_CHUNK_TOKENS = 16;

export class RadioStream {
  readonly bpm: number;
  private readonly stream: CompositionStream;
  private readonly marks: StreamMark[] = [];
  private readonly aheadQuarters: number;
  private composedQuarter = 0;
  private playheadQuarter = 0;
  private busyMs = 0;

  /** Opens the recipe's stream on `composer` (which it holds until another stream or piece). */
  constructor(
    composer: Composer,
    readonly recipe: DeviceRecipe,
    aheadSeconds: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    const galleryRecipe = deviceGalleryRecipe(recipe);
    this.bpm = galleryRecipe.bpm;
    this.stream = composer.stream(galleryRecipe);
    this.aheadQuarters = secondsToQuarters(aheadSeconds, this.bpm);
  }

  /** Where the playhead is, in this stream's seconds. */
  setPlayhead(seconds: number): void {
    this.playheadQuarter = secondsToQuarters(seconds, this.bpm);
  }

  /** Composed far enough past the playhead: composing waits for it to move on. */
  get ahead(): boolean {
    return this.composedQuarter - this.playheadQuarter >= this.aheadQuarters;
  }

  /** Composes one chunk unless far enough ahead (then null). `composedSeconds`: the last settled note's start. */
  step(): { notes: QuarterNote[]; composedSeconds: number; stats: RadioStats } | null {
    if (this.ahead) return null;
    const started = this.now();
    const notes = this.stream.next(RADIO_CHUNK_TOKENS);
    this.busyMs += this.now() - started;
    this.composedQuarter = notes.at(-1)?.startQuarter ?? this.composedQuarter;
    this.marks.push({ tokens: this.stream.tokenCount, quarter: this.composedQuarter });
    return {
      notes,
      composedSeconds: quartersToSeconds(this.composedQuarter, this.bpm),
      stats: { tokens: this.stream.tokenCount, busyMs: this.busyMs },
    };
  }

  /** Keep: about `spanSeconds` of the stream up to `seconds`, and the device recipe that replays it. Throws when too little is composed. */
  keep(seconds: number, spanSeconds: number): { recipe: DeviceRecipe; piece: Piece } {
    const cut = keepWindow(this.marks, {
      endQuarter: secondsToQuarters(seconds, this.bpm),
      spanQuarters: secondsToQuarters(spanSeconds, this.bpm),
    });
    if (!cut) throw new Error("too little of this stream has been composed yet to keep a piece");
    const piece = this.stream.cut(cut.offset, cut.length);
    return { recipe: { ...this.recipe, offset: cut.offset, length: cut.length }, piece };
  }
}
