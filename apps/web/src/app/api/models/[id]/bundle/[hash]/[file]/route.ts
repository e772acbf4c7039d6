import { getServices } from "@/server/app-services";
import { respond } from "@/server/http";
import { createBundleFiles } from "@/server/services/bundle-files";

/** A bundle file under its content hash: the same URL is always the same bytes, so browsers keep it for a year. */
export async function GET(
  _request: Request,
  context: { params: Promise<{ id: string; hash: string; file: string }> },
) {
  return respond(async () => {
    const { id, hash, file } = await context.params;
    const services = await getServices();
    const served = await createBundleFiles({ db: services.db }).file(id, hash, file);
    return new Response(served.bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        "Content-Type": served.contentType,
        "Content-Length": String(served.bytes.byteLength),
        "Cache-Control": served.immutable ? "public, max-age=31536000, immutable" : "no-cache",
        "X-Content-Type-Options": "nosniff",
      },
    });
  });
}
