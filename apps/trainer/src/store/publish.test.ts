import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adoptPublished, nextVersion, publishBundle, resolveBundleDir } from "./publish.js";
import { byteCount, diskFullAfter } from "./test-support/full-disk.js";

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
    const first = await publishBundle(root, "demo", "v1", {
      "bundle.json": "{}",
      "weights.bin": new Uint8Array([1, 2, 3]),
    });
    expect(first).toBe(path.join(root, "demo", "v1"));
    expect(await nextVersion(root, "demo")).toBe("v2");
    await publishBundle(root, "demo", "v2", { "bundle.json": '{"v":2}' });
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
    const target = await publishBundle(root, "demo", "v1", {
      "bundle.json": "{}",
      "corpus/tune.mid": new Uint8Array([77, 84]),
    });
    expect([...(await readFile(path.join(target, "corpus", "tune.mid")))]).toEqual([77, 84]);
    expect((await readdir(target)).sort()).toEqual(["bundle.json", "corpus"]);
  });

  it("refuses to overwrite an existing version", async () => {
    await publishBundle(root, "demo", "v1", { "bundle.json": "{}" });
    await expect(publishBundle(root, "demo", "v1", { "bundle.json": '{"other":1}' })).rejects.toThrow(
      /v1 already exists/,
    );
    expect(await readFile(path.join(root, "demo", "v1", "bundle.json"), "utf8")).toBe("{}");
    expect(await readdir(root)).toEqual(["demo"]);
  });

  it("with replaceExisting rewrites an existing version whole, leaving no staging folder", async () => {
    await publishBundle(root, "demo", "v1", { "bundle.json": "{}", "old.txt": "old" });
    const target = await publishBundle(
      root,
      "demo",
      "v1",
      { "bundle.json": '{"other":1}' },
      { replaceExisting: true },
    );
    expect(await readFile(path.join(target, "bundle.json"), "utf8")).toBe('{"other":1}');
    expect(await readdir(target)).toEqual(["bundle.json"]);
    expect(await readdir(root)).toEqual(["demo"]);
    expect(await readFile(path.join(root, "demo", "LATEST"), "utf8")).toBe("v1\n");
  });

  it("with replaceExisting on a full disk keeps the existing version as it was", async () => {
    const v1 = { "bundle.json": '{"v":1}', "weights.bin": new Uint8Array([1, 2, 3]) };
    await publishBundle(root, "demo", "v1", v1);
    const bigger = { "bundle.json": '{"v":1.1}', "weights.bin": new Uint8Array(64).fill(7) };
    await expect(
      publishBundle(root, "demo", "v1", bigger, { write: diskFullAfter(40), replaceExisting: true }),
    ).rejects.toThrow(/disk full/);
    expect(await readFile(path.join(root, "demo", "v1", "bundle.json"), "utf8")).toBe('{"v":1}');
    expect([...(await readFile(path.join(root, "demo", "v1", "weights.bin")))]).toEqual([1, 2, 3]);
    expect(await readdir(root)).toEqual(["demo"]);
  });

  it("adoptPublished finds a resumed run's bundle with its weights and points LATEST at it", async () => {
    await publishBundle(root, "demo", "v1", { "bundle.json": '{"weightsSha256":"aaa"}' });
    await publishBundle(root, "demo", "v2", { "bundle.json": '{"weightsSha256":"bbb"}' });
    // Killed after v2's rename, before LATEST moved.
    await writeFile(path.join(root, "demo", "LATEST"), "v1\n");
    expect(await adoptPublished(root, "demo", "v2", "bbb")).toEqual({
      version: "v2",
      dir: path.join(root, "demo", "v2"),
    });
    expect(await readFile(path.join(root, "demo", "LATEST"), "utf8")).toBe("v2\n");
    // Killed before the rename: no such version, or other weights there.
    expect(await adoptPublished(root, "demo", "v3", "bbb")).toBeNull();
    expect(await adoptPublished(root, "demo", "v1", "bbb")).toBeNull();
    expect(await adoptPublished(root, "demo", "../v2", "bbb")).toBeNull();
  });

  it("on a full disk fails naming the folder, keeps the previous version and LATEST, and leaves nothing behind", async () => {
    const v1 = { "bundle.json": '{"v":1}', "weights.bin": new Uint8Array([1, 2, 3]) };
    await publishBundle(root, "demo", "v1", v1);
    const v2 = {
      "bundle.json": '{"v":2}',
      "weights.bin": new Uint8Array(64).fill(7),
      "corpus/tune.mid": new Uint8Array([77, 84, 104, 100]),
    };
    const needed = byteCount(v2) + "v2\n".length;
    // The disk fills at every byte of the publish in turn: each failure leaves exactly what was there.
    for (let capacity = 0; capacity < needed; capacity++) {
      const failed = publishBundle(root, "demo", "v2", v2, { write: diskFullAfter(capacity) });
      await expect(failed).rejects.toThrow(
        `disk full: could not publish ${path.join(root, "demo", "v2")} (ENOSPC: no space left on device, write); nothing of it is left behind`,
      );
      expect(await readdir(root)).toEqual(["demo"]);
      expect((await readdir(path.join(root, "demo"))).sort()).toEqual(["LATEST", "v1"]);
      expect(await readFile(path.join(root, "demo", "LATEST"), "utf8")).toBe("v1\n");
      expect(await readFile(path.join(root, "demo", "v1", "bundle.json"), "utf8")).toBe('{"v":1}');
    }
    await publishBundle(root, "demo", "v2", v2, { write: diskFullAfter(needed) });
    expect(await readFile(path.join(root, "demo", "LATEST"), "utf8")).toBe("v2\n");
    expect([...(await readFile(path.join(root, "demo", "v2", "corpus", "tune.mid")))]).toEqual([
      77, 84, 104, 100,
    ]);
  });

  it("clears what publishes killed halfway left behind, and nothing of a live one or another model", async () => {
    const dead = await exitedProcessId();
    const abandoned = [
      `.publishing-demo-${dead}-a1B2c3`,
      path.join("demo", `.LATEST.tmp-${dead}-1764650000000`),
    ];
    const kept = [
      `.publishing-demo-${process.pid}-x9Y8z7`,
      `.publishing-demo-2-${dead}-a1B2c3`,
      path.join("demo", `.LATEST.tmp-${process.pid}-1764650000000`),
    ];
    for (const entry of [...abandoned, ...kept]) {
      const full = path.join(root, entry);
      await mkdir(path.dirname(full), { recursive: true });
      if (path.basename(entry).startsWith(".publishing-")) {
        await mkdir(path.join(full, "corpus"), { recursive: true });
        await writeFile(path.join(full, "weights.bin"), "half");
      } else await writeFile(full, "v");
    }
    await publishBundle(root, "demo", "v1", { "bundle.json": "{}" });
    expect((await readdir(root)).sort()).toEqual(
      [...kept.filter((e) => !e.includes(path.sep)), "demo"].sort(),
    );
    expect((await readdir(path.join(root, "demo"))).sort()).toEqual(
      [path.basename(kept[2]!), "LATEST", "v1"].sort(),
    );
  });

  it("rejects a LATEST file that points outside the model folder", async () => {
    await publishBundle(root, "demo", "v1", { "bundle.json": "{}" });
    await writeFile(path.join(root, "demo", "LATEST"), "../../etc\n");
    await expect(resolveBundleDir(path.join(root, "demo"))).rejects.toThrow(/invalid version/);
  });
});

/** The id of a process that has exited (and been reaped), as a killed publisher's is. */
async function exitedProcessId(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("close", resolve));
  return child.pid!;
}
