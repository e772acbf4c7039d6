/**
 * music21's `Chord.normalOrder`, reproduced so that Motif's `notes-chords` tokens match the seed's.
 *
 * music21 (v5 to v9.1, the versions a seed notebook of that era ran) does not compute the normal
 * order from first principles. It looks the pitch-class set up in Forte's set-class table:
 * 1. Find the set class: some rotation of the sorted set, transposed to start on 0, equals the
 *    class's prime form ("A" form), or the inversion of such a rotation does ("B" form).
 *    Inversionally symmetric classes have no A/B distinction.
 * 2. The template is the prime form for A forms and symmetric classes, and for B forms the prime
 *    form inverted and read backwards (e.g. <0,3,7> becomes <0,4,7>).
 * 3. Transpose the template by each pitch class of the set in ascending order and return the first
 *    transposition that gives back the set. This breaks the ties of transpositionally symmetric
 *    sets: {0,4,8} is 0.4.8, {5,6,11,0} is 5.6.11.0.
 *
 * Step 2 is why music21 sometimes disagrees with textbook normal form: {2,3,7,11} is [7,11,2,3]
 * here, where Forte's and Rahn's rules both give [11,2,3,7]. music21 changed its B-form table in
 * 2024 (https://github.com/cuthbertLab/music21/issues/1663, "Normal Form isn't computed correctly");
 * the seed predates that, so this module keeps the older table rule.
 */

/** Forte's prime forms by cardinality, each list in Forte-number order (3-1, 3-2, …); hex digits. */
// prettier-ignore
const FORTE_PRIME_FORMS: readonly (readonly string[])[] = [
  [],
  ["0"],
  ["01", "02", "03", "04", "05", "06"],
  ["012", "013", "014", "015", "016", "024", "025", "026", "027", "036", "037", "048"],
  [
    "0123", "0124", "0134", "0125", "0126", "0127", "0145", "0156", "0167", "0235",
    "0135", "0236", "0136", "0237", "0146", "0157", "0347", "0147", "0148", "0158",
    "0246", "0247", "0257", "0248", "0268", "0358", "0258", "0369", "0137",
  ],
  [
    "01234", "01235", "01245", "01236", "01237", "01256", "01267", "02346", "01246", "01346",
    "02347", "01356", "01248", "01257", "01268", "01347", "01348", "01457", "01367", "01378",
    "01458", "01478", "02357", "01357", "02358", "02458", "01358", "02368", "01368", "01468",
    "01369", "01469", "02468", "02469", "02479", "01247", "03458", "01258",
  ],
  [
    "012345", "012346", "012356", "012456", "012367", "012567", "012678", "023457", "012357", "013457",
    "012457", "012467", "013467", "013458", "012458", "014568", "012478", "012578", "013478", "014589",
    "023468", "012468", "023568", "013468", "013568", "013578", "013469", "013569", "013689", "013679",
    "013589", "024579", "023579", "013579", "02468a", "012347", "012348", "012378", "023458", "012358",
    "012368", "012369", "012568", "012569", "023469", "012469", "012479", "012579", "013479", "014679",
  ],
  [
    "0123456", "0123457", "0123458", "0123467", "0123567", "0123478", "0123678", "0234568", "0123468", "0123469",
    "0134568", "0123479", "0124568", "0123578", "0124678", "0123569", "0124569", "0123589", "0123679", "0124789",
    "0124589", "0125689", "0234579", "0123579", "0234679", "0134579", "0124579", "0135679", "0124679", "0124689",
    "0134679", "0134689", "012468a", "013468a", "013568a", "0123568", "0134578", "0124578",
  ],
  [
    "01234567", "01234568", "01234569", "01234578", "01234678", "01235678", "01234589", "01234789", "01236789", "02345679",
    "01234579", "01345679", "01234679", "01245679", "01234689", "01235789", "01345689", "01235689", "01245689", "01245789",
    "0123468a", "0123568a", "0123578a", "0124568a", "0124678a", "0124579a", "0124578a", "0134679a", "01235679",
  ],
  [
    "012345678", "012345679", "012345689", "012345789", "012346789", "01234568a",
    "01234578a", "01234678a", "01235678a", "01234679a", "01235679a", "01245689a",
  ],
  ["0123456789", "012345678a", "012345679a", "012345689a", "012345789a", "012346789a"],
  ["0123456789a"],
  ["0123456789ab"],
];

interface SetClass {
  primeForm: readonly number[];
  /** True when the inversion of the class is one of its transpositions (music21's inversion 0). */
  symmetric: boolean;
}

const SET_CLASSES: readonly (readonly SetClass[])[] = FORTE_PRIME_FORMS.map((forms) =>
  forms.map((digits) => {
    const primeForm = [...digits].map((d) => parseInt(d, 16));
    return { primeForm, symmetric: isInversionallySymmetric(primeForm) };
  }),
);

function mod12(n: number): number {
  return ((n % 12) + 12) % 12;
}

function isInversionallySymmetric(pcs: readonly number[]): boolean {
  const set = new Set(pcs);
  for (let axis = 0; axis < 12; axis++) {
    if (pcs.every((pc) => set.has(mod12(axis - pc)))) return true;
  }
  return false;
}

/** A form starting on 0, inverted and read backwards so it starts on 0 again: <0,3,7> → <0,4,7>. */
function invertedForm(form: readonly number[]): number[] {
  const last = form[form.length - 1] ?? 0;
  return form.map((pc) => last - pc).reverse();
}

function sameSequence(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Distinct pitch classes, ascending (music21's `orderedPitchClasses`). */
export function orderedPitchClasses(pitches: Iterable<number>): number[] {
  return [...new Set([...pitches].map(mod12))].sort((a, b) => a - b);
}

/**
 * The template music21 transposes to find the normal order (its `addressToTransposedNormalForm`),
 * or null when no table entry matches (only possible for an empty set).
 * Exported for the table-consistency test.
 */
export function transposedNormalForm(ordered: readonly number[]): number[] | null {
  const cardinality = ordered.length;
  const classes = SET_CLASSES[cardinality];
  if (classes === undefined || cardinality === 0) return null;
  const rotations = ordered.map((_, rot) => {
    const rotated = [...ordered.slice(rot), ...ordered.slice(0, rot)];
    const first = rotated[0] ?? 0;
    const form = rotated.map((pc) => mod12(pc - first));
    return { form, inverted: invertedForm(form) };
  });
  for (const setClass of classes) {
    for (const { form, inverted } of rotations) {
      if (sameSequence(setClass.primeForm, form)) return [...setClass.primeForm];
      if (sameSequence(setClass.primeForm, inverted)) {
        return setClass.symmetric ? [...setClass.primeForm] : invertedForm(setClass.primeForm);
      }
    }
  }
  return null;
}

/**
 * music21's normal order of the pitch classes of `pitches` (MIDI numbers or pitch classes).
 * @example normalOrder([64, 67, 71]) // [4, 7, 11]
 * @example normalOrder([0, 4, 8]) // [0, 4, 8]
 */
export function normalOrder(pitches: Iterable<number>): number[] {
  const ordered = orderedPitchClasses(pitches);
  const mask = ordered.reduce((bits, pc) => bits | (1 << pc), 0);
  const cached = normalOrderByMask[mask];
  if (cached !== undefined) return [...cached];
  const result = computeNormalOrder(ordered);
  normalOrderByMask[mask] = result;
  return [...result];
}

/** Results by 12-bit pitch-class mask: there are only 4096 sets. */
const normalOrderByMask: (readonly number[] | undefined)[] = new Array(4096);

function computeNormalOrder(ordered: readonly number[]): number[] {
  const template = transposedNormalForm(ordered);
  if (template === null) return [];
  const wanted = new Set(ordered);
  for (const transposition of ordered) {
    const candidate = template.map((pc) => mod12(pc + transposition));
    if (candidate.every((pc) => wanted.has(pc))) return candidate;
  }
  // Unreachable while the table is consistent (a test checks all 4095 sets).
  throw new Error(`no normal order found for pitch classes ${ordered.join(",")}`);
}
