import { env } from "@/env";
import { getServices } from "@/server/app-services";
import { answerTrpcRequest } from "@/server/trpc-request";

const handler = (request: Request) =>
  answerTrpcRequest(request, { services: getServices, trustedProxies: env.trustedProxies });

export { handler as GET, handler as POST };
