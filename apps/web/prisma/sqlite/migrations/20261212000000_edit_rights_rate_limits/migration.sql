-- AlterTable
-- Pieces made before edit rights have no token hash: nobody can rename them.
ALTER TABLE "Piece" ADD COLUMN "editTokenHash" TEXT;

-- CreateTable
-- rate-limiter-flexible's RateLimiterPostgres layout; unused on SQLite (the limiter is in memory).
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT
);
