"use client";
import { useState } from "react";
import { errorMessage, trpc } from "@/lib/trpc-client";
import type { CopyFilter } from "@/lib/music-report";
import { PieceCard, type PieceCardData } from "./piece-card";

export function GalleryGrid(props: {
  initial: PieceCardData[];
  nextCursor: string | null;
  modelId: string | null;
  copies: CopyFilter;
}) {
  const [pieces, setPieces] = useState(props.initial);
  const [cursor, setCursor] = useState(props.nextCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadMore() {
    if (!cursor) return;
    setLoading(true);
    setError(null);
    try {
      const page = await trpc.pieces.list.query({
        cursor,
        modelId: props.modelId,
        copies: props.copies,
        limit: 12,
      });
      setPieces((current) => [...current, ...page.items]);
      setCursor(page.nextCursor);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setLoading(false);
    }
  }

  return (
    <>
      <div className="grid">
        {pieces.map((piece) => (
          <PieceCard key={piece.id} piece={piece} />
        ))}
      </div>
      {error ? <p className="error">{error}</p> : null}
      {cursor ? (
        <div className="center">
          <button
            type="button"
            className="button secondary"
            onClick={() => void loadMore()}
            disabled={loading}
          >
            {loading ? "Loading…" : "Load more"}
          </button>
        </div>
      ) : null}
    </>
  );
}
