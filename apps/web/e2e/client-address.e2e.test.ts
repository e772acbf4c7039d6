// The rate limit's client address against the built app as `pnpm start` serves it
// (scripts/next-server.mjs): a client talking to the app directly cannot choose its key by writing
// its own X-Forwarded-For, and behind a trusted proxy each address the proxy saw is its own client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MISSING_MODEL_RECIPE } from "../test-support/missing-model-recipe";
import { serveWithTinyModel, type RunningApp } from "./app-server";

const LIMIT = 2;

/** pieces.create for a model that does not exist: it spends a rate-limit point, then is refused. */
async function createAs(app: RunningApp, forwardedFor: string): Promise<{ status: number; message: string }> {
  const response = await fetch(`${app.url}/api/trpc/pieces.create`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
    body: JSON.stringify(MISSING_MODEL_RECIPE),
  });
  const body = (await response.json()) as { error?: { message?: string } };
  return { status: response.status, message: body.error?.message ?? "" };
}

describe.each([
  { proxies: "0", expected: [400, 400, 429], says: "three made-up addresses share the socket's limit" },
  { proxies: "1", expected: [400, 400, 400], says: "three addresses a proxy appended are three clients" },
])("MOTIF_TRUSTED_PROXIES=$proxies", ({ proxies, expected, says }) => {
  let served: Awaited<ReturnType<typeof serveWithTinyModel>>;

  beforeAll(async () => {
    served = await serveWithTinyModel(`e2e-client-address-${proxies}`, {
      MOTIF_TRUSTED_PROXIES: proxies,
      MOTIF_RATE_LIMIT_GENERATIONS: String(LIMIT),
    });
  });
  afterAll(async () => served?.remove());

  it(says, async () => {
    const answers = [];
    for (const address of ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
      answers.push(await createAs(served.app, address));
    expect(answers.map((answer) => answer.status)).toEqual(expected);
    // A 400 is the model lookup's, past the limit; a 429 is the limit's own refusal.
    for (const answer of answers)
      expect(answer.message).toMatch(
        answer.status === 400
          ? /model no-such-model does not exist/
          : /too many pieces from this client: at most 2 every/,
      );
  });

  it("keeps one client's limit whatever it writes before the trusted entries", async () => {
    // Behind one proxy the client's own entries come first and are ignored: one key, 198.51.100.9.
    const spoofed = ["6.6.6.1, 198.51.100.9", "6.6.6.2, 198.51.100.9", "6.6.6.3, 198.51.100.9"];
    const statuses = [];
    for (const header of spoofed) statuses.push((await createAs(served.app, header)).status);
    expect(statuses).toEqual(proxies === "0" ? [429, 429, 429] : [400, 400, 429]);
  });
});
