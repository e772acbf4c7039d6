// What every fuzz case must satisfy, and the tally of a run. A case either parses (notes valid,
// warnings well-formed, output no larger than the input, and the piano notes survive
// writeMidi → parseMidi exactly) or throws a MidiParseError with a clear message; always
// within MAX_CASE_MS. Anything else is a crash or a problem, reported with the case's label.
import { MidiParseError, type MidiErrorCode } from "../errors.js";
import { parseMidiWithWarnings } from "../parse-midi.js";
import { pianoNotes } from "../piano-notes.js";
import type { NoteSequence, QuarterNote } from "../types.js";
import { writeMidi } from "../write-midi.js";

/**
 * No single file may take more than this to parse (the round-trip check is not counted). Counted
 * in CPU time of this process: the machine is shared (tests run in parallel beside training),
 * and wall time there measures the neighbours; the wall time is reported too.
 */
const MAX_CASE_MS = 1000;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

interface CaseOutcome {
  parsed: boolean;
  errorCode: MidiErrorCode | null;
  warnings: number;
  warningCodes: string[];
  notes: number;
  /** CPU time to parse (or refuse) the file. */
  ms: number;
  /** Wall time of the same. */
  wallMs: number;
  /** Set when the parser threw something other than MidiParseError. */
  crash: string | null;
  problems: string[];
}

/** Parses one file and checks every promise the reader makes about it. */
export function checkCase(bytes: Uint8Array): CaseOutcome {
  const outcome: CaseOutcome = {
    parsed: false,
    errorCode: null,
    warnings: 0,
    warningCodes: [],
    notes: 0,
    ms: 0,
    wallMs: 0,
    crash: null,
    problems: [],
  };
  const [cpuStart, wallStart] = [cpuMs(), performance.now()];
  const stop = () => {
    outcome.ms = cpuMs() - cpuStart;
    outcome.wallMs = performance.now() - wallStart;
  };
  try {
    const { sequence, warnings } = parseMidiWithWarnings(bytes);
    stop();
    outcome.parsed = true;
    outcome.warnings = warnings.length;
    outcome.warningCodes = warnings.map((warning) => warning.code);
    outcome.notes = sequence.notes.length;
    outcome.problems.push(...sequenceProblems(sequence, bytes.length));
    for (const warning of warnings) {
      if (warning.byteOffset < 0 || warning.byteOffset > bytes.length)
        outcome.problems.push(`warning offset ${warning.byteOffset} outside the input: ${warning.message}`);
      if (warning.track !== null && warning.track >= sequence.tracks.length)
        outcome.problems.push(`warning names track ${warning.track} of ${sequence.tracks.length}`);
      if (isVague(warning.message)) outcome.problems.push(`vague warning "${warning.message}"`);
    }
    outcome.problems.push(...roundTripProblems(sequence));
  } catch (error) {
    if (!outcome.parsed) stop();
    if (error instanceof MidiParseError) {
      outcome.errorCode = error.code;
      if (isVague(error.message)) outcome.problems.push(`vague message "${error.message}"`);
      if (error.byteOffset !== null && (error.byteOffset < 0 || error.byteOffset > bytes.length))
        outcome.problems.push(`error offset ${error.byteOffset} outside the input`);
    } else {
      outcome.crash = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
  if (outcome.ms > MAX_CASE_MS)
    outcome.problems.push(`took ${outcome.ms.toFixed(0)} ms of CPU (limit ${MAX_CASE_MS} ms)`);
  return outcome;
}

function isVague(message: string): boolean {
  return message.length === 0 || /undefined(?! status byte)|NaN|\[object/.test(message);
}

function sequenceProblems(sequence: NoteSequence, inputBytes: number): string[] {
  const problems: string[] = [];
  // Counting bounds: nothing grows faster than the input.
  if (
    sequence.notes.length > inputBytes ||
    sequence.tempos.length > inputBytes ||
    sequence.texts.length > inputBytes
  )
    problems.push("output larger than input");
  const bad = sequence.notes.find(
    (n) =>
      !(
        n.endTick > n.startTick &&
        Number.isFinite(n.endTime) &&
        n.endTime >= n.startTime &&
        n.pitch >= 0 &&
        n.pitch <= 127 &&
        n.velocity >= 1 &&
        n.velocity <= 127
      ),
  );
  if (bad) problems.push(`an invalid note ${JSON.stringify(bad)}`);
  if (!Number.isFinite(sequence.totalTime)) problems.push(`total time ${sequence.totalTime}`);
  return problems;
}

/** The piano notes, written at the file's resolution and tempo map, read back to exactly the same ticks. */
function roundTripProblems(sequence: NoteSequence): string[] {
  const notes = pianoNotes(sequence);
  const ticksPerQuarter = sequence.ticksPerQuarter;
  let written: Uint8Array;
  try {
    written = writeMidi({
      notes,
      tempos: sequence.tempos.map(({ quarter, bpm }) => ({ quarter, bpm })),
      ticksPerQuarter,
    });
  } catch (error) {
    return [`parsed but cannot be written: ${String(error)}`];
  }
  let again: ReturnType<typeof parseMidiWithWarnings>;
  try {
    again = parseMidiWithWarnings(written);
  } catch (error) {
    return [`the written file cannot be read back: ${String(error)}`];
  }
  if (again.warnings.length > 0)
    return [`the written file reads with warnings: ${again.warnings[0]!.message}`];
  const key = (n: QuarterNote) =>
    `${n.pitch}/${n.velocity}/${Math.round(n.startQuarter * ticksPerQuarter)}/${Math.round(n.endQuarter * ticksPerQuarter)}`;
  const before = notes.map(key).sort();
  const after = pianoNotes(again.sequence).map(key).sort();
  if (before.length !== after.length) return [`round trip kept ${after.length} of ${before.length} notes`];
  const differs = before.findIndex((note, i) => note !== after[i]);
  return differs < 0
    ? []
    : [`round trip changed a note: ${before[differs]} → ${after[differs]} (pitch/velocity/start/end ticks)`];
}

/** Tally of a fuzz run, for the assertion and the printed summary. */
export class FuzzTally {
  cases = 0;
  parsed = 0;
  withWarnings = 0;
  crashes = 0;
  maxMs = 0;
  maxMsCase = "";
  maxWallMs = 0;
  readonly errors = new Map<string, number>();
  readonly warningsSeen = new Set<string>();
  readonly failures: string[] = [];

  add(label: string, outcome: CaseOutcome): void {
    this.cases++;
    if (outcome.parsed) this.parsed++;
    if (outcome.warnings > 0) this.withWarnings++;
    for (const code of outcome.warningCodes) this.warningsSeen.add(code);
    if (outcome.errorCode) this.errors.set(outcome.errorCode, (this.errors.get(outcome.errorCode) ?? 0) + 1);
    this.maxWallMs = Math.max(this.maxWallMs, outcome.wallMs);
    if (outcome.ms > this.maxMs) {
      this.maxMs = outcome.ms;
      this.maxMsCase = label;
    }
    if (outcome.crash) {
      this.crashes++;
      this.failures.push(`${label}: crashed with ${outcome.crash}`);
    }
    for (const problem of outcome.problems) this.failures.push(`${label}: ${problem}`);
  }

  summary(name: string): string {
    const errors = [...this.errors]
      .sort((a, b) => b[1] - a[1])
      .map(([code, count]) => `${code} ${count}`)
      .join(", ");
    return [
      `${name}: ${this.cases} cases, ${this.parsed} parsed (${this.withWarnings} with warnings), ${this.cases - this.parsed} typed errors (${errors || "none"}),`,
      `${this.crashes} crashes, ${this.failures.length} problems, max ${this.maxMs.toFixed(1)} ms of CPU per file (${this.maxMsCase}), max wall ${this.maxWallMs.toFixed(1)} ms`,
    ].join(" ");
  }
}
