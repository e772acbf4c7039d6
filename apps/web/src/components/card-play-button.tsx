"use client";
import type { RollNote } from "@/lib/roll";
import { trpc } from "@/lib/trpc-client";
import { usePianoPlayer } from "./use-piano-player";

export function CardPlayButton({
  pieceId,
  notes,
  durationSeconds,
}: {
  pieceId: string;
  notes: RollNote[];
  durationSeconds: number;
}) {
  const player = usePianoPlayer(
    notes,
    durationSeconds,
    () => void trpc.pieces.countPlay.mutate({ id: pieceId }).catch(() => undefined),
  );
  const playing = player.state === "playing" || player.state === "loading";
  return (
    <button
      type="button"
      className="play-button"
      aria-label={playing ? "Pause" : "Play"}
      data-testid="card-play"
      disabled={notes.length === 0}
      onClick={() => (playing ? player.pause() : void player.play())}
    >
      {playing ? "❚❚" : "▶"}
    </button>
  );
}
