import type { Metadata } from "next";
import { connection } from "next/server";
import { ModelCard, type ModelCardData } from "@/components/model-card";
import { toWire } from "@/lib/wire";
import { RefreshModelsButton } from "@/components/refresh-models-button";
import { TrainingRuns } from "@/components/training-runs";
import { serverCaller } from "@/server/caller";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  await connection();
  const models = await (await serverCaller()).models.list();
  return (
    <>
      <section className="hero">
        <div>
          <h1>Models</h1>
          <p className="muted">Every bundle found under the models folder, with how it was trained.</p>
        </div>
        <RefreshModelsButton />
      </section>
      {models.length === 0 ? (
        <div className="empty card">
          No bundles found. Train one with <code>pnpm --filter trainer train</code>.
        </div>
      ) : null}
      <div className="model-list">
        {models.map((model) => (
          <ModelCard key={model.id} model={toWire<ModelCardData>(model)} />
        ))}
      </div>
      <section className="card training-section">
        <h2>Training runs</h2>
        <p className="muted small">
          Validation loss of the trainer&apos;s runs as they are recorded (metrics.jsonl), updated live while
          one runs; tick several to compare them.
        </p>
        <TrainingRuns />
      </section>
    </>
  );
}
