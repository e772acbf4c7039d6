import { describe, expect, it } from "vitest";
import { MAX_NOTIFY_PAYLOAD, pieceNotification, pieceNotificationSchema } from "./queue-sql";

describe("pieceNotification", () => {
  it("carries the piece, its stored sequence number and the event", () => {
    const payload = pieceNotification("p1", 4, {
      type: "notes",
      tokenCount: 12,
      from: 3,
      notes: [[60, 80, 0, 1]],
    });
    expect(pieceNotificationSchema.parse(JSON.parse(payload))).toEqual({
      id: "p1",
      seq: 4,
      event: { type: "notes", tokenCount: 12, from: 3, notes: [[60, 80, 0, 1]] },
    });
  });

  it("sends an update too large for NOTIFY as a resync of the same sequence number", () => {
    const notes = Array.from(
      { length: 2000 },
      (_, i) => [60, 80, i, i + 1] as [number, number, number, number],
    );
    const payload = pieceNotification("p1", 9, { type: "notes", tokenCount: 2000, from: 0, notes });
    expect(payload.length).toBeLessThan(MAX_NOTIFY_PAYLOAD);
    expect(JSON.parse(payload)).toEqual({ id: "p1", seq: 9, event: { type: "resync" } });
  });
});
