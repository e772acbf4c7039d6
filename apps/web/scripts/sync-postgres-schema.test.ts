import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

it("the committed PostgreSQL schema is generated from the SQLite one (run `pnpm db:sync-pg` if this fails)", () => {
  const result = spawnSync(
    process.execPath,
    [join(import.meta.dirname, "sync-postgres-schema.mjs"), "--check"],
    { encoding: "utf8" },
  );
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
});
