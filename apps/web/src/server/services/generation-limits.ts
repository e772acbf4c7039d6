import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { DatabaseTarget } from "@/database-url";
import { TooManyRequestsError } from "../errors";

export interface GenerationLimits {
  /** Generations (create, variation, regenerate, share) one client may start per window. */
  perClient: number;
  windowSeconds: number;
  /** Generation jobs accepted and not finished (waiting or running) past which new ones are refused. */
  maxQueued: number;
  /** PostgreSQL: counters in the `RateLimit` table, shared by every server process. SQLite: in memory. */
  store: Pick<DatabaseTarget, "provider" | "url">;
}

/** The per-client generation rate limit (rate-limiter-flexible), one per process. */
export function createGenerationLimiter(limits: GenerationLimits) {
  const options = { keyPrefix: "generate", points: limits.perClient, duration: limits.windowSeconds };
  let pool: Promise<{ end(): Promise<void> }> | null = null;
  let limiter: Promise<RateLimiterAbstract> | null = null;

  function open(): Promise<RateLimiterAbstract> {
    const store = limits.store;
    if (store.provider !== "postgresql") return Promise.resolve(new RateLimiterMemory(options));
    // The pg pool comes from the driver adapter the app already uses (pg is its dependency, not ours).
    const connected = new PrismaPg({ connectionString: store.url, max: 4, allowExitOnIdle: true })
      .connect()
      .then((adapter) => adapter.underlyingDriver());
    pool = connected;
    return connected.then(
      (storeClient) =>
        new RateLimiterPostgres({
          ...options,
          storeClient,
          storeType: "pool",
          // The table is the migrations' (prisma/postgresql/migrations, model RateLimit): no DDL at run time.
          tableName: "RateLimit",
          tableCreated: true,
          // While PostgreSQL does not answer, count in this process instead of failing every generation.
          insuranceLimiter: new RateLimiterMemory(options),
        }),
    );
  }

  /** Counts one generation for `client`; past the limit a TooManyRequestsError with the wait. */
  async function consume(client: string): Promise<void> {
    limiter ??= open();
    try {
      await (await limiter).consume(client);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new TooManyRequestsError(
        `too many pieces from this client: at most ${limits.perClient} every ${limits.windowSeconds} s; try again in ${seconds} s`,
        seconds,
      );
    }
  }

  /**
   * Gives `client` its point back (a generation refused because the queue was full). A failed
   * refund leaves the point counted: the caller already has its answer, and that errs on the side
   * of refusing.
   */
  async function refund(client: string): Promise<void> {
    limiter ??= open();
    try {
      await (await limiter).reward(client, 1);
    } catch (error) {
      console.error(`rate limit: could not give ${client} its point back`, error);
    }
  }

  /** Generations `client` may still start in the current window. */
  async function remaining(client: string): Promise<number> {
    limiter ??= open();
    const counted = await (await limiter).get(client);
    return counted ? Math.max(0, limits.perClient - counted.consumedPoints) : limits.perClient;
  }

  async function close(): Promise<void> {
    const opened = pool;
    pool = null;
    limiter = null;
    if (opened) await (await opened).end();
  }

  return { consume, refund, remaining, close };
}

export type GenerationLimiter = ReturnType<typeof createGenerationLimiter>;
