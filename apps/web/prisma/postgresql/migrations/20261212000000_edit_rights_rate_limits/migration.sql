-- AlterTable
-- Pieces made before edit rights have no token hash: nobody can rename them.
ALTER TABLE "Piece" ADD COLUMN     "editTokenHash" TEXT;

-- CreateTable
-- rate-limiter-flexible's RateLimiterPostgres table (the app passes tableCreated: true, so it runs no DDL).
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);
