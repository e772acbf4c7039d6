import { formatDate } from "@/lib/format";
import { formatShare, METRICS, metricLabel, type ModelEvaluation } from "@/lib/music-report";
import { FeatureHistogram } from "./feature-histogram";

const ORDER = Object.keys(METRICS);

/** A bundle's evaluation.json: its generated pieces against the training songs, held-out songs as the human baseline. */
export function ModelEvaluationView({ evaluation }: { evaluation: ModelEvaluation | null }) {
  if (!evaluation) {
    return (
      <section className="evaluation" data-testid="model-evaluation" data-state="none">
        <h3>Evaluation</h3>
        <p className="muted small">
          No evaluation in this bundle (publish it with a current trainer, or add one with the trainer&apos;s{" "}
          <code>evaluate --attach</code>).
        </p>
      </section>
    );
  }
  const { summary, human, recipe } = evaluation;
  const features = Object.keys(evaluation.histograms).sort((a, b) => rank(a) - rank(b));
  return (
    <section className="evaluation" data-testid="model-evaluation" data-state="ready">
      <h3>Evaluation</h3>
      <p className="muted small">
        {summary.pieces} piece(s) of {recipe.length} tokens at temperature {recipe.temperature}
        {recipe.topP !== null ? `, top-p ${recipe.topP}` : ""}
        {recipe.topK !== null ? `, top-k ${recipe.topK}` : ""}, against{" "}
        {evaluation.reference ? `${evaluation.reference.songs} training song(s)` : "the training songs"}
        {human ? `; ${human.pieces} held-out song(s) as the human baseline` : ""} ·{" "}
        {formatDate(evaluation.createdAt)}
      </p>
      <table className="evaluation-summary">
        <thead>
          <tr>
            <th />
            <th>generated</th>
            <th>human</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="evaluation-mean-oa">
            <th
              scope="row"
              title="mean overlapping area of the feature distributions with the training songs' (1 = the same)"
            >
              mean OA
            </th>
            <td>{summary.meanOA === null ? "— (needs 2+ training songs)" : summary.meanOA.toFixed(3)}</td>
            <td />
          </tr>
          <tr data-testid="evaluation-copy16">
            <th scope="row" title="share of 16-note runs that occur in the training songs">
              copy@16
            </th>
            <td>{formatShare(summary["copy@16"])}</td>
            <td>{human ? formatShare(human["copy@16"]) : "—"}</td>
          </tr>
          <tr data-testid="evaluation-longest">
            <th scope="row" title="longest passage found verbatim in one training song">
              longest copy
            </th>
            <td>{summary.longestMax} notes</td>
            <td>{human ? `${human.longestMax} notes (median ${human.longestMedian})` : "—"}</td>
          </tr>
          <tr data-testid="evaluation-collapse">
            <th scope="row" title="one pitch over half the notes, or fewer than 4 distinct pitches">
              collapse rate
            </th>
            <td className={summary.collapseRate > 0 ? "error" : ""}>{formatShare(summary.collapseRate)}</td>
            <td />
          </tr>
        </tbody>
      </table>
      {human && summary.longestMax > human.longestMax ? (
        <p className="error small">
          The generated pieces copy longer passages than any held-out human song does.
        </p>
      ) : null}
      <p className="small muted">
        Per feature: the overlapping area (OA) of the generated pieces&apos; distribution with the training
        songs&apos; (1 = the same), and both histograms:
        <span className="legend legend-reference" /> training songs{" "}
        <span className="legend legend-generated" /> generated pieces
      </p>
      <div className="evaluation-features">
        {features.map((key) => {
          const histogram = evaluation.histograms[key]!;
          const oa = summary.oa?.[key];
          return (
            <figure key={key} data-testid="evaluation-feature" data-feature={key}>
              <figcaption>
                {metricLabel(key)} <span className="muted small">OA {oa ? oa.oa.toFixed(2) : "—"}</span>
              </figcaption>
              <FeatureHistogram
                {...histogram}
                label={`${metricLabel(key)}: generated pieces against the training songs`}
              />
            </figure>
          );
        })}
      </div>
    </section>
  );
}

const rank = (key: string) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);
