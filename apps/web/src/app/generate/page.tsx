import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { GenerateForm } from "@/components/generate-form";
import { serverCaller } from "@/server/caller";
import { readRecipeQuery } from "@/server/recipe-query";

export const metadata: Metadata = { title: "Generate" };

/** `?model=…&seed=…&…` (a recipe URL, e.g. a piece's "replay this recipe") fills the form. */
export default async function GeneratePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await connection();
  const models = await (await serverCaller()).models.list();
  const usable = models
    .filter((model) => model.usable)
    .map((model) => ({
      id: model.id,
      label: `${model.name}/${model.version}`,
      vocabSize: model.vocabSize,
      tokenizer: model.tokenizer,
      preset: model.preset,
    }));
  const recipe = readRecipeQuery(await searchParams, usable);
  return (
    <>
      <section className="hero">
        <div>
          <h1>Generate a piece</h1>
          <p className="muted">Pick a model and a recipe. The same recipe always gives the same piece.</p>
        </div>
      </section>
      {usable.length === 0 ? (
        <div className="empty card">
          <p>
            No usable model yet. Train one with <code>pnpm --filter trainer train</code>, then refresh on the{" "}
            <Link href="/models">models page</Link>.
          </p>
        </div>
      ) : (
        <GenerateForm models={usable} initial={recipe.values} notes={recipe.notes} />
      )}
    </>
  );
}
