import { readFile } from "node:fs/promises";
import { getServices } from "@/server/app-services";
import { respond } from "@/server/http";
import { InputError, NotFoundError } from "@/server/errors";

const TYPES = { png: "image/png", svg: "image/svg+xml" } as const;

/** The bundle's training curves: /api/models/<id>/curves?format=png|svg (svg by default). CSP: next.config.ts. */
export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const { id } = await context.params;
    const format = new URL(request.url).searchParams.get("format") ?? "svg";
    if (format !== "png" && format !== "svg")
      throw new InputError(`format must be png or svg, got "${format}"`);
    const services = await getServices();
    const file = await services.models.curvesFile(id, format);
    if (!file) throw new NotFoundError(`this model's bundle has no curves.${format}`);
    const bytes = await readFile(file);
    return new Response(new Uint8Array(bytes), {
      headers: { "Content-Type": TYPES[format], "Cache-Control": "public, max-age=60" },
    });
  });
}
