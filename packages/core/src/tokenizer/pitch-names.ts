/** music21's default spelling of MIDI pitches: sharps except E-flat and B-flat, flats written "-". */
const STEP_NAMES = ["C", "C#", "D", "E-", "E", "F", "F#", "G", "G#", "A", "B-", "B"] as const;

/**
 * The music21 name with octave of a MIDI pitch (octave = floor(pitch / 12) - 1).
 * @example pitchName(61) // "C#4"
 * @example pitchName(70) // "B-4"
 */
export function pitchName(pitch: number): string {
  if (!Number.isInteger(pitch) || pitch < 0 || pitch > 127) {
    throw new RangeError(`pitch must be an integer 0..127, got ${pitch}`);
  }
  return `${STEP_NAMES[pitch % 12]}${Math.floor(pitch / 12) - 1}`;
}

// A lookup table rather than a parser: "C-1" (MIDI 0) would otherwise read as C-flat in octave 1.
// Two names are ambiguous in music21 itself: "E-1" is both E in octave -1 (MIDI 4) and E-flat in
// octave 1 (MIDI 27), "B-1" both MIDI 11 and 34. music21 reads them as the flats, and so does this
// table (later pitches overwrite earlier ones), so the language has 126 distinct note names.
const PITCH_BY_NAME: ReadonlyMap<string, number> = new Map(
  Array.from({ length: 128 }, (_, pitch) => [pitchName(pitch), pitch] as const),
);

/** The MIDI pitch of a name produced by `pitchName`, or undefined for anything else. */
export function pitchFromName(name: string): number | undefined {
  return PITCH_BY_NAME.get(name);
}
