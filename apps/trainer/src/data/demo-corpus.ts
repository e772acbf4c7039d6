// Motif's own built-in demo corpus: public-domain tunes typed in by hand as note lists, plus
// generated tonal exercises (scales, arpeggios, Alberti bass, cadences) in several keys, each
// with a melody and a left hand. Everything is written through writeMidi; no third-party files.
import { writeMidi, type PieceSpec, type QuarterNote } from "@motif/midi";
import {
  accompaniment,
  accompanimentBar,
  key,
  leftHandTriad,
  melodyNotes,
  parseMelody,
  romanDegree,
  scalePitch,
  type Accompaniment,
  type Key,
} from "./demo-music.js";

interface DemoPiece {
  /** File name, e.g. "ode-to-joy.mid". */
  name: string;
  spec: PieceSpec;
}

interface Tune {
  name: string;
  title: string;
  keyName: string;
  beatsPerBar: number;
  bpm: number;
  melody: string;
  progression: string;
  pattern: Accompaniment;
}

// Transcriptions of traditional / public-domain melodies (Beethoven, Petzold, nursery tunes).
const TUNES: Tune[] = [
  {
    name: "ode-to-joy",
    title: "Ode to Joy (Beethoven)",
    keyName: "C",
    beatsPerBar: 4,
    bpm: 112,
    melody:
      "E4 E4 F4 G4 | G4 F4 E4 D4 | C4 C4 D4 E4 | E4:1.5 D4:0.5 D4:2 | E4 E4 F4 G4 | G4 F4 E4 D4 | C4 C4 D4 E4 | D4:1.5 C4:0.5 C4:2 |" +
      "D4 D4 E4 C4 | D4 E4:0.5 F4:0.5 E4 C4 | D4 E4:0.5 F4:0.5 E4 D4 | C4 D4 G3:2 | E4 E4 F4 G4 | G4 F4 E4 D4 | C4 C4 D4 E4 | D4:1.5 C4:0.5 C4:2",
    progression: "I V I V I V I V-I V V-I V-I I-V I V I V-I",
    pattern: "broken",
  },
  {
    name: "twinkle-twinkle",
    title: "Twinkle, Twinkle, Little Star (traditional)",
    keyName: "C",
    beatsPerBar: 4,
    bpm: 100,
    melody:
      "C4 C4 G4 G4 | A4 A4 G4:2 | F4 F4 E4 E4 | D4 D4 C4:2 | G4 G4 F4 F4 | E4 E4 D4:2 | G4 G4 F4 F4 | E4 E4 D4:2 |" +
      "C4 C4 G4 G4 | A4 A4 G4:2 | F4 F4 E4 E4 | D4 D4 C4:2",
    progression: "I IV-I IV-I V-I I-IV I-V I-IV I-V I IV-I IV-I V-I",
    pattern: "alberti",
  },
  {
    name: "frere-jacques",
    title: "Frère Jacques (traditional)",
    keyName: "F",
    beatsPerBar: 4,
    bpm: 108,
    melody:
      "F4 G4 A4 F4 | F4 G4 A4 F4 | A4 Bb4 C5:2 | A4 Bb4 C5:2 |" +
      "C5:0.5 D5:0.5 C5:0.5 Bb4:0.5 A4 F4 | C5:0.5 D5:0.5 C5:0.5 Bb4:0.5 A4 F4 | F4 C4 F4:2 | F4 C4 F4:2",
    progression: "I I I I I I V-I V-I",
    pattern: "block",
  },
  {
    name: "minuet-in-g",
    title: "Minuet in G (Petzold, BWV Anh. 114)",
    keyName: "G",
    beatsPerBar: 3,
    bpm: 120,
    melody:
      "D5 G4:0.5 A4:0.5 B4:0.5 C5:0.5 | D5 G4 G4 | E5 C5:0.5 D5:0.5 E5:0.5 F#5:0.5 | G5 G4 G4 | C5 D5:0.5 C5:0.5 B4:0.5 A4:0.5 |" +
      "B4 C5:0.5 B4:0.5 A4:0.5 G4:0.5 | F#4 G4:0.5 A4:0.5 B4:0.5 G4:0.5 | A4:3 |" +
      "D5 G4:0.5 A4:0.5 B4:0.5 C5:0.5 | D5 G4 G4 | E5 C5:0.5 D5:0.5 E5:0.5 F#5:0.5 | G5 G4 G4 | C5 D5:0.5 C5:0.5 B4:0.5 A4:0.5 |" +
      "B4 C5:0.5 B4:0.5 A4:0.5 G4:0.5 | A4 B4:0.5 A4:0.5 G4:0.5 F#4:0.5 | G4:3",
    progression: "I I IV I IV I V V I I IV I IV I V I",
    pattern: "waltz",
  },
  {
    name: "mary-had-a-little-lamb",
    title: "Mary Had a Little Lamb (traditional)",
    keyName: "C",
    beatsPerBar: 4,
    bpm: 104,
    melody:
      "E4 D4 C4 D4 | E4 E4 E4:2 | D4 D4 D4:2 | E4 G4 G4:2 | E4 D4 C4 D4 | E4 E4 E4 E4 | D4 D4 E4 D4 | C4:4",
    progression: "I I V I I I V I",
    pattern: "alberti",
  },
  {
    name: "au-clair-de-la-lune",
    title: "Au clair de la lune (traditional)",
    keyName: "C",
    beatsPerBar: 4,
    bpm: 96,
    melody:
      "C4 C4 C4 D4 | E4:2 D4:2 | C4 E4 D4 D4 | C4:4 | C4 C4 C4 D4 | E4:2 D4:2 | C4 E4 D4 D4 | C4:4 |" +
      "D4 D4 D4 D4 | A3:2 A3:2 | D4 C4 B3 A3 | G3:4 | C4 C4 C4 D4 | E4:2 D4:2 | C4 E4 D4 D4 | C4:4",
    progression: "I I-V I-V I I I-V I-V I V II V V I I-V I-V I",
    pattern: "broken",
  },
];

const MELODY_VELOCITY = 78;
const LEFT_HAND_VELOCITY = 56;

function tunePiece(tune: Tune): DemoPiece {
  const k = key(tune.keyName);
  const notes = [
    ...melodyNotes(parseMelody(tune.melody), { beatsPerBar: tune.beatsPerBar, velocity: MELODY_VELOCITY }),
    ...accompaniment(k, tune.progression, tune.pattern, tune.beatsPerBar, LEFT_HAND_VELOCITY),
  ];
  return piece(`${tune.name}.mid`, tune.title, notes, tune.bpm);
}

function piece(name: string, title: string, notes: QuarterNote[], bpm: number): DemoPiece {
  const sorted = [...notes].sort((a, b) => a.startQuarter - b.startQuarter || a.pitch - b.pitch);
  return { name, spec: { title, notes: sorted, tempos: [{ quarter: 0, bpm }] } };
}

const slug = (k: Key) =>
  k.name
    .toLowerCase()
    .replace(/ /g, "-")
    .replace("#", "-sharp")
    .replace(/^([a-g])b-/, "$1-flat-");

/** Two-octave scale up and down in eighths over a left hand, ending on the tonic. */
function scaleExercise(k: Key): DemoPiece {
  const degrees = [
    ...Array.from({ length: 16 }, (_, i) => i),
    ...Array.from({ length: 16 }, (_, i) => 15 - i),
  ];
  const right: QuarterNote[] = degrees.map((degree, i) => ({
    pitch: scalePitch(k, degree, 4),
    velocity: MELODY_VELOCITY + (i % 8 === 0 ? 10 : 0),
    startQuarter: i * 0.5,
    endQuarter: i * 0.5 + 0.45,
  }));
  right.push({ pitch: scalePitch(k, 0, 4), velocity: MELODY_VELOCITY, startQuarter: 16, endQuarter: 19.8 });
  return piece(
    `scale-${slug(k)}.mid`,
    `Scale in ${k.name}`,
    [...right, ...accompaniment(k, "I V V-I V I", "block", 4, LEFT_HAND_VELOCITY)],
    120,
  );
}

/** Broken triads in the right hand over I IV V I, the left hand holding the chords. */
function arpeggioExercise(k: Key): DemoPiece {
  const progression = ["I", "IV", "V", "I", "VI", "IV", "V", "I"];
  const right = progression.flatMap((numeral, bar) => {
    const degree = romanDegree(numeral);
    const tones = [0, 2, 4, 7, 4, 2, 0, 2].map((step) => scalePitch(k, degree + step, 4));
    return tones.map((pitch, i) => ({
      pitch,
      velocity: MELODY_VELOCITY + (i === 0 ? 10 : 0),
      startQuarter: bar * 4 + i * 0.5,
      endQuarter: bar * 4 + i * 0.5 + 0.45,
    }));
  });
  return piece(
    `arpeggios-${slug(k)}.mid`,
    `Arpeggios in ${k.name}`,
    [...right, ...accompaniment(k, progression.join(" "), "block", 4, LEFT_HAND_VELOCITY)],
    112,
  );
}

/** A chord-tone melody over an Alberti bass: the classical-sonatina texture. */
function albertiExercise(k: Key, variant: number): DemoPiece {
  const progression =
    k.mode === "major"
      ? ["I", "VI", "IV", "V", "I", "IV", "V", "I"]
      : ["I", "IV", "V", "I", "VI", "IV", "V", "I"];
  const contours = [
    [4, 2, 3, 4],
    [7, 4, 2, 4],
    [2, 4, 7, 6],
    [4, 5, 4, 2],
  ];
  const right = progression.flatMap((numeral, bar) => {
    const degree = romanDegree(numeral);
    const last = bar === progression.length - 1;
    const contour = last ? [7] : contours[(bar + variant) % contours.length]!;
    const length = 4 / contour.length;
    return contour.map((step, i) => ({
      pitch: scalePitch(k, degree + step, 4),
      velocity: MELODY_VELOCITY + (i === 0 ? 8 : 0),
      startQuarter: bar * 4 + i * length,
      endQuarter: bar * 4 + (i + 1) * length - 0.05,
    }));
  });
  const left = progression.flatMap((numeral, bar) =>
    accompanimentBar(leftHandTriad(k, numeral), "alberti", bar * 4, 4, LEFT_HAND_VELOCITY),
  );
  return piece(
    `alberti-${slug(k)}.mid`,
    `Sonatina on an Alberti bass in ${k.name}`,
    [...right, ...left],
    126,
  );
}

/** I–IV–V–I cadences: close-position chords in the right hand, the bass in the left. */
function cadenceExercise(k: Key): DemoPiece {
  const progression = ["I", "IV", "V", "I", "I", "II", "V", "I"];
  const notes = progression.flatMap((numeral, i) => {
    const degree = romanDegree(numeral);
    const start = i * 2;
    const upper = [0, 2, 4].map((step) => scalePitch(k, degree + step, 4));
    const bass = leftHandTriad(k, numeral)[0];
    const length = i === progression.length - 1 ? 4 : 2;
    return [bass, ...upper].map((pitch) => ({
      pitch,
      velocity: 64,
      startQuarter: start,
      endQuarter: start + length - 0.1,
    }));
  });
  return piece(`cadences-${slug(k)}.mid`, `Cadences in ${k.name}`, notes, 80);
}

/** Every demo piece, in a stable order. */
export function demoPieces(): DemoPiece[] {
  const keys = (names: string[]) => names.map(key);
  return [
    ...TUNES.map(tunePiece),
    ...keys(["C", "G", "D", "F", "Bb", "Am"]).map(scaleExercise),
    ...keys(["C", "G", "F", "D", "Em"]).map(arpeggioExercise),
    ...keys(["C", "G", "F", "D", "Bb", "Am", "Dm"]).map((k, i) => albertiExercise(k, i)),
    ...keys(["C", "G", "D", "F", "A", "Eb", "Am"]).map(cadenceExercise),
  ];
}

/** The demo corpus as MIDI files in memory. */
export function demoCorpusFiles(): { name: string; bytes: Uint8Array }[] {
  return demoPieces().map((p) => ({ name: p.name, bytes: writeMidi(p.spec) }));
}
