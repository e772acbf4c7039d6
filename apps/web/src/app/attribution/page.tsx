import type { Metadata } from "next";
import { connection } from "next/server";
import { serverCaller } from "@/server/caller";

export const metadata: Metadata = { title: "Attribution" };

/** Where the gallery's sounds and its models' music come from, with every bundle's NOTICE.md. */
export default async function AttributionPage() {
  await connection();
  const models = await (await serverCaller()).models.list();
  const withNotice = models.filter(
    (model) => (model.fileSizes as Record<string, number | null>)["NOTICE.md"],
  );
  return (
    <section className="card">
      <h1>Attribution</h1>
      <h2>The music the models learned from</h2>
      {withNotice.length === 0 ? (
        <p className="muted">
          No model here ships a notice: they were trained on their owners&apos; own MIDI files.
        </p>
      ) : (
        <ul>
          {withNotice.map((model) => (
            <li key={model.id}>
              <a href={`/api/models/${model.id}/notice`} data-testid="attribution-notice">
                {model.name} {model.version}: notice and attribution of every piece it learned from
              </a>
            </li>
          ))}
        </ul>
      )}
      <h2>The piano</h2>
      <p>Salamander Grand Piano samples by Alexander Holm (CC BY 3.0), served by this app.</p>
    </section>
  );
}
