// Where a radio stream stands, in tokens and time, and which cut of it "Keep" saves. Pure.

/** After `tokens` tokens of the stream, its last settled note starts at `quarter` (notes settle in time order). */
export interface StreamMark {
  tokens: number;
  quarter: number;
}

/** The share path's bounds for a length (the create schema's 16..2000 tokens). */
export const KEEP_MIN_TOKENS = 16;
const KEEP_MAX_TOKENS = 2000;

/**
 * The cut "Keep" saves: the stream's tokens from about `spanQuarters` before `endQuarter` (the
 * playhead) up to the first mark that covers it, at most `maxTokens`; null when fewer than
 * KEEP_MIN_TOKENS have been composed by then.
 * @example keepWindow([{ tokens: 32, quarter: 4 }, { tokens: 64, quarter: 9 }], { endQuarter: 8, spanQuarters: 60 }) // { offset: 0, length: 64 }
 */
export function keepWindow(
  marks: readonly StreamMark[],
  args: { endQuarter: number; spanQuarters: number; maxTokens?: number },
): { offset: number; length: number } | null {
  const { endQuarter, spanQuarters, maxTokens = KEEP_MAX_TOKENS } = args;
  const last = marks.at(-1);
  if (!last) return null;
  const end = (marks.find((mark) => mark.quarter >= endQuarter) ?? last).tokens;
  let offset = 0;
  for (const mark of marks) {
    if (mark.quarter > endQuarter - spanQuarters || mark.tokens >= end) break;
    offset = mark.tokens;
  }
  offset = Math.max(offset, end - maxTokens);
  return end - offset < KEEP_MIN_TOKENS ? null : { offset, length: end - offset };
}
