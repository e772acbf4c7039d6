// Next's own build switches, not app configuration (that is env.ts, which validates the whole
// process environment as it loads and imports Node-only modules). This module imports neither,
// so proxy.ts can use it wherever Next runs it. Keep each read a literal `process.env.X`: Next
// replaces those with the build's value.
import { z } from "zod";

const nodeEnvSchema = z.enum(["development", "production", "test"]);

/** `next dev`: the page CSP allows what React's dev tooling needs (security-headers.ts). */
export function isDevelopmentBuild(): boolean {
  // Anything else, unset included, is not a development build.
  return nodeEnvSchema.safeParse(process.env.NODE_ENV).data === "development";
}
