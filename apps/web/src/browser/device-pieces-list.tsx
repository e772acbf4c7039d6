"use client";
// The pieces kept on this device (IndexedDB), newest first: download, share to the gallery, forget.
import Link from "next/link";
import { useEffect, useState } from "react";
import { formatDate, formatDuration } from "@/lib/format";
import { keyChoiceLabel } from "@/lib/key-choice";
import { errorMessage } from "@/lib/trpc-client";
import { forgetDevicePiece, listDevicePieces, type DevicePiece } from "./device-pieces";
import { shareProblem, shareToGallery } from "./device-share";

function downloadMidi(piece: DevicePiece): void {
  const url = URL.createObjectURL(new Blob([piece.midi as Uint8Array<ArrayBuffer>], { type: "audio/midi" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `motif-seed-${piece.recipe.seed}${piece.recipe.offset === undefined ? "" : `-from-${piece.recipe.offset}`}.mid`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** `version` changes when a piece was kept or shared elsewhere on the page: read the list again. */
export function DevicePiecesList({ version }: { version: number }) {
  const [pieces, setPieces] = useState<DevicePiece[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [reads, setReads] = useState(0);

  useEffect(() => {
    let live = true;
    listDevicePieces().then(
      (found) => live && setPieces(found),
      () => live && setPieces([]),
    );
    return () => {
      live = false;
    };
  }, [version, reads]);

  if (!pieces || pieces.length === 0) return null;

  async function share(piece: DevicePiece) {
    setBusy(piece.id);
    try {
      await shareToGallery(piece);
      setErrors(({ [piece.id]: _gone, ...rest }) => rest);
    } catch (failure) {
      setErrors((current) => ({ ...current, [piece.id]: `Not shared: ${errorMessage(failure)}` }));
    } finally {
      setBusy(null);
      setReads((n) => n + 1);
    }
  }

  return (
    <section className="card form" style={{ marginTop: "1.5rem", gap: "0.5rem" }} data-testid="device-pieces">
      <h2>On this device</h2>
      <p className="muted small">Pieces composed in this browser stay here until you share them.</p>
      <ul
        style={{
          listStyle: "none",
          padding: 0,
          margin: 0,
          display: "flex",
          flexDirection: "column",
          gap: "0.4rem",
        }}
      >
        {pieces.map((piece) => (
          <li
            key={piece.id}
            data-testid="device-pieces-item"
            data-seed={piece.recipe.seed}
            data-offset={piece.recipe.offset}
            data-shared={piece.sharedPieceId !== null}
          >
            <strong>
              {piece.modelLabel} · seed {piece.recipe.seed}
              {piece.recipe.offset === undefined ? null : ` · radio, from token ${piece.recipe.offset}`}
              {piece.recipe.primer
                ? ` · from ${piece.recipe.primer.kind === "corpus" ? "a corpus snippet" : "my MIDI file"}`
                : null}
            </strong>{" "}
            <span className="muted small">
              {piece.recipe.length} tokens · {keyChoiceLabel(piece.recipe.key)} ·{" "}
              {formatDuration(piece.durationSeconds)} · {formatDate(new Date(piece.createdAt))}
            </span>{" "}
            <button type="button" className="link-button small" onClick={() => downloadMidi(piece)}>
              Download MIDI
            </button>{" "}
            {piece.sharedPieceId ? (
              <Link className="small" href={`/pieces/${piece.sharedPieceId}`}>
                in the gallery
              </Link>
            ) : shareProblem(piece) ? (
              <span className="muted small" data-testid="device-pieces-unshareable">
                not shareable: {shareProblem(piece)}
              </span>
            ) : (
              <button
                type="button"
                className="link-button small"
                disabled={busy !== null}
                onClick={() => void share(piece)}
              >
                {busy === piece.id ? "sharing…" : "Share to gallery"}
              </button>
            )}{" "}
            <button
              type="button"
              className="link-button small"
              onClick={() =>
                void forgetDevicePiece(piece.id)
                  .then(() => setReads((n) => n + 1))
                  .catch((failure: unknown) =>
                    setErrors((current) => ({
                      ...current,
                      [piece.id]: `Not forgotten: ${errorMessage(failure)}`,
                    })),
                  )
              }
            >
              forget
            </button>
            {errors[piece.id] ? <p className="error small">{errors[piece.id]}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
