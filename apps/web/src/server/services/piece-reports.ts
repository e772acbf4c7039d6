import "server-only";
import { PIECE_REPORT_VERSION, type PieceReport } from "@/lib/music-report";
import type { RollNote } from "@/lib/roll";
import type { Database } from "../db";
import { InputError, NotFoundError } from "../errors";
import type { GenerationEngine } from "../generation/engine";

/** The columns a report sets on its piece: the JSON, and the two the gallery filters and badges by. */
export function reportColumns(report: PieceReport) {
  return {
    report: report as object,
    heavyCopy: report.copy?.heavy ?? false,
    longestCopyNotes: report.copy?.longest?.notes ?? null,
  };
}

const reportSourceSelect = {
  status: true,
  report: true,
  tokens: true,
  notes: true,
  bundleHash: true,
  model: { select: { path: true, bundleHash: true, usable: true, present: true, name: true, version: true } },
} as const;

/**
 * Music reports of stored pieces. A piece gets its report when it finishes (piece-service); one
 * made before reports existed, or with an older report version, gets it here on first request,
 * once: concurrent requests share the job and the result is stored.
 */
export function createPieceReports(deps: { db: Database; engine: GenerationEngine }) {
  const { db, engine } = deps;
  const pending = new Map<string, Promise<PieceReport>>();

  async function source(id: string) {
    const piece = await db.piece.findUnique({ where: { id }, select: reportSourceSelect });
    if (!piece) throw new NotFoundError(`no piece with id ${id}`);
    return piece;
  }

  /** The model that can measure this piece: present, usable and unchanged since it was made. */
  function requireModel(piece: Awaited<ReturnType<typeof source>>, what: string) {
    const { model } = piece;
    if (!model.present || !model.usable)
      throw new InputError(`${what}: model ${model.name}/${model.version} is no longer available`);
    if (model.bundleHash !== piece.bundleHash)
      throw new InputError(`${what}: model ${model.name}/${model.version} changed since this piece was made`);
    return model;
  }

  /** The stored report, or one computed now (and stored) for a piece that has none yet. */
  async function report(id: string): Promise<PieceReport> {
    const piece = await source(id);
    const stored = piece.report as unknown as PieceReport | null;
    if (stored?.version === PIECE_REPORT_VERSION) return stored;
    if (piece.status !== "done")
      throw new InputError(
        piece.status === "generating" ? "the piece is still being generated" : "a failed piece has no report",
      );
    const model = requireModel(piece, "no report");
    let job = pending.get(id);
    if (!job) {
      job = engine
        .pieceReport({
          modelDir: model.path,
          bundleHash: piece.bundleHash,
          tokens: piece.tokens as unknown as string[],
          notes: piece.notes as unknown as RollNote[],
        })
        .then(async (computed) => {
          await db.piece.update({ where: { id }, data: reportColumns(computed), select: { id: true } });
          return computed;
        })
        .finally(() => pending.delete(id));
      pending.set(id, job);
    }
    return job;
  }

  /** The training song's notes the piece's longest copy came from (only that passage leaves the server). */
  async function sourcePassage(id: string) {
    const piece = await source(id);
    const stored = piece.report as unknown as PieceReport | null;
    if (!stored) throw new InputError("this piece has no music report yet");
    if (!stored.copy)
      throw new InputError(
        `this piece has no training passage to play: ${stored.unavailable ?? "no copy figures"}`,
      );
    const longest = stored.copy.longest;
    if (!longest)
      throw new InputError("no passage of 9 or more notes of this piece was found in the training data");
    const model = requireModel(piece, "cannot play the source passage");
    const { notes } = await engine.sourcePassage({
      modelDir: model.path,
      bundleHash: piece.bundleHash,
      source: longest.source,
      startQuarter: longest.sourceStartQuarter,
      count: longest.notes,
    });
    return { source: longest.source, bar: longest.bar, beat: longest.beat, notes };
  }

  return { report, sourcePassage };
}
