import { describe, expect, it } from "vitest";
import * as core from "@motif/core";
import { ALL_KEY_NAMES, keyChoiceLabel, keyChoiceText, keyName, parseKeyChoice } from "./key-choice";

describe("key choices", () => {
  it("are core's own functions, not a copy", () => {
    expect(parseKeyChoice).toBe(core.parseKeyChoice);
    expect(keyChoiceText).toBe(core.keyChoiceText);
    expect(keyName).toBe(core.keyName);
  });

  it("lists the 24 keys once each, every one reading back as itself", () => {
    expect(ALL_KEY_NAMES).toHaveLength(24);
    expect(new Set(ALL_KEY_NAMES).size).toBe(24);
    expect(ALL_KEY_NAMES.slice(0, 4)).toEqual(["C major", "C minor", "Db major", "C# minor"]);
    for (const name of ALL_KEY_NAMES) expect(keyChoiceText(parseKeyChoice(name)!)).toBe(name);
  });

  it("labels the stored choices for the piece page", () => {
    expect(keyChoiceLabel("as-trained")).toBe("as the model wrote it");
    expect(keyChoiceLabel("primer")).toBe("as the primer");
    expect(keyChoiceLabel("D minor")).toBe("D minor");
  });
});
