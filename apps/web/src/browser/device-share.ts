// Share to gallery: the server replays the recipe and stores the piece only if its tokens are identical.
import { trpc } from "@/lib/trpc-client";
import { markShared, type DevicePiece } from "./device-pieces";

/** Why a device piece cannot be shared yet (null: it can). */
export function shareProblem(piece: Pick<DevicePiece, "recipe">): string | null {
  // pieces.share replays a recipe from its first token; a cut needs the server's replay to take the offset.
  return piece.recipe.offset === undefined ? null : "kept from the radio: the server cannot replay a cut of a stream (seed, offset, length) yet, so it cannot verify this piece";
}

/** Returns the gallery piece's id; throws the server's message (e.g. where the tokens differ). */
export async function shareToGallery(piece: Pick<DevicePiece, "id" | "recipe" | "bundleHash" | "tokens">): Promise<string> {
  const problem = shareProblem(piece);
  if (problem) throw new Error(problem);
  const { primer, ...recipe } = piece.recipe;
  // A corpus primer is chosen again by the server from the seed; an uploaded one is sent as its tokens (the file stays here).
  const shared = await trpc.pieces.share.mutate({ ...recipe, bundleHash: piece.bundleHash, primer: primer ?? { kind: "none" }, tokens: piece.tokens });
  // Kept on the device either way; remembering the gallery id is best effort.
  await markShared(piece.id, shared.id).catch(() => undefined);
  return shared.id;
}
