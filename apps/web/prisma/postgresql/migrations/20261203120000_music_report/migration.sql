-- AlterTable
-- Existing pieces have no report (computed on first view) and are no heavy copy.
ALTER TABLE "Model" ADD COLUMN     "evaluation" JSONB;

-- AlterTable
ALTER TABLE "Piece" ADD COLUMN     "heavyCopy" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "longestCopyNotes" INTEGER,
ADD COLUMN     "report" JSONB;

-- CreateIndex
CREATE INDEX "Piece_heavyCopy_createdAt_idx" ON "Piece"("heavyCopy", "createdAt");
