// Share to gallery: the server replays the recipe and stores the piece only if its tokens are identical.
import { trpc } from "@/lib/trpc-client";
import { markShared, type DevicePiece } from "./device-pieces";

/** Returns the gallery piece's id; throws the server's message (e.g. where the tokens differ). */
export async function shareToGallery(piece: Pick<DevicePiece, "id" | "recipe" | "bundleHash" | "tokens">): Promise<string> {
  const shared = await trpc.pieces.share.mutate({ ...piece.recipe, bundleHash: piece.bundleHash, primer: { kind: "none" }, tokens: piece.tokens });
  // Kept on the device either way; remembering the gallery id is best effort.
  await markShared(piece.id, shared.id).catch(() => undefined);
  return shared.id;
}
