import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { formatBytes, formatCount, formatDate } from "@/lib/format";
import type { ModelEvaluation } from "@/lib/music-report";
import type { AppRouter } from "@/server/routers/app-router";
import type { DatasetSummary } from "@/worker/types";
import { ModelEvaluationView } from "./model-evaluation";

/** Files a bundle may lack without being broken: listed only when present. */
const OPTIONAL_FILES = ["curves.svg", "curves.png", "evaluation.json", "reference-notes.bin.gz", "NOTICE.md"];

export type ModelCardData = inferRouterOutputs<AppRouter>["models"]["list"][number];

const METRICS: [key: string, label: string, digits: number][] = [
  ["valLoss", "validation loss", 3],
  ["valAccuracy", "validation accuracy", 3],
  ["perplexity", "perplexity", 2],
  ["loss", "training loss", 3],
  ["accuracy", "training accuracy", 3],
  ["tokensPerSecond", "tokens / s", 0],
];

export function ModelCard({ model }: { model: ModelCardData }) {
  const dataset = model.datasetSummary as unknown as DatasetSummary;
  const metrics = (model.finalMetrics ?? null) as Record<string, number | null> | null;
  const sizes = model.fileSizes as Record<string, number | null>;
  const curvesFormat = sizes["curves.svg"] ? "svg" : sizes["curves.png"] ? "png" : null;
  return (
    <article className={`card model-card ${model.usable ? "" : "unusable"}`} data-testid="model-card">
      <header className="model-card-head">
        <h2>
          {model.name}/<span className="muted">{model.version}</span>
        </h2>
        {model.usable ? (
          <Link className="button" href="/generate">
            Generate
          </Link>
        ) : (
          <span className="badge badge-failed">unusable</span>
        )}
      </header>
      {model.unusableReason ? <p className="error">Unusable: {model.unusableReason}</p> : null}
      <div className="model-card-body">
        {curvesFormat ? (
          <a
            href={`/api/models/${model.id}/curves?format=${sizes["curves.png"] ? "png" : curvesFormat}`}
            target="_blank"
            rel="noreferrer"
          >
            <img
              className="curves"
              src={`/api/models/${model.id}/curves?format=${curvesFormat}`}
              alt={`Training curves of ${model.name}`}
            />
          </a>
        ) : (
          <div className="curves curves-missing muted small">No training curves in this bundle.</div>
        )}
        <dl>
          <dt>Preset</dt>
          <dd>{model.preset}</dd>
          <dt>Tokenizer</dt>
          <dd>
            {model.tokenizer} v{model.tokenizerVersion}, {formatCount(model.vocabSize)} tokens
          </dd>
          <dt>Parameters</dt>
          <dd>{formatCount(model.parameters)}</dd>
          {metrics
            ? METRICS.filter(([key]) => typeof metrics[key] === "number").map(([key, label, digits]) => (
                <div key={key} className="dl-row">
                  <dt>{label}</dt>
                  <dd>{(metrics[key] as number).toFixed(digits)}</dd>
                </div>
              ))
            : null}
          <dt>Dataset</dt>
          <dd>
            {dataset.files} files ({dataset.trainFiles} train, {dataset.validationFiles} validation),{" "}
            {formatCount(dataset.tokens)} tokens
            {dataset.skipped?.length ? `, ${dataset.skipped.length} skipped` : ""}
          </dd>
          <dt>Training</dt>
          <dd>
            {dataset.epochs} epoch(s) on {dataset.backend || "?"}
            {dataset.createdAt ? `, ${formatDate(dataset.createdAt)}` : ""}
            {dataset.initFrom ? `, fine-tuned from ${dataset.initFrom.name} ${dataset.initFrom.version}` : ""}
          </dd>
          {dataset.keyMemory ? (
            <>
              <dt>Key memory</dt>
              <dd data-testid="model-key-memory">
                the piece&apos;s own pitch classes so far, at strength {dataset.keyMemory.strength}
                {dataset.keyMemory.halfLife === null
                  ? ""
                  : `, a note counting half after ${dataset.keyMemory.halfLife} more`}
              </dd>
            </>
          ) : null}
          <dt>Files</dt>
          <dd>
            {Object.entries(sizes)
              .filter(([name, size]) => size !== null || !OPTIONAL_FILES.includes(name))
              .map(([name, size]) => `${name} ${formatBytes(size)}`)
              .join(" · ")}
          </dd>
          {sizes["NOTICE.md"] ? (
            <>
              <dt>Music from</dt>
              <dd>
                <a
                  href={`/api/models/${model.id}/notice`}
                  target="_blank"
                  rel="noreferrer"
                  data-testid="model-notice"
                >
                  Notice and attribution
                </a>
              </dd>
            </>
          ) : null}
          <dt>Bundle hash</dt>
          <dd>
            <code>{model.bundleHash.slice(0, 16) || "—"}</code>
          </dd>
        </dl>
      </div>
      <ModelEvaluationView evaluation={(model.evaluation ?? null) as ModelEvaluation | null} />
    </article>
  );
}
