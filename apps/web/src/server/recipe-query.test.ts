import { describe, expect, it } from "vitest";
import { recipeHref } from "@/lib/recipe-url";
import { readRecipeQuery } from "./recipe-query";

const models = [
  { id: "m1", label: "tiny/v1" },
  { id: "m2", label: "mutopia-piano/v1" },
];
const queryOf = (href: string) => Object.fromEntries(new URL(href, "http://x").searchParams);

describe("recipe URLs", () => {
  it("round-trip a piece's recipe into the form's values, off top-k / top-p as blank fields", () => {
    const href = recipeHref({
      modelId: "m2",
      seed: 4242,
      length: 300,
      temperature: 0.9,
      topK: null,
      topP: 0.95,
      primerKind: "corpus",
      key: "D minor",
    });
    expect(href).toBe(
      "/generate?model=m2&seed=4242&length=300&temperature=0.9&topK=off&topP=0.95&primer=corpus&key=D+minor",
    );
    expect(readRecipeQuery(queryOf(href), models)).toEqual({
      values: {
        modelId: "m2",
        seed: "4242",
        length: "300",
        temperature: "0.9",
        topK: "",
        topP: "0.95",
        primer: "corpus",
        key: "D minor",
      },
      notes: [],
    });
    expect(
      readRecipeQuery(
        queryOf(
          recipeHref({
            modelId: "m1",
            seed: 1,
            length: 16,
            temperature: 1,
            topK: 8,
            topP: null,
            primerKind: "none",
            key: "as-trained",
          }),
        ),
        models,
      ).values,
    ).toMatchObject({ topK: "8", topP: "" });
  });

  it("carry where the piece is composed only when it is given, and read it back", () => {
    const base = {
      modelId: "m1",
      seed: 3,
      length: 64,
      temperature: 1,
      topK: null,
      topP: 0.95,
      primerKind: "none",
      key: "as-trained",
    };
    expect(recipeHref(base)).not.toContain("where=");
    for (const where of ["device", "server"] as const) {
      const href = recipeHref({ ...base, where });
      expect(href.endsWith(`&where=${where}`)).toBe(true);
      expect(readRecipeQuery(queryOf(href), models)).toEqual({
        values: {
          modelId: "m1",
          seed: "3",
          length: "64",
          temperature: "1",
          topK: "",
          topP: "0.95",
          primer: "none",
          key: "as-trained",
          where,
        },
        notes: [],
      });
    }
    expect(readRecipeQuery(queryOf(recipeHref(base)), models).values.where).toBeUndefined();
  });

  it("takes a model by name/version and a key in any spelling, and ignores unknown parameters", () => {
    expect(readRecipeQuery({ model: "tiny/v1", key: "eb maj", radio: "on" }, models)).toEqual({
      values: { modelId: "m1", key: "Eb major" },
      notes: [],
    });
  });

  it("leaves out every bad value with a note saying why, with the create procedure's own limits", () => {
    const { values, notes } = readRecipeQuery(
      {
        model: "gone",
        seed: "-1",
        length: "3.5",
        temperature: "hot",
        topK: "0",
        topP: "1.5",
        primer: "radio",
        key: "H major",
        where: "cloud",
      },
      models,
    );
    expect(values).toEqual({});
    expect(notes).toEqual([
      'model "gone" ignored: no usable model has that id or name/version',
      'seed "-1" ignored: seed must be ≥ 0',
      'length "3.5" ignored: length must be a whole number',
      'temperature "hot" ignored: not a number',
      'topK "0" ignored: top-k must be at least 1',
      'topP "1.5" ignored: top-p must be at most 1',
      'primer "radio" ignored: must be none, corpus or upload',
      'key "H major" ignored: key must be "as-trained", "primer" or a key such as "D minor" (got "H major")',
      'where "cloud" ignored: must be device or server',
    ]);
    expect(readRecipeQuery({ seed: ["5", "6"], length: "1e3" }, models)).toEqual({
      values: { seed: "5", length: "1000" },
      notes: [],
    });
    expect(readRecipeQuery({ seed: String(2 ** 31) }, models).notes).toEqual([
      `seed "${2 ** 31}" ignored: seed must be below 2^31`,
    ]);
  });
});
