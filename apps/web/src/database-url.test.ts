import { describe, expect, it } from "vitest";
import { resolveDatabaseTarget } from "./database-url";

describe("resolveDatabaseTarget", () => {
  it("defaults to SQLite under the app's data folder and resolves relative file: URLs", () => {
    expect(resolveDatabaseTarget(undefined, "/srv/web")).toMatchObject({
      provider: "sqlite",
      filePath: "/srv/web/data/motif.db",
      url: "file:/srv/web/data/motif.db",
    });
    expect(resolveDatabaseTarget("file:../x.db", "/srv/web")).toMatchObject({
      provider: "sqlite",
      filePath: "/srv/x.db",
    });
    expect(resolveDatabaseTarget("file:/tmp/a.db", "/srv/web")).toMatchObject({ filePath: "/tmp/a.db" });
  });
  it("picks PostgreSQL for postgres URLs and refuses anything else", () => {
    expect(resolveDatabaseTarget("postgresql://u:p@h/db", "/w")).toMatchObject({
      provider: "postgresql",
      schemaDir: "prisma/postgresql",
    });
    expect(resolveDatabaseTarget("postgres://u@h/db", "/w").provider).toBe("postgresql");
    expect(() => resolveDatabaseTarget("mysql://u@h/db", "/w")).toThrow(
      /must start with file: .* or postgresql:\/\//,
    );
    expect(() => resolveDatabaseTarget("file:", "/w")).toThrow(/names no SQLite file/);
  });
});
