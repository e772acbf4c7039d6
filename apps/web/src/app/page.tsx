import Link from "next/link";
import { connection } from "next/server";
import { GalleryGrid } from "@/components/gallery-grid";
import { serverCaller } from "@/server/caller";

export default async function GalleryPage({ searchParams }: { searchParams: Promise<{ model?: string | string[] }> }) {
  await connection();
  const params = await searchParams;
  // A malformed filter (hand-edited URL) shows everything rather than an error page.
  const modelId = typeof params.model === "string" && params.model !== "" && params.model.length <= 64 ? params.model : null;
  const caller = await serverCaller();
  const [page, models] = await Promise.all([caller.pieces.list({ limit: 12, modelId }), caller.models.list()]);
  return (
    <>
      <section className="hero">
        <div>
          <h1>Gallery</h1>
          <p className="muted">Piano pieces written by Motif&apos;s LSTM models, newest first.</p>
        </div>
        <form className="filter" action="/" method="get">
          <label htmlFor="model-filter" className="small muted">
            Model
          </label>
          <select id="model-filter" name="model" defaultValue={modelId ?? ""}>
            <option value="">All models</option>
            {models.map((model) => (
              <option key={model.id} value={model.id}>
                {model.name}/{model.version}
              </option>
            ))}
          </select>
          <button type="submit" className="button secondary">
            Filter
          </button>
        </form>
      </section>
      {page.items.length === 0 ? (
        <div className="empty card">
          <p>No pieces {modelId ? "from this model " : ""}yet.</p>
          <Link href="/generate" className="button">
            Generate the first one
          </Link>
        </div>
      ) : (
        <GalleryGrid key={modelId ?? "all"} initial={page.items} nextCursor={page.nextCursor} modelId={modelId} />
      )}
    </>
  );
}
