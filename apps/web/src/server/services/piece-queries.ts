import "server-only";
import { GALLERY_RECIPE } from "@/lib/gallery-recipe";
import type { CopyFilter, PieceReport } from "@/lib/music-report";
import type { RollNote } from "@/lib/roll";
import type { Database } from "../db";
import { ForbiddenError, InputError, NotFoundError } from "../errors";
import { pieceCardSelect, pieceDetailSelect } from "./piece-columns";

/** The gallery's reads and the small edits of stored pieces (rename, play count); no generation. */
export function createPieceQueries(deps: {
  db: Database;
  /** Generations before a waiting piece (the engine's runs); null when it is not waiting. */ queueAhead(
    pieceId: string,
  ): Promise<number | null>;
}) {
  const { db, queueAhead } = deps;

  /** `copies` filters on the heavy-copy flag; a piece without a report counts as not heavy. */
  async function list(args: {
    limit: number;
    cursor: string | null;
    modelId: string | null;
    copies: CopyFilter;
  }) {
    const rows = await db.piece.findMany({
      where: {
        ...(args.modelId ? { modelId: args.modelId } : {}),
        ...(args.copies === "all" ? {} : { heavyCopy: args.copies === "heavy" }),
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: args.limit + 1,
      ...(args.cursor ? { cursor: { id: args.cursor }, skip: 0 } : {}),
      select: pieceCardSelect,
    });
    const hasMore = rows.length > args.limit;
    const items = rows
      .slice(0, args.limit)
      .map((row) => ({ ...row, notes: row.notes as unknown as RollNote[] }));
    return { items, nextCursor: hasMore ? rows[args.limit]!.id : null };
  }

  /** `editTokenHash`: the caller's (edit-token.ts), to say whether it may rename the piece; the hash itself is never returned. */
  async function get(id: string, editTokenHash: string | null) {
    const row = await db.piece.findUnique({
      where: { id },
      select: { ...pieceDetailSelect, editTokenHash: true },
    });
    if (!row) throw new NotFoundError(`no piece with id ${id}`);
    const { editTokenHash: creatorHash, ...piece } = row;
    return {
      ...piece,
      canEdit: creatorHash !== null && creatorHash === editTokenHash,
      queueAhead: piece.status === "generating" ? await queueAhead(id) : null,
      // No tempo column: every gallery piece is at the gallery recipe's bpm (the roll and the player need it).
      bpm: GALLERY_RECIPE.bpm,
      notes: piece.notes as unknown as RollNote[],
      primerTokens: piece.primerTokens as unknown as string[],
      report: piece.report as unknown as PieceReport | null,
      matchesOriginal: await matchesOriginal(piece.id, piece.regeneratedFromId, piece.status),
    };
  }

  /** For a "regenerate" piece: did replaying the recipe give exactly the original tokens? */
  async function matchesOriginal(
    id: string,
    originalId: string | null,
    status: string,
  ): Promise<boolean | null> {
    if (!originalId || status !== "done") return null;
    const [copy, original] = await Promise.all([
      db.piece.findUnique({ where: { id }, select: { tokens: true } }),
      db.piece.findUnique({ where: { id: originalId }, select: { tokens: true, status: true } }),
    ]);
    if (!copy || !original || original.status !== "done") return null;
    return JSON.stringify(copy.tokens) === JSON.stringify(original.tokens);
  }

  async function midi(id: string): Promise<{ title: string; bytes: Uint8Array }> {
    const piece = await db.piece.findUnique({
      where: { id },
      select: { title: true, midi: true, status: true },
    });
    if (!piece) throw new NotFoundError(`no piece with id ${id}`);
    if (!piece.midi)
      throw new InputError(
        piece.status === "generating"
          ? "the piece is still being generated"
          : "this piece has no MIDI (its generation failed)",
      );
    return { title: piece.title, bytes: new Uint8Array(piece.midi) };
  }

  /** Only with the creator's token (its hash); pieces from before edit rights have none, so nobody renames them. */
  async function rename(id: string, title: string, editTokenHash: string | null) {
    if (editTokenHash !== null) {
      const result = await db.piece.updateMany({ where: { id, editTokenHash }, data: { title } });
      if (result.count === 1) return { id, title };
    }
    const exists = await db.piece.findUnique({ where: { id }, select: { id: true } });
    if (!exists) throw new NotFoundError(`no piece with id ${id}`);
    throw new ForbiddenError("only the piece's creator can rename it (from the browser that made it)");
  }

  async function countPlay(id: string) {
    const result = await db.piece.updateMany({ where: { id }, data: { playCount: { increment: 1 } } });
    if (result.count === 0) throw new NotFoundError(`no piece with id ${id}`);
  }

  return { list, get, midi, rename, countPlay };
}
