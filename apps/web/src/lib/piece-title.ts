// Generated titles: a form chosen by the seed, then the key the notes suggest once they exist.
import type { RollNote } from "./roll";

const FORMS = [
  "Nocturne",
  "Étude",
  "Prelude",
  "Reverie",
  "Waltz",
  "Ballade",
  "Impromptu",
  "Sketch",
  "Romance",
  "Lullaby",
];
const PITCH_NAMES = ["C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B"];
// Krumhansl-Kessler key profiles.
const MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

export function initialTitle(seed: number): string {
  return `${FORMS[seed % FORMS.length]} No. ${(seed % 997) + 1}`;
}

/** Best-correlating key over duration-weighted pitch classes, e.g. "A minor"; null without notes. */
export function estimateKey(notes: readonly RollNote[]): string | null {
  const weights = new Array<number>(12).fill(0);
  for (const [pitch, , start, end] of notes) weights[pitch % 12]! += Math.max(0.0625, end - start);
  if (weights.every((w) => w === 0)) return null;
  let best = { score: -Infinity, name: "" };
  for (let tonic = 0; tonic < 12; tonic += 1) {
    for (const [profile, mode] of [
      [MAJOR, "major"],
      [MINOR, "minor"],
    ] as const) {
      const score = correlation(
        weights,
        profile.map((_, i) => profile[(i - tonic + 12) % 12]!),
      );
      if (score > best.score) best = { score, name: `${PITCH_NAMES[tonic]} ${mode}` };
    }
  }
  return best.name;
}

/** "Nocturne No. 8" → "Nocturne in A minor" once the piece exists (only if the listener kept it). */
export function finishedTitle(seed: number, notes: readonly RollNote[]): string {
  const key = estimateKey(notes);
  return key === null ? initialTitle(seed) : `${FORMS[seed % FORMS.length]} in ${key}`;
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ma = mean(a);
  const mb = mean(b);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i += 1) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}
