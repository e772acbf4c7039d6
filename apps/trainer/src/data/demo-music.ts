// Small music-theory helpers for the demo corpus: pitch names, keys, triads, left-hand patterns.
import type { QuarterNote } from "@motif/midi";

const LETTER_PITCH_CLASS: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** "C4" → 60, "F#3" → 54, "Bb2" → 46. */
export function pitchFromName(name: string): number {
  const match = /^([A-G])(#|b)?(-?\d)$/.exec(name);
  if (!match) throw new Error(`bad pitch name "${name}"`);
  const accidental = match[2] === "#" ? 1 : match[2] === "b" ? -1 : 0;
  return 12 * (Number(match[3]) + 1) + LETTER_PITCH_CLASS[match[1]!]! + accidental;
}

interface MelodyEvent {
  /** null = rest. */
  pitch: number | null;
  quarters: number;
}

/** "E4 E4:0.5 r:1 G4:2" → events; the number after ":" is the length in quarter notes (default 1). */
export function parseMelody(text: string): MelodyEvent[] {
  return text
    .split(/[\s|]+/)
    .filter((word) => word.length > 0)
    .map((word) => {
      const [name, length] = word.split(":");
      return {
        pitch: name === "r" ? null : pitchFromName(name!),
        quarters: length === undefined ? 1 : Number(length),
      };
    });
}

/** Lays a melody out from `startQuarter`, accenting bar downbeats. */
export function melodyNotes(
  events: MelodyEvent[],
  options: { beatsPerBar: number; velocity: number; transpose?: number; startQuarter?: number },
): QuarterNote[] {
  const notes: QuarterNote[] = [];
  let time = options.startQuarter ?? 0;
  for (const event of events) {
    if (event.pitch !== null) {
      const accent = Math.abs(time % options.beatsPerBar) < 1e-9 ? 10 : 0;
      notes.push({
        pitch: event.pitch + (options.transpose ?? 0),
        velocity: options.velocity + accent,
        startQuarter: time,
        endQuarter: time + event.quarters * 0.95,
      });
    }
    time += event.quarters;
  }
  return notes;
}

export type Mode = "major" | "minor";
const SCALES: Record<Mode, number[]> = { major: [0, 2, 4, 5, 7, 9, 11], minor: [0, 2, 3, 5, 7, 8, 11] };

export interface Key {
  /** Pitch class of the tonic, 0 = C. */
  tonic: number;
  mode: Mode;
  name: string;
}

export function key(name: string): Key {
  const minor = name.endsWith("m");
  const letter = minor ? name.slice(0, -1) : name;
  return {
    tonic: ((pitchFromName(`${letter}4`) % 12) + 12) % 12,
    mode: minor ? "minor" : "major",
    name: minor ? `${letter} minor` : `${letter} major`,
  };
}

/** The scale pitch `degree` steps (0-based, may exceed 6 or go negative) above the tonic in `octave`. */
export function scalePitch(k: Key, degree: number, octave: number): number {
  const steps = SCALES[k.mode];
  const wrapped = ((degree % 7) + 7) % 7;
  return 12 * (octave + 1) + k.tonic + steps[wrapped]! + 12 * Math.floor(degree / 7);
}

const ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII"];

/** "V" or "iv" → the triad's root degree (0-based). */
export function romanDegree(numeral: string): number {
  const index = ROMAN.indexOf(numeral.toUpperCase());
  if (index < 0) throw new Error(`bad roman numeral "${numeral}"`);
  return index;
}

/** Root-position triad in the left-hand register (root between F2 and E3). */
export function leftHandTriad(k: Key, numeral: string): [number, number, number] {
  const degree = romanDegree(numeral);
  let root = scalePitch(k, degree, 2);
  while (root > pitchFromName("E3")) root -= 12;
  while (root < pitchFromName("F2")) root += 12;
  const third = root + (scalePitch(k, degree + 2, 2) - scalePitch(k, degree, 2));
  const fifth = root + (scalePitch(k, degree + 4, 2) - scalePitch(k, degree, 2));
  return [root, third, fifth];
}

export type Accompaniment = "block" | "alberti" | "waltz" | "broken";

/** One bar of left hand over `triad`, starting at `start`. */
export function accompanimentBar(
  triad: [number, number, number],
  pattern: Accompaniment,
  start: number,
  beats: number,
  velocity: number,
): QuarterNote[] {
  const [root, third, fifth] = triad;
  const note = (pitch: number, at: number, length: number, accent = 0): QuarterNote => ({
    pitch,
    velocity: velocity + accent,
    startQuarter: start + at,
    endQuarter: start + at + length * 0.95,
  });
  switch (pattern) {
    case "block":
      return [note(root, 0, beats, 8), note(third, 0, beats), note(fifth, 0, beats)];
    case "waltz":
      return [
        note(root - 12, 0, 1, 8),
        ...[1, 2].flatMap((beat) => (beat < beats ? [note(third, beat, 1), note(fifth, beat, 1)] : [])),
      ];
    case "alberti": {
      const cycle = [root, fifth, third, fifth];
      return Array.from({ length: beats * 2 }, (_, i) => note(cycle[i % 4]!, i * 0.5, 0.5, i === 0 ? 8 : 0));
    }
    case "broken": {
      const cycle = [root, third, fifth, root + 12];
      return Array.from({ length: beats * 2 }, (_, i) => note(cycle[i % 4]!, i * 0.5, 0.5, i === 0 ? 8 : 0));
    }
  }
}

/** "I IV V-I" → one entry per bar; "V-I" splits the bar in two halves. */
export function accompaniment(
  k: Key,
  progression: string,
  pattern: Accompaniment,
  beatsPerBar: number,
  velocity: number,
): QuarterNote[] {
  return progression
    .split(/\s+/)
    .filter((bar) => bar.length > 0)
    .flatMap((bar, index) => {
      const chords = bar.split("-");
      const length = beatsPerBar / chords.length;
      return chords.flatMap((numeral, i) =>
        accompanimentBar(
          leftHandTriad(k, numeral),
          length === beatsPerBar ? pattern : "block",
          index * beatsPerBar + i * length,
          length,
          velocity,
        ),
      );
    });
}
