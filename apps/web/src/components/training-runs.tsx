"use client";
import type { inferRouterOutputs } from "@trpc/server";
import { useEffect, useState } from "react";
import { formatDate } from "@/lib/format";
import { errorMessage, trpc } from "@/lib/trpc-client";
import type { AppRouter } from "@/server/routers/app-router";

type Run = inferRouterOutputs<AppRouter>["training"]["runs"][number];

/** While a run is in progress the list is read again this often. */
const POLL_MS = 5000;
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
const WIDTH = 640;
const HEIGHT = 260;
const PAD = { left: 48, right: 12, top: 12, bottom: 32 };

/** Validation loss against minutes of training, one line per selected run. */
function RunsChart({ runs }: { runs: Run[] }) {
  const series = runs.map((run) =>
    run.points.filter((p) => p.valLoss !== null).map((p) => [p.elapsedSeconds / 60, p.valLoss!] as const),
  );
  const all = series.flat();
  if (all.length === 0)
    return (
      <p className="muted small">No validation yet: the first point appears after the first validation.</p>
    );
  const maxX = Math.max(...all.map(([x]) => x), 1e-6);
  const minY = Math.min(...all.map(([, y]) => y));
  const maxY = Math.max(...all.map(([, y]) => y), minY + 1e-6);
  const px = (x: number) => PAD.left + (x / maxX) * (WIDTH - PAD.left - PAD.right);
  const py = (y: number) => PAD.top + (1 - (y - minY) / (maxY - minY)) * (HEIGHT - PAD.top - PAD.bottom);
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      className="training-chart"
      role="img"
      aria-label="validation loss against minutes of training"
      data-testid="training-chart"
    >
      <rect
        x={PAD.left}
        y={PAD.top}
        width={WIDTH - PAD.left - PAD.right}
        height={HEIGHT - PAD.top - PAD.bottom}
        fill="none"
        stroke="#999"
      />
      <text x={PAD.left - 6} y={py(maxY) + 4} textAnchor="end" fontSize="11">
        {maxY.toFixed(2)}
      </text>
      <text x={PAD.left - 6} y={py(minY) + 4} textAnchor="end" fontSize="11">
        {minY.toFixed(2)}
      </text>
      <text x={px(0)} y={HEIGHT - 14} textAnchor="middle" fontSize="11">
        0
      </text>
      <text x={px(maxX)} y={HEIGHT - 14} textAnchor="end" fontSize="11">
        {maxX.toFixed(1)} min
      </text>
      <text x={(PAD.left + WIDTH) / 2} y={HEIGHT - 2} textAnchor="middle" fontSize="11">
        validation loss against minutes of training
      </text>
      {series.map((points, i) => (
        <g key={runs[i]!.id} stroke={COLORS[i % COLORS.length]} fill={COLORS[i % COLORS.length]}>
          {points.length > 1 ? (
            <polyline
              fill="none"
              strokeWidth="2"
              points={points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ")}
            />
          ) : null}
          {points.map(([x, y], j) => (
            <circle key={j} cx={px(x)} cy={py(y)} r="2.5" />
          ))}
        </g>
      ))}
    </svg>
  );
}

function runLine(run: Run): string {
  const last = [...run.points].reverse().find((p) => p.valLoss !== null);
  const best =
    run.summary?.bestValLoss ??
    (run.points.length
      ? Math.min(...run.points.flatMap((p) => (p.valLoss === null ? [] : [p.valLoss])))
      : null);
  const state =
    run.state === "finished"
      ? `finished (${run.summary?.stoppedReason ?? "?"})`
      : run.state === "running"
        ? "running"
        : "stopped without a summary";
  return `${state} · ${run.points.length} validation(s)${last ? `, epoch ${last.epoch.toFixed(2).replace(/\.00$/, "")}` : ""}${best !== null && Number.isFinite(best) ? ` · best val loss ${best.toFixed(3)}` : ""} · updated ${formatDate(run.updatedAt)}`;
}

/** The trainer's runs under the models root, live while one is running; tick two or more to overlay them. */
export function TrainingRuns() {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[] | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      trpc.training.runs
        .query()
        .then((list) => {
          if (stopped) return;
          setRuns(list);
          setError(null);
          setSelected((current) => current ?? list.slice(0, 2).map((run) => run.id));
          if (list.some((run) => run.state === "running")) timer = setTimeout(load, POLL_MS);
        })
        .catch((failure: unknown) => !stopped && setError(errorMessage(failure)));
    };
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  if (error) return <p className="error">Training runs could not be read: {error}</p>;
  if (runs === null) return <p className="muted small">Reading training runs…</p>;
  if (runs.length === 0)
    return (
      <p className="muted small" data-testid="training-runs-empty">
        No training runs under the models folder yet (<code>pnpm --filter trainer train</code> records one).
      </p>
    );
  const chosen = runs.filter((run) => selected?.includes(run.id));
  return (
    <div className="training-runs" data-testid="training-runs">
      <RunsChart runs={chosen} />
      <ul className="training-run-list">
        {runs.map((run) => {
          const index = chosen.findIndex((c) => c.id === run.id);
          return (
            <li key={run.id} data-testid="training-run" data-state={run.state}>
              <label>
                <input
                  type="checkbox"
                  checked={index >= 0}
                  onChange={(event) =>
                    setSelected((current) =>
                      event.target.checked
                        ? [...(current ?? []), run.id]
                        : (current ?? []).filter((id) => id !== run.id),
                    )
                  }
                />{" "}
                <span
                  className="swatch"
                  style={{ background: index >= 0 ? COLORS[index % COLORS.length] : "transparent" }}
                  aria-hidden
                />
                <strong>{run.name}</strong> <span className="muted small">{run.runId}</span>
              </label>
              <div className="muted small">{runLine(run)}</div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
