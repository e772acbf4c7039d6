import type { NextConfig } from "next";
import {
  API_CONTENT_SECURITY_POLICY,
  COMMON_SECURITY_HEADERS,
  CURVES_CONTENT_SECURITY_POLICY,
  WORKER_CONTENT_SECURITY_POLICY,
} from "./src/security-headers";

const csp = (value: string) => [{ key: "Content-Security-Policy", value }];

const nextConfig: NextConfig = {
  // Native/driver packages stay plain Node requires, not bundled.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg"],
  poweredByHeader: false,
  // Core's subpaths without tfjs, from source (what the `@motif/source` export condition gives the
  // workers' esbuild and vitest): a plain `next build` has no built core.
  turbopack: {
    resolveAlias: {
      "@motif/core/key": "../../packages/core/src/evaluation/key.ts",
      "@motif/core/tempo": "../../packages/core/src/compose/tempo.ts",
      "@motif/core/presets": "../../packages/core/src/model/config.ts",
    },
  },
  reactStrictMode: true,
  // Every response; pages get their nonce CSP from src/proxy.ts. A later rule overrides an earlier
  // one, and these win over a header of the same name set by a route handler (Next keeps the first).
  async headers() {
    return [
      { source: "/:path*", headers: COMMON_SECURITY_HEADERS },
      { source: "/api/:path*", headers: csp(API_CONTENT_SECURITY_POLICY) },
      { source: "/api/models/:id/curves", headers: csp(CURVES_CONTENT_SECURITY_POLICY) },
      { source: "/workers/:path*", headers: csp(WORKER_CONTENT_SECURITY_POLICY) },
    ];
  },
};

export default nextConfig;
