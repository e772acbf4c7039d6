import { getServices } from "@/server/app-services";
import { attachmentDisposition, respond } from "@/server/http";

export async function GET(_request: Request, context: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const { id } = await context.params;
    const services = await getServices();
    const { title, bytes } = await services.pieces.midi(id);
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        "Content-Type": "audio/midi",
        "Content-Length": String(bytes.byteLength),
        "Content-Disposition": attachmentDisposition(title, "mid"),
        "Cache-Control": "no-store",
      },
    });
  });
}
