// Asserts a procedure call fails with a tRPC error of the given code and a message matching.
import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

export async function expectTrpcError(promise: Promise<unknown>, code: TRPCError["code"], message: RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  expect((error as TRPCError).message).toMatch(message);
}
