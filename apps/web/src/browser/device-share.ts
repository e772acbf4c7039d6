// Share to gallery: the server replays the recipe (a radio piece: its stream up to the cut) and stores the piece only if its tokens are identical.
import { MAX_STREAM_OFFSET } from "@/lib/gallery-recipe";
import { trpc } from "@/lib/trpc-client";
import { markShared, type DevicePiece } from "./device-pieces";

/** Why a device piece cannot be shared yet (null: it can). */
export function shareProblem(piece: Pick<DevicePiece, "recipe">): string | null {
  // The server checks a radio cut by composing its stream from the first token, so how far in it starts is bounded.
  const offset = piece.recipe.offset;
  return offset === undefined || offset <= MAX_STREAM_OFFSET
    ? null
    : `kept ${offset.toLocaleString("en-US")} tokens into the stream: the server checks a radio piece by composing its stream from the start, up to ${MAX_STREAM_OFFSET.toLocaleString("en-US")} tokens in; keep a stretch from an earlier stream, or download this one`;
}

/** Returns the gallery piece's id; throws the server's message (e.g. where the tokens differ). */
export async function shareToGallery(
  piece: Pick<DevicePiece, "id" | "recipe" | "bundleHash" | "tokens">,
): Promise<string> {
  const problem = shareProblem(piece);
  if (problem) throw new Error(problem);
  const { primer, ...recipe } = piece.recipe;
  // A corpus primer is chosen again by the server from the seed; an uploaded one is sent as its tokens (the file stays here).
  const shared = await trpc.pieces.share.mutate({
    ...recipe,
    bundleHash: piece.bundleHash,
    primer: primer ?? { kind: "none" },
    tokens: piece.tokens,
  });
  // Kept on the device either way; remembering the gallery id is best effort.
  await markShared(piece.id, shared.id).catch(() => undefined);
  return shared.id;
}
