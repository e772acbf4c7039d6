import Link from "next/link";
import { formatDate, formatDuration } from "@/lib/format";
import type { RollNote } from "@/lib/roll";
import { CardPlayButton } from "./card-play-button";
import { RollThumbnail } from "./roll-thumbnail";

export interface PieceCardData {
  id: string;
  title: string;
  status: string;
  durationSeconds: number;
  noteCount: number;
  notes: RollNote[];
  playCount: number;
  createdAt: Date | string;
  heavyCopy: boolean;
  longestCopyNotes: number | null;
  model: { id: string; name: string; version: string };
}

export function PieceCard({ piece }: { piece: PieceCardData }) {
  return (
    <article className="card piece-card" data-testid="piece-card" data-piece-id={piece.id}>
      <Link href={`/pieces/${piece.id}`} className="thumb-link" aria-label={`Open ${piece.title}`}>
        <RollThumbnail notes={piece.notes} />
      </Link>
      <div className="piece-card-body">
        <CardPlayButton pieceId={piece.id} notes={piece.notes} durationSeconds={piece.durationSeconds} />
        <div className="piece-card-text">
          <Link href={`/pieces/${piece.id}`} className="piece-title">
            {piece.title}
          </Link>
          {piece.heavyCopy ? (
            <span
              className="badge badge-heavy"
              data-testid="heavy-copy-badge"
              title={`${piece.longestCopyNotes ?? "?"} notes in a row are found in one training song: more than any held-out human song copies`}
            >
              heavy copy · {piece.longestCopyNotes} notes
            </span>
          ) : null}
          <div className="muted small">
            {piece.model.name}/{piece.model.version} ·{" "}
            {piece.status === "done" ? (
              formatDuration(piece.durationSeconds)
            ) : (
              <StatusBadge status={piece.status} />
            )}{" "}
            · {formatDate(piece.createdAt)}
          </div>
        </div>
      </div>
    </article>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}
