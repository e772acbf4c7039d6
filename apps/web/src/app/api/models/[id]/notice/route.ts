import { readFile } from "node:fs/promises";
import { getServices } from "@/server/app-services";
import { respond } from "@/server/http";
import { NotFoundError } from "@/server/errors";

/** The bundle's NOTICE.md (where its music came from, attribution per piece): /api/models/<id>/notice. CSP: next.config.ts. */
export async function GET(_request: Request, context: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const { id } = await context.params;
    const services = await getServices();
    const file = await services.models.noticeFile(id);
    if (!file) throw new NotFoundError("this model's bundle has no NOTICE.md");
    const text = await readFile(file, "utf8");
    return new Response(text, {
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=60" },
    });
  });
}
