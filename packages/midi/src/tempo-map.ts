import { lastIndexAtOrBefore } from "./binary-search.js";
import type { TempoChange } from "./types.js";

const DEFAULT_MICROSECONDS_PER_QUARTER = 500_000; // 120 bpm, the SMF default

/**
 * Ticks → seconds through a precomputed tempo map: the seconds at every change are summed once,
 * then each lookup is a binary search (O(log n) per note, not O(changes)).
 */
export class TempoMap {
  private readonly ticks: number[];
  private readonly seconds: number[];
  private readonly secondsPerTick: number[];
  readonly changes: TempoChange[];

  /**
   * `tempos` in file order; they are sorted by tick (stable), and of several changes at one tick
   * the last one wins. A map always starts at tick 0 (120 bpm until the first change).
   */
  constructor(tempos: readonly { tick: number; microsecondsPerQuarter: number }[], ticksPerQuarter: number) {
    const sorted = [...tempos].sort((a, b) => a.tick - b.tick);
    const merged: { tick: number; microsecondsPerQuarter: number }[] = [];
    for (const tempo of sorted) {
      if (merged.length > 0 && merged[merged.length - 1]!.tick === tempo.tick)
        merged[merged.length - 1] = tempo;
      else merged.push(tempo);
    }
    if (merged.length === 0 || merged[0]!.tick > 0)
      merged.unshift({ tick: 0, microsecondsPerQuarter: DEFAULT_MICROSECONDS_PER_QUARTER });

    this.ticks = merged.map((tempo) => tempo.tick);
    this.secondsPerTick = merged.map((tempo) => tempo.microsecondsPerQuarter / 1e6 / ticksPerQuarter);
    this.seconds = [0];
    for (let i = 1; i < merged.length; i++) {
      this.seconds.push(
        this.seconds[i - 1]! + (this.ticks[i]! - this.ticks[i - 1]!) * this.secondsPerTick[i - 1]!,
      );
    }
    this.changes = merged.map((tempo, i) => ({
      tick: tempo.tick,
      quarter: tempo.tick / ticksPerQuarter,
      time: this.seconds[i]!,
      bpm: 60e6 / tempo.microsecondsPerQuarter,
    }));
  }

  toSeconds(tick: number): number {
    // The map starts at tick 0 and ticks are never negative, so some change always applies.
    const i = Math.max(0, lastIndexAtOrBefore(this.ticks, tick));
    return this.seconds[i]! + (tick - this.ticks[i]!) * this.secondsPerTick[i]!;
  }
}
