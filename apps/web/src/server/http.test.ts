import { describe, expect, it } from "vitest";
import { attachmentDisposition, fileSlug } from "./http";

describe("fileSlug", () => {
  it("makes download names safe for headers and file systems", () => {
    expect(fileSlug("Nocturne in C♯ minor")).toBe("nocturne-in-c-sharp-minor");
    expect(fileSlug('Étude "No. 5" / draft')).toBe("etude-no-5-draft");
    expect(fileSlug("♪♪")).toBe("motif-piece");
  });
});

describe("attachmentDisposition", () => {
  /** What a browser would take as the file name: RFC 6266 prefers filename* and decodes it. */
  const extendedName = (header: string) =>
    decodeURIComponent(/filename\*=UTF-8''([^;\s]+)/.exec(header)![1]!);

  it("keeps the title in filename* and an ASCII slug in filename", () => {
    const header = attachmentDisposition("Nocturne in C♯ minor", "mid");
    expect(header).toBe(
      `attachment; filename="nocturne-in-c-sharp-minor.mid"; filename*=UTF-8''Nocturne%20in%20C%E2%99%AF%20minor.mid`,
    );
    expect(extendedName(attachmentDisposition("夜曲 (draft)", "mid"))).toBe("夜曲 (draft).mid");
  });

  it("lets no quote, newline, semicolon or path reach the header as it is", () => {
    const hostile = [
      'a"; filename="evil.exe',
      "x\r\nSet-Cookie: session=stolen",
      "../../etc/passwd",
      "C:\\Windows\\win.ini",
      "nul\u0000byte",
      "lone \ud800 surrogate",
      "'*()",
    ];
    for (const title of hostile) {
      const header = attachmentDisposition(title, "mid");
      // Only printable ASCII, one quoted filename, no CR/LF: nothing can start a new header or parameter.
      expect(header).toMatch(
        /^attachment; filename="[a-z0-9-]+\.mid"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+$/,
      );
      expect(extendedName(header)).not.toMatch(/[/\\\p{Cc}]/u);
      expect(new Headers({ "Content-Disposition": header }).get("Content-Disposition")).toBe(header);
    }
    expect(extendedName(attachmentDisposition("../../etc/passwd", "mid"))).toBe(".. .. etc passwd.mid");
  });
});
