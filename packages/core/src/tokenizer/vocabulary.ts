import { getTokenizer, isTokenizerKind } from "./registry.js";
import { TOKENIZER_KINDS, type TokenizerKind } from "./types.js";

/** A vocabulary that cannot be built or read back, with the reason in the message. */
export class VocabularyError extends Error {
  override readonly name = "VocabularyError";
}

export interface VocabularyJSON {
  version: 1;
  tokenizer: TokenizerKind;
  tokenizerVersion: number;
  tokens: string[];
}

export interface VocabularyBuildOptions {
  /** Tokens given the first ids, in this order (e.g. padding); they need not occur in the streams. */
  reserved?: string[];
  /**
   * The token language of the streams. When omitted it is inferred: every corpus token must belong
   * to exactly one tokenizer's language (the two languages share no token).
   */
  tokenizer?: TokenizerKind;
}

/**
 * Token ↔ id mapping. Like the seed: ids follow the sorted distinct tokens (code-point order, as
 * Python's `sorted`), after any reserved tokens. Unknown tokens are counted and dropped, never
 * mapped to some other id.
 */
export class Vocabulary {
  readonly tokens: readonly string[];
  readonly tokenizer: TokenizerKind;
  readonly tokenizerVersion: number;
  private readonly ids: ReadonlyMap<string, number>;

  private constructor(tokens: readonly string[], tokenizer: TokenizerKind, tokenizerVersion: number) {
    this.tokens = Object.freeze([...tokens]);
    this.tokenizer = tokenizer;
    this.tokenizerVersion = tokenizerVersion;
    this.ids = new Map(tokens.map((token, id) => [token, id]));
  }

  static build(streams: Iterable<readonly string[]>, options: VocabularyBuildOptions = {}): Vocabulary {
    const reserved = options.reserved ?? [];
    const duplicate = findDuplicate(reserved);
    if (duplicate !== undefined) throw new VocabularyError(`reserved token "${duplicate}" is listed twice`);
    const seen = new Set<string>();
    for (const stream of streams) for (const token of stream) seen.add(token);
    for (const token of reserved) seen.delete(token);
    const corpusTokens = [...seen].sort();
    const tokenizer = options.tokenizer ?? inferTokenizer(corpusTokens);
    const foreign = corpusTokens.find((token) => !getTokenizer(tokenizer).isToken(token));
    if (foreign !== undefined) {
      throw new VocabularyError(`token "${foreign}" does not belong to the ${tokenizer} token language`);
    }
    return new Vocabulary([...reserved, ...corpusTokens], tokenizer, getTokenizer(tokenizer).version);
  }

  static fromJSON(json: unknown): Vocabulary {
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw new VocabularyError(`vocabulary JSON must be an object, got ${describe(json)}`);
    }
    const record = json as Record<string, unknown>;
    if (record.version !== 1) {
      throw new VocabularyError(`vocabulary JSON version must be 1, got ${describe(record.version)}`);
    }
    if (!isTokenizerKind(record.tokenizer)) {
      throw new VocabularyError(
        `vocabulary JSON tokenizer must be one of ${TOKENIZER_KINDS.join(", ")}, got ${describe(record.tokenizer)}`,
      );
    }
    const tokenizerVersion = record.tokenizerVersion;
    if (typeof tokenizerVersion !== "number" || !Number.isInteger(tokenizerVersion) || tokenizerVersion < 1) {
      throw new VocabularyError(
        `vocabulary JSON tokenizerVersion must be a positive integer, got ${describe(tokenizerVersion)}`,
      );
    }
    const tokens = record.tokens;
    if (!Array.isArray(tokens))
      throw new VocabularyError(`vocabulary JSON tokens must be an array, got ${describe(tokens)}`);
    tokens.forEach((token, index) => {
      if (typeof token !== "string" || token.length === 0) {
        throw new VocabularyError(
          `vocabulary JSON tokens[${index}] must be a non-empty string, got ${describe(token)}`,
        );
      }
    });
    const duplicate = findDuplicate(tokens as string[]);
    if (duplicate !== undefined)
      throw new VocabularyError(`vocabulary JSON lists token "${duplicate}" twice`);
    return new Vocabulary(tokens as string[], record.tokenizer, tokenizerVersion);
  }

  get size(): number {
    return this.tokens.length;
  }

  id(token: string): number | undefined {
    return this.ids.get(token);
  }

  token(id: number): string {
    const token = Number.isInteger(id) ? this.tokens[id] : undefined;
    if (token === undefined)
      throw new RangeError(`token id ${id} is outside the vocabulary (size ${this.size})`);
    return token;
  }

  /** Ids of the known tokens; every unknown token is dropped and counted in `unknown`. */
  encode(tokens: readonly string[]): { ids: Int32Array; unknown: Record<string, number> } {
    const ids = new Int32Array(tokens.length);
    const unknown: Record<string, number> = {};
    let count = 0;
    for (const token of tokens) {
      const id = this.ids.get(token);
      if (id === undefined) unknown[token] = (unknown[token] ?? 0) + 1;
      else ids[count++] = id;
    }
    return { ids: ids.slice(0, count), unknown };
  }

  decode(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id) => this.token(id));
  }

  toJSON(): VocabularyJSON {
    return {
      version: 1,
      tokenizer: this.tokenizer,
      tokenizerVersion: this.tokenizerVersion,
      tokens: [...this.tokens],
    };
  }
}

function inferTokenizer(tokens: readonly string[]): TokenizerKind {
  const candidates = TOKENIZER_KINDS.filter((kind) =>
    tokens.every((token) => getTokenizer(kind).isToken(token)),
  );
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (only !== undefined) return only;
  if (tokens.length === 0) {
    throw new VocabularyError("cannot infer the tokenizer of an empty corpus: pass options.tokenizer");
  }
  const sample = tokens.find((token) => !TOKENIZER_KINDS.some((kind) => getTokenizer(kind).isToken(token)));
  throw new VocabularyError(
    sample === undefined
      ? "the corpus mixes tokens of several tokenizers: pass options.tokenizer"
      : `token "${sample}" belongs to no tokenizer's language`,
  );
}

function findDuplicate(tokens: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (seen.has(token)) return token;
    seen.add(token);
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === "object" ? "an object" : String(value);
}
