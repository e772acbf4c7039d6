import { describe, expect, it } from "vitest";
import { fileSlug } from "./http";

describe("fileSlug", () => {
  it("makes download names safe for headers and file systems", () => {
    expect(fileSlug("Nocturne in C♯ minor")).toBe("nocturne-in-c-sharp-minor");
    expect(fileSlug('Étude "No. 5" / draft')).toBe("etude-no-5-draft");
    expect(fileSlug("♪♪")).toBe("motif-piece");
  });
});
