import { getServices } from "@/server/app-services";
import { respond } from "@/server/http";
import { createBundleFiles } from "@/server/services/bundle-files";

/** The files a browser loads the model from: content-hash URLs and sizes (JSON, never cached: the hash may change). */
export async function GET(_request: Request, context: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const { id } = await context.params;
    const services = await getServices();
    const listing = await createBundleFiles({ db: services.db }).listing(id);
    return Response.json(listing, { headers: { "Cache-Control": "no-store" } });
  });
}
