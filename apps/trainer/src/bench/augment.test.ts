import { describe, expect, it } from "vitest";
import type { ValidationPoint } from "@motif/core";
import { parseCommand } from "../cli/command-args.js";
import { augmentBenchCommand, modeFigures, trainArgs, type AugmentBenchOptions } from "./augment.js";

const point = (
  minutes: number,
  valLoss: number | null,
  at: ValidationPoint["at"] = "epoch",
): ValidationPoint => ({
  at,
  epoch: 1,
  step: Math.round(minutes * 10),
  tokensSeen: 0,
  elapsedSeconds: minutes * 60,
  loss: 4,
  accuracy: 0,
  valLoss,
  valAccuracy: 0,
  valInKeyMass: null,
  valNoteAccuracy: null,
  learningRate: 1e-3,
});

function options(argv: string[]): AugmentBenchOptions {
  const parsed = parseCommand(augmentBenchCommand, argv);
  if (parsed.help) throw new Error("unexpected --help");
  return parsed.options;
}

describe("bench-augment", () => {
  it("reads the first validation number and the best loss from a run's metrics lines", () => {
    expect(
      modeFigures([point(0.5, null), point(3, 4.2, "step"), point(6, 3.9), point(9, 4.0, "stop")]),
    ).toEqual({
      validations: 3,
      first: { minutes: 3, valLoss: 4.2 },
      best: { minutes: 6, valLoss: 3.9, epoch: 1, step: 60 },
    });
    expect(modeFigures([])).toEqual({ validations: 0, first: null, best: null });
  });

  it("trains both modes on the same settings and budget, the random run planning as many steps", () => {
    const parsed = options(["--budget", "2m", "--units", "64", "--layers", "1"]);
    expect(parsed).toMatchObject({
      budgetSeconds: 120,
      keys: "none",
      augment: [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6],
      epochs: 30,
    });
    const all = trainArgs(parsed, "all", "/data", "/models");
    const random = trainArgs(parsed, "random", "/data", "/models");
    const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];
    expect(flag(all, "--epochs")).toBe("30");
    expect(flag(random, "--epochs")).toBe("360");
    expect([flag(all, "--augment-mode"), flag(random, "--augment-mode")]).toEqual(["all", "random"]);
    for (const args of [all, random]) {
      expect(args).toContain("--augment=-5,-4,-3,-2,-1,1,2,3,4,5,6");
      expect(args).toEqual(
        expect.arrayContaining([
          "--time-budget",
          "120s",
          "--patience",
          "0",
          "--units",
          "64",
          "--layers",
          "1",
          "--json",
          "--keys",
          "none",
        ]),
      );
      expect(args).not.toContain("--val-every");
    }
  });
});
