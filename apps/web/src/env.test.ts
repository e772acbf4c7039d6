import { describe, expect, it } from "vitest";
import { engineConfig } from "./env";

describe("engineConfig", () => {
  it("keeps the in-process engine on either database", () => {
    expect(engineConfig("inprocess", 3, "sqlite")).toEqual({ kind: "inprocess" });
    expect(engineConfig("inprocess", 3, "postgresql")).toEqual({ kind: "inprocess" });
  });

  it("takes the queue engine only with PostgreSQL, and says what to change otherwise", () => {
    expect(engineConfig("queue", 5, "postgresql")).toEqual({ kind: "queue", attempts: 5 });
    expect(() => engineConfig("queue", 3, "sqlite")).toThrow(
      /MOTIF_ENGINE=queue .* needs a postgresql:\/\/ DATABASE_URL \(this one is SQLite\)/,
    );
  });
});
