// The key memory on a hand-made vocabulary: one note token per MIDI pitch 48..83 plus two tokens
// that sound nothing (a wait and a duration), so every expectation can be worked out by hand.
import { describe, expect, it } from "vitest";
import { checkKeyMemory, KeyMemory } from "./key-memory.js";

const PITCHES = Array.from({ length: 36 }, (_, i) => 48 + i);
const WAIT = PITCHES.length;
const DURATION = WAIT + 1;
const MASKS = Uint16Array.from([...PITCHES.map((pitch) => 1 << (pitch % 12)), 0, 0]);
const idOf = (pitch: number): number => pitch - 48;

const C_MAJOR = [0, 2, 4, 5, 7, 9, 11];
const F_SHARP_MAJOR = [6, 8, 10, 11, 1, 3, 5];

/** Flat logits (every note equally likely) with the two non-note tokens at their own values. */
function flatLogits(): Float32Array {
  const logits = new Float32Array(MASKS.length).fill(0.5);
  logits[WAIT] = 1.25;
  logits[DURATION] = -2;
  return logits;
}

function softmax(logits: ArrayLike<number>): number[] {
  const values = Array.from(logits);
  const max = Math.max(...values);
  const exps = values.map((value) => Math.exp(value - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** The probability the logits put on notes of the given pitch classes. */
function massOn(logits: ArrayLike<number>, classes: readonly number[]): number {
  const p = softmax(logits);
  return PITCHES.reduce((sum, pitch, id) => sum + (classes.includes(pitch % 12) ? (p[id] as number) : 0), 0);
}

function playScale(memory: KeyMemory, classes: readonly number[], times: number): void {
  for (let t = 0; t < times; t++) for (const pc of classes) memory.observe(idOf(60 + pc));
}

describe("KeyMemory", () => {
  it("changes nothing at strength 0, nor before any note was heard", () => {
    const logits = flatLogits();
    const off = new KeyMemory(MASKS, { strength: 0, halfLife: null });
    playScale(off, C_MAJOR, 4);
    expect(Array.from(off.adjust(logits))).toEqual(Array.from(logits));
    const fresh = new KeyMemory(MASKS, { strength: 1, halfLife: null });
    fresh.observe(WAIT);
    expect(Array.from(fresh.adjust(logits))).toEqual(Array.from(logits));
  });

  it("moves probability onto the scale heard, keeping the notes' total and every non-note token", () => {
    const logits = flatLogits();
    const memory = new KeyMemory(MASKS, { strength: 0.5, halfLife: null });
    playScale(memory, C_MAJOR, 4);
    const adjusted = memory.adjust(logits);

    const before = softmax(logits);
    const after = softmax(adjusted);
    expect(after[WAIT]).toBeCloseTo(before[WAIT] as number, 6);
    expect(after[DURATION]).toBeCloseTo(before[DURATION] as number, 6);
    // Flat logits put 7/12 of the note mass in key; 28 heard notes of 7 classes + 1 pseudo-count each
    // give in-key classes (4 + 1) / 40 and the others 1 / 40: at strength 0.5 a weight ratio of √5.
    const noteMass = 1 - (before[WAIT] as number) - (before[DURATION] as number);
    const ratio = Math.sqrt(5);
    expect(massOn(adjusted, C_MAJOR) / noteMass).toBeCloseTo((7 * ratio) / (7 * ratio + 5), 5);
    expect(massOn(logits, C_MAJOR) / noteMass).toBeCloseTo(7 / 12, 5);
    // Within a pitch class the model's own order stands: octaves stay equal here.
    expect(adjusted[idOf(60)]).toBeCloseTo(adjusted[idOf(72)] as number, 6);
  });

  it("follows a modulation when older notes fade, and holds the first key when they never do", () => {
    const fading = new KeyMemory(MASKS, { strength: 1, halfLife: 8 });
    const holding = new KeyMemory(MASKS, { strength: 1, halfLife: null });
    for (const memory of [fading, holding]) {
      playScale(memory, C_MAJOR, 6); // 42 notes in C major ...
      playScale(memory, F_SHARP_MAJOR, 3); // ... then 21 in F♯ major
    }
    const logits = flatLogits();
    expect(massOn(fading.adjust(logits), F_SHARP_MAJOR)).toBeGreaterThan(
      massOn(fading.adjust(logits), C_MAJOR),
    );
    expect(massOn(holding.adjust(logits), C_MAJOR)).toBeGreaterThan(
      massOn(holding.adjust(logits), F_SHARP_MAJOR),
    );
  });

  it("leaves masked tokens masked", () => {
    const logits = flatLogits();
    logits[idOf(61)] = -Infinity;
    const memory = new KeyMemory(MASKS, { strength: 2, halfLife: 32 });
    playScale(memory, C_MAJOR, 2);
    const adjusted = memory.adjust(logits);
    expect(adjusted[idOf(61)]).toBe(-Infinity);
    expect(adjusted.every((value, id) => id === idOf(61) || Number.isFinite(value))).toBe(true);
  });

  it("refuses settings it cannot have", () => {
    expect(() => checkKeyMemory({ strength: -0.1, halfLife: null })).toThrow(
      /strength must be a number in 0..4/,
    );
    expect(() => checkKeyMemory({ strength: Number.NaN, halfLife: null })).toThrow(/strength/);
    expect(() => checkKeyMemory({ strength: 0.5, halfLife: 0.5 })).toThrow(
      /half-life must be ≥ 1 note or null/,
    );
    expect(() => checkKeyMemory({ strength: 0.5, halfLife: 32 })).not.toThrow();
  });
});
