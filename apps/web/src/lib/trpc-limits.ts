/** Calls in one batched tRPC request: the server refuses more (400), the browser client splits at it. */
export const MAX_BATCH_CALLS = 20;
