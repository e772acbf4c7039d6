// The app's security headers, shared by next.config.ts (static headers on every response) and
// src/proxy.ts (the per-request nonce CSP of HTML pages). Plain module, no "server-only": the
// Next config loads it outside the app bundle.

/** A policy as directive → sources, serialised in this order. */
type Policy = Record<string, string[]>;

const serialise = (policy: Policy) =>
  Object.entries(policy)
    .map(([directive, sources]) => [directive, ...sources].join(" "))
    .join("; ");

/**
 * HTML pages. Scripts run only with this request's nonce (Next puts it on its bootstrap and chunk
 * scripts when it finds it in the request's CSP); 'strict-dynamic' lets those load their chunks.
 * - style-src-attr 'unsafe-inline': React renders `style={…}` props as style attributes (the roll,
 *   range bars), which a nonce cannot cover; attributes cannot run script.
 * - worker-src blob:: Tone.js runs its clock in a Worker made from a Blob URL.
 * - No 'wasm-unsafe-eval' here: only the device worker compiles WebAssembly, under its own policy.
 * - `next dev` needs 'unsafe-eval' (React's dev stack reconstruction) and unhashed inline styles.
 */
export function pageContentSecurityPolicy(nonce: string, options: { dev: boolean }): string {
  return serialise({
    "default-src": ["'self'"],
    "script-src": [
      "'self'",
      `'nonce-${nonce}'`,
      "'strict-dynamic'",
      ...(options.dev ? ["'unsafe-eval'"] : []),
    ],
    "style-src": ["'self'", options.dev ? "'unsafe-inline'" : `'nonce-${nonce}'`],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "blob:", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "media-src": ["'self'", "blob:"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  });
}

/**
 * The device worker (public/workers/): a dedicated worker is governed by the policy delivered with
 * its script, not the page's. It compiles core's WebAssembly step and fetches the bundle files.
 */
export const WORKER_CONTENT_SECURITY_POLICY = serialise({
  "default-src": ["'none'"],
  "script-src": ["'self'", "'wasm-unsafe-eval'"],
  "connect-src": ["'self'"],
  "frame-ancestors": ["'none'"],
});

/** API responses (JSON, MIDI, text): nothing in them may run or load anything if opened as a document. */
export const API_CONTENT_SECURITY_POLICY = serialise({
  "default-src": ["'none'"],
  "frame-ancestors": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
});

/** The training curves SVG carries inline styles; nothing else. */
export const CURVES_CONTENT_SECURITY_POLICY = serialise({
  "default-src": ["'none'"],
  "style-src": ["'unsafe-inline'"],
  "frame-ancestors": ["'none'"],
});

/** On every response, pages and files alike. */
export const COMMON_SECURITY_HEADERS: { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  // frame-ancestors 'none' in the CSPs; X-Frame-Options for browsers (and responses) without it.
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];
