"use client";
// The piece page's music report: a metrics card (each measure against the model's training songs)
// and a provenance panel (the longest passage found in the training data, playable from the source).
import { useEffect, useState } from "react";
import { formatMetric, formatShare, METRICS, metricLabel, type PieceReport } from "@/lib/music-report";
import { durationSeconds, type RollNote } from "@/lib/roll";
import { errorMessage, trpc } from "@/lib/trpc-client";
import { RangeBar } from "./range-bar";
import { usePianoPlayer } from "./use-piano-player";

const ORDER = Object.keys(METRICS);

/** Shows the stored report, or asks for it once (a piece from before reports gets it computed then). */
export function PieceReportView(props: {
  pieceId: string;
  status: string;
  report: PieceReport | null;
  onHearInPiece(startQuarter: number): void;
}) {
  const [fetched, setFetched] = useState<PieceReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const report = props.report ?? fetched;
  const missing = props.status === "done" && props.report === null;
  useEffect(() => {
    if (!missing) return;
    let current = true;
    trpc.pieces.report
      .query({ id: props.pieceId })
      .then((fresh) => current && setFetched(fresh))
      .catch((failure: unknown) => current && setError(errorMessage(failure)));
    return () => {
      current = false;
    };
  }, [props.pieceId, missing]);

  if (props.status === "failed") return null;
  if (!report) {
    return (
      <section className="card report" data-testid="metrics-card" data-state={error ? "error" : "pending"}>
        <h2>Music report</h2>
        <p className={error ? "error" : "muted"}>
          {error
            ? `No report: ${error}`
            : props.status === "generating"
              ? "Measured when the piece is finished."
              : "Measuring the piece…"}
        </p>
      </section>
    );
  }
  return (
    <div className="report-grid">
      <MetricsCard report={report} />
      <ProvenancePanel pieceId={props.pieceId} report={report} onHearInPiece={props.onHearInPiece} />
    </div>
  );
}

function MetricsCard({ report }: { report: PieceReport }) {
  const metrics = [...report.metrics].sort((a, b) => ORDER.indexOf(a.key) - ORDER.indexOf(b.key));
  return (
    <section className="card report" data-testid="metrics-card" data-state="ready">
      <h2>Music report</h2>
      <dl className="report-facts">
        <dt>Key</dt>
        <dd data-testid="report-key">
          {report.key}
          {report.writtenKey !== report.key ? (
            <span className="muted small"> (written in {report.writtenKey})</span>
          ) : null}
        </dd>
        <dt>Notes</dt>
        <dd>{report.notes}</dd>
        <dt>Collapse</dt>
        <dd className={report.collapse ? "error" : ""}>
          {report.collapse ? "yes: one pitch dominates or fewer than 4 pitches" : "no"}
        </dd>
      </dl>
      <table className="metrics">
        <tbody>
          {metrics.map((m) => (
            <tr key={m.key} data-testid="metric" data-metric={m.key} data-position={m.position ?? "none"}>
              <th scope="row" title={METRICS[m.key]?.hint}>
                {metricLabel(m.key)}
              </th>
              <td className="metric-value">
                {formatMetric(m.key, m.value)}
                {METRICS[m.key]?.unit ? <span className="muted small"> {METRICS[m.key]!.unit}</span> : null}
              </td>
              <td>
                {m.range ? (
                  <RangeBar
                    value={m.value}
                    range={m.range}
                    label={`${metricLabel(m.key)} against the training songs`}
                  />
                ) : null}
              </td>
              <td className={`metric-position position-${m.position ?? "none"}`}>{m.position ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {report.referenceSongs !== null
          ? `Against the model's ${report.referenceSongs} training song(s): shaded 10th–90th percentile ("typical"), tick the median, dot this piece.`
          : `No training-set ranges: ${report.unavailable ?? "no evaluation in this bundle"}.`}
      </p>
    </section>
  );
}

function ProvenancePanel({
  pieceId,
  report,
  onHearInPiece,
}: {
  pieceId: string;
  report: PieceReport;
  onHearInPiece(startQuarter: number): void;
}) {
  const copy = report.copy;
  const longest = copy?.longest ?? null;
  return (
    <section className="card report" data-testid="provenance-panel">
      <h2>Provenance</h2>
      {!copy ? (
        <p className="muted" data-testid="provenance-text">
          No copy figures: {report.unavailable}.
        </p>
      ) : (
        <>
          <p data-testid="provenance-text">
            {longest ? (
              <>
                Longest passage found in the training data: <strong>{longest.notes} notes</strong> from{" "}
                <strong>{longest.source}</strong>, bar {longest.bar}
                {longest.beat !== 1 ? `, beat ${longest.beat}` : ""} (bar {longest.pieceBar} of this piece).
              </>
            ) : (
              "No passage of 9 or more notes was found in the training data."
            )}
          </p>
          {longest ? (
            <div className="actions">
              <SourcePassageButton pieceId={pieceId} />
              <button
                type="button"
                className="button secondary"
                onClick={() => onHearInPiece(longest.pieceStartQuarter)}
                data-testid="hear-in-piece"
              >
                Hear it in this piece
              </button>
            </div>
          ) : null}
          <dl>
            <dt>Copied runs</dt>
            <dd>
              {formatShare(copy["copy@8"])} of 8-note, {formatShare(copy["copy@16"])} of 16-note,{" "}
              {formatShare(copy["copy@32"])} of 32-note runs occur in the training songs
            </dd>
            <dt>Human baseline</dt>
            <dd data-testid="provenance-baseline">
              {copy.humanLongestMax === null ? (
                "none in this bundle's evaluation (no held-out songs)"
              ) : (
                <>
                  {copy.humanLongestMax === 0
                    ? "no held-out song shares 9 or more notes in a row with the training songs"
                    : `held-out songs share at most ${copy.humanLongestMax} notes in a row with them`}
                  {copy.heavy ? <span className="badge badge-heavy"> this piece copies more</span> : null}
                </>
              )}
            </dd>
          </dl>
        </>
      )}
    </section>
  );
}

/** Fetches only the copied passage's notes on the first click and plays them on the same piano. */
function SourcePassageButton({ pieceId }: { pieceId: string }) {
  const [notes, setNotes] = useState<RollNote[] | null>(null);
  const [wanted, setWanted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const player = usePianoPlayer(notes ?? [], durationSeconds(notes ?? []));
  const { play } = player;
  useEffect(() => {
    if (!wanted || !notes) return;
    setWanted(false);
    void play(0);
  }, [wanted, notes, play]);
  const playing = player.state === "playing" || player.state === "loading";
  return (
    <>
      <button
        type="button"
        className="button"
        data-testid="source-play"
        data-state={player.state}
        data-audio-state={player.audioState}
        onClick={() => {
          if (playing) return player.pause();
          if (notes) return void play(0);
          setError(null);
          trpc.pieces.sourcePassage
            .query({ id: pieceId })
            .then((passage) => {
              setNotes(passage.notes);
              setWanted(true);
            })
            .catch((failure: unknown) => setError(errorMessage(failure)));
        }}
      >
        {playing ? "Stop the source passage" : "Play the source passage"}
      </button>
      {error ? <span className="error small">{error}</span> : null}
    </>
  );
}
