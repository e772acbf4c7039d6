import type { StepModel } from "./step-model.js";
import { createRng } from "../primitives/rng.js";
import { sampleFromLogits, type SamplingOptions } from "../sampling/sample.js";
import { guardedToken } from "../sampling/repetition-guard.js";
import type { KeyMemory } from "../sampling/key-memory.js";

/** What generation needs of a Vocabulary (the real `Vocabulary` satisfies it). */
export interface GenerationVocabulary {
  readonly tokens: readonly string[];
  id(token: string): number | undefined;
}
/** What generation needs of a Tokenizer (the real `Tokenizer` satisfies it). */
export interface GenerationTokenizer {
  createGrammar(): GenerationGrammar;
}
export interface GenerationGrammar {
  push(token: string): void;
  allows(token: string): boolean;
  clone(): GenerationGrammar;
}

/** True when some vocabulary token may follow `tokens[id]`. */
function leadsSomewhere(grammar: GenerationGrammar, tokens: readonly string[], id: number): boolean {
  const next = grammar.clone();
  next.push(tokens[id] as string);
  return tokens.some((token) => next.allows(token));
}

export interface GenerateOptions extends SamplingOptions {
  /** Number of tokens to sample after the primer. */
  length: number;
  seed: number;
  /** Tokens fed to the model (and the grammar) before sampling; [] = start from nothing. */
  primer: string[];
  /** Mask the token that would repeat a 1–4-token pattern a 9th time in a row (see repetition-guard.ts). */
  repetitionGuard: boolean;
}

/** What a token sampler needs: `GenerateOptions` without the length (a sampler goes on as long as it is asked). */
export type SamplerOptions = Omit<GenerateOptions, "length">;

/** Samples one token at a time, carrying the step model's state, the PRNG, the grammar and the history. */
export interface TokenSampler {
  /**
   * Samples the next token. `last` = no token follows it: the dead-end check and the model step
   * after it are skipped (what a fixed-length piece does at its end; an open-ended stream never passes it).
   */
  next(last?: boolean): string;
}

/**
 * Resets the step model, feeds the primer (checked against the vocabulary and the grammar) and
 * returns the sampler that continues it. `generateTokens` is this sampler run for `length` tokens.
 */
export function createTokenSampler(args: {
  step: StepModel;
  vocabulary: GenerationVocabulary;
  tokenizer: GenerationTokenizer;
  options: SamplerOptions;
  /**
   * A fresh memory for this piece (the model's `keyMemory`). It hears the primer, never the drawn
   * tokens: the model's own draws are no evidence of the piece's key, and fed back they lock in
   * (pitch-class entropy 3.05 → 2.24 bits on the seed corpus; BENCHMARKS.md, "Key memory").
   */
  keyMemory?: KeyMemory;
}): TokenSampler {
  const { step, vocabulary, tokenizer, options, keyMemory } = args;
  const tokens = vocabulary.tokens;
  const rng = createRng(options.seed);
  const grammar = tokenizer.createGrammar();
  const history: number[] = [];
  step.reset();

  let logits: Float32Array | null = null;
  for (const [position, token] of options.primer.entries()) {
    const id = vocabulary.id(token);
    if (id === undefined)
      throw new Error(`primer token "${token}" is not in the model's vocabulary (${tokens.length} tokens)`);
    if (!grammar.allows(token))
      throw new Error(`primer token ${position} "${token}" is not grammatical after the tokens before it`);
    grammar.push(token);
    history.push(id);
    keyMemory?.observe(id);
    logits = step.step(id);
  }
  const modelLogits = (raw: Float32Array): Float32Array =>
    keyMemory === undefined || keyMemory.off ? raw : keyMemory.adjust(raw);

  return {
    next(last = false) {
      const grammarAllows = (id: number): boolean => grammar.allows(tokens[id] as string);
      const blocked = options.repetitionGuard ? guardedToken(history) : null;
      let allowed = grammarAllows;
      if (blocked !== null && tokens.some((_, id) => id !== blocked && grammarAllows(id))) {
        allowed = (id) => id !== blocked && grammarAllows(id);
      }
      // A token the grammar allows may still lead nowhere in this vocabulary (e.g. a velocity
      // change when no higher pitch exists): such dead ends are masked and the draw repeated.
      const deadEnds = new Set<number>();
      const usable = (id: number): boolean => !deadEnds.has(id) && allowed(id);
      const adjusted = logits === null ? null : modelLogits(logits);
      let id: number;
      for (;;) {
        id =
          adjusted === null
            ? sampleFromLogits(
                new Float32Array(tokens.length),
                { temperature: 1, topK: null, topP: null },
                rng,
                usable,
              )
            : sampleFromLogits(adjusted, options, rng, usable);
        if (last || leadsSomewhere(grammar, tokens, id)) break;
        deadEnds.add(id);
      }
      const token = tokens[id] as string;
      grammar.push(token);
      history.push(id);
      if (!last) logits = step.step(id);
      return token;
    },
  };
}

/**
 * Feeds the primer, then samples `options.length` tokens, returning ONLY the sampled tokens
 * (prepend the primer yourself if you want it in the piece). Every draw is masked by the
 * tokenizer's grammar, so no impossible token is ever drawn. With an empty primer the first token
 * is drawn uniformly from what the grammar allows. Same step model + options → same tokens.
 * @example generateTokens({ step, vocabulary, tokenizer, options: { length: 500, seed: 7, primer: [], temperature: 1, topK: null, topP: 0.95, repetitionGuard: true } })
 */
export function generateTokens(args: {
  step: StepModel;
  vocabulary: GenerationVocabulary;
  tokenizer: GenerationTokenizer;
  options: GenerateOptions;
  onToken?(token: string, index: number): void;
}): string[] {
  const { options, onToken } = args;
  if (!Number.isInteger(options.length) || options.length < 0)
    throw new Error(`length must be a non-negative integer, got ${options.length}`);
  const sampler = createTokenSampler(args);
  const generated: string[] = [];
  for (let index = 0; index < options.length; index++) {
    const token = sampler.next(index === options.length - 1);
    generated.push(token);
    onToken?.(token, index);
  }
  return generated;
}
