import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { RadioView } from "@/browser/radio-view";
import { isWindowedPreset } from "@/lib/presets";
import { serverCaller } from "@/server/caller";

export const metadata: Metadata = { title: "Radio" };

/** `?model=<id or name/version>` picks the station; else the built-in model, else the first usable one. */
export default async function RadioPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await connection();
  const models = (await (await serverCaller()).models.list())
    // Windowed presets re-run a window through tfjs, which is not bit-identical across backends: the device worker refuses them.
    .filter((model) => model.usable && !isWindowedPreset(model.preset))
    .map((model) => ({ id: model.id, label: `${model.name}/${model.version}` }));
  const asked = (await searchParams).model;
  const initial =
    models.find((m) => m.id === asked || m.label === asked) ??
    models.find((m) => m.label.startsWith("mutopia-piano/")) ??
    models[0];
  return (
    <>
      <section className="hero">
        <div>
          <h1>Radio</h1>
          <p className="muted">
            One model playing on and on, composed on this device while you listen. Skip to hear it start
            somewhere new; Keep saves the last half minute as a piece with its recipe.
          </p>
        </div>
      </section>
      {initial ? (
        <RadioView models={models} initialModelId={initial.id} />
      ) : (
        <div className="empty card">
          <p>
            No model can play here yet. Train one with <code>pnpm --filter trainer train</code>, then refresh
            on the <Link href="/models">models page</Link>.
          </p>
        </div>
      )}
    </>
  );
}
