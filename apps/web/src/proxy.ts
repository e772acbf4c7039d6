// Next 16's proxy (the renamed middleware): every HTML page gets a fresh nonce and a CSP that only
// runs scripts carrying it. Next reads the nonce from the request's CSP header and puts it on its
// own scripts; the pages render per request (the root layout awaits connection()), so each
// response has its own. Files and API routes take their static headers from next.config.ts.
import { NextResponse, type NextRequest } from "next/server";
import { isDevelopmentBuild } from "./build-env";
import { pageContentSecurityPolicy } from "./security-headers";

export function proxy(request: NextRequest) {
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const policy = pageContentSecurityPolicy(nonce, { dev: isDevelopmentBuild() });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  // Pages only: API routes, built assets, the device worker and the samples have static policies.
  matcher: ["/((?!api/|_next/static/|_next/image|workers/|samples/|favicon.ico).*)"],
};
