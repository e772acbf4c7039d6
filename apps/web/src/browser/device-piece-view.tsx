"use client";
// A piece composed on this device: load progress (MB, from the cache or the network), the notes
// streaming onto the same roll and player as a server piece, the MIDI kept in IndexedDB, and
// Share to gallery (the server replays the recipe and stores it only if the tokens are identical).
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { PianoRoll } from "@/components/piano-roll";
import { Transport } from "@/components/piece-view";
import { usePianoPlayer } from "@/components/use-piano-player";
import { formatBytes } from "@/lib/format";
import { GALLERY_RECIPE } from "@/lib/gallery-recipe";
import { applyNotesUpdate, durationSeconds, type RollNote } from "@/lib/roll";
import { errorMessage } from "@/lib/trpc-client";
import { composeOnDevice, type LoadState } from "./device-composer";
import { saveDevicePiece } from "./device-pieces";
import type { DeviceRecipe, DeviceResult } from "./device-protocol";
import { shareToGallery } from "./device-share";

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** `clickedAt`: when Generate was pressed (performance.now()), for "click → first note"; `run` counts the presses; `onSaved`: kept or shared. */
export function DevicePieceView({
  recipe,
  clickedAt,
  run,
  onSaved,
}: {
  recipe: DeviceRecipe;
  clickedAt: number;
  run: number;
  onSaved?(): void;
}) {
  const [status, setStatus] = useState<"loading" | "generating" | "done" | "failed">("loading");
  const [load, setLoad] = useState<LoadState | null>(null);
  const [notes, setNotes] = useState<RollNote[]>([]);
  const [tokenCount, setTokenCount] = useState(0);
  const [firstNoteMs, setFirstNoteMs] = useState<number | null>(null);
  const [result, setResult] = useState<(DeviceResult & { id: string; sha256: string }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sharing, setSharing] = useState(false);
  const [shared, setShared] = useState<string | null>(null);
  const total = durationSeconds(notes, GALLERY_RECIPE.bpm);
  const player = usePianoPlayer(notes, total, undefined, GALLERY_RECIPE.bpm);

  useEffect(() => {
    let live = true;
    let first = true;
    composeOnDevice(recipe, {
      onLoad: (state) => live && setLoad(state),
      onNotes: ({ from, notes: added, tokenCount: count }) => {
        if (!live) return;
        if (first) {
          first = false;
          setFirstNoteMs(Math.round(performance.now() - clickedAt));
          setStatus("generating");
        }
        setNotes((current) => applyNotesUpdate(current, from, added));
        setTokenCount(count);
      },
    })
      .then(async (done) => {
        const id = crypto.randomUUID();
        const sha256 = await sha256Hex(done.midi);
        await saveDevicePiece({
          id,
          createdAt: Date.now(),
          recipe: { ...recipe, key: done.key },
          modelLabel: done.modelLabel,
          bundleHash: done.bundleHash,
          tokens: done.tokens,
          notes: done.notes,
          midi: done.midi,
          durationSeconds: done.durationSeconds,
          sharedPieceId: null,
        }).catch((failure: unknown) => console.warn("could not keep the piece in IndexedDB", failure));
        if (!live) return;
        onSaved?.();
        setNotes(done.notes);
        setTokenCount(done.tokens.length);
        setResult({ ...done, id, sha256 });
        setStatus("done");
      })
      .catch((failure: unknown) => {
        if (!live) return;
        setError(errorMessage(failure));
        setStatus("failed");
      });
    return () => {
      live = false;
    };
  }, [recipe, clickedAt, onSaved]);

  const midiUrl = useMemo(
    () =>
      result
        ? URL.createObjectURL(new Blob([result.midi as Uint8Array<ArrayBuffer>], { type: "audio/midi" }))
        : null,
    [result],
  );
  useEffect(() => () => (midiUrl ? URL.revokeObjectURL(midiUrl) : undefined), [midiUrl]);

  async function share() {
    if (!result) return;
    setSharing(true);
    setError(null);
    try {
      setShared(
        await shareToGallery({
          id: result.id,
          recipe: { ...recipe, key: result.key },
          bundleHash: result.bundleHash,
          tokens: result.tokens,
        }),
      );
      onSaved?.();
    } catch (failure) {
      setError(`Not shared: ${errorMessage(failure)}`);
    } finally {
      setSharing(false);
    }
  }

  return (
    <section
      className="card piece"
      style={{ padding: "1rem" }}
      data-testid="device-piece"
      data-status={status}
      data-run={run}
      data-midi-sha256={result?.sha256}
      data-first-note-ms={firstNoteMs ?? undefined}
      data-compose-ms={result ? Math.round(result.timings.composeMs) : undefined}
      data-load-ms={result ? Math.round(result.timings.loadMs) : undefined}
      data-downloaded-bytes={result?.timings.downloadedBytes}
      data-bundle-bytes={result?.timings.bundleBytes}
      data-implementation={result?.implementation}
      data-token-count={tokenCount}
    >
      <h2>Composed on this device</h2>
      <p className="muted small" data-testid="device-load">
        {load
          ? `${load.label}: ${formatBytes(load.loadedBytes)} / ${formatBytes(load.totalBytes)} ${load.fromCache ? "from this device's cache" : "downloaded"}`
          : "Starting the worker…"}
        {status === "generating"
          ? ` · ${tokenCount} / ${recipe.length + (recipe.primer?.tokens.length ?? 0)} tokens`
          : null}
        {firstNoteMs !== null ? <span> · first note {firstNoteMs} ms after Generate</span> : null}
        {result
          ? ` · ${result.tokens.length} tokens in ${Math.round(result.timings.composeMs)} ms (${result.implementation} step)`
          : null}
      </p>
      <PianoRoll
        notes={notes}
        bpm={GALLERY_RECIPE.bpm}
        totalSeconds={total}
        position={player.position}
        onSeek={player.seek}
        generating={status !== "done" && status !== "failed"}
      />
      <Transport player={player} total={total} disabled={notes.length === 0} />
      {error ? (
        <p className="error" role="alert" data-testid="device-error">
          {error}
        </p>
      ) : null}
      {result ? (
        <div className="actions">
          <a
            className="button secondary"
            href={midiUrl ?? undefined}
            download={`motif-seed-${recipe.seed}.mid`}
            data-testid="device-download"
          >
            Download MIDI
          </a>
          {shared ? (
            <Link
              className="button primary"
              href={`/pieces/${shared}`}
              data-testid="shared-link"
              data-piece-id={shared}
            >
              Shared: open it in the gallery
            </Link>
          ) : (
            <button
              type="button"
              className="button primary"
              onClick={() => void share()}
              disabled={sharing}
              data-testid="share"
            >
              {sharing ? "The server is replaying the recipe…" : "Share to gallery"}
            </button>
          )}
          <span className="muted small">
            Kept in this browser until shared · MIDI sha256 <code>{result.sha256.slice(0, 12)}</code>
          </span>
        </div>
      ) : null}
    </section>
  );
}
