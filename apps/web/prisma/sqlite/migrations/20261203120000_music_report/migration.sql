-- AlterTable
-- Hand-written like 20261201220000_piece_key: SQLite adds nullable columns and a NOT NULL column
-- with a constant default in place, so the tables are not rebuilt (what `prisma migrate diff`
-- would do). Existing pieces have no report (computed on first view) and are no heavy copy.
ALTER TABLE "Model" ADD COLUMN "evaluation" JSONB;
ALTER TABLE "Piece" ADD COLUMN "report" JSONB;
ALTER TABLE "Piece" ADD COLUMN "heavyCopy" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Piece" ADD COLUMN "longestCopyNotes" INTEGER;

-- CreateIndex
CREATE INDEX "Piece_heavyCopy_createdAt_idx" ON "Piece"("heavyCopy", "createdAt");
