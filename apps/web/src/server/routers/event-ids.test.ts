import { describe, expect, it } from "vitest";
import { eventNumber, withEventIds } from "./event-ids";

async function* letters() {
  yield "a";
  yield "b";
}

describe("withEventIds", () => {
  it("numbers events from 1, and on from a reconnecting client's last id", async () => {
    const ids = async (lastEventId: string | null) => {
      const seen: [string, string][] = [];
      for await (const [id, event] of withEventIds(letters(), lastEventId)) seen.push([id, event]);
      return seen;
    };
    expect(await ids(null)).toEqual([
      ["1", "a"],
      ["2", "b"],
    ]);
    expect(await ids("41")).toEqual([
      ["42", "a"],
      ["43", "b"],
    ]);
  });

  it("starts again from 1 for an id it did not give", () => {
    for (const id of [undefined, null, "", "abc", "-3", "1.5", "1e400"]) expect(eventNumber(id)).toBe(0);
    expect(eventNumber("7")).toBe(7);
  });
});
