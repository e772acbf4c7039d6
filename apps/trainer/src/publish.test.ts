import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nextVersion, publishBundle, resolveBundleDir } from "./publish.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "motif-publish-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("publishBundle", () => {
  it("numbers versions, moves the files in one rename and points LATEST at the newest", async () => {
    expect(await nextVersion(root, "demo")).toBe("v1");
    const first = await publishBundle(root, "demo", "v1", { "bundle.json": "{}", "weights.bin": new Uint8Array([1, 2, 3]) });
    expect(first).toBe(path.join(root, "demo", "v1"));
    expect(await nextVersion(root, "demo")).toBe("v2");
    await publishBundle(root, "demo", "v2", { "bundle.json": "{\"v\":2}" });
    expect((await readFile(path.join(root, "demo", "LATEST"), "utf8")).trim()).toBe("v2");
    expect([...(await readFile(path.join(first, "weights.bin")))]).toEqual([1, 2, 3]);
    expect(await resolveBundleDir(path.join(root, "demo"))).toBe(path.join(root, "demo", "v2"));
    expect(await resolveBundleDir(first)).toBe(first);
    expect(await resolveBundleDir(path.join(root, "demo", "latest"))).toBe(path.join(root, "demo", "v2"));
    // No staging folders or temporary files are left behind.
    expect((await readdir(root)).sort()).toEqual(["demo"]);
    expect((await readdir(path.join(root, "demo"))).sort()).toEqual(["LATEST", "v1", "v2"]);
  });

  it("publishes files in sub-folders (a bundle's own corpus/)", async () => {
    const target = await publishBundle(root, "demo", "v1", { "bundle.json": "{}", "corpus/tune.mid": new Uint8Array([77, 84]) });
    expect([...(await readFile(path.join(target, "corpus", "tune.mid")))]).toEqual([77, 84]);
    expect((await readdir(target)).sort()).toEqual(["bundle.json", "corpus"]);
  });

  it("refuses to overwrite an existing version", async () => {
    await publishBundle(root, "demo", "v1", { "bundle.json": "{}" });
    await expect(publishBundle(root, "demo", "v1", { "bundle.json": "{\"other\":1}" })).rejects.toThrow(/v1 already exists/);
    expect(await readFile(path.join(root, "demo", "v1", "bundle.json"), "utf8")).toBe("{}");
    expect(await readdir(root)).toEqual(["demo"]);
  });

  it("rejects a LATEST file that points outside the model folder", async () => {
    await publishBundle(root, "demo", "v1", { "bundle.json": "{}" });
    await writeFile(path.join(root, "demo", "LATEST"), "../../etc\n");
    await expect(resolveBundleDir(path.join(root, "demo"))).rejects.toThrow(/invalid version/);
  });
});
