import "server-only";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { BundleListing } from "@/browser/device-protocol";
import type { Database } from "../db";
import { NotFoundError } from "../errors";

/** What a browser needs to load a bundle (core's loadBundle), in the order it fetches them. */
const DEVICE_BUNDLE_FILES = ["bundle.json", "model.json", "weights.bin"] as const;
/**
 * Every file the bundle route serves. evaluation.json sits outside the content hash (`evaluate
 * --attach` rewrites it under the same hash), so it is served but never cached as immutable.
 */
const SERVED_FILES = [...DEVICE_BUNDLE_FILES, "evaluation.json"] as const;
type ServedFile = (typeof SERVED_FILES)[number];

const CONTENT_TYPES: Record<ServedFile, string> = {
  "bundle.json": "application/json",
  "model.json": "application/json",
  "weights.bin": "application/octet-stream",
  "evaluation.json": "application/json",
};

/** A usable model's bundle files, by content-hash URL: /api/models/<id>/bundle/<hash>/<file>. */
export function createBundleFiles(deps: { db: Database }) {
  const { db } = deps;

  async function servedModel(id: string) {
    const model = await db.model.findUnique({
      where: { id },
      select: {
        id: true,
        name: true,
        version: true,
        path: true,
        bundleHash: true,
        usable: true,
        present: true,
      },
    });
    if (!model || !model.present || !model.usable || model.bundleHash === "")
      throw new NotFoundError(`no usable model with id ${id}`);
    return model;
  }

  async function listing(id: string): Promise<BundleListing> {
    const model = await servedModel(id);
    const files: BundleListing["files"] = [];
    for (const name of DEVICE_BUNDLE_FILES) {
      const info = await stat(join(model.path, name)).catch(() => null);
      if (!info?.isFile()) throw new NotFoundError(`model ${model.name}/${model.version} has no ${name}`);
      files.push({
        name,
        url: `/api/models/${encodeURIComponent(model.id)}/bundle/${model.bundleHash}/${name}`,
        bytes: info.size,
      });
    }
    return {
      modelId: model.id,
      name: model.name,
      version: model.version,
      bundleHash: model.bundleHash,
      files,
      totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    };
  }

  /**
   * One served file's bytes. The request's file name only selects an entry of SERVED_FILES (the
   * path is built from that constant, never from the request); a stale hash is a 404, so an
   * immutable URL always means the same bytes.
   */
  async function file(
    id: string,
    hash: string,
    requested: string,
  ): Promise<{ bytes: Uint8Array; contentType: string; immutable: boolean }> {
    const name = SERVED_FILES.find((candidate) => candidate === requested);
    if (name === undefined)
      throw new NotFoundError(`a bundle has no file "${requested.slice(0, 60)}" to serve`);
    const model = await servedModel(id);
    if (hash !== model.bundleHash)
      throw new NotFoundError(
        `model ${model.name}/${model.version} is not bundle ${hash.slice(0, 12)} (any more)`,
      );
    const bytes = await readFile(join(model.path, name)).catch(() => null);
    if (!bytes) throw new NotFoundError(`model ${model.name}/${model.version} has no ${name}`);
    return {
      bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      contentType: CONTENT_TYPES[name],
      immutable: name !== "evaluation.json",
    };
  }

  return { listing, file };
}
