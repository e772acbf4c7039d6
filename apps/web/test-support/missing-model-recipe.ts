// pieces.create's input for a model that does not exist: valid to zod, so the call gets past the
// rate limit (spending a point) and is then refused by the model lookup with a 400.
export const MISSING_MODEL_RECIPE = {
  modelId: "no-such-model",
  length: 16,
  temperature: 1,
  topK: null,
  topP: 0.95,
  seed: 1,
  primer: { kind: "none" },
} as const;
