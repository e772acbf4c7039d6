import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyBundle } from "../../test-support/tiny-bundle";
import { inspect } from "./bundles";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function modelsDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "motif-bundles-"));
  dirs.push(dir);
  return dir;
}

describe("inspect", () => {
  it("tells a fine-tuned bundle from one trained from scratch (the model card's 'fine-tuned from')", async () => {
    const root = await modelsDir();
    const initFrom = { name: "mutopia-piano", version: "v1", weightsSha256: "b".repeat(64) };
    const tuned = await inspect((await writeTinyBundle(root, { name: "tuned", initFrom })).dir);
    const scratch = await inspect((await writeTinyBundle(root, { name: "scratch" })).dir);
    expect(tuned.ok && tuned.info.datasetSummary.initFrom).toEqual({ name: "mutopia-piano", version: "v1" });
    expect(scratch.ok && scratch.info.datasetSummary.initFrom).toBeNull();
  });

  it("reports the model's key memory (the model card's 'Key memory'), null when it has none or it is off", async () => {
    const root = await modelsDir();
    const none = await inspect((await writeTinyBundle(root, { name: "none" })).dir);
    const on = await inspect(
      (await writeTinyBundle(root, { name: "on", keyMemory: { strength: 0.5, halfLife: 16 } })).dir,
    );
    const off = await inspect(
      (await writeTinyBundle(root, { name: "off", keyMemory: { strength: 0, halfLife: null } })).dir,
    );
    expect(on.ok && on.info.datasetSummary.keyMemory).toEqual({ strength: 0.5, halfLife: 16 });
    expect(none.ok && none.info.datasetSummary.keyMemory).toBeNull();
    expect(off.ok && off.info.datasetSummary.keyMemory).toBeNull();
  });
});
