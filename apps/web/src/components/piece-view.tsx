"use client";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { formatDate, formatDuration } from "@/lib/format";
import { keyChoiceLabel } from "@/lib/key-choice";
import { recipeHref } from "@/lib/recipe-url";
import { applyNotesUpdate, durationSeconds, quartersToSeconds, type RollNote } from "@/lib/roll";
import { errorMessage, trpc } from "@/lib/trpc-client";
import type { AppRouter } from "@/server/routers/app-router";
import { StatusBadge } from "./piece-card";
import { PianoRoll } from "./piano-roll";
import { PieceReportView } from "./piece-report-view";
import { usePianoPlayer } from "./use-piano-player";

export type PieceDetail = inferRouterOutputs<AppRouter>["pieces"]["byId"];

/** The generate form stores when Generate was pressed, so the page can say how soon notes came. */
export const GENERATE_CLICK_KEY = "motif:generate-click";

export function PieceView({ initial }: { initial: PieceDetail }) {
  const router = useRouter();
  const [piece, setPiece] = useState(initial);
  const [notes, setNotes] = useState<RollNote[]>(initial.notes);
  const [tokenCount, setTokenCount] = useState(initial.tokenCount);
  const [status, setStatus] = useState(initial.status);
  const [error, setError] = useState<string | null>(initial.error);
  const [queueAhead, setQueueAhead] = useState<number | null>(initial.queueAhead);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [firstNoteMs, setFirstNoteMs] = useState<number | null>(null);
  const total = durationSeconds(notes, piece.bpm);
  const player = usePianoPlayer(
    notes,
    total,
    () => void trpc.pieces.countPlay.mutate({ id: piece.id }).catch(() => undefined),
    piece.bpm,
  );

  // Stream notes while the piece is being generated.
  useEffect(() => {
    if (initial.status !== "generating") return;
    // Once finished (whichever event says so), reload the stored piece: duration, title, replay check.
    const reload = () =>
      void trpc.pieces.byId
        .query({ id: initial.id })
        .then((fresh) => {
          setPiece(fresh);
          setNotes(fresh.notes);
          setTokenCount(fresh.tokenCount);
          setStatus(fresh.status);
          setError(fresh.error);
          setQueueAhead(fresh.queueAhead);
        })
        .catch((failure: unknown) =>
          setActionError(`Could not reload the finished piece: ${errorMessage(failure)}`),
        );
    const subscription = trpc.pieces.stream.subscribe(
      { id: initial.id },
      {
        // Each event comes with its id, which httpSubscriptionLink sends back when it reconnects; the
        // server answers a reconnection with a fresh snapshot, which replaces what this page had.
        onData({ data: event }) {
          if (event.type === "snapshot") {
            setNotes(event.notes);
            setTokenCount(event.tokenCount);
            setStatus(event.status);
            setError(event.error);
            setQueueAhead(event.ahead);
            if (event.status !== "generating") reload();
          } else if (event.type === "queued") {
            setQueueAhead(event.ahead);
          } else if (event.type === "notes") {
            setQueueAhead(null);
            setNotes((current) => applyNotesUpdate(current, event.from, event.notes));
            setTokenCount(event.tokenCount);
          } else {
            setStatus(event.type === "done" ? "done" : "failed");
            if (event.type === "failed") setError(event.error);
            reload();
          }
        },
        onError(failure) {
          setActionError(`Live updates stopped: ${errorMessage(failure)}`);
        },
      },
    );
    return () => subscription.unsubscribe();
  }, [initial.id, initial.status]);

  // "Generate → first note" time, measured from the click on the generate page.
  useEffect(() => {
    if (notes.length === 0 || firstNoteMs !== null) return;
    const raw = sessionStorage.getItem(GENERATE_CLICK_KEY);
    if (!raw) return;
    const click = JSON.parse(raw) as { at: number };
    sessionStorage.removeItem(GENERATE_CLICK_KEY);
    setFirstNoteMs(Math.round(Date.now() - click.at));
  }, [notes.length, firstNoteMs]);

  async function derive(kind: "variation" | "regenerate") {
    setBusy(kind);
    setActionError(null);
    try {
      const created = await trpc.pieces[kind].mutate({ id: piece.id });
      router.push(`/pieces/${created.id}`);
    } catch (failure) {
      setActionError(errorMessage(failure));
      setBusy(null);
    }
  }

  return (
    <div className="piece" data-testid="piece-view" data-status={status} data-audio-state={player.audioState}>
      <div className="piece-head">
        <TitleEditor
          id={piece.id}
          title={piece.title}
          canEdit={piece.canEdit}
          onSaved={(title) => setPiece((p) => ({ ...p, title }))}
        />
        <div className="muted small">
          {piece.model.name}/{piece.model.version} · {formatDate(piece.createdAt)} ·{" "}
          <StatusBadge status={status} />{" "}
          {status === "generating" && queueAhead !== null ? (
            <span data-testid="queue-position">
              waiting: {queueAhead === 1 ? "1 piece" : `${queueAhead} pieces`} ahead of it
            </span>
          ) : status === "generating" ? (
            <span data-testid="progress">
              {tokenCount} / {piece.length + piece.primerTokens.length} tokens
            </span>
          ) : null}
          {firstNoteMs !== null ? (
            <span data-testid="first-note-ms"> · first note {firstNoteMs} ms after Generate</span>
          ) : null}
        </div>
      </div>

      <PianoRoll
        notes={notes}
        bpm={piece.bpm}
        totalSeconds={total}
        position={player.position}
        onSeek={player.seek}
        generating={status === "generating"}
      />

      <Transport player={player} total={total} disabled={notes.length === 0} />

      {error && status === "failed" ? <p className="error">Generation failed: {error}</p> : null}
      {actionError ? (
        <p className="error" role="alert">
          {actionError}
        </p>
      ) : null}

      <div className="actions">
        {status === "done" ? (
          <a
            className="button secondary"
            href={`/api/pieces/${piece.id}/midi`}
            download
            data-testid="download"
          >
            Download MIDI
          </a>
        ) : (
          <span className="button secondary disabled" aria-disabled>
            Download MIDI
          </span>
        )}
        <button
          type="button"
          className="button secondary"
          onClick={() => void derive("variation")}
          disabled={busy !== null}
        >
          {busy === "variation" ? "Starting…" : "Variation (new seed)"}
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => void derive("regenerate")}
          disabled={busy !== null}
          data-testid="regenerate"
        >
          {busy === "regenerate" ? "Starting…" : "Regenerate (same recipe)"}
        </button>
        <CopyLinkButton />
      </div>

      {piece.regeneratedFromId ? (
        <p className={`replay ${piece.matchesOriginal === false ? "error" : ""}`} data-testid="replay-result">
          Replay of <Link href={`/pieces/${piece.regeneratedFromId}`}>the original piece</Link>:{" "}
          {piece.matchesOriginal === null
            ? "comparing when both are finished…"
            : piece.matchesOriginal
              ? "identical tokens ✓ (reproducible)"
              : "tokens differ ✗"}
        </p>
      ) : null}

      <PieceReportView
        pieceId={piece.id}
        status={status}
        report={piece.report}
        onHearInPiece={(startQuarter) => void player.play(quartersToSeconds(startQuarter, piece.bpm))}
      />

      <section className="card recipe">
        <h2>Recipe</h2>
        {piece.streamOffset === null ? (
          <p className="small">
            <Link href={recipeHref(piece)} data-testid="replay-recipe">
              Replay this recipe
            </Link>{" "}
            <span className="muted">(the generate form with this recipe filled in)</span>
          </p>
        ) : (
          // The generate form composes pieces from their first token; "Regenerate" replays a cut.
          <p className="small muted" data-testid="recipe-stream-cut">
            Kept from the radio: tokens {piece.streamOffset.toLocaleString("en-US")} to{" "}
            {(piece.streamOffset + piece.length).toLocaleString("en-US")} of seed {piece.seed}&apos;s stream.
            Regenerate replays the cut.
          </p>
        )}
        <dl>
          <dt>Model</dt>
          <dd>
            {piece.model.name}/{piece.model.version}{" "}
            <code title={piece.bundleHash}>{piece.bundleHash.slice(0, 12)}</code>
          </dd>
          <dt>Seed</dt>
          <dd data-testid="recipe-seed">{piece.seed}</dd>
          <dt>Length</dt>
          <dd>
            {piece.length} tokens
            {piece.streamOffset === null ? null : `, from token ${piece.streamOffset} of the stream`}
          </dd>
          <dt>Temperature</dt>
          <dd>{piece.temperature}</dd>
          <dt>Top-k</dt>
          <dd>{piece.topK ?? "off"}</dd>
          <dt>Top-p</dt>
          <dd>{piece.topP ?? "off"}</dd>
          <dt>Primer</dt>
          <dd>
            {primerText(piece.primerKind, piece.primerLabel)} ({piece.primerTokens.length} tokens)
          </dd>
          <dt>Key</dt>
          <dd data-testid="recipe-key">{keyChoiceLabel(piece.key)}</dd>
          <dt>Result</dt>
          <dd>
            {tokenCount} tokens, {notes.length} notes, {formatDuration(total)} · played {piece.playCount}×
          </dd>
        </dl>
      </section>
    </div>
  );
}

/** Play / pause, seek bar and time of a piece's player (server and device pieces alike). */
export function Transport({
  player,
  total,
  disabled,
}: {
  player: ReturnType<typeof usePianoPlayer>;
  total: number;
  disabled: boolean;
}) {
  const playing = player.state === "playing" || player.state === "loading";
  return (
    <div className="transport">
      <button
        type="button"
        className="button"
        data-testid="play"
        onClick={() => (playing ? player.pause() : void player.play())}
        disabled={disabled}
      >
        {player.state === "loading" ? "Loading piano…" : playing ? "Pause" : "Play"}
      </button>
      <input
        type="range"
        className="seek"
        aria-label="Seek"
        min={0}
        max={Math.max(total, 0.01)}
        step={0.01}
        value={Math.min(player.position, total)}
        onChange={(event) => player.seek(Number(event.target.value))}
      />
      <span className="time small" data-testid="time">
        {formatDuration(player.position)} / {formatDuration(total)}
      </span>
    </div>
  );
}

/** The Composer's descriptions name their kind ("corpus:…", "file:…"); older labels did not. */
function primerText(kind: string, label: string | null): string {
  if (kind === "none") return "none";
  return label !== null && /^(corpus|file):/.test(label) ? label : `${kind}: ${label ?? ""}`;
}

/** Only the piece's creator (the browser holding its edit cookie) sees the rename control; the server checks it too. */
function TitleEditor({
  id,
  title,
  canEdit,
  onSaved,
}: {
  id: string;
  title: string;
  canEdit: boolean;
  onSaved(title: string): void;
}) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(title);
  const [error, setError] = useState<string | null>(null);
  if (!editing || !canEdit) {
    return (
      <h1 className="piece-title-line">
        <span data-testid="piece-title">{title}</span>
        {canEdit ? (
          <button
            type="button"
            className="link-button small"
            onClick={() => setEditing(true)}
            data-testid="rename"
          >
            rename
          </button>
        ) : null}
      </h1>
    );
  }
  return (
    <form
      className="title-form"
      onSubmit={(event) => {
        event.preventDefault();
        trpc.pieces.rename
          .mutate({ id, title: value })
          .then((saved) => {
            onSaved(saved.title);
            setEditing(false);
            setError(null);
          })
          .catch((failure: unknown) => setError(errorMessage(failure)));
      }}
    >
      <input value={value} onChange={(event) => setValue(event.target.value)} aria-label="Title" autoFocus />
      <button type="submit" className="button">
        Save
      </button>
      <button type="button" className="button secondary" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error ? <span className="error">{error}</span> : null}
    </form>
  );
}

function CopyLinkButton() {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button secondary"
      onClick={() => {
        void navigator.clipboard
          ?.writeText(window.location.href)
          .then(() => setCopied(true))
          .catch(() => window.prompt("Copy this link", window.location.href));
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      {copied ? "Link copied" : "Copy link"}
    </button>
  );
}
