import Link from "next/link";
import { connection } from "next/server";
import { GalleryGrid } from "@/components/gallery-grid";
import { COPY_FILTERS, type CopyFilter } from "@/lib/music-report";
import { serverCaller } from "@/server/caller";

const COPY_LABELS: Record<CopyFilter, string> = {
  all: "All pieces",
  heavy: "Only heavy copies",
  "hide-heavy": "Hide heavy copies",
};

export default async function GalleryPage({
  searchParams,
}: {
  searchParams: Promise<{ model?: string | string[]; copies?: string | string[] }>;
}) {
  await connection();
  const params = await searchParams;
  // A malformed filter (hand-edited URL) shows everything rather than an error page.
  const modelId =
    typeof params.model === "string" && params.model !== "" && params.model.length <= 64
      ? params.model
      : null;
  const copies = COPY_FILTERS.find((value) => value === params.copies) ?? "all";
  const caller = await serverCaller();
  const [page, models] = await Promise.all([
    caller.pieces.list({ limit: 12, modelId, copies }),
    caller.models.list(),
  ]);
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
          <label
            htmlFor="copies-filter"
            className="small muted"
            title="heavy copy: a passage found in one training song longer than any held-out human song copies"
          >
            Copies
          </label>
          <select id="copies-filter" name="copies" defaultValue={copies}>
            {COPY_FILTERS.map((value) => (
              <option key={value} value={value}>
                {COPY_LABELS[value]}
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
          <p>
            {copies === "all"
              ? `No pieces ${modelId ? "from this model " : ""}yet.`
              : `No pieces ${modelId ? "from this model " : ""}match this filter.`}
          </p>
          <Link href="/generate" className="button">
            Generate the first one
          </Link>
        </div>
      ) : (
        <GalleryGrid
          key={`${modelId ?? "all"}:${copies}`}
          initial={page.items}
          nextCursor={page.nextCursor}
          modelId={modelId}
          copies={copies}
        />
      )}
    </>
  );
}
