// One flat config for the whole workspace. The important rule: packages/core and packages/midi
// stay platform-free (no Node or browser APIs), so they run unchanged in Node, browsers and workers.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const nodeModules = [
  "fs", "path", "os", "child_process", "worker_threads", "crypto", "url", "util", "stream",
  "http", "https", "net", "zlib", "module", "process", "buffer", "events", "readline",
].flatMap((name) => [name, `${name}/*`, `node:${name}`, `node:${name}/*`]);

export default tseslint.config(
  { ignores: ["**/dist/**", "**/.next/**", "**/node_modules/**", "**/generated/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["packages/*/src/**/*.ts"],
    ignores: ["packages/*/src/**/*.test.ts", "packages/*/src/**/test-support/**"],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@tensorflow/tfjs-node", message: "core stays platform-free: pick the backend in the app." },
            { name: "react", message: "core and midi are UI-free." },
            { name: "next", message: "core and midi are UI-free." },
          ],
          patterns: [
            { group: nodeModules, message: "core and midi are platform-free: take bytes and plain objects, do I/O in the app." },
            { group: ["trainer", "web", "trainer/*", "web/*"], message: "packages never import apps." },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        ...["process", "Buffer", "window", "document", "require", "__dirname", "__filename", "navigator"].map((name) => ({
          name,
          message: "core and midi are platform-free: no Node or browser globals.",
        })),
      ],
    },
  },
  {
    files: ["apps/**/*.{ts,tsx,js,mjs}", "packages/*/src/**/*.test.ts", "**/*.config.{ts,js,mjs}", "scripts/**/*.{js,mjs}"],
    languageOptions: { globals: { ...globals.node } },
  },
);
